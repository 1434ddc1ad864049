import type { ChildProcess } from 'node:child_process';
import { cliEnv, startCli } from './cli.js';
import type { CliRun } from './cli.js';
import { eventually } from './wait.js';

export interface ServeEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A `race-rig serve` CLI process, its address as it printed it, and its API. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The address it printed (with ?token= when it requires one). */
  readonly url: string;
  /** The address without the token. */
  readonly base: string;
  readonly token: string | null;
  readonly finished: Promise<CliRun>;
  get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Ctrl-C, as a terminal sends it, and everything the process printed. */
  stop(): Promise<CliRun>;
}

/** Starts `race-rig serve --port 0 …` and waits for the address it prints. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const { child, finished } = startCli(['serve', '--port', '0', ...args], cliEnv());
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let ended: CliRun | undefined;
  void finished.then((run) => (ended = run));
  const url = await eventually(() => {
    if (ended) throw new Error(`race-rig serve ended (code ${ended.code}): ${ended.stderr}`);
    return /open (http:\/\/\S+)/.exec(stdout)?.[1];
  }, 'race-rig serve to print its address', 60_000);
  const token = new URL(url).searchParams.get('token');
  const base = url.replace(/\?.*$/, '');
  const headers = (json: boolean): Record<string, string> => ({ ...(json ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) });
  const answer = async <T>(response: Response) => ({ status: response.status, body: (await response.json()) as T });
  return {
    child,
    pid: child.pid ?? -1,
    url,
    base,
    token,
    finished,
    get: async (path) => answer(await fetch(new URL(path, base), { headers: headers(false) })),
    post: async (path, body = {}) => answer(await fetch(new URL(path, base), { method: 'POST', headers: headers(true), body: JSON.stringify(body) })),
    stop: async () => {
      child.kill('SIGINT');
      return finished;
    },
  };
}

/** The server's live events, as a page hears them: every event since `listen`, and a way to wait for one. */
export class EventLog {
  readonly events: ServeEvent[] = [];
  private readonly controller = new AbortController();

  private constructor() {}

  static async listen(serve: ServeProcess): Promise<EventLog> {
    const log = new EventLog();
    const response = await fetch(new URL('/api/events', serve.base), { headers: serve.token ? { authorization: `Bearer ${serve.token}` } : {}, signal: log.controller.signal });
    if (!response.ok || !response.body) throw new Error(`the event stream answered ${response.status}`);
    void log.read(response.body).catch(() => undefined);
    return log;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) this.events.push({ type, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
  }

  /** The first event (from `from` on) that `matches`, waiting for it. */
  waitFor(matches: (event: ServeEvent) => boolean, what: string, timeoutMs = 120_000, from = 0): Promise<ServeEvent> {
    return eventually(() => this.events.slice(from).find(matches), what, timeoutMs);
  }

  close(): void {
    this.controller.abort();
  }
}
