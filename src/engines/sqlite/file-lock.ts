import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/**
 * An OS advisory file lock, like the fcntl lock of the classic TaskRunner post, but with a
 * timeout. fs-native-extensions takes open-file-description locks (F_OFD_SETLK on Linux): they
 * exclude other file descriptors, so they work between the threads of one process as well as
 * between processes, where plain fcntl locks belong to the whole process and would not.
 */
type NativeLocks = typeof import('fs-native-extensions');

let nativeLocks: Promise<NativeLocks> | undefined;
function loadNativeLocks(): Promise<NativeLocks> {
  nativeLocks ??= import('fs-native-extensions').then((module) => (module as { default?: NativeLocks }).default ?? module);
  return nativeLocks;
}

/** Thrown when a lock is not granted in time; the operation loop counts it as a lock timeout. */
export class LockTimeoutError extends Error {
  readonly code = 'RIG_LOCK_TIMEOUT';
}

const POLL_MIN_MS = 1;
const POLL_MAX_MS = 8;

export class FileLock {
  private constructor(
    private readonly native: NativeLocks,
    private readonly fd: number,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<FileLock> {
    return new FileLock(await loadNativeLocks(), openSync(path, 'a+'), path);
  }

  /**
   * Takes the exclusive lock, polling (waitForLock cannot be given up on), and returns how long
   * it waited; throws LockTimeoutError after `timeoutMs` (0: wait for ever).
   */
  async lock(timeoutMs: number): Promise<number> {
    const started = performance.now();
    for (let pause = POLL_MIN_MS; !this.native.tryLock(this.fd); pause = Math.min(POLL_MAX_MS, pause * 2)) {
      if (timeoutMs > 0 && performance.now() - started >= timeoutMs) {
        throw new LockTimeoutError(`the file lock on ${this.path} was not released within ${timeoutMs} ms`);
      }
      await sleep(pause);
    }
    return performance.now() - started;
  }

  /** Takes the lock if no other descriptor holds it; never waits. */
  tryLock(): boolean {
    return this.native.tryLock(this.fd);
  }

  unlock(): void {
    this.native.unlock(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
