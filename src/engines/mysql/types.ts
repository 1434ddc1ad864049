import type { Connection } from 'mysql2/promise';
import type { BaseWorkerContext, ScenarioDefinition } from '../../scenarios/types.js';
import type { DatabaseServer } from '../types.js';
import type { MysqlStatements } from './statements.js';
import type { MysqlWorkerPool } from './worker-pool.js';

/**
 * How the coordinator and the workers reach a MySQL or MariaDB server: mysql2 connection
 * settings, already parsed (no worker thread parses a URL again). May hold a password: never print it.
 */
export interface MysqlConnectionSpec {
  readonly host?: string;
  readonly port?: number;
  /** A Unix socket (the throwaway server's), used instead of host and port. */
  readonly socketPath?: string;
  readonly user?: string;
  readonly password?: string;
  /** The database named in the URL: where the rig creates each run's own database from. */
  readonly database?: string;
}

/** A server a session can use: one the rig started from the installed binaries, or the user's. */
export type MysqlServer = DatabaseServer<MysqlConnectionSpec>;

/** The gate of one run (see gate.ts): plain data, cloned into each thread. */
export interface MysqlGate {
  /** One Int32: 0 while the worker threads hold still after sending their first statement, 1 once they may go on. */
  readonly hold: SharedArrayBuffer;
}

/** What a MySQL worker thread connects with: plain data, cloned into each thread. */
export interface MysqlTarget {
  readonly engine: 'mysql';
  /** May hold a password: never printed. */
  readonly connection: MysqlConnectionSpec;
  /** The run's own database (MySQL's schema), the worker's default database. */
  readonly database: string;
  /** innodb_lock_wait_timeout in ms (0: as long as the server allows). */
  readonly lockTimeoutMs: number;
  readonly gate: MysqlGate | null;
}

/** What a MySQL scenario's worker gets in its thread. */
export interface MysqlWorkerContext extends BaseWorkerContext {
  /** The worker's own connection (mysql2/promise), already open, its default database the run's. */
  readonly connection: Connection;
  /**
   * Prepared statements on that connection. A statement that selects `sql.serverNow` reports the
   * server's start time, from which the rig measures the start spread.
   */
  readonly sql: MysqlStatements;
  /**
   * A mysql2 pool stand-in over `connection`, for a query builder that takes a pool (kysely's
   * MysqlDialect): its statements run on the worker's own connection, and under `explore` they
   * are scheduling points like the rest.
   */
  readonly pool: MysqlWorkerPool;
}

/** A MySQL scenario: set-up and verification on the coordinator's connection, a session per worker. */
export type MysqlScenario = ScenarioDefinition<Connection, MysqlWorkerContext>;
