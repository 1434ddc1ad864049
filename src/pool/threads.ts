import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { abortReason, throwIfAborted } from '../abort.js';
import { BarrierError, errorMessage, WorkerError } from '../errors.js';
import type { WorkerResult, WorkerTask } from '../protocol.js';
import { StartBarrier } from '../sync/barrier.js';
import { createSemaphoreBuffer } from '../sync/semaphore.js';
import type { PoolOptions, RaceOutcome, RaceRequest, RaceSchedule, WorkerPool } from './types.js';

/** The bundled worker sits next to the bundled entry points in dist/. */
const WORKER_FILE = new URL('./race-worker.js', import.meta.url).href;

/**
 * A worker gives up waiting at the barrier a little after the coordinator would have broken it,
 * so that in practice it is always the coordinator who decides (and says how many arrived).
 */
const WORKER_WAIT_GRACE_MS = 5_000;

/**
 * A worker allocates little but fast (one query result after another); left alone, V8 grows each
 * thread's young generation to several MB. Capped, 100 threads × 100 increments peaked at
 * ~1.18 GB instead of ~1.25 GB, at the same throughput (docs/performance.md).
 */
const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 2 } as const;

const PROGRESS_INTERVAL_MS = 200;

type Threads = Piscina<WorkerTask, WorkerResult>;

/**
 * Starts the threads at once, so that they boot and load the worker module while the engine
 * starts its database and sets up its tables.
 */
export function startThreadPool(workers: number, options: PoolOptions = {}): WorkerPool {
  const pool: Threads = new Piscina<WorkerTask, WorkerResult>({
    filename: WORKER_FILE,
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    maxQueue: workers,
    resourceLimits: WORKER_RESOURCE_LIMITS,
  });
  let destroyed: Promise<void> | undefined;
  const destroy = () => (destroyed ??= pool.destroy());
  return { workers, race: (request) => raceThreads(pool, workers, request, options.schedule?.(request) ?? null), destroy };
}

/** A promise that rejects when the signal aborts, and the function that stops listening. */
function rejectionOnAbort(signal: AbortSignal, barrier: StartBarrier): { aborted: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      barrier.break();
      reject(abortReason(signal));
    };
  });
  aborted.catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  return { aborted, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** One task per thread; each connects, warms up and waits at the barrier. */
function startTasks(pool: Threads, workers: number, request: RaceRequest, barrier: StartBarrier, progress: Int32Array | null, schedule: RaceSchedule | null): Promise<WorkerResult>[] {
  const semaphore = request.concurrency < workers ? createSemaphoreBuffer(request.concurrency) : null;
  const tasks = Array.from({ length: workers }, (_, index) =>
    pool.run({
      ...request.task,
      index: (request.firstIndex ?? 0) + index,
      semaphore,
      barrier: barrier.buffer,
      barrierTimeoutMs: request.barrierTimeoutMs + WORKER_WAIT_GRACE_MS,
      progress: progress ? (progress.buffer as SharedArrayBuffer) : null,
      schedule: schedule?.buffer ?? null,
    }),
  );
  // Rejections are read through `failureBeforeRelease` or Promise.all; this keeps the ones nobody
  // waits for any more (after the barrier broke) from counting as unhandled.
  for (const task of tasks) task.catch(() => undefined);
  return tasks;
}

/** Rejects with the first worker that fails while the others are still gathering at the barrier. */
function failureBeforeRelease(tasks: readonly Promise<WorkerResult>[], barrier: StartBarrier, released: () => boolean, firstIndex = 0): Promise<never> {
  return new Promise<never>((_, reject) => {
    tasks.forEach((task, index) =>
      task.catch((error: unknown) => {
        if (released()) return;
        reject(new WorkerError(`worker ${firstIndex + index} failed before the start barrier (${barrier.arrived} of ${barrier.parties} arrived): ${errorMessage(error)}`));
      }),
    );
  });
}

/** Reports the operations done a few times a second from the shared counter; returns the stop function. */
function pollProgress(progress: Int32Array | null, request: RaceRequest, releasedAt: number): () => void {
  const report = request.onProgress;
  if (!progress || !report) return () => {};
  const timer = setInterval(() => report(Atomics.load(progress, 0), performance.now() - releasedAt), PROGRESS_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Gives each of the pool's threads one task; once every one has arrived at the barrier they are
 * released at once (a single store and notify in shared memory), and their results collected.
 */
async function raceThreads(pool: Threads, workers: number, request: RaceRequest, schedule: RaceSchedule | null): Promise<RaceOutcome> {
  const barrier = new StartBarrier(workers);
  const progress = request.onProgress ? new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) : null;
  const { aborted, dispose } = rejectionOnAbort(request.signal, barrier);
  let released = false;
  let stopProgress = () => {};
  try {
    throwIfAborted(request.signal);
    const tasks = startTasks(pool, workers, request, barrier, progress, schedule);
    const allArrived = await Promise.race([barrier.allArrived(request.barrierTimeoutMs), failureBeforeRelease(tasks, barrier, () => released, request.firstIndex), aborted]);
    if (!allArrived) {
      const { arrived } = barrier;
      barrier.break();
      throw new BarrierError(`only ${arrived} of ${workers} workers reached the start barrier within ${request.barrierTimeoutMs} ms; raise --barrier-timeout or lower --workers`, arrived, workers);
    }
    if (request.beforeRelease) await Promise.race([request.beforeRelease(), failureBeforeRelease(tasks, barrier, () => released, request.firstIndex), aborted]);
    released = true;
    barrier.release();
    const releasedAt = performance.now();
    stopProgress = pollProgress(progress, request, releasedAt);
    const finished = Promise.all(tasks).catch((error: unknown) => {
      throw new WorkerError(`a worker thread failed during the race: ${errorMessage(error)}`);
    });
    const [results] = await Promise.race([Promise.all([finished, request.afterRelease?.(), schedule?.drive()]), aborted]);
    const elapsedMs = performance.now() - releasedAt;
    if (progress) request.onProgress?.(Atomics.load(progress, 0), elapsedMs);
    return { results, releasedAt, elapsedMs };
  } finally {
    stopProgress();
    dispose();
    // No worker may sleep at the barrier, or parked by a schedule, through the teardown.
    barrier.break();
    schedule?.stop();
  }
}
