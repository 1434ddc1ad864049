import http from 'node:http';
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

/** One worker's way of sending its requests: staged, released, answered; then whole ones. */
export interface Lane {
  /** Sends all of `request` but its final byte; resolves once those bytes are with the kernel. */
  stage(request: EncodedRequest): Promise<void>;
  /** Writes the staged request's final byte; returns when, on the epoch clock. */
  release(): number;
  /** The answer to the request last released. */
  outcome(): Promise<Exchange>;
  /** Sends a whole request (a worker's later operations) and waits for its answer. */
  send(request: EncodedRequest): Promise<Exchange>;
  destroy(): void;
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

/**
 * One worker's connection to the app (a keep-alive agent with a single socket). A request is
 * staged, everything but its final byte on the wire, then released; the next requests of the
 * worker follow on the same socket.
 */
export class HttpConnection implements Lane {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private pending: { request: http.ClientRequest; finalByte: Buffer; exchange: Promise<Exchange>; sentAt: number } | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends all of `request` but its final byte; resolves once those bytes are with the kernel. */
  stage(request: EncodedRequest): Promise<void> {
    const client = http.request(new URL(request.path, this.baseUrl), { method: request.method, headers: request.headers, agent: this.agent });
    const held = request.body.length > 0 ? 1 : 0;
    const entry = { request: client, finalByte: request.body.subarray(request.body.length - held), exchange: this.exchange(client), sentAt: 0 };
    this.pending = entry;
    return new Promise<void>((resolve, reject) => {
      const failed = (error: unknown) => reject(new StagingError(codeOf(error), messageOf(error)));
      client.once('error', failed);
      client.once('socket', (socket) => socket.setNoDelay(true));
      const staged = (error?: Error | null) => {
        client.off('error', failed);
        if (error) failed(error);
        else resolve();
      };
      if (request.body.length > 1) client.write(request.body.subarray(0, -1), staged);
      else client.once('socket', (socket) => (socket.connecting ? socket.once('connect', staged) : staged()));
    });
  }

  /** Writes the staged request's final byte (the headers too, for a request without a body); returns when, on the epoch clock. */
  release(): number {
    const entry = this.pending;
    if (!entry) throw new Error('no request is staged');
    entry.sentAt = performance.now();
    entry.request.end(entry.finalByte);
    return performance.timeOrigin + entry.sentAt;
  }

  /** The answer to the request last released. */
  outcome(): Promise<Exchange> {
    const entry = this.pending;
    if (!entry) throw new Error('no request was sent');
    this.pending = null;
    return entry.exchange.then((exchange) => (exchange.kind === 'response' ? { ...exchange, latencyUs: Math.max(1, Math.round((performance.now() - entry.sentAt) * 1000)) } : exchange));
  }

  /** Sends a whole request (a worker's later operations) and waits for its answer. */
  async send(request: EncodedRequest): Promise<Exchange> {
    try {
      await this.stage(request);
    } catch (error) {
      return { kind: 'lost', code: codeOf(error), message: messageOf(error) };
    }
    this.release();
    return this.outcome();
  }

  /** Ends the socket, and any request still waiting with it. */
  destroy(): void {
    this.pending?.request.destroy();
    this.agent.destroy();
  }

  private exchange(client: http.ClientRequest): Promise<Exchange> {
    return new Promise<Exchange>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      client.once('finish', () => {
        timer = setTimeout(() => client.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'TIMEOUT' })), this.timeoutMs);
      });
      client.on('error', (error) => {
        clearTimeout(timer);
        resolve({ kind: 'lost', code: codeOf(error), message: messageOf(error) });
      });
      client.once('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', (error) => client.destroy(error));
        response.once('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString();
          resolve({ kind: 'response', response: { status: response.statusCode ?? 0, headers: response.headers, body }, latencyUs: 0 });
        });
      });
    });
  }
}
