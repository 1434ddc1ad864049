import type { ScriptResult, SessionTarget, StepError } from './protocol.js';

/**
 * The one spec runner (run-spec.ts, schedule.ts, spec-setup.ts) runs on any engine that plugs in
 * through these interfaces: a server to open, a fresh place per spec run with a control
 * connection that can tell whether a session waits for a lock and cancel its statement, and, in
 * the session threads, a connection that runs a query string and reports what the server sent
 * back (protocol.ts SessionConnection). What differs in print and in judgement is the dialect.
 */
export type SpecEngineName = 'postgres' | 'mysql';

/** How an error kept an anomaly from happening. */
export type ErrorPrevention = 'serialization failure' | 'deadlock';

/** What an engine prints and decides its own way; no driver in it (the formatters use it too). */
export interface SpecDialect {
  readonly engine: SpecEngineName;
  /** The server as titles name it: "PostgreSQL 18.4", "MariaDB 10.11.19". */
  product(serverVersion: string): string;
  /** A step's error as the transcript prints it, with its newline. */
  errorLine(error: StepError): string;
  /** Whether this error is the database refusing the interleaving, and how. */
  preventionBy(error: StepError): ErrorPrevention | null;
  /** The matrix's line explaining its "prevented (…)" cells. */
  readonly legend: string;
}

/** The coordinator's own connection in a spec's place: the tester's control connection. */
export interface SpecControl {
  /** Runs SQL as PQexec does (the spec's setup and teardown): the statements' results, then the error that stopped them. */
  run(sql: string): Promise<ScriptResult>;
  /** Whether session `pid` waits for a lock (held by one of `among`, where the server can tell). */
  isBlocked(pid: number, among: readonly number[]): Promise<boolean>;
  /** Which of `among` hold the locks session `pid` waits for, or null where the server does not say (InnoDB). */
  holders(pid: number, among: readonly number[]): Promise<number[] | null>;
  /** Cancels the statement session `pid` is running. */
  cancel(pid: number): Promise<void>;
}

/** A fresh place (schema, database) for one spec run, dropped after it. */
export interface SpecSpace {
  readonly control: SpecControl;
  /** What the session threads connect with: plain data, cloned into each. */
  readonly target: SessionTarget;
  drop(): Promise<void>;
}

export interface SpecServer {
  readonly serverVersion: string;
  /** A new place for a spec run; a setup or teardown that waits for a lock gives up after `stepTimeoutMs`. */
  freshSpace(signal: AbortSignal, stepTimeoutMs: number): Promise<SpecSpace>;
  close(): Promise<void>;
}

export interface SpecServerRequest {
  /** The user's server, or null for a throwaway one. */
  readonly db: string | null;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Session connections the server must have room for. */
  readonly sessions: number;
}

export interface SpecEngine {
  readonly dialect: SpecDialect;
  open(request: SpecServerRequest): Promise<SpecServer>;
}
