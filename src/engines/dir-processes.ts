import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long the processes get to end after SIGQUIT (an immediate shutdown, initdb's current step). */
const QUIT_TIMEOUT_MS = 5_000;
/** How long SIGKILLed processes get to disappear before the directory is deleted anyway. */
const KILL_TIMEOUT_MS = 2_000;
const POLL_MS = 20;

/**
 * The fields of /proc/<pid>/stat after the command name ("pid (comm) S ppid …": [0] is the
 * state, [1] the parent, [19] the start time), or null when there is no such process or no /proc.
 */
export function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Whether `pid` runs; a zombie (dead, not yet reaped by its parent) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const fields = statFields(pid);
  return fields === null ? process.platform !== 'linux' : fields[0] !== 'Z';
}

/** Whether a path (as /proc shows a working directory, " (deleted)" once it is gone) is `dir` or inside it. */
function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`) || path === `${dir} (deleted)`;
}

/**
 * The processes working in `dir`: every process a run starts there (initdb, the postmaster, its
 * backends, initdb's bootstrap backend) has its working directory in it. Linux only (it reads
 * /proc/<pid>/cwd); elsewhere none are found.
 */
export function processesWorkingIn(dir: string): number[] {
  if (process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (isInside(readlinkSync(`/proc/${entry}/cwd`), dir)) found.push(Number(entry));
    } catch {
      // gone already, or not ours to inspect
    }
  }
  return found;
}

/** The parent of `pid`, or null once it is gone. */
function parentOf(pid: number): number | null {
  const parent = statFields(pid)?.[1];
  return parent === undefined ? null : Number(parent);
}

/**
 * The processes of `pids` whose parent is not one of them: a postmaster (its backends are its
 * business), initdb (its bootstrap backend ends when initdb stops feeding it).
 */
function rootsOf(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    const parent = parentOf(pid);
    return parent !== null && !pids.includes(parent);
  });
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function waitUntilSync(done: () => boolean, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) sleepSync(POLL_MS);
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(POLL_MS);
}

/**
 * Stops everything working in `dir`, gently first: SIGQUIT to the roots (see rootsOf), up to 5 s
 * for them and theirs to end, then SIGKILL to whatever is left. SIGQUIT is PostgreSQL's immediate
 * shutdown, which stops the backends and removes the shared memory; initdb, on SIGQUIT, stops
 * after its current step and its bootstrap backend ends cleanly. A backend killed outright would
 * leave its System V shared memory segment behind. The same steps as the watchdog's.
 */
export async function stopProcessesIn(dir: string): Promise<void> {
  signalAll(rootsOf(processesWorkingIn(dir)), 'SIGQUIT');
  await waitUntil(() => processesWorkingIn(dir).length === 0, QUIT_TIMEOUT_MS);
  signalAll(processesWorkingIn(dir), 'SIGKILL');
  await waitUntil(() => processesWorkingIn(dir).length === 0, KILL_TIMEOUT_MS);
}

/** stopProcessesIn, blocking: for a process 'exit' hook, where nothing asynchronous runs any more. */
export function stopProcessesInSync(dir: string): void {
  signalAll(rootsOf(processesWorkingIn(dir)), 'SIGQUIT');
  waitUntilSync(() => processesWorkingIn(dir).length === 0, QUIT_TIMEOUT_MS);
  signalAll(processesWorkingIn(dir), 'SIGKILL');
  waitUntilSync(() => processesWorkingIn(dir).length === 0, KILL_TIMEOUT_MS);
}
