import { threadId } from 'node:worker_threads';
import { workerResultOf } from '../../protocol.js';
import type { ConnectionLoss, ErrorSample, WorkerResult } from '../../protocol.js';
import { createLatencyCounts, recordUs } from '../../latency-counts.js';
import type { HttpResponse } from '../../scenarios/types.js';
import type { Exchange } from './lane.js';

/** The first line of a response body, short enough for a report. */
function gist(response: HttpResponse): string {
  const line = response.body.split('\n')[0]?.trim() ?? '';
  return line.length > 0 ? line.slice(0, 160) : `status ${response.status}`;
}

/**
 * One HTTP worker's operations, counted as a database worker's are: a response is an operation
 * that succeeded with an outcome; a 5xx, a timeout or a connection cut after the request left is
 * in doubt (the app may have made the change); requests never sent are not attempted.
 */
export class HttpTally {
  private succeeded = 0;
  private inDoubt = 0;
  private notAttempted = 0;
  private connectionLoss: ConnectionLoss | null = null;
  private firstSentAtMs: number | null = null;
  private readonly outcomes: Record<string, number> = {};
  private readonly errors = new Map<string, ErrorSample>();
  private readonly latency = createLatencyCounts();

  constructor(
    private readonly worker: number,
    private readonly outcomeOf: (response: HttpResponse) => string,
  ) {}

  sentAt(epochMs: number): void {
    this.firstSentAtMs ??= epochMs;
  }

  /** Counts one answer; returns false when the connection is gone and the worker stops. */
  record(exchange: Exchange): boolean {
    if (exchange.kind === 'lost') {
      this.inDoubt += 1;
      this.error(exchange.code, exchange.message);
      this.connectionLoss = { worker: this.worker, code: exchange.code, message: exchange.message };
      return false;
    }
    const { response } = exchange;
    if (response.status >= 500) {
      this.inDoubt += 1;
      this.error(`HTTP ${response.status}`, gist(response));
      return true;
    }
    this.succeeded += 1;
    recordUs(this.latency, exchange.latencyUs);
    const outcome = this.outcomeOf(response);
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    return true;
  }

  /** The worker's remaining operations were never sent (its connection failed or broke first). */
  notSent(count: number, why?: { code: string; message: string }): void {
    this.notAttempted += count;
    if (!why) return;
    this.error(why.code, why.message);
    this.connectionLoss ??= { worker: this.worker, ...why };
  }

  result(): WorkerResult {
    return workerResultOf({
      ...{ index: this.worker, processId: process.pid, threadId, succeeded: this.succeeded, inDoubt: this.inDoubt, notAttempted: this.notAttempted },
      ...{ connectionLoss: this.connectionLoss, firstStatementAtMs: this.firstSentAtMs, latency: { ...this.latency }, outcomes: { ...this.outcomes }, errors: [...this.errors.values()] },
    });
  }

  private error(code: string, message: string): void {
    const key = `${code}\u0000${message}`;
    this.errors.set(key, { code, message, count: (this.errors.get(key)?.count ?? 0) + 1 });
  }
}
