import type pg from 'pg';

/** What a run is expected to show: the invariant breaks (`race`) or holds (`correct`). */
export type Expectation = 'race' | 'correct';

export interface ModeSpec {
  readonly name: string;
  /** One line for --help and the README: what the mode does and why it breaks or holds. */
  readonly summary: string;
  /** What the mode shows under real concurrency. */
  readonly outcome: Expectation;
  /** Whether a version conflict, serialization failure or deadlock is retried. */
  readonly retries: boolean;
}

/** The truth read back from the database after every worker finished. */
export interface Verification {
  /** The invariant in words, e.g. "counter = successful increments". */
  readonly invariant: string;
  readonly expected: number;
  readonly actual: number;
  readonly holds: boolean;
}

/**
 * The check for a count that should equal the operations that succeeded: each operation in doubt
 * may have committed or not, so the invariant holds anywhere from `succeeded` to
 * `succeeded + inDoubt`.
 */
export function countVerification(invariant: string, actual: number, { succeeded, inDoubt }: VerifyContext): Verification {
  return { invariant, expected: succeeded, actual, holds: actual >= succeeded && actual <= succeeded + inDoubt };
}

/** One attempt at one operation, as the worker's retry loop sees it. */
export interface AttemptOutcome {
  /** `conflict`: an optimistic check found that another worker wrote first; nothing changed. */
  readonly kind: 'done' | 'conflict';
  /** Time spent in the statement that takes the lock (0 for modes that take none). */
  readonly lockWaitMs: number;
}

/** The per-worker side of a scenario: lives in a worker thread, owns that thread's client. */
export interface Session {
  /**
   * Runs every statement the attempt will run once, against nothing that matters, so that
   * parsing, planning and the JIT-cold first call all happen before the start barrier.
   */
  warmUp(): Promise<void>;
  /**
   * One attempt at the critical section. Throws the driver's error on a database error; the
   * caller rolls back and classifies it.
   */
  attempt(): Promise<AttemptOutcome>;
  /**
   * Server clock (epoch ms) at the first critical statement after warm-up, or null before one
   * ran. A StatementRunner records it from the `SERVER_NOW_MS` column of the first statement.
   */
  firstStatementAtMs(): number | null;
}

export interface SessionContext {
  readonly mode: string;
  readonly workerIndex: number;
}

export interface VerifyContext {
  readonly mode: string;
  /** Operations that completed. */
  readonly succeeded: number;
  /** Operations cut off by a lost connection, which may or may not have committed. */
  readonly inDoubt: number;
}

/**
 * A race scenario: the schema and data it needs, the critical section each worker runs, and
 * the invariant checked against the database afterwards. Every query runs with `search_path`
 * set to the run's own schema, so unqualified table names are the run's tables.
 */
export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** How one operation is called in reports, singular and plural ("increment", "increments"). */
  readonly operation: { readonly one: string; readonly many: string };
  readonly modes: readonly ModeSpec[];
  setup(db: pg.ClientBase): Promise<void>;
  openSession(client: pg.ClientBase, context: SessionContext): Promise<Session>;
  verify(db: pg.ClientBase, context: VerifyContext): Promise<Verification>;
}
