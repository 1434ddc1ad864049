import type { EngineName } from './engines/types.js';
import type { ResolvedOptions } from './options.js';
import type { ConnectionLoss, ErrorSample, RetryCause } from './protocol.js';
import type { FailureCounts, WorkerTotals } from './report/aggregate.js';
import type { LatencyBucket, LatencySummary } from './report/latency.js';
import type { TimelineEvent } from './timeline/types.js';
import type { Expectation, RunContext, Verification, VerifyContext } from './scenarios/types.js';

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
  /** Peak resident memory of the process that ran the rig, all threads included, in MB. */
  readonly peakRssMb: number;
  /** Distinct errors seen, most frequent first. */
  readonly errors: readonly ErrorSample[];
  /** With `timeline`: what the first few workers' first operations did, in time order; else null. */
  readonly timeline: readonly TimelineEvent[] | null;
  /** What the run could not clean up (a schema it could not drop, say). */
  readonly warnings: readonly string[];
  readonly database: {
    readonly engine: EngineName;
    /** Connection URL with the password masked. */
    readonly url: string;
    readonly serverVersion: string;
    readonly schema: string;
    /** True when the schema was left on the server (--keep). */
    readonly schemaKept: boolean;
  };
  /** Present when --expect was given. */
  readonly expectation: { readonly expected: Expectation; readonly met: boolean } | null;
  readonly options: {
    readonly engine: string;
    /** SQLite: the database file given with --file, or null for the rig's temp file. */
    readonly file: string | null;
    /** SQLite: the journal mode (`delete` or `wal`). */
    readonly journal: string | null;
    readonly scenario: string;
    readonly params: Readonly<Record<string, string>>;
    readonly concurrency: number;
    readonly mode: string;
    readonly workers: number;
    readonly increments: number;
    /** null when unbounded. */
    readonly maxRetries: number | null;
    readonly barrierTimeoutMs: number;
    /** Whether the server-side start gate was used (--gate). */
    readonly gate: boolean;
    /** Base delay of the retry backoff in ms (0: none). */
    readonly backoffMs: number;
    readonly lockTimeoutMs: number;
    readonly statementTimeoutMs: number;
    readonly timeoutMs: number;
    readonly schema: string | null;
    readonly reuseSchema: boolean;
    readonly keep: boolean;
    readonly expect: Expectation | null;
    readonly timeline: boolean;
  };
}

export interface ResultInputs {
  readonly options: ResolvedOptions;
  readonly totals: WorkerTotals;
  readonly verification: Verification;
  readonly setupMs: number;
  readonly elapsedMs: number;
  readonly database: RaceResult['database'];
}

/** What every scenario function is told about a run with these options. */
export function runContextOf(options: ResolvedOptions): RunContext {
  return { mode: options.mode.name, workers: options.workers, iterations: options.increments, params: options.params };
}

/** What verification is told: the run, and what the workers reported. */
export function verifyContextOf(options: ResolvedOptions, totals: WorkerTotals): VerifyContext {
  return {
    ...runContextOf(options),
    operations: options.workers * options.increments,
    succeeded: totals.succeeded,
    failed: totals.failures.total,
    inDoubt: totals.inDoubt,
    notAttempted: totals.notAttempted,
    outcomes: totals.outcomes,
    retries: totals.retries,
    failures: totals.failures,
    errors: totals.errors,
  };
}

const round = (value: number, places = 3) => Math.round(value * 10 ** places) / 10 ** places;

export function buildResult({ options, totals, verification, setupMs, elapsedMs, database }: ResultInputs): RaceResult {
  const operations = options.workers * options.increments;
  const verdict: Verdict = verification.holds ? 'CORRECT' : 'RACE';
  const observed: Expectation = verdict === 'CORRECT' ? 'correct' : 'race';
  return {
    schemaVersion: 1,
    verdict,
    scenario: options.scenario.name,
    mode: options.mode.name,
    invariant: verification.invariant,
    message: verification.message,
    quantity: verification.quantity,
    unit: options.scenario.unit?.one ?? 'operation',
    workers: options.workers,
    increments: options.increments,
    operations,
    expected: verification.expected,
    actual: verification.actual,
    lost: verification.holds ? 0 : verification.expected - verification.actual,
    figures: verification.figures ?? {},
    outcomes: totals.outcomes,
    succeeded: totals.succeeded,
    failed: totals.failures.total,
    inDoubt: totals.inDoubt,
    notAttempted: totals.notAttempted,
    connectionLosses: totals.connectionLosses,
    retries: totals.retries.total,
    retriesByCause: { serialization: totals.retries.serialization, deadlock: totals.retries.deadlock, busy: totals.retries.busy, conflict: totals.retries.conflict },
    failures: totals.failures,
    attemptsPerOperation: round((operations - totals.notAttempted + totals.retries.total) / Math.max(1, operations - totals.notAttempted), 2),
    elapsedMs: round(elapsedMs),
    setupMs: round(setupMs),
    opsPerSec: elapsedMs > 0 ? Math.round(totals.succeeded / (elapsedMs / 1000)) : 0,
    latencyMs: totals.latencyMs,
    latencyHistogram: totals.latencyHistogram,
    lockWaitMs: { total: totals.lockWaitMs, perOperation: round(totals.lockWaitMs / operations) },
    startSpreadMs: totals.startSpreadMs,
    threads: totals.distinctThreads,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    errors: totals.errors,
    timeline: options.timeline ? totals.timeline : null,
    warnings: [],
    database,
    expectation: options.expect === null ? null : { expected: options.expect, met: options.expect === observed },
    options: {
      engine: options.engine,
      file: options.file,
      journal: options.engine === 'sqlite' ? options.journal : null,
      scenario: options.scenario.name,
      params: options.params,
      concurrency: options.concurrency,
      mode: options.mode.name,
      workers: options.workers,
      increments: options.increments,
      maxRetries: Number.isFinite(options.maxRetries) ? options.maxRetries : null,
      barrierTimeoutMs: options.barrierTimeoutMs,
      gate: options.gate,
      backoffMs: options.backoffMs,
      lockTimeoutMs: options.lockTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs,
      timeoutMs: options.timeoutMs,
      schema: options.schema,
      reuseSchema: options.reuseSchema,
      keep: options.keep,
      expect: options.expect,
      timeline: options.timeline,
    },
  };
}
