import http from 'node:http';
import type { EncodedRequest } from './encode.js';
import { answerTimer, Lane, lost, stagedBy } from './lane.js';
import type { Exchange, StagedRequest } from './lane.js';

function exchangeOf(client: http.ClientRequest, timeoutMs: number): Promise<Exchange> {
  return new Promise<Exchange>((resolve) => {
    const timer = answerTimer(timeoutMs, (error) => client.destroy(error));
    client.once('finish', timer.start);
    client.on('error', (error) => {
      timer.stop();
      resolve(lost(error));
    });
    client.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', (error) => client.destroy(error));
      response.once('end', () => {
        timer.stop();
        resolve({ kind: 'response', response: { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString() }, latencyUs: 0 });
      });
    });
  });
}

/** One worker's HTTP/1.1 connection (a keep-alive agent with a single socket): its requests one after another. */
export class HttpConnection extends Lane {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  protected open(request: EncodedRequest): StagedRequest {
    const client = http.request(new URL(request.path, this.baseUrl), { method: request.method, headers: request.headers, agent: this.agent });
    client.once('socket', (socket) => socket.setNoDelay(true));
    const exchange = exchangeOf(client, this.timeoutMs);
    const { body } = request;
    const staged = stagedBy(
      (done) => {
        if (body.length > 1) client.write(body.subarray(0, -1), done);
        // Nothing to hold back but the request itself: staged once its connection is open.
        else client.once('socket', (socket) => (socket.connecting ? socket.once('connect', () => done()) : done()));
      },
      (listener) => {
        client.once('error', listener);
        return () => client.off('error', listener);
      },
    );
    return { staged, exchange, end: () => client.end(body.subarray(body.length - Math.min(1, body.length))), cancel: () => client.destroy() };
  }

  protected override close(): void {
    this.agent.destroy();
  }
}
