import type { StartKind } from '../engines/types.js';
import type { LockWait, WorkerResult, WorkerTask } from '../protocol.js';

/** What every worker of a race is given; the pool adds each one's index and the start machinery. */
export type RaceTask = Omit<WorkerTask, 'index' | 'barrier' | 'barrierTimeoutMs' | 'semaphore' | 'progress' | 'schedule'>;

export interface RaceRequest {
  readonly task: RaceTask;
  /** How many workers may be inside an operation at once. */
  readonly concurrency: number;
  readonly barrierTimeoutMs: number;
  /** Told the operations done so far, a few times a second during the race and once at its end. */
  readonly onProgress?: (done: number, elapsedMs: number) => void;
  /** The index of this pool's first worker (a process's share of a race's workers starts there); 0 by default. */
  readonly firstIndex?: number;
  /** Runs once every worker has arrived, before they are released (a process waits here for its coordinator's word). */
  readonly beforeRelease?: () => Promise<void>;
  /** Runs once the workers are released, alongside the race (the PostgreSQL gate opens here). */
  readonly afterRelease?: () => Promise<void>;
  /** Which of these backends wait for a lock held by another of them (PostgreSQL; `explore` asks). */
  readonly lockWaits?: (pids: readonly number[], among: readonly number[]) => Promise<LockWait[]>;
  readonly signal: AbortSignal;
}

/**
 * A race whose interleaving the coordinator decides (`race-rig explore`): the workers park before
 * every statement in `buffer`, and `drive` picks who goes next until all are done.
 */
export interface RaceSchedule {
  readonly buffer: SharedArrayBuffer;
  drive(): Promise<void>;
  /** Wakes every parked worker to give up (the race failed or was aborted). */
  stop(): void;
}

export interface RaceOutcome {
  readonly results: WorkerResult[];
  /** How the pool released its workers, when not by the engine's start (an HTTP race's last bytes). */
  readonly start?: StartKind;
  /** `performance.now()` at the release. */
  readonly releasedAt: number;
  /** From the release to the last worker's result. */
  readonly elapsedMs: number;
  /** Peak resident memory of the worker processes, summed, when the workers ran in processes of their own. */
  readonly peakRssMb?: number;
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

/** A pool whose every race is scheduled: `schedule` is asked for each race's schedule. */
export interface PoolOptions {
  readonly schedule?: (request: RaceRequest) => RaceSchedule;
}
