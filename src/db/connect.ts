import pg from 'pg';
import { DatabaseError, errorMessage } from '../errors.js';
import type { Database } from '../engines/types.js';

const CONNECT_TIMEOUT_MS = 10_000;

/** The coordinator's own connection: set-up, capacity check, verification and clean-up. */
export async function connectCoordinator(database: Database): Promise<pg.Client> {
  const client = new pg.Client({
    ...database.connection,
    application_name: 'race-rig coordinator',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A dropped connection surfaces on the next query; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseError(`cannot connect to ${database.displayUrl}: ${errorMessage(error)}`);
  }
  return client;
}
