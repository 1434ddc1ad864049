import type { LatencyCounts } from './latency-counts.js';
import type { ScenarioRef } from './scenarios/types.js';
import type { TimelineEvent } from './timeline/types.js';

/**
 * The plain-data messages between the coordinator and its worker threads. Everything here
 * survives structured cloning: no functions, no class instances (a `pg` error's fields are copied into `ErrorSample`
 * before they cross), so they cross processes too.
 */

/**
 * What a worker thread needs to reach the run's data: plain data an engine defines (a connection
 * and schema, a file), tagged with the engine's name, which also finds its thread side
 * (src/engines/<engine>/worker.ts). May hold a password: never printed.
 */
export interface EngineTarget {
  readonly engine: string;
}

export interface WorkerTask {
  readonly index: number;
  readonly scenario: ScenarioRef;
  readonly mode: string;
  readonly workers: number;
  readonly operations: number;
  readonly params: Readonly<Record<string, string>>;
  /** The --concurrency semaphore, or null when every worker may be in flight at once. */
  readonly semaphore: SharedArrayBuffer | null;
  /** Retries allowed per operation (Infinity for unbounded). */
  readonly maxRetries: number;
  /** Base delay of the exponential backoff with full jitter before a retry, ms (0: none). */
  readonly backoffMs: number;
  readonly barrier: SharedArrayBuffer;
  readonly barrierTimeoutMs: number;
  readonly target: EngineTarget;
  /** One Int32 the worker adds 1 to after each operation, for the progress bar; or null. */
  readonly progress: SharedArrayBuffer | null;
  /** Where the scenario's application listens (its `app()`), or null. */
  readonly appUrl: string | null;
  /** `race-rig explore`: where the worker parks before each statement (src/explore/control.ts); null in a race. */
  readonly schedule: SharedArrayBuffer | null;
}

/**
 * Why an operation failed. A failed operation certainly left no trace in the database: its
 * statement or transaction was rolled back. (An operation cut off by a lost connection may or may
 * not have committed; it is counted as in doubt instead.)
 */
export const FAILURE_KINDS = ['serialization', 'deadlock', 'busy', 'maxRetries', 'lockTimeout', 'statementTimeout', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const RETRY_CAUSES = ['serialization', 'deadlock', 'busy', 'conflict'] as const;
export type RetryCause = (typeof RETRY_CAUSES)[number];

/** Whether a backend waits for a lock another of the run's backends holds, and which ones hold it up (their pids). */
export interface LockWait {
  readonly blocked: boolean;
  readonly blockers: readonly number[];
}

/** A database error as the operation loop needs to see it. */
export interface ClassifiedError {
  readonly code: string | null;
  readonly message: string;
  /** What it counts as when it ends an operation. */
  readonly kind: Exclude<FailureKind, 'maxRetries'>;
  /** Set when a mode that retries should retry it. */
  readonly retryCause: RetryCause | null;
  /** The connection is gone: the worker stops. */
  readonly connectionLost: boolean;
}

/** Each engine tells its own errors apart (by SQLSTATE, by SQLite result code). */
export type ErrorClassifier = (error: unknown) => ClassifiedError;

export interface ErrorSample {
  readonly code: string | null;
  readonly message: string;
  readonly count: number;
}

/** A worker whose connection broke: what it left undone, and why. */
export interface ConnectionLoss {
  readonly worker: number;
  readonly code: string | null;
  readonly message: string;
}

export interface WorkerResult {
  readonly index: number;
  /** The OS process and the thread in it that ran the worker. */
  readonly processId: number;
  readonly threadId: number;
  readonly succeeded: number;
  readonly failures: Readonly<Record<FailureKind, number>>;
  /** Operations cut off by a lost connection: they may or may not have committed (0 or 1). */
  readonly inDoubt: number;
  /** Operations never started because the worker's connection was gone. */
  readonly notAttempted: number;
  readonly connectionLoss: ConnectionLoss | null;
  readonly retries: Readonly<Record<RetryCause, number>>;
  /** Server clock (epoch ms) at the worker's first critical statement; null if it never ran one. */
  readonly firstStatementAtMs: number | null;
  /** Latency per successful operation: how often each (rounded) number of microseconds occurred. */
  readonly latency: LatencyCounts;
  /** Total time spent in the statement that takes the lock (0 for modes that take none). */
  readonly lockWaitMs: number;
  /** How often successful attempts named each outcome ('accepted', 'refused', …). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly errors: readonly ErrorSample[];
  /** What the worker's first operations did, when it was asked to record them; else empty. */
  readonly timeline: readonly TimelineEvent[];
}

const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

/**
 * A worker's result built outside a worker thread (an HTTP connection, the workers of a process
 * or shard that died): nothing counted but what `fields` says.
 */
export function workerResultOf(fields: Partial<WorkerResult> & Pick<WorkerResult, 'index' | 'processId' | 'threadId'>): WorkerResult {
  return {
    ...{ succeeded: 0, failures: zeros(FAILURE_KINDS), inDoubt: 0, notAttempted: 0, connectionLoss: null, retries: zeros(RETRY_CAUSES) },
    ...{ firstStatementAtMs: null, latency: {}, lockWaitMs: 0, outcomes: {}, errors: [], timeline: [] },
    ...fields,
  };
}
