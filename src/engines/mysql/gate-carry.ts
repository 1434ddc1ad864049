import mysql from 'mysql2/promise';
import type { Connection } from 'mysql2/promise';
import { forward } from '../forward.js';

type Row = Record<string, unknown>;

/**
 * The gate's SQL waiting to go out in front of a worker's first statement, in one query with it
 * (see gate.ts), whichever way the scenario sends that statement: through the rig's `sql`, its
 * own `connection`, or a library on its `pool`. The first sender takes it.
 */
export class GateCarry {
  private pending: { readonly prefix: string; readonly hold: () => void } | null = null;
  /** The server's clock when the gate's sleep ended (epoch ms), once the gate has gone out. */
  gateTimeMs: number | null = null;

  /** Whether the next statement is to carry the gate. */
  get armed(): boolean {
    return this.pending !== null;
  }

  /** After the barrier: the next statement goes out behind `prefix`, and `hold` runs once both are on the wire. */
  arm(prefix: string, hold: () => void): void {
    this.pending = { prefix, hold };
  }

  /**
   * Sends `statements` (literal SQL) behind the gate when it is armed, and resolves with their
   * results (the gate's left out); null, without sending anything, when it is not. mysql2 writes
   * the query to the socket before query() returns, so the hold starts with it on the wire.
   */
  async sendWith(connection: Connection, statements: string): Promise<[unknown[], unknown] | null> {
    const carried = this.pending;
    if (!carried) return null;
    this.pending = null;
    const sent = connection.query(`${carried.prefix}; ${statements}`);
    carried.hold();
    const [results, fields] = (await sent) as unknown as [unknown[][], unknown];
    const gateTime = (results[0]?.[0] as Row | undefined)?.t;
    this.gateTimeMs = typeof gateTime === 'number' ? gateTime : null;
    return [results.slice(1), fields];
  }
}

type Send = (text: string, values?: unknown[]) => Promise<unknown>;

/** The worker's connection with the gate carried by its first `query` or `execute`, for statements the rig's `sql` does not send. */
export function gatedConnection(connection: Connection, carry: GateCarry): Connection {
  const carried = async (text: string, values?: unknown[]) => {
    const [results, fields] = (await carry.sendWith(connection, values ? mysql.format(text, values as never) : text)) ?? [[], undefined];
    return [results.length === 1 ? results[0] : results, fields];
  };
  // Every statement after the first goes straight through: no extra promise on the race's hot path.
  const gated = (send: Send) => (text: unknown, values?: unknown[]) => (carry.armed && typeof text === 'string' ? carried(text, values) : send(text as string, values));
  const query = gated((text, values) => connection.query(text, values as never));
  const execute = gated((text, values) => connection.execute(text, values as never));
  return forward(connection, (property) => (property === 'query' ? query : property === 'execute' ? execute : undefined));
}
