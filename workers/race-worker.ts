import './skip-cloudflare-probe.js';
import { threadId } from 'node:worker_threads';
import { arriveAndWait, isBarrierBroken } from '../src/barrier.js';
import type { WorkerResult, WorkerTask } from '../src/protocol.js';
import { SharedSemaphore } from '../src/sync/semaphore.js';
import { runOperations } from './operation-loop.js';
import { openPostgresWorker } from './postgres-worker.js';
import { openSqliteWorker } from './sqlite-worker.js';

/**
 * One worker thread's whole run: its own connection, warmed up before the start barrier so that
 * connecting and preparing are never inside the race, then the critical section in a loop.
 */
export default async function raceWorker(task: WorkerTask): Promise<WorkerResult> {
  const { target } = task;
  const engine = target.engine === 'sqlite' ? await openSqliteWorker(task, target) : await openPostgresWorker(task, target);
  try {
    const arrival = arriveAndWait(task.barrier, task.barrierTimeoutMs);
    if (arrival === 'broken') throw new Error('the start barrier was broken by the coordinator');
    if (arrival === 'timed-out') throw new Error(`not released within ${task.barrierTimeoutMs} ms`);
    engine.released();

    const semaphore = task.semaphore ? new SharedSemaphore(task.semaphore) : null;
    const progress = task.progress ? new Int32Array(task.progress) : null;
    const tally = await runOperations(engine.session, {
      worker: task.index,
      operations: task.operations,
      maxRetries: task.maxRetries,
      retries: engine.retries,
      backoffMs: task.backoffMs,
      classify: engine.classify,
      rollback: () => engine.rollback(),
      enter: () => semaphore?.acquire(() => isBarrierBroken(task.barrier)) ?? true,
      leave: () => semaphore?.release(),
      firstStatementAtMs: () => engine.firstStatementAtMs(),
      done: () => progress && Atomics.add(progress, 0, 1),
      timeline: engine.timeline,
    });
    engine.check();
    return { index: task.index, threadId, ...tally, timeline: engine.timeline?.events ?? [] };
  } finally {
    await engine.close();
  }
}
