import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * What is left of a run. A run's directory is named after the process that ran it
 * (`race-rig-<pid>-…`, `race-rig-sqlite-<pid>-…`, `race-rig-mysql-<pid>-…`), and everything it starts works in that
 * directory or names it in its command line, so a test can tell its own run's leftovers from
 * whatever else the machine runs (the suite's shared server, other runs, other suites).
 */
export interface Leftovers {
  /** The run's directories in the temp directory. */
  readonly dirs: string[];
  /** `pid cwd command` of each process working in one of them or naming one: server, backends, initdb, watchdog. */
  readonly processes: string[];
}

export const NOTHING_LEFT: Leftovers = { dirs: [], processes: [] };

function readOrEmpty(read: () => string): string {
  try {
    return read();
  } catch {
    return ''; // exited meanwhile, or a zombie
  }
}

/** The processes whose working directory or command line contains one of `marks`. */
function processesMarkedBy(marks: readonly string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cwd = readOrEmpty(() => readlinkSync(`/proc/${entry}/cwd`));
    const command = readOrEmpty(() => readFileSync(`/proc/${entry}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
    if (marks.some((mark) => cwd.includes(mark) || command.includes(mark))) found.push(`${entry} ${cwd} ${command}`);
  }
  return found.sort();
}

/** What is left of the runs of the process `pid`: the CLI's pid, or process.pid for runs in this process. */
export function leftoversOfRun(pid: number): Leftovers {
  const names = [`race-rig-${pid}-`, `race-rig-sqlite-${pid}-`, `race-rig-mysql-${pid}-`];
  const dirs = readdirSync(tmpdir())
    .filter((name) => names.some((start) => name.startsWith(start)))
    .map((name) => join(tmpdir(), name))
    .sort();
  return { dirs, processes: processesMarkedBy(names.map((name) => join(tmpdir(), name))) };
}

/** What is left of the run directory `dir`, as the run reported it. */
export function leftoversOfDir(dir: string): Leftovers {
  return { dirs: existsSync(dir) ? [dir] : [], processes: processesMarkedBy([dir]) };
}

/**
 * The leftovers once they are gone, or what is still left after `timeoutMs`: for a run killed
 * outright, whose watchdog needs a moment (it polls five times a second, then stops the server).
 */
export async function leftoversAfter(probe: () => Leftovers, timeoutMs: number): Promise<Leftovers> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = probe();
    if ((left.dirs.length === 0 && left.processes.length === 0) || Date.now() > deadline) return left;
    await sleep(50);
  }
}

/** Everything left of the run of the CLI `pid` whose directory is `dir`, by either name. */
export function leftoversOfCli(pid: number, dir: string): Leftovers {
  const byPid = leftoversOfRun(pid);
  const byDir = leftoversOfDir(dir);
  return {
    dirs: [...new Set([...byPid.dirs, ...byDir.dirs])].sort(),
    processes: [...new Set([...byPid.processes, ...byDir.processes])].sort(),
  };
}
