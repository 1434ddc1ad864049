import type pg from 'pg';
import { throwIfAborted } from '../../abort.js';
import { errorMessage } from '../../errors.js';
import { runStep } from '../step.js';
import type { EngineSession, SessionRequest } from '../types.js';
import { checkConnectionCapacity } from './capacity.js';
import { connectCoordinator } from './connect.js';
import type { PostgresSettings } from './options.js';
import { freshSchema, preparePostgresRun } from './run.js';
import { prepareShard } from './shard-run.js';
import type { FreshSchema } from './run.js';
import { openServer } from './server.js';
import type { PostgresServer } from './types.js';

/** An open PostgreSQL session: a server and the coordinator's connection to it. */
export interface PostgresSession extends EngineSession {
  readonly server: PostgresServer;
  readonly admin: pg.Client;
  /** A fresh schema, outside any race (the isolation spec runner works in one per permutation). */
  freshSchema(signal: AbortSignal): Promise<FreshSchema>;
}

/** What a session needs to open, whether a race or the isolation spec runner opens it. */
export type PostgresSessionRequest = Pick<SessionRequest<PostgresSettings>, 'settings' | 'signal' | 'log' | 'threadsMayStart'> & {
  /** Connections the session's clients need besides the coordinator's. */
  readonly clients: number;
};

async function serverVersion(admin: pg.ClientBase): Promise<string> {
  const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
  return rows[0]?.server_version ?? 'unknown';
}

/**
 * Opens the server (embedded unless --db) and the coordinator's connection, checks that the
 * server has a connection for every client, and only then lets the threads start, except on an
 * embedded server, sized for them, where they boot while it starts. Whatever it started is
 * stopped again if it fails half-way.
 */
export async function openPostgresSession(request: PostgresSessionRequest): Promise<PostgresSession> {
  const { settings, signal, log } = request;
  if (settings.db === null) request.threadsMayStart();
  // Not abortable half-way: a server left starting in the background would outlive the run.
  const server = await openServer({ db: settings.db, workers: request.clients, log });
  let admin: pg.Client | undefined;
  try {
    throwIfAborted(signal);
    admin = await connectCoordinator(server);
    const connected = admin;
    await runStep('checking the server', () => checkConnectionCapacity(connected, request.clients), signal);
    request.threadsMayStart();
    const version = await runStep('reading the server version', () => serverVersion(connected), signal);
    return postgresSession(server, connected, version, settings);
  } catch (error) {
    await admin?.end().catch(() => undefined);
    await server.stop().catch(() => undefined);
    throw error;
  }
}

function postgresSession(server: PostgresServer, admin: pg.Client, version: string, settings: PostgresSettings): PostgresSession {
  return {
    kind: server.kind,
    url: server.displayUrl,
    serverVersion: version,
    server,
    admin,
    prepare: (run) => (run.shard ? prepareShard({ server, admin, settings }, run, run.shard) : preparePostgresRun({ server, admin, settings }, run)),
    freshSchema: (signal) => freshSchema({ server, admin, settings }, signal),
    trouble: () => server.trouble(),
    close: async () => {
      await admin.end().catch(() => undefined);
      try {
        await server.stop();
        return [];
      } catch (error) {
        return [`the embedded PostgreSQL did not stop cleanly: ${errorMessage(error)}`];
      }
    },
  };
}
