import type { CommonSettings } from '../options/common.js';
import type { OptionTable } from '../options/define.js';
import type { ScheduleGate } from '../sync/schedule.js';
import type { EngineTarget, ErrorClassifier, LockWait, WorkerResult, WorkerTask } from '../protocol.js';
import type { ShardSpec } from '../options/shard.js';
import type { AnyScenario, RunContext, Verification, VerifyContext, WorkerSession } from '../scenarios/types.js';
import type { TimelineRecorder } from '../timeline/recorder.js';

/**
 * An engine is one folder, src/engines/<name>/, registered by one line in registry.ts. It plugs
 * into the one race pipeline (src/pipeline/) through this interface: the pipeline opens a
 * session once, then for each run asks it to prepare fresh data, races the workers against what
 * the preparation hands them, has the result verified and the data dropped, and closes the
 * session at the end. The thread side is src/engines/<name>/worker.ts, exporting `openWorker`
 * (the worker bundle finds it by that path: no second registry).
 */
export interface Engine<Settings = unknown, Options extends OptionTable = OptionTable> {
  readonly name: string;
  readonly summary: string;
  /** The engine's own flags; the pipeline refuses them for any other engine. */
  readonly options: Options;
  /** Built-in scenarios by name; module scenarios name their engine (`engine: 'sqlite'`, default postgres). */
  readonly scenarios: Readonly<Record<string, AnyScenario>>;
  /** Whether `race-rig explore` can schedule its workers statement by statement (its worker honours a ScheduleGate). */
  readonly explores: boolean;
  /** Whether a run can be started on several machines (`--run`, `--shard`), its shards meeting at the server. */
  readonly shards?: boolean;
  /** The environment variable `--db` falls back to on the command line (DATABASE_URL), for an engine with a server. */
  readonly urlVariable?: string;
  /**
   * Checks the engine's own options (by API name, as given) against the common ones. The result
   * holds a resolved value for every key of `options` (echoed in every result) and may hold more.
   */
  resolve(values: Readonly<Record<string, unknown>>, common: CommonSettings): Settings;
  open(request: SessionRequest<Settings>): Promise<EngineSession>;
}

/**
 * How a run released its workers: the shared-memory barrier alone, also a server-side gate, or
 * (an HTTP race) the final bytes of requests staged on open connections, written in one loop.
 */
export type StartKind = 'barrier' | 'gate' | 'last-byte';

/** Where the data of a run lives, as `result.database.engine` names it (schema version 1). */
export type DatabaseKind = 'embedded' | 'external' | 'sqlite';

/** A database server a session uses, `Connection` being how the engine's driver reaches it: one the rig started, or the user's. */
export interface DatabaseServer<Connection> {
  readonly kind: 'embedded' | 'external';
  /** May hold a password: never printed. */
  readonly connection: Connection;
  /** Where the server is, safe to print. */
  readonly displayUrl: string;
  /** Stops what the rig started; a no-op for a server the rig did not start. */
  stop(): Promise<void>;
  /** What went wrong with a server the rig started (it exited, say), or null while it is fine. */
  trouble(): string | null;
}

export interface SessionRequest<Settings> {
  readonly settings: Settings;
  readonly common: CommonSettings;
  readonly signal: AbortSignal;
  /**
   * The engine says when the worker threads may start: at once (they boot while a server
   * starts), or only once it knows the server has room for them.
   */
  threadsMayStart(): void;
  /** A line for --verbose: what the engine is doing. */
  log(line: string): void;
}

export interface EngineSession {
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to print (a password is masked). */
  readonly url: string;
  readonly serverVersion: string;
  /** Fresh data for one run (a new schema, a new table), the scenario's set-up done in it. */
  prepare(run: PlannedRun): Promise<PreparedRun>;
  /** What went wrong with what the engine started (a server that exited), or null while all is well. */
  trouble(): string | null;
  /** Stops and deletes what the session started; returns what could not be undone, for the user. */
  close(): Promise<string[]>;
}

export interface PlannedRun {
  readonly scenario: AnyScenario;
  readonly context: RunContext;
  readonly keep: boolean;
  /** How long the workers have to reach the start, the server gate included. */
  readonly barrierTimeoutMs: number;
  readonly signal: AbortSignal;
  /**
   * `race-rig explore` will race this data many times: keep the SQL of the set-up and the
   * verification (`PreparedRun.script`, for its spec export) and, where the engine can, what
   * `reset` needs.
   */
  readonly explore?: boolean;
  /** This machine's part of a run on several (`--run`, `--shard`). */
  readonly shard?: ShardSpec;
}

export interface PreparedRun {
  /** Plain data the worker threads connect with (may hold a password: never printed). */
  readonly target: EngineTarget;
  readonly start: StartKind;
  /** Things the user should know about this run (a start that fell back to the barrier, say). */
  readonly warnings: readonly string[];
  /** What a library (the application under test) connects to the run's data with: see AppContext. May hold a password. */
  readonly connection: Readonly<Record<string, unknown>>;
  /** The run's schema ('' where there is none) and whether it stays after the run. */
  readonly schema: string;
  readonly kept: boolean;
  /** Runs once the barrier has released the workers, alongside the race (opens the gate). */
  afterRelease?(): Promise<void>;
  /** For each backend in `pids`: whether it waits for a lock one of `among` holds (where the server can tell). */
  lockWaits?(pids: readonly number[], among: readonly number[]): Promise<LockWait[]>;
  /** The SQL the scenario's set-up and verification ran, as literal text (PostgreSQL: for `explore --spec-out`). */
  readonly script?: RecordedScript;
  /**
   * Explore: puts the data back as the set-up left it, for the next schedule; resolves false
   * when it cannot prove the state the same (the caller then prepares afresh).
   */
  reset?(): Promise<boolean>;
  /** A shard's results handed over to the other shards, and every shard's results, in worker order. */
  gather?(own: readonly WorkerResult[]): Promise<WorkerResult[]>;
  /** Reads the truth back (the scenario's verify, then its teardown). */
  verify(context: VerifyContext): Promise<Verification>;
  /** Removes the run's data unless it is kept; returns what could not be removed. */
  drop(): Promise<string[]>;
}

export interface RecordedScript {
  readonly setup: readonly string[];
  readonly verify: readonly string[];
  /** What removes the set-up's tables again (a spec's teardown). */
  readonly teardown: readonly string[];
}

/** The thread side of an engine: one worker's connection and what the operation loop needs of it. */
export interface EngineWorker {
  readonly session: WorkerSession;
  /** Whether the mode retries conflicts, serialization failures, deadlocks, busy errors. */
  readonly retries: boolean;
  readonly classify: ErrorClassifier;
  /** The worker's statement recorder for `--timeline`, or null. */
  readonly timeline: TimelineRecorder | null;
  /** Ends the transaction a failed attempt left open. */
  rollback(): Promise<void>;
  /** Clock (epoch ms) at the first critical statement, or null. */
  firstStatementAtMs(): number | null;
  /** Called the instant the barrier released the worker (the PostgreSQL gate queues here). */
  released(): void;
  /** Throws when something around the operations failed (the gate). */
  check(): void;
  close(): Promise<void>;
}

/**
 * What src/engines/<name>/worker.ts exports. Under `explore`, `schedule` is set: the engine makes
 * every statement of the worker's connection wait there for its turn (see src/explore/control.ts).
 */
export type OpenWorker = (task: WorkerTask, schedule: ScheduleGate | null) => Promise<EngineWorker>;
