import type { DatabaseKind, StartKind } from '../engines/types.js';
import type { OptionsEcho } from '../race/options.js';
import type { ConnectionLoss, ErrorSample, RetryCause } from '../protocol.js';
import type { Expectation } from '../scenarios/types.js';
import type { TimelineEvent } from '../timeline/types.js';
import type { FailureCounts } from './aggregate.js';
import type { LatencyBucket, LatencySummary } from './latency.js';

export type Verdict = 'RACE' | 'CORRECT';

/**
 * The outcome of one run: what `runRace` returns and exactly what `--json` prints.
 * Schema version 1; fields are only ever added, never renamed or removed, within a version.
 */
export interface RaceResult {
  readonly schemaVersion: 1;
  /** `RACE` when the invariant broke, `CORRECT` when it held. */
  readonly verdict: Verdict;
  readonly scenario: string;
  readonly mode: string;
  readonly invariant: string;
  /** The verdict in words, with the numbers that prove it. */
  readonly message: string;
  /** What `expected` and `actual` count ("counter", "accepted withdrawals"). */
  readonly quantity: string;
  /** What one operation is called in this scenario ("increment"). */
  readonly unit: string;
  readonly workers: number;
  /** Operations per worker. */
  readonly increments: number;
  /** workers × increments. */
  readonly operations: number;
  /** What the database should hold (for the counter: the operations that succeeded, plus up to `inDoubt`). */
  readonly expected: number;
  /** What the database holds. */
  readonly actual: number;
  /** expected − actual when the invariant broke, else 0 (negative: more than expected). */
  readonly lost: number;
  /** The scenario's own numbers (a balance, an overdraft, …). */
  readonly figures: Readonly<Record<string, number>>;
  /** How often successful operations ended each way ('accepted', 'refused', …). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly succeeded: number;
  /** Operations that failed and certainly left no trace (see `failures`). */
  readonly failed: number;
  /** Operations cut off by a lost connection: they may or may not have committed. */
  readonly inDoubt: number;
  /** Operations never started because their worker's connection was gone. */
  readonly notAttempted: number;
  /** The workers whose connection broke, with the error that broke it. */
  readonly connectionLosses: readonly ConnectionLoss[];
  /** Attempts beyond the first, summed over all operations. */
  readonly retries: number;
  readonly retriesByCause: Readonly<Record<RetryCause, number>>;
  readonly failures: Readonly<FailureCounts>;
  readonly attemptsPerOperation: number;
  /** From the release of the barrier to the last worker's result. */
  readonly elapsedMs: number;
  /** From the start of the run (server start-up included) to the release of the barrier. */
  readonly setupMs: number;
  /** Successful operations per second of elapsed time. */
  readonly opsPerSec: number;
  /** Per successful operation, first attempt to success, retries included. */
  readonly latencyMs: LatencySummary;
  /** The same latencies as a histogram: log-spaced buckets from the fastest to the slowest. */
  readonly latencyHistogram: readonly LatencyBucket[];
  /** Time spent in the statement that takes the lock, in total and per operation. */
  readonly lockWaitMs: { readonly total: number; readonly perOperation: number };
  /** Server clock: the last worker's first critical statement minus the first one's. */
  readonly startSpreadMs: number | null;
  /** Distinct OS threads that ran a worker. */
  readonly threads: number;
  /** Peak resident memory of the process that ran the rig, all threads included (and its worker processes, with --processes), in MB. */
  readonly peakRssMb: number;
  /** Distinct errors seen, most frequent first. */
  readonly errors: readonly ErrorSample[];
  /** With `timeline`: what the first few workers' first operations did, in time order; else null. */
  readonly timeline: readonly TimelineEvent[] | null;
  /** What the run could not clean up (a schema it could not drop, say). */
  readonly warnings: readonly string[];
  readonly database: {
    readonly engine: DatabaseKind;
    /** Connection URL with the password masked. */
    readonly url: string;
    readonly serverVersion: string;
    readonly schema: string;
    /** True when the schema was left on the server (--keep). */
    readonly schemaKept: boolean;
  };
  /** Present when --expect was given. */
  readonly expectation: { readonly expected: Expectation; readonly met: boolean } | null;
  /** The options the run used (every option of every engine; never a password). */
  readonly options: OptionsEcho;
  /** How the workers were released: `gate` (barrier and server gate) or `barrier` (alone). */
  readonly start: StartKind;
}

