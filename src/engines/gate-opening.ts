import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BarrierError } from '../errors.js';

/**
 * What every server-side start gate shares (PostgreSQL's in postgres/gate.ts, MySQL's in
 * mysql/gate.ts): the coordinator waits until every worker's connection queues on a lock it
 * holds, then opens. The server wakes the waiters one by one, and above a handful of workers the
 * first ones would be done with their first statements before the last ones woke. So for more
 * than SCHEDULED_ABOVE workers the coordinator also sets an opening instant a little in the
 * future: every connection reaches its sleep before it, and all wake at it together. The client
 * threads keep off the CPU meanwhile: each holds still once its first statement is sent, until
 * the coordinator lets go a few milliseconds after the opening (holdStill).
 */

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

/** One Int32 in shared memory: 0 while the worker threads hold still, 1 once they may go on. */
export function newHold(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
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

export function letGo(hold: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(hold), 0, 1);
  Atomics.notify(new Int32Array(hold), 0);
}

/** How long after the opening the threads of `workers` workers hold still. */
export function holdBudgetMs(workers: number): number {
  return HOLD_BUDGET_MS.fixed + HOLD_BUDGET_MS.perWorker * workers;
}

/** How a gate is opened on one server. */
export interface GateServer {
  /** How many of the run's connections are queued at the gate now. */
  waiting(): Promise<number>;
  /** Opens the gate; with `marginMs`, every waiter sleeps until that long after now on the server's clock. */
  open(marginMs: number | null): Promise<void>;
}

/**
 * Waits until `workers` connections are queued at the gate, then opens it. If they do not all
 * arrive within the timeout the gate is opened anyway, so that no connection stays blocked, and a
 * BarrierError says how many arrived. The worker threads are let go in every case.
 */
export async function openGateWhenFull(server: GateServer, hold: SharedArrayBuffer, workers: number, timeoutMs: number): Promise<void> {
  try {
    const deadline = Date.now() + timeoutMs;
    let waiting = await server.waiting();
    while (waiting < workers && Date.now() < deadline) {
      await sleep(POLL_MS);
      waiting = await server.waiting();
    }
    const marginMs = workers > SCHEDULED_ABOVE ? OPENING_MARGIN_MS.fixed + OPENING_MARGIN_MS.perWorker * workers : null;
    const opensAt = performance.now() + (marginMs ?? 0);
    await server.open(marginMs);
    if (waiting < workers) {
      throw new BarrierError(`only ${waiting} of ${workers} workers reached the server gate within ${timeoutMs} ms`, waiting, workers);
    }
    await sleep(Math.max(0, opensAt + holdBudgetMs(workers) - performance.now()));
  } finally {
    letGo(hold);
  }
}
