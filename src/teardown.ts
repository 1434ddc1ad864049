import type pg from 'pg';
import { connectForCleanup, terminateWorkerBackends } from './db/connect.js';
import { dropRunSchema } from './db/schema.js';
import type { RunSchema } from './db/schema.js';
import type { Database } from './engines/types.js';
import { errorMessage } from './errors.js';
import type { WorkerPool } from './race-workers.js';

/** What a run has started or created so far; each is undone at the end, whatever happened. */
export interface RunResources {
  pool?: WorkerPool;
  database?: Database;
  admin?: pg.Client;
  schema?: RunSchema;
}

/**
 * Drops what the run created in its schema, from a fresh connection that gives up on locks it
 * cannot get, after ending any backend of this run's workers still waiting on one. An embedded
 * server is deleted whole, schema and all, so its schema is only dropped between repetitions
 * (`always`). Returns what could not be undone, for the user.
 */
export async function tearDownSchema(resources: RunResources, { keepSchema, always }: { keepSchema: boolean; always: boolean }): Promise<string[]> {
  const { database, schema } = resources;
  resources.schema = undefined;
  if (!database || !schema || keepSchema) return [];
  if (database.engine === 'embedded' && !always) return [];
  try {
    const db = await connectForCleanup(database);
    try {
      await terminateWorkerBackends(db, schema.name);
      await dropRunSchema(db, schema);
    } finally {
      await db.end().catch(() => undefined);
    }
    return [];
  } catch (error) {
    return [`schema ${schema.name} could not be ${schema.ownedByRun ? 'dropped' : "cleared of the run's tables"} (${errorMessage(error)}); drop it by hand`];
  }
}

/**
 * Undoes a run, in an order that cannot deadlock: threads first, then the coordinator's
 * connection, then the schema, then the server. Every step runs even when an earlier one failed.
 * Returns what could not be undone, for the user.
 */
export async function tearDown(resources: RunResources, { keepSchema }: { keepSchema: boolean }): Promise<string[]> {
  await resources.pool?.destroy().catch(() => undefined);
  await resources.admin?.end().catch(() => undefined);
  const leftovers = await tearDownSchema(resources, { keepSchema, always: false });
  await resources.database?.stop().catch((error: unknown) => leftovers.push(`the embedded PostgreSQL did not stop cleanly: ${errorMessage(error)}`));
  return leftovers;
}
