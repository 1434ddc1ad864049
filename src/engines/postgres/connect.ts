import pg from 'pg';
import { DatabaseError, errorMessage } from '../../errors.js';
import type { PostgresServer } from './types.js';
import { sqlstateOf } from './sqlstate.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** Clean-up must never hang: it gives up on a lock it cannot get within this. */
const CLEANUP_LOCK_TIMEOUT_MS = 5_000;

/** The driver's reason a connection failed, with the likely fix. */
export function connectFailureReason(error: unknown): string {
  const message = errorMessage(error);
  const code = sqlstateOf(error) ?? (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null);
  switch (code) {
    case 'ECONNREFUSED':
      return `${message} (is PostgreSQL running and listening there?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${message})`;
    case '28P01':
      return `${message} (check the user and password in --db)`;
    case '28000':
      return `${message} (the server's pg_hba.conf does not let this user in from here)`;
    case '3D000':
      return `${message} (create it, or name another database in --db)`;
    case '53300':
      return `${message} (the server has no connection slot left)`;
    default:
      return /timeout/i.test(message) ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s (${message})` : message;
  }
}

async function connect(database: PostgresServer, applicationName: string, options?: string): Promise<pg.Client> {
  const client = new pg.Client({
    ...database.connection,
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options ? { options } : {}),
  });
  // A dropped connection surfaces on the next query; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseError(`cannot connect to ${database.displayUrl}: ${connectFailureReason(error)}`);
  }
  return client;
}

/** The coordinator's own connection: set-up, capacity check and verification. */
export function connectCoordinator(database: PostgresServer): Promise<pg.Client> {
  return connect(database, 'race-rig coordinator');
}

/**
 * A fresh connection for the clean-up, which must work even when the coordinator's connection
 * is stuck or gone, and must not wait for ever on a lock someone else holds.
 */
export function connectForCleanup(database: PostgresServer): Promise<pg.Client> {
  return connect(database, 'race-rig clean-up', `-c lock_timeout=${CLEANUP_LOCK_TIMEOUT_MS} -c statement_timeout=${2 * CLEANUP_LOCK_TIMEOUT_MS}`);
}

/**
 * Ends the backends of this run's workers that are still there (a worker thread that was
 * terminated mid-statement leaves a backend waiting on a lock until it gets it).
 */
export async function terminateWorkerBackends(db: pg.ClientBase, schema: string): Promise<void> {
  await db.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name LIKE 'race-rig worker %' AND right(application_name, length($1)) = $1`,
    [` ${schema}`],
  );
}
