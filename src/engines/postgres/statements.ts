import type pg from 'pg';
import { performance } from 'node:perf_hooks';
import { wallClockMs } from '../../timeline/recorder.js';
import type { TimelineRecorder } from '../../timeline/recorder.js';

/**
 * The server's `now()` in epoch milliseconds with microsecond fraction, as column `t`.
 * `now()` is the arrival time of the statement that started the transaction: the statement
 * itself in autocommit mode, the `BEGIN` inside a transaction. That makes it the server-side
 * start of the critical section, which is what the start spread is measured on.
 */
export const SERVER_NOW_MS = '(extract(epoch FROM now()) * 1000)::float8 AS t';

/** `BEGIN …`: sent at once but not waited for, so it travels with the statement after it. */
const BEGIN = /^\s*(BEGIN|START TRANSACTION)\b/i;

/**
 * Runs a worker's statements as named prepared statements on its own client: each text is
 * parsed and planned once per connection (during warm-up), then only bound and executed. The
 * client pipelines: a transaction's `BEGIN` goes out with its first statement, and
 * `runAndCommit` sends the last statement with `COMMIT`, so a transaction costs two round trips
 * less while the server sees the same statements in the same order.
 */
export class StatementRunner {
  private readonly names = new Map<string, string>();
  /** `t` of the first row that carried one since the last reset. */
  private firstServerTime: number | null = null;
  /** Called once, right after the next statement is on the wire (see holdAfterNextSend). */
  private afterNextSend: (() => void) | null = null;
  /** A `BEGIN` sent and not yet waited for: the next statement waits for it. */
  private pendingBegin: Promise<unknown> | null = null;

  /** `recorder` notes every statement for `--timeline` (only the first few workers have one). */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly recorder: TimelineRecorder | null = null,
  ) {}

  /** Select this (`SELECT …, ${'$'}{sql.serverNow} FROM …`) in the critical section's first statement. */
  get serverNow(): string {
    return SERVER_NOW_MS;
  }

  /** A statement without parameters (`BEGIN`, `COMMIT`) over the simple protocol; a `BEGIN` returns at once (see the class). */
  async simple(text: string): Promise<void> {
    if (BEGIN.test(text) && this.pendingBegin === null) {
      const sent = this.send(text);
      sent.catch(() => undefined);
      this.pendingBegin = sent;
      return;
    }
    await this.query(text, []);
  }

  /** Runs a statement and `COMMIT` sent right behind it (one round trip); resolves with the rows it changed. */
  async runAndCommit(text: string, values: unknown[]): Promise<number> {
    const [result] = await Promise.all([this.query(this.prepared(text, values), values), this.query('COMMIT', [])]);
    return result.rowCount ?? 0;
  }

  /** Runs a statement and returns how many rows it changed or returned. */
  async run(text: string, values: unknown[]): Promise<number> {
    const result = await this.query(this.prepared(text, values), values);
    return result.rowCount ?? 0;
  }

  async row<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<T | undefined> {
    const result = await this.query<T>(this.prepared(text, values), values);
    const row = result.rows[0];
    if (this.firstServerTime === null && typeof row?.t === 'number') this.firstServerTime = row.t;
    return row;
  }

  /** Server clock (epoch ms) of the first statement since `resetServerTime` that selected `SERVER_NOW_MS`. */
  firstServerTimeMs(): number | null {
    return this.firstServerTime;
  }

  /** Forgets the warm-up's statements, so the next one marks the start of the race. */
  resetServerTime(): void {
    this.firstServerTime = null;
  }

  /** Runs `hold` once, as soon as the next statement has been sent and before its result is read (the gate's hold). */
  holdAfterNextSend(hold: () => void): void {
    this.afterNextSend = hold;
  }

  /** As `row`, and how long the statement took (a lock wait shows up here). */
  async timedRow<T extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<{ row: T | undefined; ms: number }> {
    const started = performance.now();
    const row = await this.row<T>(text, values);
    return { row, ms: performance.now() - started };
  }

  private query<T extends pg.QueryResultRow>(statement: string | pg.QueryConfig, values: unknown[]): Promise<pg.QueryResult<T>> {
    const begin = this.pendingBegin;
    this.pendingBegin = null;
    const pending = this.send<T>(statement, values);
    // The gate's hold waits until the first statement that is waited for is on the wire.
    const hold = this.afterNextSend;
    this.afterNextSend = null;
    hold?.();
    return begin ? Promise.all([begin, pending]).then(([, result]) => result) : pending;
  }

  /** node-postgres writes the statement to the socket before query() returns (the client pipelines). */
  private send<T extends pg.QueryResultRow>(statement: string | pg.QueryConfig, values: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.recorder ? this.recorded<T>(statement, values) : this.client.query<T>(statement);
  }

  private async recorded<T extends pg.QueryResultRow>(statement: string | pg.QueryConfig, values: unknown[]): Promise<pg.QueryResult<T>> {
    const recorder = this.recorder as TimelineRecorder;
    const text = typeof statement === 'string' ? statement : statement.text;
    const startMs = wallClockMs();
    try {
      const result = await this.client.query<T>(statement);
      recorder.statement(text, values, startMs, { row: result.rows[0], rows: result.rowCount ?? result.rows.length });
      return result;
    } catch (error) {
      recorder.statement(text, values, startMs, { error });
      throw error;
    }
  }

  private prepared(text: string, values: unknown[]): pg.QueryConfig {
    let name = this.names.get(text);
    if (!name) {
      name = `race_rig_${this.names.size}`;
      this.names.set(text, name);
    }
    return { name, text, values };
  }
}
