import { Worker } from 'node:worker_threads';
import { COMMAND, SLOT } from './protocol.js';
import type { SessionMessage, SessionWorkerData } from './protocol.js';

/** The bundled session worker sits next to the bundled entry points in dist/. */
const SESSION_WORKER = new URL('./spec-session.js', import.meta.url);

export type StepMessage = Extract<SessionMessage, { kind: 'step' }>;

/** One session's thread, seen from the coordinator. */
export class SessionThread {
  private waiting: ((message: StepMessage) => void) | null = null;
  private readonly control: Int32Array;

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
    readonly pid: number,
    buffer: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(buffer);
    worker.on('message', (message: SessionMessage) => {
      if (message.kind === 'step') this.waiting?.(message);
    });
  }

  /** Starts the thread; resolves once its connection is open and its session setup ran. */
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

  /** Hands the thread step `index`; resolves when the step finished (it may block first). */
  run(index: number): Promise<StepMessage> {
    const done = new Promise<StepMessage>((resolve) => {
      this.waiting = resolve;
    });
    Atomics.store(this.control, SLOT.argument, index);
    Atomics.store(this.control, SLOT.command, COMMAND.runStep);
    Atomics.notify(this.control, SLOT.command);
    return done;
  }

  /** Ends the thread: asked nicely (it closes its connection), then terminated. */
  async stop(): Promise<void> {
    Atomics.store(this.control, SLOT.command, COMMAND.exit);
    Atomics.notify(this.control, SLOT.command);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 2_000);
    await exited;
    clearTimeout(timer);
  }
}
