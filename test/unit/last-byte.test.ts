import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpConnection } from '../../src/pool/http/connection.js';
import { encodeRequest } from '../../src/pool/http/encode.js';

/** A TCP server that keeps what each connection sent it, and never answers. */
async function countingServer(): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    const index = received.push('') - 1;
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => (received[index] += chunk.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const close = () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, received, close };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error(`waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const request = encodeRequest({ method: 'POST', path: '/withdraw', body: { amount: 10 } });

describe('last-byte sync on HTTP/1.1', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('stages every request but its final byte, and the final bytes arrive only after the release', async () => {
    const server = await countingServer();
    const connections = Array.from({ length: 5 }, () => new HttpConnection(server.url, 1_000));
    cleanup = async () => {
      for (const connection of connections) connection.destroy();
      await server.close();
    };
    await Promise.all(connections.map((connection) => connection.stage(request)));
    await until(() => server.received.length === 5 && server.received.every((text) => text.endsWith('{"amount":10')), 'the staged bytes');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(server.received.every((text) => text.startsWith('POST /withdraw HTTP/1.1\r\n') && text.endsWith('\r\n\r\n{"amount":10'))).toBe(true);
    for (const connection of connections) connection.release();
    await until(() => server.received.every((text) => text.endsWith('}')), 'the final bytes');
    expect(server.received.every((text) => text.endsWith('\r\n\r\n{"amount":10}'))).toBe(true);
  });

  it('announces the body length and sends JSON for an object body', () => {
    expect(request.headers).toEqual({ 'content-type': 'application/json', 'content-length': '13' });
    expect(request.body.toString()).toBe('{"amount":10}');
  });
});
