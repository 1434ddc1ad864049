import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { StartBarrier } from './barrier.js';
import { abortReason, throwIfAborted } from './abort.js';
import { BarrierError, errorMessage, WorkerError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import type { WorkerResult, WorkerTarget, WorkerTask } from './protocol.js';
import type { ScenarioRef } from './scenarios/load.js';
import { createSemaphoreBuffer } from './sync/semaphore.js';
import { TIMELINE_WORKERS } from './timeline/types.js';

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
 * ~1.18 GB instead of ~1.25 GB, at the same throughput (see the README's performance section).
 */
const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 2 } as const;

const PROGRESS_INTERVAL_MS = 200;

export interface RaceWorkersParams {
  readonly scenario: ScenarioRef;
  readonly mode: string;
  readonly params: Readonly<Record<string, string>>;
  /** How many workers may be inside an operation at once. */
  readonly concurrency: number;
  readonly operations: number;
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly target: WorkerTarget;
  readonly barrierTimeoutMs: number;
  /** Told the operations done so far, a few times a second during the race and once at its end. */
  readonly onProgress?: (done: number, elapsedMs: number) => void;
  /** Whether the first few workers record their statements (`--timeline`). */
  readonly timeline?: boolean;
  /** Runs once the barrier has released the workers, alongside the race (opens the gate). */
  readonly afterRelease?: () => Promise<void>;
  readonly signal: AbortSignal;
}

/** The parts of a race's parameters that come straight from the options, whatever the engine. */
export function raceSettingsOf(options: ResolvedOptions): Omit<RaceWorkersParams, 'target' | 'signal' | 'onProgress' | 'afterRelease'> {
  return {
    scenario: options.scenarioRef,
    mode: options.mode.name,
    params: options.params,
    concurrency: options.concurrency,
    operations: options.increments,
    maxRetries: options.maxRetries,
    backoffMs: options.backoffMs,
    barrierTimeoutMs: options.barrierTimeoutMs,
    timeline: options.timeline,
  };
}

export interface RaceWorkersOutcome {
  readonly results: WorkerResult[];
  /** `performance.now()` at the release of the barrier. */
  readonly releasedAt: number;
  /** From the release to the last worker's result. */
  readonly elapsedMs: number;
}


/** Exactly `workers` threads, for one race or several in a row. */
export interface WorkerPool {
  /** Runs a race on the pool's threads, one task each (again for each repetition). */
  race(params: RaceWorkersParams): Promise<RaceWorkersOutcome>;
  /** Terminates every thread; safe to call more than once. */
  destroy(): Promise<void>;
}

/**
 * Starts the threads at once, so that they boot and load the worker module while the caller
 * starts the database and sets up its tables. `niceness` lowers the threads' scheduling priority
 * (where the OS allows it), see GATE_WORKER_NICENESS.
 */
export function startWorkerPool(workers: number, niceness = 0): WorkerPool {
  const pool = new Piscina<WorkerTask, WorkerResult>({
    filename: WORKER_FILE,
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    maxQueue: workers,
    niceIncrement: niceness,
    resourceLimits: WORKER_RESOURCE_LIMITS,
  });
  let destroyed: Promise<void> | undefined;
  const destroy = () => (destroyed ??= pool.destroy());
  return {
    race: (params) => raceWorkers(pool, workers, params),
    destroy,
  };
}

/**
 * Gives each of the pool's `workers` threads one task; every task connects, warms up and waits at
 * the barrier. Once all have arrived they are released at once, and their results collected.
 */
async function raceWorkers(pool: Piscina<WorkerTask, WorkerResult>, workers: number, params: RaceWorkersParams): Promise<RaceWorkersOutcome> {
  const { signal } = params;
  const barrier = new StartBarrier(workers);
  const semaphore = params.concurrency < workers ? createSemaphoreBuffer(params.concurrency) : null;

  let rejectOnAbort: (error: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    rejectOnAbort = reject;
  });
  aborted.catch(() => undefined);
  let released = false;
  const progress = params.onProgress ? new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) : null;
  let progressTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    barrier.break();
    rejectOnAbort(abortReason(signal));
  };

  try {
    throwIfAborted(signal);
    signal.addEventListener('abort', onAbort, { once: true });

    const tasks = Array.from({ length: workers }, (_, index) =>
      pool.run({
        index,
        scenario: params.scenario,
        mode: params.mode,
        workers,
        operations: params.operations,
        params: params.params,
        semaphore,
        maxRetries: params.maxRetries,
        backoffMs: params.backoffMs,
        barrier: barrier.buffer,
        barrierTimeoutMs: params.barrierTimeoutMs + WORKER_WAIT_GRACE_MS,
        target: params.target,
        progress: progress ? (progress.buffer as SharedArrayBuffer) : null,
        timeline: params.timeline === true && index < TIMELINE_WORKERS,
      }),
    );
    // Rejections are read through `failedBeforeRelease` or Promise.all below; this keeps the
    // ones nobody waits for any more (after the barrier broke) from counting as unhandled.
    for (const task of tasks) task.catch(() => undefined);

    const failedBeforeRelease = new Promise<never>((_, reject) => {
      tasks.forEach((task, index) =>
        task.catch((error: unknown) => {
          if (!released) {
            reject(new WorkerError(`worker ${index} failed before the start barrier (${barrier.arrived} of ${workers} arrived): ${errorMessage(error)}`));
          }
        }),
      );
    });

    const allArrived = await Promise.race([barrier.allArrived(params.barrierTimeoutMs), failedBeforeRelease, aborted]);
    if (!allArrived) {
      const arrived = barrier.arrived;
      barrier.break();
      throw new BarrierError(
        `only ${arrived} of ${workers} workers reached the start barrier within ${params.barrierTimeoutMs} ms; ` +
          'raise --barrier-timeout or lower --workers',
        arrived,
        workers,
      );
    }

    released = true;
    barrier.release();
    const releasedAt = performance.now();
    if (progress && params.onProgress) {
      const report = params.onProgress;
      progressTimer = setInterval(() => report(Atomics.load(progress, 0), performance.now() - releasedAt), PROGRESS_INTERVAL_MS);
      progressTimer.unref();
    }
    const [results] = await Promise.race([
      Promise.all([
        Promise.all(tasks).catch((error: unknown) => {
          throw new WorkerError(`a worker thread failed during the race: ${errorMessage(error)}`);
        }),
        params.afterRelease?.(),
      ]),
      aborted,
    ]);
    const elapsedMs = performance.now() - releasedAt;
    if (progress) params.onProgress?.(Atomics.load(progress, 0), elapsedMs);
    return { results, releasedAt, elapsedMs };
  } finally {
    clearInterval(progressTimer);
    signal.removeEventListener('abort', onAbort);
    // No worker may sleep at the barrier through the teardown.
    barrier.break();
  }
}
