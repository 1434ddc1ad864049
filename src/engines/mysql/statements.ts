import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { GateCarry } from './gate-carry.js';

/**
 * The server's clock in epoch milliseconds with microsecond fraction, as column `t`. NOW(6) is
 * the time the statement began, on MySQL and MariaDB alike: the server-side start of the
 * critical section, which the start spread is measured on.
 */
export const SERVER_NOW_MS = 'UNIX_TIMESTAMP(NOW(6)) * 1000 AS t';

type Row = Record<string, unknown>;

const BEGIN = /^\s*(START\s+TRANSACTION|BEGIN)\b/i;
/** A statement's parameters (mysql2 sends them as they are; the gate's query writes them in). */
export type Values = readonly (string | number | boolean | null)[];

/**
 * Runs a worker's statements as prepared statements on its own connection (mysql2's `execute`
 * prepares each text once per connection, during warm-up, then only executes it). The MySQL
 * protocol answers one command at a time, so nothing is pipelined; the one exception is the
 * gate (gate-carry.ts), sent as one multi-statement query together with the first critical
 * statement (and a START TRANSACTION before it).
 */
export class MysqlStatements {
  private firstServerTime: number | null = null;
  /** A `START TRANSACTION` not sent yet: it goes out with the next statement (behind the gate, in one query). */
  private pendingBegin: string | null = null;

  /** `gate`: the start gate to send in front of the first statement, when the run has one. */
  constructor(
    private readonly connection: Connection,
    private readonly gate: GateCarry | null = null,
  ) {}

  /** Select this (`SELECT …, ${'$'}{sql.serverNow} FROM …`) in the critical section's first statement. */
  get serverNow(): string {
    return SERVER_NOW_MS;
  }

  /** A statement without parameters (`START TRANSACTION`, `COMMIT`), over the text protocol. */
  async simple(text: string): Promise<void> {
    if (BEGIN.test(text) && this.pendingBegin === null) {
      this.pendingBegin = text;
      return;
    }
    await this.send(text, []);
  }

  /** Runs a statement and returns how many rows it changed (affectedRows). */
  async run(text: string, values: Values): Promise<number> {
    const result = (await this.send(text, values)) as ResultSetHeader;
    return result.affectedRows;
  }

  /** As `run`, and how long the statement took (a lock wait shows up here). */
  async timedRun(text: string, values: Values): Promise<{ changed: number; ms: number }> {
    const started = performance.now();
    const changed = await this.run(text, values);
    return { changed, ms: performance.now() - started };
  }

  async row<T extends Row>(text: string, values: Values): Promise<T | undefined> {
    const rows = (await this.send(text, values)) as RowDataPacket[];
    const row = rows[0] as T | undefined;
    if (this.firstServerTime === null && typeof row?.t === 'number') this.firstServerTime = row.t;
    return row;
  }

  /** As `row`, and how long the statement took (a lock wait shows up here). */
  async timedRow<T extends Row>(text: string, values: Values): Promise<{ row: T | undefined; ms: number }> {
    const started = performance.now();
    const row = await this.row<T>(text, values);
    return { row, ms: performance.now() - started };
  }

  /** Server clock (epoch ms) of the first statement since `resetServerTime` that selected `SERVER_NOW_MS`. */
  firstServerTimeMs(): number | null {
    return this.firstServerTime;
  }

  /** Forgets the warm-up's statements, so the next one marks the start of the race. */
  resetServerTime(): void {
    this.firstServerTime = null;
  }

  private async send(text: string, values: Values): Promise<unknown> {
    const begin = this.pendingBegin;
    this.pendingBegin = null;
    const carried = this.gate?.armed ? await this.gate.sendWith(this.connection, [...(begin ? [begin] : []), mysql.format(text, [...values])].join('; ')) : null;
    if (carried) return this.firstOfGate(carried[0].at(-1));
    if (begin) await this.connection.query(begin);
    const [result] = values.length === 0 ? await this.connection.query(text) : await this.connection.execute(text, [...values]);
    return result;
  }

  /** A first statement that selects no clock (an UPDATE) starts when the gate's sleep ends: the gate's row says when. */
  private firstOfGate(result: unknown): unknown {
    const own = Array.isArray(result) ? (result[0] as Row | undefined)?.t : undefined;
    if (typeof own !== 'number') this.firstServerTime ??= this.gate?.gateTimeMs ?? null;
    return result;
  }
}
