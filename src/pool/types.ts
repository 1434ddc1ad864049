import type { WorkerResult, WorkerTask } from '../protocol.js';

/** What every worker of a race is given; the pool adds each one's index and the start machinery. */
export type RaceTask = Omit<WorkerTask, 'index' | 'barrier' | 'barrierTimeoutMs' | 'semaphore' | 'progress'>;

export interface RaceRequest {
  readonly task: RaceTask;
  /** How many workers may be inside an operation at once. */
  readonly concurrency: number;
  readonly barrierTimeoutMs: number;
  /** Told the operations done so far, a few times a second during the race and once at its end. */
  readonly onProgress?: (done: number, elapsedMs: number) => void;
  /** Runs once the workers are released, alongside the race (the PostgreSQL gate opens here). */
  readonly afterRelease?: () => Promise<void>;
  readonly signal: AbortSignal;
}

export interface RaceOutcome {
  readonly results: WorkerResult[];
  /** `performance.now()` at the release. */
  readonly releasedAt: number;
  /** From the release to the last worker's result. */
  readonly elapsedMs: number;
}

/**
 * A way of running the workers: exactly `workers` of them, for one race or several in a row.
 * Threads in this process today (threads.ts); a second implementation (OS processes, a
 * scheduler that controls the interleaving) plugs in here without touching the pipeline.
 */
export interface WorkerPool {
  readonly workers: number;
  /** Runs one race: every worker connects and prepares, all are released at once, their results come back. */
  race(request: RaceRequest): Promise<RaceOutcome>;
  /** Ends every worker; safe to call more than once. */
  destroy(): Promise<void>;
}

/** Starts a pool of exactly `workers` workers. */
export type StartPool = (workers: number) => WorkerPool;
