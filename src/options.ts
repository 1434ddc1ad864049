import { InvalidOptionError } from './errors.js';
import { DEFAULT_SCENARIO, findMode, findScenario, SCENARIOS } from './scenarios/index.js';
import type { Expectation, ModeSpec, Scenario } from './scenarios/types.js';

/** What a caller may pass to `runRace`; everything is optional. */
export interface RaceOptions {
  /** Scenario name (default `counter`). */
  readonly scenario?: string;
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
  /** How long every worker has to reach the start barrier, in ms (default 30000). */
  readonly barrierTimeoutMs?: number;
  /** Also hold the workers' first statements at a server-side gate (see src/gate.ts). */
  readonly gate?: boolean;
  /** Base delay in ms of the exponential backoff with full jitter before each retry (default 0: none). */
  readonly backoffMs?: number;
  /** Keep the run's schema on the `--db` server instead of dropping it. */
  readonly keep?: boolean;
  /** The verdict the caller expects; the result says whether it was met. */
  readonly expect?: Expectation;
  /** Aborts the run; it tears down and rejects with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

export interface ResolvedOptions {
  readonly scenario: Scenario;
  readonly mode: ModeSpec;
  readonly workers: number;
  readonly increments: number;
  readonly db: string | null;
  readonly maxRetries: number;
  readonly barrierTimeoutMs: number;
  readonly gate: boolean;
  readonly backoffMs: number;
  readonly keep: boolean;
  readonly expect: Expectation | null;
}

export const DEFAULTS = {
  scenario: DEFAULT_SCENARIO,
  mode: 'lost',
  workers: 10,
  increments: 100,
  maxRetries: Number.POSITIVE_INFINITY,
  barrierTimeoutMs: 30_000,
  backoffMs: 0,
} as const;

/** Upper bounds that keep a typo from starting a run that cannot finish. */
export const LIMITS = {
  workers: 1000,
  increments: 1_000_000,
  barrierTimeoutMs: 3_600_000,
  backoffMs: 10_000,
} as const;

function wholeNumber(flag: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`--${flag} must be a whole number from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

export function resolveOptions(options: RaceOptions): ResolvedOptions {
  const scenarioName = options.scenario ?? DEFAULTS.scenario;
  const scenario = findScenario(scenarioName);
  if (!scenario) {
    throw new InvalidOptionError(`unknown --scenario '${scenarioName}'; choose one of: ${Object.keys(SCENARIOS).join(', ')}`);
  }
  const modeName = options.mode ?? DEFAULTS.mode;
  const mode = findMode(scenario, modeName);
  if (!mode) {
    const names = scenario.modes.map((spec) => spec.name).join(', ');
    throw new InvalidOptionError(`unknown --mode '${modeName}' for ${scenario.name}; choose one of: ${names}`);
  }
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  if (maxRetries !== Number.POSITIVE_INFINITY) wholeNumber('max-retries', maxRetries, 0, Number.MAX_SAFE_INTEGER);
  const expect = options.expect ?? null;
  if (expect !== null && expect !== 'race' && expect !== 'correct') {
    throw new InvalidOptionError(`--expect must be 'race' or 'correct' (got '${String(expect)}')`);
  }
  const db = options.db ?? null;
  const keep = options.keep ?? false;
  if (keep && db === null) {
    throw new InvalidOptionError('--keep needs --db: the embedded server and its data are deleted after every run');
  }
  return {
    scenario,
    mode,
    workers: wholeNumber('workers', options.workers ?? DEFAULTS.workers, 1, LIMITS.workers),
    increments: wholeNumber('increments', options.increments ?? DEFAULTS.increments, 1, LIMITS.increments),
    db,
    maxRetries,
    barrierTimeoutMs: wholeNumber('barrier-timeout', options.barrierTimeoutMs ?? DEFAULTS.barrierTimeoutMs, 1, LIMITS.barrierTimeoutMs),
    gate: options.gate ?? false,
    backoffMs: wholeNumber('backoff', options.backoffMs ?? DEFAULTS.backoffMs, 0, LIMITS.backoffMs),
    keep,
    expect,
  };
}
