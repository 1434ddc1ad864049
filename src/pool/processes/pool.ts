import { performance } from 'node:perf_hooks';
import { abortReason, throwIfAborted } from '../../abort.js';
import { BarrierError, WorkerError } from '../../errors.js';
import { workerResultOf } from '../../protocol.js';
import type { WorkerResult } from '../../protocol.js';
import type { RaceOutcome, RaceRequest, StartPool, WorkerPool } from '../types.js';
import { WorkerProcess } from './host.js';
import type { FromHost } from './messages.js';
import { shares } from './messages.js';
import { detachFlags, onFlip } from './shared-flags.js';

/**
 * The workers of a process that died during the race: nothing it did came back, so every
 * operation it was given may or may not have committed.
 */
function lostWorkers(host: WorkerProcess, firstIndex: number, operations: number, cause: string): WorkerResult[] {
  return Array.from({ length: host.threads }, (_, offset) =>
    workerResultOf({
      ...{ index: firstIndex + offset, processId: host.pid, threadId: offset + 1, inDoubt: operations },
      connectionLoss: { worker: firstIndex + offset, code: 'PROCESS_EXIT', message: `process ${host.number} (pid ${host.pid}) ${cause} during the race` },
    }),
  );
}

interface Share {
  readonly host: WorkerProcess;
  readonly firstIndex: number;
  done: number;
}

/** Resolves when every process has sent `want`; rejects when one fails or ends first. */
function everyone(racing: readonly Share[], want: FromHost['type'], onMessage: (share: Share, message: FromHost) => void = () => {}): Promise<void> {
  let waiting = racing.length;
  return new Promise<void>((resolve, reject) => {
    for (const share of racing) {
      const { host } = share;
      host.listen((message) => {
        if (message.type === 'failed') reject(new WorkerError(`process ${host.number} (pid ${host.pid}): ${message.message}`));
        onMessage(share, message);
        if (message.type === want && --waiting === 0) resolve();
      });
      void host.ended.then((cause) => reject(new WorkerError(`process ${host.number} (pid ${host.pid}) ${cause} before the start`)));
    }
  });
}

/** After the release: each process's results and peak memory, or, for one that ends first, its workers as lost. */
function resultsOf(share: Share, operations: number): Promise<{ results: WorkerResult[]; peakRssMb: number }> {
  return new Promise((resolve) => {
    share.host.listen((message) => {
      if (message.type === 'progress') share.done = message.done;
      if (message.type === 'results') resolve(message);
    });
    void share.host.ended.then((cause) => resolve({ results: lostWorkers(share.host, share.firstIndex, operations, cause), peakRssMb: 0 }));
  });
}

async function raceProcesses(hosts: readonly WorkerProcess[], request: RaceRequest): Promise<RaceOutcome> {
  throwIfAborted(request.signal);
  let firstIndex = 0;
  const racing: Share[] = hosts.map((host) => ({ host, firstIndex: (firstIndex += host.threads) - host.threads, done: 0 }));
  const onAbort = () => racing.forEach(({ host }) => host.send({ type: 'abort' }));
  request.signal.addEventListener('abort', onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => request.signal.addEventListener('abort', () => reject(abortReason(request.signal)), { once: true }));
  aborted.catch(() => undefined);
  try {
    const { plain: task, flags } = detachFlags(request.task);
    flags.forEach((flag, index) => onFlip(flag, (value) => racing.forEach(({ host }) => host.send({ type: 'flag', index, value }))));
    for (const share of racing) share.host.send({ type: 'race', task, firstIndex: share.firstIndex, barrierTimeoutMs: request.barrierTimeoutMs, progress: request.onProgress !== undefined });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BarrierError(`not every process had its workers at the start within ${request.barrierTimeoutMs} ms; raise --barrier-timeout`, 0, request.task.workers)), request.barrierTimeoutMs)));
    await Promise.race([everyone(racing, 'arrived'), timedOut, aborted]).finally(() => clearTimeout(timer));
    for (const share of racing) share.host.send({ type: 'release' });
    const releasedAt = performance.now();
    const progress = request.onProgress ? setInterval(() => request.onProgress?.(racing.reduce((sum, share) => sum + share.done, 0), performance.now() - releasedAt), 200) : undefined;
    const collected = Promise.all(racing.map((share) => resultsOf(share, request.task.operations)));
    const [results] = await Promise.race([Promise.all([collected, request.afterRelease?.()]), aborted]).finally(() => clearInterval(progress));
    const elapsedMs = performance.now() - releasedAt;
    request.onProgress?.(request.task.workers * request.task.operations, elapsedMs);
    return { results: results.flatMap((one) => one.results), releasedAt, elapsedMs, peakRssMb: results.reduce((sum, one) => sum + one.peakRssMb, 0) };
  } finally {
    request.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Workers spread over `processes` OS processes, each running its share as threads (threads.ts)
 * released by the coordinator's word; the server gate aligns the start across processes.
 */
export function processPool(processes: number, log: (line: string) => void = () => {}): StartPool {
  return (workers: number): WorkerPool => {
    let first = 0;
    const hosts = shares(workers, processes).map((threads, index) => {
      const host = new WorkerProcess(index + 1, threads);
      log(`worker process ${index + 1} of ${processes} (pid ${host.pid}): workers ${first}–${first + threads - 1}`);
      first += threads;
      return host;
    });
    let destroyed: Promise<void> | undefined;
    return {
      workers,
      race: (request) => raceProcesses(hosts, request),
      destroy: () => (destroyed ??= Promise.all(hosts.map((host) => host.stop())).then(() => undefined)),
    };
  };
}
