import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning } from '../dir-processes.js';
import type { PostgresBinaries } from './binaries.js';
import type { ClusterOwner } from './cluster-owner.js';

/** Where a cluster lives and who runs it. */
export interface ClusterPlace {
  /** The run directory: every process of the cluster works in it (see processesWorkingIn). */
  readonly runDir: string;
  readonly dataDir: string;
  readonly binaries: PostgresBinaries;
  readonly owner: ClusterOwner;
  readonly log: (line: string) => void;
}

const OUTPUT_LINES_KEPT = 20;
const STOP_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 20;
/** Line 8 of postmaster.pid: the postmaster's status, `ready` once it accepts connections (what pg_ctl reads). */
const PID_FILE_STATUS_LINE = 7;

/** The last lines a program printed, to explain its failure. */
function outputTail(child: ChildProcess): (fallback: string) => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES_KEPT));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return (fallback) => (lines.findLast((line) => /FATAL|ERROR|error|failed/.test(line)) ?? fallback).trim();
}

/**
 * Starts a cluster program in the run directory, in a session of its own: the terminal's Ctrl-C
 * is the rig's to handle (it stops the server in order), and a rig killed outright leaves it to
 * the watchdog. Messages in English whatever the locale, for the errors the rig repeats.
 */
function spawnInRunDir(program: string, args: readonly string[], place: ClusterPlace): ChildProcess {
  return spawn(program, args, {
    cwd: place.runDir,
    detached: true,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...place.owner,
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * initdb: a cluster whose superuser `user` has `password` over TCP and needs none over the Unix
 * socket. The password file lives in the run directory (mode 0600) for initdb's few seconds,
 * never in the shared temp directory.
 */
export async function initCluster(place: ClusterPlace, { user, password, extraFlags }: { user: string; password: string; extraFlags: readonly string[] }): Promise<void> {
  const { runDir, dataDir, owner } = place;
  const passwordFile = join(runDir, 'pwfile');
  if ('uid' in owner) {
    // initdb, run as the postgres user, could not create a directory in one root owns.
    await mkdir(dataDir, { mode: 0o700 });
    await chown(dataDir, owner.uid, owner.gid);
  }
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if ('uid' in owner) await chown(passwordFile, owner.uid, owner.gid);
  try {
    const args = [`--pgdata=${dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${passwordFile}`, '--lc-messages=C', ...extraFlags];
    const initdb = spawnInRunDir(place.binaries.initdb, args, place);
    const explain = outputTail(initdb);
    const exited = exitOf(initdb);
    place.log(`initdb (pid ${initdb.pid ?? '?'}) creating the cluster in ${dataDir}`);
    const { code, signal } = await exited;
    if (code !== 0) throw new Error(explain(`initdb failed (${signal ?? `exit code ${code}`})`));
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/** A running postmaster the rig started. */
export interface Postmaster {
  readonly pid: number;
  /** Whether it still runs. */
  running(): boolean;
  /** Fast shutdown (SIGINT), SIGKILL if it does not end within 10 s. */
  stop(): Promise<void>;
}

function reportsReady(dataDir: string, pid: number): boolean {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return lines[0] === String(pid) && lines[PID_FILE_STATUS_LINE]?.trim() === 'ready';
  } catch {
    return false;
  }
}

async function untilReady(child: ChildProcess, pid: number, dataDir: string, explain: (fallback: string) => string): Promise<void> {
  let failure: Error | undefined;
  child.once('exit', () => (failure ??= new Error(explain('the server exited during start-up'))));
  child.once('error', (error) => (failure ??= error));
  while (!reportsReady(dataDir, pid)) {
    if (failure) throw failure;
    await sleep(READY_POLL_MS);
  }
}

/** Starts the postmaster with `settings` (`name=value`) and waits until it accepts connections. */
export async function startPostmaster(place: ClusterPlace, { port, settings }: { port: number; settings: readonly string[] }): Promise<Postmaster> {
  const args = ['-D', place.dataDir, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])];
  const child = spawnInRunDir(place.binaries.postgres, args, place);
  const explain = outputTail(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw await new Promise<Error>((resolve) => child.once('error', resolve));
  const { pid } = child;
  place.log(`starting PostgreSQL (pid ${pid})`);
  const running = () => child.exitCode === null && child.signalCode === null && isRunning(pid);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (!running()) return;
      child.kill('SIGINT');
      const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true, { ref: false })]);
      if (timedOut && running()) child.kill('SIGKILL');
    })());
  try {
    await untilReady(child, pid, place.dataDir, explain);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid, running, stop };
}
