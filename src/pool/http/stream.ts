import http2 from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { Exchange, Lane } from './connection.js';
import { codeOf, messageOf, StagingError } from './connection.js';
import type { EncodedRequest } from './encode.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS } = http2.constants;

/**
 * One worker's requests as streams of an HTTP/2 session every worker shares. A request is staged
 * with its HEADERS frame and all of its body but the final DATA frame's last byte; the final
 * frames of every worker, written in the same turn of the loop, leave together in one write.
 */
export class Http2Lane implements Lane {
  private pending: { stream: http2.ClientHttp2Stream; finalByte: Buffer; exchange: Promise<Exchange>; sentAt: number } | null = null;

  constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly timeoutMs: number,
  ) {}

  stage(request: EncodedRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session.request({ [HTTP2_HEADER_METHOD]: request.method, [HTTP2_HEADER_PATH]: request.path, ...request.headers }, { endStream: false });
      } catch (error) {
        reject(new StagingError(codeOf(error), messageOf(error)));
        return;
      }
      const held = request.body.length > 0 ? 1 : 0;
      this.pending = { stream, finalByte: request.body.subarray(request.body.length - held), exchange: this.exchange(stream), sentAt: 0 };
      const failed = (error: unknown) => reject(new StagingError(codeOf(error), messageOf(error)));
      stream.once('error', failed);
      const staged = (error?: Error | null) => {
        stream.off('error', failed);
        if (error) failed(error);
        else resolve();
      };
      if (request.body.length > 1) stream.write(request.body.subarray(0, -1), staged);
      else stream.once('ready', staged);
    });
  }

  release(): number {
    const entry = this.pending;
    if (!entry) throw new Error('no request is staged');
    entry.sentAt = performance.now();
    entry.stream.end(entry.finalByte);
    return performance.timeOrigin + entry.sentAt;
  }

  outcome(): Promise<Exchange> {
    const entry = this.pending;
    if (!entry) throw new Error('no request was sent');
    this.pending = null;
    return entry.exchange.then((exchange) => (exchange.kind === 'response' ? { ...exchange, latencyUs: Math.max(1, Math.round((performance.now() - entry.sentAt) * 1000)) } : exchange));
  }

  async send(request: EncodedRequest): Promise<Exchange> {
    try {
      await this.stage(request);
    } catch (error) {
      return { kind: 'lost', code: codeOf(error), message: messageOf(error) };
    }
    this.release();
    return this.outcome();
  }

  destroy(): void {
    this.pending?.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private exchange(stream: http2.ClientHttp2Stream): Promise<Exchange> {
    return new Promise<Exchange>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let status = 0;
      let headers: Record<string, string | string[] | undefined> = {};
      const chunks: Buffer[] = [];
      stream.once('finish', () => {
        timer = setTimeout(() => stream.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'TIMEOUT' })), this.timeoutMs);
      });
      stream.once('response', (received) => {
        status = Number(received[HTTP2_HEADER_STATUS] ?? 0);
        headers = received;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => {
        clearTimeout(timer);
        resolve({ kind: 'lost', code: codeOf(error), message: messageOf(error) });
      });
      stream.once('end', () => {
        clearTimeout(timer);
        resolve({ kind: 'response', response: { status, headers, body: Buffer.concat(chunks).toString() }, latencyUs: 0 });
      });
    });
  }
}

/** The session every worker's streams share; its own failure reaches each stream as an error. */
export function connectHttp2(baseUrl: string): http2.ClientHttp2Session {
  const session = http2.connect(baseUrl);
  session.on('error', () => {});
  session.setTimeout(0);
  return session;
}
