import { InvalidOptionError } from './errors.js';
import { DEFAULT_SCENARIO, findMode } from './scenarios/index.js';
import type { ScenarioRef } from './scenarios/load.js';
import type { SharedMutex } from './sync/mutex.js';
import type { Expectation, ModeSpec, ScenarioInfo } from './scenarios/types.js';

/** The stages of a run, in order, as `onStage` reports them. */
export type RaceStage = 'database' | 'setup' | 'race' | 'verify' | 'cleanup';

/** What a caller may pass to `runRace`; everything is optional. */
export interface RaceOptions {
  /** Database engine: `postgres` (default) or `sqlite`. */
  readonly engine?: string;
  /** SQLite: the database file (default: a temp file removed after the run). */
  readonly file?: string;
  /** SQLite: the journal mode, `delete` (rollback journal, SQLite's default) or `wal`. */
  readonly journal?: string;
  /**
   * SQLite `mutex` mode: the cross-thread mutex to use, shared with the caller (who may hold it,
   * say, to show that a holder that never lets go turns into lock timeouts, not a hang).
   */
  readonly mutex?: SharedMutex;
  /** Scenario: a built-in name (default `counter`) or the path of a scenario module. */
  readonly scenario?: string;
  /** Parameters for the scenario (`--param key=value`, `--limit N`). */
  readonly params?: Readonly<Record<string, string>>;
  /** How many workers may be inside an operation at once (default: all of them). */
  readonly concurrency?: number;
  /** Strategy for the critical section (default `lost`). */
  readonly mode?: string;
  /** Worker threads, each with its own connection (default 10). */
  readonly workers?: number;
  /** Operations per worker, each its own transaction (default 100). */
  readonly increments?: number;
  /** `postgres://…` URL of an existing server; without it an embedded PostgreSQL is started. */
  readonly db?: string;
  /** Retries per operation for the modes that retry (default unbounded). */
  readonly maxRetries?: number;
  /** Base delay in ms of the exponential backoff with full jitter before each retry (default 0: none). */
  readonly backoffMs?: number;
  /** How long every worker has to reach the start barrier, in ms (default 30 s + 60 ms per worker). */
  readonly barrierTimeoutMs?: number;
  /** Also hold the workers' first statements at a server-side gate (see src/gate.ts). */
  readonly gate?: boolean;
  /** The workers' `lock_timeout` in ms (default 0: wait for ever). */
  readonly lockTimeoutMs?: number;
  /** The workers' `statement_timeout` in ms (default 0: none). */
  readonly statementTimeoutMs?: number;
  /** The whole run's limit in ms, set-up and clean-up included (default 600000; 0: none). */
  readonly timeoutMs?: number;
  /** Work in this schema instead of a fresh one with a generated name. */
  readonly schema?: string;
  /** Allow `schema` to be one that race-rig did not create. */
  readonly reuseSchema?: boolean;
  /** Keep the run's schema on the `db` server instead of dropping it. */
  readonly keep?: boolean;
  /** The verdict the caller expects; the result says whether it was met. */
  readonly expect?: Expectation;
  /** Aborts the run; it tears down and rejects with an `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Called as the run enters each stage. */
  readonly onStage?: (stage: RaceStage) => void;
  /** Told, one line at a time, what the run is doing (the CLI's --verbose prints them on stderr). */
  readonly onLog?: (line: string) => void;
  /** Called a few times a second during the race (and once at its end) with the operations done. */
  readonly onProgress?: (progress: RaceProgress) => void;
  /** Record what the first few workers' first operations did (PostgreSQL only): `result.timeline`. */
  readonly timeline?: boolean;
}

/** Where a race is, for a progress bar. */
export interface RaceProgress {
  readonly scenario: string;
  readonly mode: string;
  /** Operations finished so far, however they ended. */
  readonly done: number;
  /** workers × increments. */
  readonly total: number;
  /** Since the release of the barrier. */
  readonly elapsedMs: number;
}

