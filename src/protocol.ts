import type { RecordableHistogram } from 'node:perf_hooks';
import type { GateKey } from './gate.js';
import type { ScenarioRef } from './scenarios/load.js';

/**
 * The plain-data messages between the coordinator and its worker threads. Everything here
 * survives structured cloning: no functions, no class instances but Node's cloneable histogram (a `pg` error's fields are
 * copied into `ErrorSample` before they cross).
 */

/** How a worker reaches the database; may hold a password, so it is never printed. */
export interface ConnectionSpec {
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
}

export interface SessionSettings {
  /** `lock_timeout` in ms (0: none). */
  readonly lockTimeoutMs: number;
  /** `statement_timeout` in ms (0: none). */
  readonly statementTimeoutMs: number;
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
  readonly connection: ConnectionSpec;
  readonly schema: string;
  /** Session settings for the worker's connection. */
  readonly settings: SessionSettings;
  readonly barrier: SharedArrayBuffer;
  readonly barrierTimeoutMs: number;
  /** The server-side start gate to queue at after the barrier (--gate), or null. */
  readonly gate: GateKey | null;
  /** Base delay of the exponential backoff with full jitter before a retry, ms (0: none). */
  readonly backoffMs: number;
}

/**
 * Why an operation failed. A failed operation certainly left no trace in the database: its
 * statement or transaction was rolled back. (An operation cut off by a lost connection may or may
 * not have committed; it is counted as in doubt instead.)
 */
export const FAILURE_KINDS = ['serialization', 'deadlock', 'maxRetries', 'lockTimeout', 'statementTimeout', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export const RETRY_CAUSES = ['serialization', 'deadlock', 'conflict'] as const;
export type RetryCause = (typeof RETRY_CAUSES)[number];

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
  /** Latency per successful operation in microseconds (an HDR histogram; survives postMessage). */
  readonly latency: RecordableHistogram;
  /** Total time spent in the statement that takes the lock (0 for modes that take none). */
  readonly lockWaitMs: number;
  /** How often successful attempts named each outcome ('accepted', 'refused', …). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly errors: readonly ErrorSample[];
}
