import { performance } from 'node:perf_hooks';
import type { HttpResponse } from '../../scenarios/types.js';
import type { EncodedRequest } from './encode.js';

/** What became of one request once its final byte was written. */
export type Exchange =
  | { readonly kind: 'response'; readonly response: HttpResponse; readonly latencyUs: number }
  | { readonly kind: 'lost'; readonly code: string; readonly message: string };

/** A request that failed before its final byte left: the app was never reached. */
export class StagingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The error's code; for an HTTP/2 stream cancelled because its session failed, the session's (ECONNREFUSED). */
export function codeOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && (error as { code?: unknown }).code === 'ERR_HTTP2_STREAM_CANCEL') return codeOf(cause);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const lost = (error: unknown): Exchange => ({ kind: 'lost', code: codeOf(error), message: messageOf(error) });

/** A request on the wire but for its final byte, as a protocol opens it. */
export interface StagedRequest {
  /** Resolves once everything but the final byte is with the kernel; rejects with a StagingError. */
  readonly staged: Promise<void>;
  /** Resolves (never rejects) with the answer, or why there is none. */
  readonly exchange: Promise<Exchange>;
  /** Writes the final byte. */
  end(): void;
  cancel(): void;
}

/** Calls back with the error a write or an 'error' event gave, or with nothing once the bytes are out. */
export function stagedBy(start: (done: (error?: Error | null) => void) => void, onError: (listener: (error: Error) => void) => () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: unknown) => reject(new StagingError(codeOf(error), messageOf(error)));
    const stopListening = onError(failed);
    start((error) => {
      stopListening();
      if (error) failed(error);
      else resolve();
    });
  });
}

/** Starts the answer's clock once the request is all sent: no answer in time destroys it with code TIMEOUT. */
export function answerTimer(timeoutMs: number, destroy: (error: Error) => void): { start: () => void; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    start: () => (timer = setTimeout(() => destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs)),
    stop: () => clearTimeout(timer),
  };
}

/**
 * One worker's way of sending its requests, whatever the protocol: the first staged, released
 * with the others, answered; the next ones sent whole.
 */
export abstract class Lane {
  private pending: { request: StagedRequest; sentAt: number } | null = null;

  /** Opens a request and sends all of it but its final byte. */
  protected abstract open(request: EncodedRequest): StagedRequest;

  /** Sends all of `request` but its final byte; resolves once those bytes are with the kernel. */
  stage(request: EncodedRequest): Promise<void> {
    const opened = this.open(request);
    this.pending = { request: opened, sentAt: 0 };
    return opened.staged;
  }

  /** Writes the staged request's final byte; returns when, on the epoch clock. */
  release(): number {
    const entry = this.pending;
    if (!entry) throw new Error('no request is staged');
    entry.sentAt = performance.now();
    entry.request.end();
    return performance.timeOrigin + entry.sentAt;
  }

  /** The answer to the request last released, its latency counted from the final byte. */
  outcome(): Promise<Exchange> {
    const entry = this.pending;
    if (!entry) throw new Error('no request was sent');
    this.pending = null;
    return entry.request.exchange.then((exchange) => (exchange.kind === 'response' ? { ...exchange, latencyUs: Math.max(1, Math.round((performance.now() - entry.sentAt) * 1000)) } : exchange));
  }

  /** Sends a whole request (a worker's later operations) and waits for its answer. */
  async send(request: EncodedRequest): Promise<Exchange> {
    try {
      await this.stage(request);
    } catch (error) {
      return lost(error);
    }
    this.release();
    return this.outcome();
  }

  /** Ends the request still waiting, and what the lane holds open. */
  destroy(): void {
    this.pending?.request.cancel();
    this.close();
  }

  protected close(): void {}
}