export interface ResolvedOptions {
  readonly engine: Engine;
  readonly file: string | null;
  readonly journal: Journal;
  readonly mutex: SharedMutex | null;
  readonly scenario: ScenarioInfo;
  readonly scenarioRef: ScenarioRef;
  readonly params: Readonly<Record<string, string>>;
  readonly concurrency: number;
  readonly mode: ModeSpec;
  readonly workers: number;
  readonly increments: number;
  readonly db: string | null;
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly barrierTimeoutMs: number;
  readonly gate: boolean;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly timeoutMs: number;
  readonly schema: string | null;
  readonly reuseSchema: boolean;
  readonly keep: boolean;
  readonly expect: Expectation | null;
  readonly timeline: boolean;
}

export const ENGINES = ['postgres', 'sqlite'] as const;
export type Engine = (typeof ENGINES)[number];
export const JOURNALS = ['delete', 'wal'] as const;
export type Journal = (typeof JOURNALS)[number];

/**
 * Starting a worker thread costs ~40 ms of a core on a 2-core machine, so a thousand of them
 * need well over the 30 s that are plenty for ten.
 */
export function defaultBarrierTimeoutMs(workers: number): number {
  return 30_000 + 60 * workers;
}

export const DEFAULTS = {
  engine: 'postgres',
  scenario: DEFAULT_SCENARIO,
  mode: 'lost',
  workers: 10,
  increments: 100,
  maxRetries: Number.POSITIVE_INFINITY,
  backoffMs: 0,
  lockTimeoutMs: 0,
  statementTimeoutMs: 0,
  timeoutMs: 600_000,
} as const;

/** Upper bounds that keep a typo from starting a run that cannot finish. */
export const LIMITS = {
  workers: 1000,
  increments: 1_000_000,
  backoffMs: 10_000,
  /** One day, for every timeout. */
  timeoutMs: 86_400_000,
} as const;

/** A name PostgreSQL takes without quoting, so that it can be spliced into SQL safely. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function wholeNumber(flag: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`--${flag} must be a whole number from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function requires(present: boolean, flag: string, needed: string, why: string): void {
  if (present) throw new InvalidOptionError(`${flag} needs ${needed}: ${why}`);
}

function resolveMode(options: RaceOptions, scenario: ScenarioInfo): ModeSpec {
  const modeName = options.mode ?? (scenario.name === DEFAULTS.scenario ? DEFAULTS.mode : scenario.modes[0]?.name ?? '');
  const mode = findMode(scenario, modeName);
  if (!mode) {
    const names = scenario.modes.map((spec) => spec.name).join(', ');
    throw new InvalidOptionError(`unknown --mode '${modeName}' for ${scenario.name}; choose one of: ${names}`);
  }
  return mode;
}

/** Checks the options against the scenario they run (already loaded, see scenarios/load.ts). */
export function resolveEngine(options: RaceOptions): Engine {
  const engine = options.engine ?? DEFAULTS.engine;
  if (!(ENGINES as readonly string[]).includes(engine)) throw new InvalidOptionError(`unknown --engine '${engine}'; choose one of: ${ENGINES.join(', ')}`);
  return engine as Engine;
}

/** Flags that make sense for one engine only. */
function checkEngineFlags(engine: Engine, options: RaceOptions): Journal {
  const given = (flag: string, value: unknown) => (value === undefined || value === false || value === 0 ? [] : [flag]);
  const foreign =
    engine === 'sqlite'
      ? [...given('--db', options.db), ...given('--gate', options.gate), ...given('--schema', options.schema), ...given('--reuse-schema', options.reuseSchema), ...given('--statement-timeout', options.statementTimeoutMs)]
      : [...given('--file', options.file), ...given('--journal', options.journal)];
  if (engine === 'sqlite') foreign.push(...given('--timeline', options.timeline));
  if (foreign.length > 0) throw new InvalidOptionError(`${foreign.join(', ')} ${foreign.length === 1 ? 'does' : 'do'} not apply to --engine ${engine}`);
  const journal = options.journal ?? 'delete';
  if (!(JOURNALS as readonly string[]).includes(journal)) throw new InvalidOptionError(`--journal must be one of: ${JOURNALS.join(', ')} (got '${journal}')`);
  return journal as Journal;
}

