import { Worker } from 'node:worker_threads';
import { COMMAND, SLOT } from './protocol.js';
import type { SessionMessage, SessionWorkerData } from './protocol.js';

/** The bundled session worker sits next to the bundled entry points in dist/. */
const SESSION_WORKER = new URL('./spec-session.js', import.meta.url);

/**
 * One session's thread, seen from the coordinator: it hands the thread SQL and keeps what the
 * thread posts back in an inbox, unread until the coordinator takes it, as libpq keeps a
 * connection's input until the tester reads it.
 */
export class SessionThread {
  private readonly inbox: SessionMessage[] = [];
  private arrived: (() => void) | null = null;
  private readonly control: Int32Array;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
    readonly pid: number,
    buffer: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(buffer);
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: SessionMessage) => {
      this.inbox.push(message);
      this.arrived?.();
    });
  }

  /** Starts the thread; resolves once its connection is open. */
  static start(data: Omit<SessionWorkerData, 'control'>, timeoutMs: number): Promise<SessionThread> {
    const control = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    const worker = new Worker(SESSION_WORKER, { workerData: { ...data, control } });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`session ${data.name} did not connect within ${timeoutMs} ms`)), timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        void worker.terminate();
        reject(error);
      };
      worker.once('error', fail);
      worker.once('message', (message: SessionMessage) => {
        clearTimeout(timer);
        if (message.kind === 'ready') resolve(new SessionThread(worker, data.name, message.pid, control));
        else fail(new Error(`session ${data.name}: ${message.kind === 'failed' ? message.message : 'unexpected message'}`));
      });
    });
  }

  /** Hands the thread script `index` (see SessionWorkerData.scripts); its messages arrive in the inbox. */
  send(index: number): void {
    Atomics.store(this.control, SLOT.argument, index);
    Atomics.store(this.control, SLOT.command, COMMAND.run);
    Atomics.notify(this.control, SLOT.command);
  }

  /** Everything that arrived since the last call. */
  take(): SessionMessage[] {
    return this.inbox.splice(0);
  }

  /** Resolves true as soon as something is in the inbox, or false after `ms`. */
  waitForInput(ms: number): Promise<boolean> {
    if (this.inbox.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.arrived = null;
        resolve(false);
      }, ms);
      this.arrived = () => {
        clearTimeout(timer);
        this.arrived = null;
        resolve(true);
      };
    });
  }

  /** Ends the thread: asked nicely (it closes its connection), then terminated. */
  async stop(): Promise<void> {
    Atomics.store(this.control, SLOT.command, COMMAND.exit);
    Atomics.notify(this.control, SLOT.command);
    const timer = setTimeout(() => void this.worker.terminate(), 2_000);
    await this.exited;
    clearTimeout(timer);
  }
}
