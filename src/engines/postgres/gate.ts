import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { newHold } from '../gate-opening.js';
import type { GateServer } from '../gate-opening.js';

/**
 * PostgreSQL's server-side start gate (on by default; --no-gate turns it off), on the steps of
 * gate-opening.ts. Each worker, once released from the barrier, pipelines three statements
 * without waiting for any answer:
 *
 *   1. GATE_LOCK_SQL  waits for a shared advisory lock the coordinator holds exclusively
 *                     (held only for that statement);
 *   2. GATE_SLEEP_SQL sleeps until the instant the coordinator wrote into the gate table
 *                     (returns at once when that is NULL);
 *   3. the first critical statement, already in the backend's socket buffer.
 *
 * Waking a hundred threads from Atomics.wait on two cores takes tens of milliseconds, so a race
 * started by the barrier alone starts that ragged; this way it starts inside the server, without
 * waiting for any client thread.
 */

/** First key of the gate's two-key advisory lock ("GATE" in ASCII); the second is per run. */
const GATE_NAMESPACE = 0x47415445;

export interface GateKey {
  readonly namespace: number;
  readonly key: number;
  /** The worker threads' hold (see holdStill). */
  readonly hold: SharedArrayBuffer;
}

export const GATE_LOCK_SQL = 'SELECT pg_advisory_xact_lock_shared($1, $2)';
export const GATE_SLEEP_SQL = 'SELECT pg_sleep_until(opens_at) FROM race_rig_gate';

export function newGateKey(): GateKey {
  return { namespace: GATE_NAMESPACE, key: randomInt(1, 2 ** 31 - 1), hold: newHold() };
}

/** After the race: the gate's table goes, so that a kept schema holds only the scenario's tables. */
export async function removeGate(admin: pg.ClientBase): Promise<void> {
  await admin.query('DROP TABLE IF EXISTS race_rig_gate');
}

/** Coordinator side: creates the gate table in the run schema and closes the gate. */
export async function closeGate(admin: pg.ClientBase, gate: GateKey): Promise<void> {
  await admin.query('CREATE TABLE race_rig_gate (opens_at timestamptz); INSERT INTO race_rig_gate VALUES (NULL)');
  await admin.query('SELECT pg_advisory_lock($1, $2)', [gate.namespace, gate.key]);
}

/**
 * Another machine's side of the gate (a shard that did not open it): once the gate is open, how
 * long until its opening instant (0 when it has none or it is past); null while still closed.
 */
export async function msUntilOpening(db: pg.ClientBase, gate: Pick<GateKey, 'namespace' | 'key'>): Promise<number | null> {
  const { rows } = await db.query<{ closed: boolean; ms: number | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted AND mode = 'ExclusiveLock') AS closed,
            (SELECT extract(epoch FROM opens_at - clock_timestamp()) * 1000 FROM race_rig_gate) AS ms`,
    [gate.namespace, gate.key],
  );
  const row = rows[0];
  return !row || row.closed ? null : Math.max(0, Number(row.ms ?? 0));
}

/** The gate as gate-opening.ts opens it. */
export function postgresGate(admin: pg.ClientBase, gate: GateKey): GateServer {
  return {
    waiting: async () => {
      // A two-key advisory lock shows in pg_locks as classid, objid and objsubid = 2.
      const { rows } = await admin.query<{ waiting: number }>(
        `SELECT count(*)::integer AS waiting FROM pg_locks
          WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND NOT granted`,
        [gate.namespace, gate.key],
      );
      return rows[0]?.waiting ?? 0;
    },
    open: async (marginMs) => {
      if (marginMs !== null) await admin.query(`UPDATE race_rig_gate SET opens_at = clock_timestamp() + make_interval(secs => $1 / 1000.0)`, [marginMs]);
      await admin.query('SELECT pg_advisory_unlock($1, $2)', [gate.namespace, gate.key]);
    },
  };
}
