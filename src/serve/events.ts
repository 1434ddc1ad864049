import type { ServerResponse } from 'node:http';

/** What the page hears, as server-sent events: `event: <type>`, `data: <the JSON>`. */
export interface ServeEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * The page's live updates: every open page (the teacher's laptop and the projector alike) holds
 * one server-sent-events stream and gets every event. A comment every 15 s keeps proxies and
 * idle timeouts from closing a quiet stream.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000).unref();

  attach(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(': connected\n\n');
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  publish(event: ServeEvent): void {
    this.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}
