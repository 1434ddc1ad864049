import type { DatabaseServer } from '../types.js';
import type { GateKey } from './gate.js';

/**
 * How the coordinator and the workers reach a PostgreSQL server: node-postgres client settings,
 * already parsed (so that no worker thread parses a URL again). May hold a password: never print it.
 */
export interface ConnectionSpec {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl?: boolean | Readonly<Record<string, unknown>>;
}

/** A PostgreSQL server a session can use: one the rig started, or one the user runs. */
export type PostgresServer = DatabaseServer<ConnectionSpec>;

/** What a PostgreSQL worker thread connects with: plain data, cloned into each thread. */
export interface PostgresTarget {
  readonly engine: 'postgres';
  /** May hold a password: never printed. */
  readonly connection: ConnectionSpec;
  readonly schema: string;
  /** `lock_timeout` in ms (0: none). */
  readonly lockTimeoutMs: number;
  /** `statement_timeout` in ms (0: none). */
  readonly statementTimeoutMs: number;
  /** The server-side start gate to queue at after the barrier, or null for the barrier alone. */
  readonly gate: GateKey | null;
  /** Whether the first few workers record their statements (--timeline). */
  readonly timeline: boolean;
}
