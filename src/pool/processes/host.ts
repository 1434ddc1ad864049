import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import type { FromHost, ToHost } from './messages.js';
import { THREADS_VARIABLE } from './messages.js';

/** The bundled entry of a worker process sits next to the other entry points in dist/. */
const HOST_FILE = new URL('./process-host.js', import.meta.url);

/** How a worker process ended, in words: `exited with code 1`, `was killed by SIGKILL`. */
export function exitCause(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code ?? 'unknown'}`;
}

/** One worker process as the coordinator sees it: its messages, and how it ended once it has. */
export class WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves with how the process ended. */
  readonly ended: Promise<string>;
  private listener: ((message: FromHost) => void) | null = null;

  constructor(
    readonly number: number,
    readonly threads: number,
  ) {
    this.child = fork(HOST_FILE, [], {
      env: { ...process.env, [THREADS_VARIABLE]: String(threads) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ended = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve(exitCause(code, signal))));
    this.child.on('message', (message) => this.listener?.(message as FromHost));
    this.child.on('error', () => {});
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Where its messages go from now on. */
  listen(listener: (message: FromHost) => void): void {
    this.listener = listener;
  }

  send(message: ToHost): void {
    if (this.child.connected) this.child.send(message, () => {});
  }

  /** Ends it: asked first (it ends its threads), then killed if it does not go. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.ended;
    clearTimeout(killer);
  }
}
