import { errorMessage } from '../src/errors.js';
import type { FromHost, ToHost } from '../src/pool/processes/messages.js';
import { THREADS_VARIABLE } from '../src/pool/processes/messages.js';
import { attachFlags, flip } from '../src/pool/processes/shared-flags.js';
import { startThreadPool } from '../src/pool/threads.js';

/**
 * One worker process of `--processes`: its share of the workers as threads, started at once. For
 * each race its coordinator sends, the threads connect, prepare and arrive; the process says so,
 * and releases them when the coordinator says the word. It ends when its coordinator lets it go.
 */
const pool = startThreadPool(Number(process.env[THREADS_VARIABLE]));
const send = (message: FromHost) => process.send?.(message);
let race: { controller: AbortController; release: () => void; flags: SharedArrayBuffer[] } | null = null;

function startRace(message: Extract<ToHost, { type: 'race' }>): void {
  const controller = new AbortController();
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const { value: task, flags } = attachFlags(message.task);
  race = { controller, release, flags };
  pool
    .race({
      task,
      firstIndex: message.firstIndex,
      concurrency: pool.workers,
      barrierTimeoutMs: message.barrierTimeoutMs,
      signal: controller.signal,
      beforeRelease: () => {
        send({ type: 'arrived' });
        return released;
      },
      ...(message.progress ? { onProgress: (done: number) => send({ type: 'progress', done }) } : {}),
    })
    .then(
      (outcome) => send({ type: 'results', results: outcome.results, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }),
      (error: unknown) => send({ type: 'failed', message: errorMessage(error) }),
    );
}

process.on('message', (message: ToHost) => {
  if (message.type === 'race') startRace(message);
  else if (message.type === 'release') race?.release();
  else if (message.type === 'flag') {
    const flag = race?.flags[message.index];
    if (flag) flip(flag, message.value);
  }
  else race?.controller.abort();
});

// A terminal's Ctrl-C reaches the whole process group: the coordinator decides what happens, and
// lets this process go when it has cleaned up.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

// The coordinator let go (or is gone): end the threads, and with them their connections.
process.on('disconnect', () => {
  race?.controller.abort();
  void pool.destroy().finally(() => process.exit(0));
});
