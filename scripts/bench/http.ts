import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRace } from 'race-rig';
import { median, round } from './stats.js';

/** The target: the last final byte written within 1 ms of the first (50 requests, client clock). */
export const RELEASE_WINDOW_TARGET_MS = 1;

const EXAMPLE = fileURLToPath(new URL('../examples/wallet-service/', import.meta.url));

type Release = 'last-byte' | 'last-byte-http2' | 'threads';

const SCENARIOS: Readonly<Record<Release, string>> = { 'last-byte': 'race-http.js', 'last-byte-http2': 'race-http2.js', threads: 'race-http-threads.js' };

export interface HttpSpreadRow {
  /**
   * `last-byte`: one thread writes the final byte of every request staged on its own HTTP/1.1
   * connection; `last-byte-http2`: the same with a stream per request on one HTTP/2 connection;
   * `threads`: each worker thread sends its whole request when the barrier releases it.
   */
  readonly release: Release;
  readonly requests: number;
  /** First to last final byte written, client clock (last-byte only). */
  readonly clientWindowMs: number | null;
  readonly clientRuns: readonly number[];
  /** First to last request body complete at the example app (its fastify preValidation hook). */
  readonly serverSpreadMs: number;
  readonly serverRuns: readonly number[];
  /** The balance each run left (start 10 × requests/2): below 0 means the race overdrew the wallet. */
  readonly balances: readonly number[];
}

export interface HttpBench {
  readonly rows: readonly HttpSpreadRow[];
  readonly target: number;
  /** Last-byte's server spread ÷ the threads' (below 1: tighter), over HTTP/1.1 and HTTP/2. */
  readonly ratio: number;
  readonly ratioHttp2: number;
  readonly met: boolean;
}

async function spreadOf(db: string, release: HttpSpreadRow['release'], requests: number, runs: number): Promise<HttpSpreadRow> {
  const scenario = `${EXAMPLE}${SCENARIOS[release]}`;
  const client: number[] = [];
  const server: number[] = [];
  const balances: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = await runRace({ db, scenario, mode: 'check-then-act', workers: requests, increments: 1 });
    if (result.startSpreadMs !== null) client.push(result.startSpreadMs);
    server.push(result.figures.bodySpreadMs ?? Number.NaN);
    balances.push(result.actual);
  }
  const row = { release, requests, clientWindowMs: client.length > 0 ? round(median(client)) : null, clientRuns: client, serverSpreadMs: round(median(server)), serverRuns: server, balances };
  process.stderr.write(`bench: HTTP ${release}, ${requests} requests: client window ${row.clientWindowMs ?? '-'} ms, server spread ${row.serverSpreadMs} ms\n`);
  return row;
}

/**
 * The start spread of an HTTP race on the example wallet app (in this process, on the embedded
 * server): last-byte sync against the same requests sent by worker threads the barrier releases.
 */
export async function httpBench(db: string, { requests, runs }: { requests: number; runs: number }): Promise<HttpBench> {
  if (!existsSync(`${EXAMPLE}node_modules/.package-lock.json`)) execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', EXAMPLE], { stdio: 'ignore' });
  const lastByte = await spreadOf(db, 'last-byte', requests, runs);
  const http2 = await spreadOf(db, 'last-byte-http2', requests, runs);
  const threads = await spreadOf(db, 'threads', requests, runs);
  return {
    rows: [lastByte, http2, threads],
    target: RELEASE_WINDOW_TARGET_MS,
    ratio: round(lastByte.serverSpreadMs / threads.serverSpreadMs, 2),
    ratioHttp2: round(http2.serverSpreadMs / threads.serverSpreadMs, 2),
    met: [lastByte, http2].every((row) => (row.clientWindowMs ?? Number.POSITIVE_INFINITY) <= RELEASE_WINDOW_TARGET_MS),
  };
}
