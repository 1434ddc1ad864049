import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs } from '../src/backoff.js';
import type { ConnectionLoss, ErrorClassifier, ErrorSample, FailureKind, RetryCause } from '../src/protocol.js';
import { createLatencyCounts, recordMs } from '../src/latency-counts.js';
import type { LatencyCounts } from '../src/latency-counts.js';
import type { TimelineRecorder } from '../src/timeline/recorder.js';
import type { AttemptResult, WorkerSession } from '../src/scenarios/types.js';

const MAX_ERROR_SAMPLES = 5;

export interface LoopOptions {
  readonly worker: number;
  readonly operations: number;
  readonly maxRetries: number;
  /** Whether this mode retries conflicts, serialization failures and deadlocks. */
  readonly retries: boolean;
  /** Base delay of the backoff before a retry, ms (0: retry at once). */
  readonly backoffMs: number;
  /** Ends the transaction an attempt left open when it failed. */
  readonly rollback: () => Promise<void>;
  /** Tells the engine's errors apart. */
  readonly classify: ErrorClassifier;
  /** Waits for a --concurrency permit before an operation; false when the run was called off. */
  readonly enter: () => boolean;
  /** Gives the permit back after the operation. */
  readonly leave: () => void;
  /** Server clock at the first critical statement, once the operations are done. */
  readonly firstStatementAtMs: () => number | null;
  /** Called after each operation, however it ended (the progress counter). */
  readonly done?: () => void;
  /** Records attempts, retries and failures for `--timeline`, or null. */
  readonly timeline?: TimelineRecorder | null;
}

interface Attempted {
  readonly kind: 'done' | 'conflict';
  readonly outcome: string | undefined;
  readonly lockWaitMs: number;
}

function normalize(result: AttemptResult): Attempted {
  if (result === undefined || result === 'done') return { kind: 'done', outcome: undefined, lockWaitMs: 0 };
  if (result === 'conflict') return { kind: 'conflict', outcome: undefined, lockWaitMs: 0 };
  return { kind: result.kind ?? 'done', outcome: result.outcome, lockWaitMs: result.lockWaitMs ?? 0 };
}

export interface LoopTally {
  succeeded: number;
  failures: Record<FailureKind, number>;
  inDoubt: number;
  notAttempted: number;
  connectionLoss: ConnectionLoss | null;
  retries: Record<RetryCause, number>;
  firstStatementAtMs: number | null;
  latency: LatencyCounts;
  lockWaitMs: number;
  outcomes: Record<string, number>;
  errors: ErrorSample[];
}

/**
 * Runs the worker's operations one after another, each until it succeeds, fails, or runs out
 * of retries. Failures are counted, never thrown: the coordinator needs every number to check
 * the invariant. A lost connection ends the loop: the operation it cut off is in doubt (it may
 * have committed), the ones after it were never attempted.
 */
export async function runOperations(session: WorkerSession, options: LoopOptions): Promise<LoopTally> {
  const tally: LoopTally = {
    succeeded: 0,
    failures: { serialization: 0, deadlock: 0, busy: 0, maxRetries: 0, lockTimeout: 0, statementTimeout: 0, other: 0 },
    inDoubt: 0,
    notAttempted: 0,
    connectionLoss: null,
    retries: { serialization: 0, deadlock: 0, busy: 0, conflict: 0 },
    firstStatementAtMs: null,
    latency: createLatencyCounts(),
    lockWaitMs: 0,
    outcomes: {},
    errors: [],
  };

  const noteError = (code: string | null, message: string) => {
    const known = tally.errors.find((sample) => sample.code === code && sample.message === message);
    if (known) (known as { count: number }).count += 1;
    else if (tally.errors.length < MAX_ERROR_SAMPLES) tally.errors.push({ code, message, count: 1 });
  };

  for (let done = 0; done < options.operations; done++) {
    if (!options.enter()) {
      tally.notAttempted = options.operations - done;
      break;
    }
    try {
      if (!(await runOperation(session, done, options, tally, noteError))) break;
    } finally {
      options.leave();
      options.done?.();
    }
  }

  tally.firstStatementAtMs = options.firstStatementAtMs();
  return tally;
}

/** One operation, retried as the mode allows; false when the connection is gone. */
async function runOperation(
  session: WorkerSession,
  iteration: number,
  options: LoopOptions,
  tally: LoopTally,
  noteError: (code: string | null, message: string) => void,
): Promise<boolean> {
  const started = performance.now();
  for (let retriesUsed = 0; ; retriesUsed++) {
    let cause: RetryCause;
    options.timeline?.beginAttempt(iteration, retriesUsed);
    try {
      const outcome = normalize(await session.attempt(iteration));
      tally.lockWaitMs += outcome.lockWaitMs;
      if (outcome.kind === 'done') {
        tally.succeeded += 1;
        if (outcome.outcome !== undefined) tally.outcomes[outcome.outcome] = (tally.outcomes[outcome.outcome] ?? 0) + 1;
        recordMs(tally.latency, performance.now() - started);
        return true;
      }
      cause = 'conflict';
    } catch (thrown) {
      const error = options.classify(thrown);
      noteError(error.code, error.message);
      if (error.connectionLost) {
        tally.inDoubt = 1;
        tally.notAttempted = options.operations - iteration - 1;
        tally.connectionLoss = { worker: options.worker, code: error.code, message: error.message };
        return false;
      }
      await options.rollback();
      if (!options.retries || error.retryCause === null) {
        tally.failures[error.kind] += 1;
        options.timeline?.note('error', `${error.code ? `[${error.code}] ` : ''}${error.message}`);
        return true;
      }
      cause = error.retryCause;
    }
    if (!options.retries) {
      tally.failures.other += 1;
      options.timeline?.note('error', 'the version check found another writer, and this mode does not retry');
      return true;
    }
    if (retriesUsed >= options.maxRetries) {
      tally.failures.maxRetries += 1;
      options.timeline?.note('error', `${cause}: out of retries`);
      return true;
    }
    tally.retries[cause] += 1;
    options.timeline?.note('retry', cause);
    const delay = backoffDelayMs(options.backoffMs, retriesUsed);
    if (delay > 0) await sleep(delay);
  }
}
