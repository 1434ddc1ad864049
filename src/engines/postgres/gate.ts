import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { BarrierError } from '../../errors.js';

/**
 * The server-side start gate (on by default on PostgreSQL; --no-gate turns it off).
 *
 * Waking a hundred threads from Atomics.wait on two cores takes tens of milliseconds, so a race
 * started by the barrier alone starts that ragged. With the gate, each worker, once released from
 * the barrier, pipelines three statements without waiting for any answer:
 *
 *   1. GATE_LOCK_SQL  waits for a shared advisory lock the coordinator holds exclusively
 *                     (held only for that statement);
 *   2. GATE_SLEEP_SQL sleeps until the instant the coordinator wrote into the gate table
 *                     (returns at once when that is NULL);
 *   3. the first critical statement, already in the backend's socket buffer.
 *
 * When every worker's backend is queued on the lock, the coordinator releases it. The server
 * wakes the waiters one by one, and above a handful of workers the first ones would be done with
 * their first statements before the last ones woke. So for more than SCHEDULED_ABOVE workers the
 * coordinator also writes an opening instant a little in the future: every backend reaches its
 * sleep before it, and all of them wake at it together. Either way the race starts inside the
 * server, without waiting for any client thread. The client threads keep off the CPU meanwhile:
 * each holds still once its first statement is sent, until the coordinator lets go a few
 * milliseconds after the opening (holdStill).
 */

/** First key of the gate's two-key advisory lock ("GATE" in ASCII); the second is per run. */
const GATE_NAMESPACE = 0x47415445;
const POLL_MS = 2;
/** Up to this many workers, releasing the lock is the opening; above, a common instant is. */
export const SCHEDULED_ABOVE = 16;
/** Time allowed for the server to wake every waiter before the common instant. */
const OPENING_MARGIN_MS = { fixed: 10, perWorker: 0.5 } as const;
/**
 * How long after the opening the worker threads hold still: long enough for every backend to
 * start its first statement (about the start spread) while no client thread competes for a core.
 */
const HOLD_BUDGET_MS = { fixed: 5, perWorker: 0.1 } as const;
/** A thread never holds longer than this, whatever happens to the coordinator. */
const HOLD_TIMEOUT_MS = 10_000;

export interface GateKey {
  readonly namespace: number;
  readonly key: number;
  /**
   * One Int32 in shared memory: 0 while the worker threads hold still after sending their first
   * statement, 1 once they may go on (see holdStill).
   */
  readonly hold: SharedArrayBuffer;
}

export const GATE_LOCK_SQL = 'SELECT pg_advisory_xact_lock_shared($1, $2)';
export const GATE_SLEEP_SQL = 'SELECT pg_sleep_until(opens_at) FROM race_rig_gate';

export function newGateKey(): GateKey {
  return { namespace: GATE_NAMESPACE, key: randomInt(1, 2 ** 31 - 1), hold: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) };
}

/**
 * Worker side, right after its first critical statement is on the wire: the thread sleeps
 * (Atomics.wait, no event loop, so arriving results do not wake it) until the coordinator lets
 * go. At the opening, 100 threads at nice 19 that each wake to read a result would still take
 * ~40% of two cores from the 100 backends starting their statements.
 */
export function holdStill(hold: SharedArrayBuffer): void {
  Atomics.wait(new Int32Array(hold), 0, 0, HOLD_TIMEOUT_MS);
}

function letGo(hold: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(hold), 0, 1);
  Atomics.notify(new Int32Array(hold), 0);
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

async function waitingAtGate(admin: pg.ClientBase, gate: GateKey): Promise<number> {
  // A two-key advisory lock shows in pg_locks as classid, objid and objsubid = 2.
  const { rows } = await admin.query<{ waiting: number }>(
    `SELECT count(*)::integer AS waiting FROM pg_locks
      WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND NOT granted`,
    [gate.namespace, gate.key],
  );
  return rows[0]?.waiting ?? 0;
}

/**
 * Waits until `workers` backends are queued on the gate, then opens it. If they do not all
 * arrive within the timeout the gate is opened anyway, so that no backend stays blocked, and a
 * BarrierError says how many arrived.
 */
export async function openGateWhenFull(admin: pg.ClientBase, gate: GateKey, workers: number, timeoutMs: number): Promise<void> {
  try {
    const deadline = Date.now() + timeoutMs;
    let waiting = await waitingAtGate(admin, gate);
    while (waiting < workers && Date.now() < deadline) {
      await sleep(POLL_MS);
      waiting = await waitingAtGate(admin, gate);
    }
    let opensAt = performance.now();
    if (workers > SCHEDULED_ABOVE) {
      const marginMs = OPENING_MARGIN_MS.fixed + OPENING_MARGIN_MS.perWorker * workers;
      opensAt += marginMs;
      await admin.query(`UPDATE race_rig_gate SET opens_at = clock_timestamp() + make_interval(secs => $1 / 1000.0)`, [marginMs]);
    }
    await admin.query('SELECT pg_advisory_unlock($1, $2)', [gate.namespace, gate.key]);
    if (waiting < workers) {
      throw new BarrierError(`only ${waiting} of ${workers} workers reached the server gate within ${timeoutMs} ms`, waiting, workers);
    }
    await sleep(Math.max(0, opensAt + HOLD_BUDGET_MS.fixed + HOLD_BUDGET_MS.perWorker * workers - performance.now()));
  } finally {
    letGo(gate.hold);
  }
}
