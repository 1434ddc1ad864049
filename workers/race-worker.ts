import './skip-cloudflare-probe.js';
import { threadId } from 'node:worker_threads';
import type { EngineWorker, OpenWorker } from '../src/engines/types.js';
import { ScheduleGate } from '../src/sync/schedule.js';
import type { WorkerResult, WorkerTask } from '../src/protocol.js';
import { arriveAndWait, isBarrierBroken } from '../src/sync/barrier.js';
import { SharedSemaphore } from '../src/sync/semaphore.js';
import { runOperations } from './operation-loop.js';

/**
 * The engine's thread side, found by convention: src/engines/<name>/worker.ts. The bundler
 * includes every engine's worker.ts in the worker bundle, so a new engine needs no line here.
 */
async function openEngineWorker(task: WorkerTask, schedule: ScheduleGate | null): Promise<EngineWorker> {
  const engine = task.target.engine;
  if (!/^[a-z][a-z0-9-]*$/.test(engine)) throw new Error(`not an engine name: ${engine}`);
  const module = (await import(`../src/engines/${engine}/worker.ts`)) as { openWorker: OpenWorker };
  return module.openWorker(task, schedule);
}

/**
 * One worker thread's whole run: its own connection, warmed up before the start barrier so that
 * connecting and preparing are never inside the race, then the critical section in a loop.
 */
export default async function raceWorker(task: WorkerTask): Promise<WorkerResult> {
  const schedule = task.schedule ? new ScheduleGate(task.schedule, task.workers, task.index) : null;
  let engine: EngineWorker;
  try {
    engine = await openEngineWorker(task, schedule);
  } catch (error) {
    schedule?.finish();
    throw error;
  }
  try {
    const arrival = arriveAndWait(task.barrier, task.barrierTimeoutMs);
    if (arrival === 'broken') throw new Error('the start barrier was broken by the coordinator');
    if (arrival === 'timed-out') throw new Error(`not released within ${task.barrierTimeoutMs} ms`);
    engine.released();
    schedule?.arm();

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
    return { index: task.index, processId: process.pid, threadId, ...tally, timeline: engine.timeline?.events ?? [] };
  } finally {
    schedule?.finish();
    await engine.session.close?.().catch(() => undefined);
    await engine.close();
  }
}
