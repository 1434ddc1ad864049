import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { leftoversOfRun } from './leftovers.js';

/** The run directory of the process `pid` (the CLI's, say), once it exists. */
export function runDirOf(pid: number): string | undefined {
  return leftoversOfRun(pid).dirs.find((dir) => !dir.includes('race-rig-sqlite-'));
}

/**
 * The postmaster's pid once the server in `runDir` accepts connections, as pg_ctl tells: a
 * positive pid on line 1 of postmaster.pid (initdb's bootstrap and single-user backends write
 * the file too, with their pid negated) and `ready` on line 8.
 */
export function readyPostmasterOf(runDir: string): number | undefined {
  try {
    const lines = readFileSync(`${runDir}/data/postmaster.pid`, 'utf8').split('\n');
    const pid = Number(lines[0]);
    return pid > 0 && lines[7]?.trim() === 'ready' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Calls `action` the moment `child` prints a line matching `pattern` on stderr (in the same tick,
 * so that a SIGKILL lands at that instant), and resolves with the line.
 */
export function onStderrLine(child: ChildProcess, pattern: RegExp, action: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const line = lines.find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      child.stderr?.off('data', onData);
      action(line);
      resolve(line);
    };
    child.stderr?.on('data', onData);
    child.once('close', () => reject(new Error(`the CLI ended without printing a line matching ${pattern}`)));
  });
}
