import type pg from 'pg';
import type { BaseWorkerContext, ScenarioDefinition } from '../../../scenarios/types.js';
import type { StatementRunner } from '../statements.js';

/** What a PostgreSQL scenario's worker gets in its thread. */
export interface WorkerContext extends BaseWorkerContext {
  /** The worker's own connection, already open, `search_path` set to the run's schema. */
  readonly client: pg.ClientBase;
  /**
   * Named prepared statements on that client. A statement that selects `sql.serverNow` reports
   * the server's start time, from which the rig measures the start spread.
   */
  readonly sql: StatementRunner;
}

/** A PostgreSQL scenario: set-up and verification on the coordinator's connection, a session per worker. */
export type Scenario = ScenarioDefinition<pg.ClientBase, WorkerContext>;
