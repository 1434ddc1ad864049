import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import mysql from 'mysql2/promise';
import { DatabaseError, errorMessage } from '../../errors.js';
import { isRunning } from '../dir-processes.js';
import { createRunDir } from '../run-dir.js';
import { findMysqlBinaries, NO_MYSQL_SERVER } from './binaries.js';
import type { MysqlBinaries } from './binaries.js';
import type { MysqlServer } from './types.js';

const HOST = '127.0.0.1';
/** The TCP user made for others (a test, a curious client); the rig itself is root over the socket. */
const TCP_USER = 'race_rig';
const READY_POLL_MS = 20;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Thrown away after the run, so durability is off: commits do not wait for the disk, and the
 * numbers measure locking, not fsync. No binary log, no name resolution.
 */
const THROWAWAY_SETTINGS = ['--innodb-flush-log-at-trx-commit=0', '--skip-log-bin', '--skip-name-resolve', '--innodb-buffer-pool-size=128M'];

/** As root, the server must be told to stay root (mariadbd refuses to run as root otherwise). */
function userFlag(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}

function spawnIn(runDir: string, program: string, args: readonly string[]): ChildProcess {
  // A session of its own: the terminal's Ctrl-C is the rig's to handle; a rig killed outright leaves it to the watchdog.
  return spawn(program, args, { cwd: runDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
}

function lastError(text: string, fallback: string): string {
  const lines = text.split('\n').filter((line) => /ERROR|error|Aborting|Can't|failed/i.test(line));
  return (lines.at(-1) ?? fallback).trim();
}

async function initialise(binaries: MysqlBinaries, runDir: string, dataDir: string): Promise<void> {
  const args = binaries.installDb
    ? [binaries.installDb, ['--no-defaults', `--datadir=${dataDir}`, ...userFlag(), '--auth-root-authentication-method=normal', '--skip-test-db']]
    : [binaries.server, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...userFlag()]];
  const child = spawnIn(runDir, args[0] as string, args[1] as string[]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(lastError(output, `initialising the data directory failed (exit code ${code})`));
}

function readyIn(logFile: string): boolean {
  try {
    return readFileSync(logFile, 'utf8').includes('ready for connections');
  } catch {
    return false;
  }
}

async function untilReady(child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!readyIn(logFile)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = (() => {
        try {
          return readFileSync(logFile, 'utf8');
        } catch {
          return '';
        }
      })();
      throw new Error(lastError(log, 'the server exited during start-up'));
    }
    if (Date.now() > deadline) throw new Error(`not ready within ${START_TIMEOUT_MS / 1000} s`);
    await sleep(READY_POLL_MS);
  }
}

async function createTcpUser(socketPath: string, password: string): Promise<void> {
  const admin = await mysql.createConnection({ socketPath, user: 'root' });
  try {
    await admin.query(`CREATE USER '${TCP_USER}'@'${HOST}' IDENTIFIED BY ?`, [password]);
    await admin.query(`GRANT ALL PRIVILEGES ON *.* TO '${TCP_USER}'@'${HOST}' WITH GRANT OPTION`);
  } finally {
    await admin.end();
  }
}

/**
 * A throwaway MariaDB (or MySQL) from the installed server binary: a fresh data directory in a
 * new run directory (see createRunDir: whatever works in it is stopped and it is deleted however
 * the rig ends), a private socket, loopback TCP on a free port, sized for `maxConnections`.
 */
export async function startThrowawayMysql({
  maxConnections,
  log = () => {},
  binaries = findMysqlBinaries(),
}: {
  maxConnections: number;
  log?: (line: string) => void;
  binaries?: MysqlBinaries | null;
}): Promise<MysqlServer & { readonly tcpUrl: string }> {
  if (!binaries) throw new DatabaseError(NO_MYSQL_SERVER);
  const runDir = createRunDir({ prefix: 'race-rig-mysql', log });
  const dataDir = join(runDir.path, 'data');
  const socketPath = join(runDir.path, 'mysqld.sock');
  let child: ChildProcess | undefined;
  const running = () => child?.pid !== undefined && child.exitCode === null && child.signalCode === null && isRunning(child.pid);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child && running()) {
        const exited = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true, { ref: false })]);
        if (timedOut && running()) child.kill('SIGKILL');
      }
      await runDir.remove();
      log('MariaDB stopped, run directory deleted');
    })());
  try {
    await mkdir(dataDir);
    log(`initialising a data directory in ${dataDir} (${binaries.installDb ?? binaries.server})`);
    await initialise(binaries, runDir.path, dataDir);
    const port = await getPort({ host: HOST });
    const logFile = join(runDir.path, 'error.log');
    const args = ['--no-defaults', `--datadir=${dataDir}`, ...userFlag(), `--socket=${socketPath}`, `--bind-address=${HOST}`, `--port=${port}`];
    args.push(`--pid-file=${join(runDir.path, 'mysqld.pid')}`, `--log-error=${logFile}`, `--tmpdir=${runDir.path}`, `--max-connections=${maxConnections}`, ...THROWAWAY_SETTINGS);
    child = spawnIn(runDir.path, binaries.server, args);
    child.stdout?.resume();
    child.stderr?.resume();
    const { pid } = child;
    log(`starting ${binaries.server} (pid ${pid ?? '?'})`);
    await untilReady(child, logFile);
    const password = randomBytes(18).toString('base64url');
    await createTcpUser(socketPath, password);
    log(`MariaDB ready (pid ${pid ?? '?'})`);
    return {
      kind: 'embedded',
      connection: { socketPath, user: 'root' },
      displayUrl: `mysql://root@localhost/?socket=${socketPath}`,
      tcpUrl: `mysql://${TCP_USER}:${encodeURIComponent(password)}@${HOST}:${port}/mysql`,
      stop,
      trouble: () => (running() ? null : `the throwaway MariaDB (pid ${pid ?? '?'}) exited during the run`),
    };
  } catch (error) {
    await stop();
    throw error instanceof DatabaseError ? error : new DatabaseError(`could not start a throwaway MariaDB: ${errorMessage(error)}`);
  }
}