/**
 * The options for one mode of a comparison: it is expected to show its documented outcome, and
 * the retry flags go only to the modes that retry.
 */
export function comparisonRunOptions(options: RaceOptions, mode: ModeSpec): RaceOptions {
  const { maxRetries, backoffMs, ...rest } = options;
  return { ...rest, mode: mode.name, expect: mode.outcome, ...(mode.retries ? { maxRetries, backoffMs } : {}) };
}

/** The pool's progress callback for `onProgress`, or undefined when nobody listens. */
export function progressCallback(options: RaceOptions, resolved: ResolvedOptions): ((done: number, elapsedMs: number) => void) | undefined {
  const { onProgress } = options;
  if (!onProgress) return undefined;
  const total = resolved.workers * resolved.increments;
  return (done, elapsedMs) => onProgress({ scenario: resolved.scenario.name, mode: resolved.mode.name, done, total, elapsedMs });
}

export function resolveOptions(options: RaceOptions, scenario: ScenarioInfo, scenarioRef: ScenarioRef): ResolvedOptions {
  const engine = resolveEngine(options);
  const journal = checkEngineFlags(engine, options);
  const mode = resolveMode(options, scenario);

  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  if (maxRetries !== Number.POSITIVE_INFINITY) wholeNumber('max-retries', maxRetries, 0, Number.MAX_SAFE_INTEGER);
  const backoffMs = wholeNumber('backoff', options.backoffMs ?? DEFAULTS.backoffMs, 0, LIMITS.backoffMs);
  const retryFlagGiven = options.maxRetries !== undefined || backoffMs > 0;
  if (retryFlagGiven && !mode.retries) {
    const retrying = scenario.modes.filter((spec) => spec.retries).map((spec) => spec.name).join(', ');
    throw new InvalidOptionError(`--max-retries and --backoff apply to the modes that retry (${retrying}), not to '${mode.name}'`);
  }

  const expect = options.expect ?? null;
  if (expect !== null && expect !== 'race' && expect !== 'correct') {
    throw new InvalidOptionError(`--expect must be 'race' or 'correct' (got '${String(expect)}')`);
  }

  const db = options.db ?? null;
  const keep = options.keep ?? false;
  const schema = options.schema ?? null;
  const reuseSchema = options.reuseSchema ?? false;
  const file = options.file ?? null;
  if (engine === 'sqlite') requires(keep && file === null, '--keep', '--file', 'the temp file is deleted after every run');
  else requires(keep && db === null, '--keep', '--db', 'the embedded server and its data are deleted after every run');
  requires(reuseSchema && schema === null, '--reuse-schema', '--schema', 'it names the existing schema to run in');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new InvalidOptionError(`--schema must be a lower-case name of letters, digits and _ (got '${schema}')`);
  }

  const workers = wholeNumber('workers', options.workers ?? DEFAULTS.workers, 1, LIMITS.workers);
  return {
    engine,
    file,
    journal,
    mutex: options.mutex ?? null,
    scenario,
    scenarioRef,
    params: { ...options.params },
    concurrency: wholeNumber('concurrency', options.concurrency ?? workers, 1, workers),
    mode,
    workers,
    increments: wholeNumber('increments', options.increments ?? DEFAULTS.increments, 1, LIMITS.increments),
    db,
    maxRetries,
    backoffMs,
    barrierTimeoutMs: wholeNumber('barrier-timeout', options.barrierTimeoutMs ?? defaultBarrierTimeoutMs(workers), 1, LIMITS.timeoutMs),
    gate: options.gate ?? false,
    lockTimeoutMs: wholeNumber('lock-timeout', options.lockTimeoutMs ?? DEFAULTS.lockTimeoutMs, 0, LIMITS.timeoutMs),
    statementTimeoutMs: wholeNumber('statement-timeout', options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs, 0, LIMITS.timeoutMs),
    timeoutMs: wholeNumber('timeout', options.timeoutMs ?? DEFAULTS.timeoutMs, 0, LIMITS.timeoutMs),
    schema,
    reuseSchema,
    keep,
    expect,
    timeline: options.timeline ?? false,
  };
}
