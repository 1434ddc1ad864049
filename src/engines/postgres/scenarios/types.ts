import type pg from 'pg';
import type { BaseWorkerContext, ScenarioDefinition } from '../../../scenarios/types.js';
import type { StatementRunner } from '../statements.js';
import type { WorkerPool } from '../worker-pool.js';

/** What a PostgreSQL scenario's worker gets in its thread. */
export interface WorkerContext extends BaseWorkerContext {
  /** The worker's own connection, already open, `search_path` set to the run's schema. */
  readonly client: pg.ClientBase;
  /**
   * Named prepared statements on that client. A statement that selects `sql.serverNow` reports
   * the server's start time, from which the rig measures the start spread.
   */
  readonly sql: StatementRunner;
  /**
   * A pg.Pool stand-in over `client`, for a query builder or ORM that takes a pool (kysely's
   * PostgresDialect, drizzle-orm's node-postgres driver): its statements run on the worker's own
   * connection, and under `explore` they are scheduling points like the rest.
   */
  readonly pool: WorkerPool;
  /**
   * How to open a connection of your own to the run's data, for a library that connects by itself
   * (a pg.ClientConfig: host, port, user, password, database, and `options` setting the
   * search_path and the run's timeouts). May hold a password: never print it. Close what you open
   * in the session's `close()`; `explore` does not schedule such connections (use `pool`).
   */
  readonly connectionConfig: pg.ClientConfig;
  /** The run's schema: the search_path of `client`, `pool` and `connectionConfig`. */
  readonly schema: string;
}

/** A PostgreSQL scenario: set-up and verification on the coordinator's connection, a session per worker. */
export type Scenario = ScenarioDefinition<pg.ClientBase, WorkerContext>;
