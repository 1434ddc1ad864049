import http2 from 'node:http2';
import type { EncodedRequest } from './encode.js';
import { answerTimer, Lane, lost, stagedBy, StagingError, codeOf, messageOf } from './lane.js';
import type { Exchange, StagedRequest } from './lane.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_STATUS, NGHTTP2_CANCEL } = http2.constants;

function exchangeOf(stream: http2.ClientHttp2Stream, timeoutMs: number): Promise<Exchange> {
  return new Promise<Exchange>((resolve) => {
    const timer = answerTimer(timeoutMs, (error) => stream.destroy(error));
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    stream.once('finish', timer.start);
    stream.once('response', (received) => {
      status = Number(received[HTTP2_HEADER_STATUS] ?? 0);
      headers = received;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => {
      timer.stop();
      resolve(lost(error));
    });
    stream.once('end', () => {
      timer.stop();
      resolve({ kind: 'response', response: { status, headers, body: Buffer.concat(chunks).toString() }, latencyUs: 0 });
    });
  });
}

/**
 * One worker's requests as streams of an HTTP/2 session every worker shares. A request is staged
 * with its HEADERS frame and its body but the last byte; the final DATA frames of every worker,
 * written in the same turn of the loop, leave together in one write.
 */
export class Http2Lane extends Lane {
  constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  protected open(request: EncodedRequest): StagedRequest {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.session.request({ [HTTP2_HEADER_METHOD]: request.method, [HTTP2_HEADER_PATH]: request.path, ...request.headers }, { endStream: false });
    } catch (error) {
      const failed = Promise.reject(new StagingError(codeOf(error), messageOf(error)));
      failed.catch(() => undefined);
      return { staged: failed, exchange: Promise.resolve(lost(error)), end: () => {}, cancel: () => {} };
    }
    const { body } = request;
    const staged = stagedBy(
      (done) => (body.length > 1 ? stream.write(body.subarray(0, -1), done) : stream.once('ready', () => done())),
      (listener) => {
        stream.once('error', listener);
        return () => stream.off('error', listener);
      },
    );
    return { staged, exchange: exchangeOf(stream, this.timeoutMs), end: () => stream.end(body.subarray(body.length - Math.min(1, body.length))), cancel: () => stream.close(NGHTTP2_CANCEL) };
  }
}

/** The session every worker's streams share; its own failure reaches each stream as an error. */
export function connectHttp2(baseUrl: string): http2.ClientHttp2Session {
  const session = http2.connect(baseUrl);
  session.on('error', () => {});
  return session;
}
