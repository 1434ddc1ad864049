/**
 * The scenario interface, for every engine. Each engine fills in what its scenarios get: the
 * coordinator's database handle (`Db`: a pg client, a SQLite connection) and each worker
 * thread's context (`Worker`). Built-in scenarios implement exactly this, and so does a module
 * given as `--scenario ./file.js` (its default export, or an export named `scenario`).
 */

/** What a run is expected to show: the invariant breaks (`race`) or holds (`correct`). */
export type Expectation = 'race' | 'correct';

export interface ModeSpec {
  readonly name: string;
  /** One line for `race-rig list` and the README: what the mode does and why it breaks or holds. */
  readonly summary: string;
  /** What the mode shows under real concurrency. */
  readonly outcome: Expectation;
  /** Whether a version conflict, serialization failure (40001) or deadlock (40P01) is retried. */
  readonly retries: boolean;
  /** The mode's lock belongs to the OS process: it runs one worker per process unless --processes says otherwise. */
  readonly processPerWorker?: boolean;
  /** For `--explain`: the mode's SQL, statement by statement, and why it breaks or holds under concurrency. */
  readonly explain?: { readonly steps: readonly string[]; readonly why: string };
}

export type { BaseWorkerContext, RunContext } from './context.js';
import type { BaseWorkerContext, RunContext } from './context.js';

/**
 * What one attempt returns: nothing (it succeeded), `'conflict'` (an optimistic check lost, so
 * nothing changed: retried in modes that retry), or an object that also names the outcome
 * (`'accepted'`, `'refused'`: counted per name and passed to `verify`) and the time spent waiting
 * for a lock. A database error is simply thrown: the rig rolls back, classifies it by SQLSTATE,
 * and retries or counts it.
 */
export type AttemptResult =
  | void
  | 'done'
  | 'conflict'
  | { readonly kind?: 'done' | 'conflict'; readonly outcome?: string; readonly lockWaitMs?: number };

export interface WorkerSession {
  /**
   * Optional: run every statement of the critical section once against nothing that matters,
   * so that parsing, planning and cold code are done before the start barrier.
   */
  warmUp?(): Promise<void>;
  /** One attempt at operation `iteration` (0 to iterations − 1; a retry repeats the number). */
  attempt(iteration: number): Promise<AttemptResult>;
  /** Optional: close what the session opened itself (a library's own connection), when the worker ends. */
  close?(): Promise<void>;
}

export interface VerifyContext extends RunContext {
  /** workers × iterations. */
  readonly operations: number;
  readonly succeeded: number;
  /** Operations that failed and left no trace. */
  readonly failed: number;
  /** Operations cut off by a lost connection: they may or may not have committed. */
  readonly inDoubt: number;
  /** Operations never started because their worker's connection was gone. */
  readonly notAttempted: number;
  /** How often successful attempts named each outcome, e.g. `{ accepted: 40, refused: 60 }`. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Retries by cause: serialization (40001), deadlock (40P01), conflict (optimistic check). */
  readonly retries: Readonly<Record<'serialization' | 'deadlock' | 'conflict', number>>;
  /** Failed operations by kind (serialization, deadlock, maxRetries, lockTimeout, statementTimeout, other). */
  readonly failures: Readonly<Record<string, number>>;
  /** Every database error the workers saw, retried or not, with how often: `{ code, message, count }`. */
  readonly errors: readonly { readonly code: string | null; readonly message: string; readonly count: number }[];
}

/** The verdict on the invariant, from what the database holds. */
export interface Verification {
  readonly holds: boolean;
  /** The invariant in words, e.g. "counter = successful increments". */
  readonly invariant: string;
  /** The verdict in words, with the numbers that prove it. */
  readonly message: string;
  /** What `expected` and `actual` count, e.g. "counter" or "rows of user 1". */
  readonly quantity: string;
  readonly expected: number;
  readonly actual: number;
  /** More numbers worth reporting (a balance, an overdraft, …). */
  readonly figures?: Readonly<Record<string, number>>;
}

export interface ScenarioDefinition<Db, Worker extends BaseWorkerContext> {
  readonly name: string;
  readonly summary: string;
  /** The engine it runs on (default `postgres`). */
  readonly engine?: string;
  /** What one operation is called in reports (default "operation"/"operations"). */
  readonly unit?: { readonly one: string; readonly many: string };
  readonly modes: readonly ModeSpec[];
  /** Creates the tables and data, in the run's schema (the `search_path`) or file. */
  setup(db: Db, context: RunContext): Promise<void> | void;
  /** Prepares one worker thread's critical section; runs in that thread. A scenario with `http` may leave it out. */
  worker?(context: Worker): Promise<WorkerSession> | WorkerSession;
  /** Optional: starts the application under test on the run's data, before the race; closed before `verify`. */
  app?(context: AppContext): Promise<RunningApp> | RunningApp;
  /** Optional: the operations are HTTP requests to the app, released together by last-byte sync (see http-types.ts). */
  readonly http?: HttpOperations;
  /** Reads the truth back after every worker finished and judges the invariant. */
  verify(db: Db, context: VerifyContext): Promise<Verification> | Verification;
  /** Optional: undoes what `setup` did outside the run's schema (the rig drops the schema). */
  teardown?(db: Db, context: RunContext): Promise<void> | void;
}

export type { AppContext, HttpOperations, HttpRequest, HttpResponse, RunningApp } from './http-types.js';
import type { AppContext, HttpOperations, RunningApp } from './http-types.js';

/** A scenario of any engine, as the pipeline carries it; its engine casts it back. */
export type AnyScenario = ScenarioDefinition<never, never>;

/** What option checking and reports need of a scenario, whichever engine runs it. */
export type ScenarioInfo = Pick<AnyScenario, 'name' | 'summary' | 'unit' | 'modes'>;

/** How a worker thread finds the scenario again: by built-in name, or by module URL. */
export type ScenarioRef = { readonly kind: 'builtin'; readonly name: string } | { readonly kind: 'module'; readonly url: string };

const integer = new Intl.NumberFormat('en-US');

/**
 * The verdict for a count that should equal the operations that succeeded: each operation in
 * doubt may have committed or not, so it holds anywhere from `succeeded` to `succeeded + inDoubt`.
 */
export function countVerification(invariant: string, quantity: string, actual: number, { succeeded, inDoubt }: VerifyContext): Verification {
  const holds = actual >= succeeded && actual <= succeeded + inDoubt;
  const lost = succeeded - actual;
  const message = holds
    ? `expected ${integer.format(succeeded)}, the database holds ${integer.format(actual)}`
    : lost > 0
      ? `expected ${integer.format(succeeded)}, the database holds ${integer.format(actual)}: ${integer.format(lost)} lost (${Math.round((lost / succeeded) * 10_000) / 100}%)`
      : `expected ${integer.format(succeeded)}, the database holds ${integer.format(actual)}: ${integer.format(-lost)} too many`;
  return { holds, invariant, message, quantity, expected: succeeded, actual };
}
