import { openSync, closeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeoutError } from './file-lock.js';

type OsLock = typeof import('os-lock');

const RETRY_MS = 1;

async function osLock(): Promise<OsLock> {
  try {
    return (await import('os-lock')) as OsLock;
  } catch {
    throw new Error('the fcntl-lock mode needs os-lock, an optional native dependency that did not build here (it needs a C compiler): npm install os-lock');
  }
}

/**
 * The classic POSIX record lock (fcntl F_SETLKW) on the run's lock file, as Python's
 * fcntl.lockf takes it. It belongs to the whole process: every thread of the process holds it
 * once one does, so it excludes other processes only. Opened on first use, through os-lock.
 */
export class ProcessLock {
  private fd: number | null = null;

  constructor(private readonly file: string) {}

  /** Waits for the lock (for ever, or up to `timeoutMs`); returns the ms waited. */
  async lock(timeoutMs: number): Promise<number> {
    const { lock } = await osLock();
    this.fd ??= openSync(this.file, 'r+');
    const started = performance.now();
    if (timeoutMs <= 0) {
      await lock(this.fd, { exclusive: true });
      return performance.now() - started;
    }
    for (;;) {
      try {
        await lock(this.fd, { exclusive: true, immediate: true });
        return performance.now() - started;
      } catch {
        if (performance.now() - started > timeoutMs) throw new LockTimeoutError(`the fcntl lock on ${this.file} was not released within ${timeoutMs} ms`);
        await sleep(RETRY_MS);
      }
    }
  }

  async unlock(): Promise<void> {
    if (this.fd === null) return;
    const { unlock } = await osLock();
    await unlock(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
