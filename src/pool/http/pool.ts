import { performance } from 'node:perf_hooks';
import { abortReason, throwIfAborted } from '../../abort.js';
import { WorkerError } from '../../errors.js';
import type { HttpOperations, HttpResponse } from '../../scenarios/types.js';
import type { RaceOutcome, RaceRequest, StartPool, WorkerPool } from '../types.js';
import { HttpConnection } from './connection.js';
import { StagingError } from './lane.js';
import type { Lane as Sender } from './lane.js';
import { connectHttp2, Http2Lane } from './stream.js';
import { encodeRequest } from './encode.js';
import { HttpTally } from './tally.js';

const DEFAULT_TIMEOUT_MS = 10_000;

interface Lane {
  readonly connection: Sender;
  readonly tally: HttpTally;
  staged: boolean;
  /** Staging failed (and was counted). */
  failed: boolean;
}

const statusOutcome = (response: HttpResponse) => `HTTP ${response.status}`;

function requestOf(http: HttpOperations, request: RaceRequest, worker: number, iteration: number) {
  const { task } = request;
  const context = { mode: task.mode, workers: task.workers, iterations: task.operations, params: task.params, worker, appUrl: task.appUrl, iteration };
  return encodeRequest(http.request(context));
}

/** A connection per worker (HTTP/1.1), or a stream per worker on one shared session (HTTP/2); and how to close them all. */
function openSenders(http: HttpOperations, baseUrl: string, workers: number, timeoutMs: number): { senders: Sender[]; close: () => void } {
  if (!http.http2) {
    const senders = Array.from({ length: workers }, () => new HttpConnection(baseUrl, timeoutMs));
    return { senders, close: () => senders.forEach((sender) => sender.destroy()) };
  }
  const session = connectHttp2(baseUrl);
  const senders = Array.from({ length: workers }, () => new Http2Lane(session, timeoutMs));
  return { senders, close: () => (senders.forEach((sender) => sender.destroy()), session.destroy()) };
}

/** Opens every worker's connection and stages its first request; a worker that cannot is counted, not fatal. */
async function stageAll(http: HttpOperations, request: RaceRequest, lanes: readonly Lane[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, request.barrierTimeoutMs)));
  const staging = lanes.map(async (lane, worker) => {
    try {
      await lane.connection.stage(requestOf(http, request, worker, 0));
      lane.staged = true;
    } catch (error) {
      lane.failed = true;
      const why = error instanceof StagingError ? { code: error.code, message: error.message } : { code: 'ERROR', message: String(error) };
      lane.tally.notSent(request.task.operations, why);
    }
  });
  await Promise.race([Promise.all(staging), timedOut]);
  clearTimeout(timer);
  for (const lane of lanes) {
    if (lane.staged || lane.failed) continue;
    lane.connection.destroy();
    lane.tally.notSent(0, { code: 'TIMEOUT', message: `the connection was not open within ${request.barrierTimeoutMs} ms` });
  }
}

/** A worker's first answer, then its next requests one after another on the same connection. */
async function finishLane(http: HttpOperations, request: RaceRequest, lane: Lane, worker: number, done: () => void): Promise<void> {
  let open = lane.tally.record(await lane.connection.outcome());
  done();
  for (let iteration = 1; iteration < request.task.operations; iteration++) {
    if (!open) {
      lane.tally.notSent(request.task.operations - iteration);
      return;
    }
    open = lane.tally.record(await lane.connection.send(requestOf(http, request, worker, iteration)));
    done();
  }
}

function untilAbort(signal: AbortSignal, close: () => void): { aborted: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      close();
      reject(abortReason(signal));
    };
  });
  aborted.catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  return { aborted, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * An HTTP race: a connection (or an HTTP/2 stream) per worker, every first request staged but its
 * final byte, the final bytes written in one loop from this thread (last-byte sync), the answers counted.
 */
async function raceHttp(http: HttpOperations, workers: number, request: RaceRequest): Promise<RaceOutcome> {
  const baseUrl = request.task.appUrl;
  if (baseUrl === null) throw new WorkerError("an HTTP race needs the app its requests go to: the scenario's app() gives its URL");
  const timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outcomeOf = http.outcome ? (response: HttpResponse) => String(http.outcome?.(response)) : statusOutcome;
  const { senders, close } = openSenders(http, baseUrl, workers, timeoutMs);
  const lanes: Lane[] = senders.map((connection, worker) => ({ connection, tally: new HttpTally(worker, outcomeOf), staged: false, failed: false }));
  const { aborted, dispose } = untilAbort(request.signal, close);
  try {
    throwIfAborted(request.signal);
    await Promise.race([stageAll(http, request, lanes), aborted]);
    const staged = lanes.filter((lane) => lane.staged);
    const releasedAt = performance.now();
    for (const lane of staged) lane.tally.sentAt(lane.connection.release());
    let done = 0;
    const finished = Promise.all(lanes.map((lane, worker) => (lane.staged ? finishLane(http, request, lane, worker, () => (done += 1)) : undefined)));
    const progress = request.onProgress ? setInterval(() => request.onProgress?.(done, performance.now() - releasedAt), 200) : undefined;
    await Promise.race([Promise.all([finished, request.afterRelease?.()]), aborted]).finally(() => clearInterval(progress));
    const elapsedMs = performance.now() - releasedAt;
    request.onProgress?.(done, elapsedMs);
    return { results: lanes.map((lane) => lane.tally.result()), releasedAt, elapsedMs, start: 'last-byte' };
  } finally {
    dispose();
    close();
  }
}

/** The pool of an HTTP scenario: its workers are connections of this thread, not threads. */
export function httpPool(http: HttpOperations): StartPool {
  return (workers: number): WorkerPool => ({ workers, race: (request) => raceHttp(http, workers, request), destroy: async () => {} });
}
