import type { MysqlConnectionSpec } from '../engines/mysql/types.js';
import type { ConnectionSpec } from '../engines/postgres/types.js';

/**
 * The coordinator drives each session thread through a SharedArrayBuffer, as the start barrier
 * does: it writes a command and notifies; the session thread sleeps in Atomics.wait until then,
 * runs the SQL on its own connection, and posts what the server sent back, message by message.
 */
export const SLOT = { command: 0, argument: 1 } as const;
export const COMMAND = { none: 0, run: 1, exit: 2 } as const;

/** Where a session connects: the spec run's schema (PostgreSQL) or database (MySQL). */
export type SessionTarget =
  | { readonly engine: 'postgres'; readonly connection: ConnectionSpec; readonly schema: string }
  | { readonly engine: 'mysql'; readonly connection: MysqlConnectionSpec; readonly database: string };

export interface SessionWorkerData {
  readonly name: string;
  readonly target: SessionTarget;
  /** The session's isolation level in SQL's words (`repeatable read`), or null for the server's default. */
  readonly isolation: string | null;
  /** Every SQL text the session may be asked to run (its setup, steps and teardown), by index. */
  readonly scripts: readonly string[];
  readonly control: SharedArrayBuffer;
}

/** One statement's result as the server sent it: column names and the values' text, or no columns for a command. */
export interface StatementOutput {
  readonly fields: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export interface StepError {
  /** The server's severity (`ERROR`, `FATAL`), as the tester prints it. */
  readonly severity: string;
  readonly code: string | null;
  readonly message: string;
}

/** What a simple-protocol query string did: the statements that completed, then the error that stopped it, if any. */
export interface ScriptResult {
  readonly statements: readonly StatementOutput[];
  readonly error: StepError | null;
}

export type SessionMessage =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'failed'; readonly message: string }
  /** A notice or warning, already in libpq's text (`NOTICE:  …\n`, with DETAIL and HINT lines). */
  | { readonly kind: 'notice'; readonly text: string }
  | { readonly kind: 'notification'; readonly pid: number; readonly channel: string; readonly payload: string }
  | ({ readonly kind: 'done' } & ScriptResult);

/** A session thread's connection, opened by its engine: it runs a query string and says what the server sent back. */
export interface SessionConnection {
  /** The server's id for the connection (a backend pid, a MySQL connection id), known without a statement. */
  readonly pid: number;
  /** Never rejects for a server error: the error is in the result. */
  run(sql: string): Promise<ScriptResult>;
  close(): Promise<void>;
}
