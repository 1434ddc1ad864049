import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs } from '../src/backoff.js';
import { failureKindOf, isConnectionLost, isRetryable, sqlstateOf } from '../src/db/sqlstate.js';
import type { ConnectionLoss, ErrorSample, FailureKind, RetryCause } from '../src/protocol.js';
import { createLatencyHistogram, recordMs } from '../src/report/latency.js';
import type { LatencyHistogram } from '../src/report/latency.js';
import type { Session } from '../src/scenarios/types.js';

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
  /**
   * The error that broke the connection, if the driver reported it between queries: the next
   * query then only says the client is "not queryable", and this is the real cause.
   */
  readonly connectionError: () => unknown;
}

export interface LoopTally {
  succeeded: number;
  failures: Record<FailureKind, number>;
  inDoubt: number;
  notAttempted: number;
  connectionLoss: ConnectionLoss | null;
  retries: Record<RetryCause, number>;
  firstStatementAtMs: number | null;
  latency: LatencyHistogram;
  lockWaitMs: number;
  errors: ErrorSample[];
}

/**
 * Runs the worker's operations one after another, each until it succeeds, fails, or runs out
 * of retries. Failures are counted, never thrown: the coordinator needs every number to check
 * the invariant. A lost connection ends the loop: the operation it cut off is in doubt (it may
 * have committed), the ones after it were never attempted.
 */
export async function runOperations(session: Session, options: LoopOptions): Promise<LoopTally> {
  const tally: LoopTally = {
    succeeded: 0,
    failures: { serialization: 0, deadlock: 0, maxRetries: 0, lockTimeout: 0, statementTimeout: 0, other: 0 },
    inDoubt: 0,
    notAttempted: 0,
    connectionLoss: null,
    retries: { serialization: 0, deadlock: 0, conflict: 0 },
    firstStatementAtMs: null,
    latency: createLatencyHistogram(),
    lockWaitMs: 0,
    errors: [],
  };

  const noteError = (code: string | null, message: string) => {
    const known = tally.errors.find((sample) => sample.code === code && sample.message === message);
    if (known) (known as { count: number }).count += 1;
    else if (tally.errors.length < MAX_ERROR_SAMPLES) tally.errors.push({ code, message, count: 1 });
  };

  operations: for (let done = 0; done < options.operations; done++) {
    const started = performance.now();
    for (let retriesUsed = 0; ; retriesUsed++) {
      let cause: RetryCause;
      try {
        const outcome = await session.attempt();
        tally.lockWaitMs += outcome.lockWaitMs;
        if (outcome.kind === 'done') {
          tally.succeeded += 1;
          recordMs(tally.latency, performance.now() - started);
          continue operations;
        }
        cause = 'conflict';
      } catch (thrown) {
        const error = sqlstateOf(thrown) === null ? (options.connectionError() ?? thrown) : thrown;
        const code = sqlstateOf(error);
        const message = error instanceof Error ? error.message : String(error);
        noteError(code, message);
        if (isConnectionLost(code)) {
          tally.inDoubt = 1;
          tally.notAttempted = options.operations - done - 1;
          tally.connectionLoss = { worker: options.worker, code, message };
          break operations;
        }
        await options.rollback();
        const kind = failureKindOf(code);
        if (!options.retries || !isRetryable(kind)) {
          tally.failures[kind] += 1;
          continue operations;
        }
        cause = kind === 'serialization' ? 'serialization' : 'deadlock';
      }
      if (!options.retries) {
        tally.failures.other += 1;
        continue operations;
      }
      if (retriesUsed >= options.maxRetries) {
        tally.failures.maxRetries += 1;
        continue operations;
      }
      tally.retries[cause] += 1;
      const delay = backoffDelayMs(options.backoffMs, retriesUsed);
      if (delay > 0) await sleep(delay);
    }
  }

  tally.firstStatementAtMs = session.firstStatementAtMs();
  return tally;
}
