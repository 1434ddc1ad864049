import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcessesIn, stopProcessesInSync } from './dir-processes.js';
import { armWatchdog } from './watchdog.js';

/** A temp directory that goes, with everything working in it, however the rig ends. */
export interface RunDir {
  readonly path: string;
  /** Stops what still works in the directory, deletes it and ends its watchdog: a run's normal end. */
  remove(): Promise<void>;
}

export interface RunDirOptions {
  /** The start of the name: `<tmpdir>/<prefix>-<pid>-<random>`. */
  readonly prefix: string;
  /** The directory's mode (default 0o700); 0o755 lets another user (the postgres user) pass. */
  readonly mode?: number;
  /** Told the directory's path once it exists. */
  readonly log?: (line: string) => void;
}

const NAME_ATTEMPTS = 10;

/**
 * Creates the run's directory, armed before it exists: first an exit hook (the synchronous
 * clean-up for a second Ctrl-C or a process.exit), then the watchdog (for SIGKILL), then the
 * directory. The name carries the rig's pid, so that anyone can tell whose directory it is.
 */
export function createRunDir({ prefix, mode = 0o700, log }: RunDirOptions): RunDir {
  for (let attempt = 1; ; attempt++) {
    const path = join(tmpdir(), `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
    // The watchdog is left to finish what the hook could not (it sees the rig gone and exits).
    const onExit = () => {
      stopProcessesInSync(path);
      rmSync(path, { recursive: true, force: true });
    };
    process.on('exit', onExit);
    const watchdog = armWatchdog({ dir: path });
    try {
      mkdirSync(path, { mode });
    } catch (error) {
      // Not ours: nobody may delete it.
      void watchdog.disarm();
      process.removeListener('exit', onExit);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < NAME_ATTEMPTS) continue;
      throw error;
    }
    chmodSync(path, mode); // mkdir's mode is masked by the umask
    log?.(`run directory ${path}`);

    let removed: Promise<void> | undefined;
    const remove = () =>
      (removed ??= (async () => {
        await stopProcessesIn(path);
        await rm(path, { recursive: true, force: true });
        // Only now: had the rig died before, the watchdog would still have had work to do.
        await watchdog.disarm();
        process.removeListener('exit', onExit);
      })());
    return { path, remove };
  }
}
