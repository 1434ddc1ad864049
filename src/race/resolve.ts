import { DEFAULT_ENGINE, ENGINES } from '../engines/registry.js';
import type { Engine } from '../engines/types.js';
import { InvalidOptionError } from '../errors.js';
import { findMode, loadScenario, scenarioRef } from '../scenarios/load.js';
import type { AnyScenario, ModeSpec, ScenarioRef } from '../scenarios/types.js';
import { COMMON_OPTIONS, defaultBarrierTimeoutMs, MAX_PROCESSES } from '../options/common.js';
import type { CommonSettings } from '../options/common.js';
import { checkNumber, isGiven, resolveValues } from '../options/define.js';
import type { OptionSpec } from '../options/define.js';
import { shardSpec } from '../options/shard.js';
import type { ShardSpec } from '../options/shard.js';
import type { OptionsEcho, RaceOptions } from './options.js';

/** The engine and scenario a run names, loaded: all a comparison needs to know its modes. */
export interface RaceBase {
  readonly engine: Engine;
  readonly scenarioRef: ScenarioRef;
  readonly scenario: AnyScenario;
}

/** One run, every option checked and every default filled in. */
export interface ResolvedRace extends RaceBase {
  readonly mode: ModeSpec;
  readonly common: CommonSettings;
  /** The engine's own settings (its `resolve`). */
  readonly settings: unknown;
  readonly echo: OptionsEcho;
}

export function engineNamed(name: string): Engine {
  if (!Object.hasOwn(ENGINES, name)) throw new InvalidOptionError(`unknown --engine '${name}'; choose one of: ${Object.keys(ENGINES).join(', ')}`);
  return ENGINES[name as keyof typeof ENGINES] as unknown as Engine;
}

/** Another engine's flags are a mistake, not something to ignore. */
function refuseForeignOptions(engine: Engine, options: RaceOptions): void {
  const given = options as unknown as Readonly<Record<string, unknown>>;
  const foreign = Object.values(ENGINES)
    .filter((other) => other.name !== engine.name)
    .flatMap((other) => Object.entries(other.options as Record<string, OptionSpec>))
    .filter(([key]) => isGiven(given[key]) && !Object.hasOwn(engine.options, key))
    .map(([, spec]) => `--${spec.flag}`)
    .filter((flag, index, flags) => flags.indexOf(flag) === index);
  if (foreign.length > 0) throw new InvalidOptionError(`${foreign.join(', ')} ${foreign.length === 1 ? 'does' : 'do'} not apply to --engine ${engine.name}`);
}

export async function resolveBase(options: RaceOptions): Promise<RaceBase> {
  const engine = engineNamed(options.engine ?? DEFAULT_ENGINE);
  refuseForeignOptions(engine, options);
  const ref = scenarioRef(options.scenario ?? COMMON_OPTIONS.scenario.default);
  return { engine, scenarioRef: ref, scenario: await loadScenario(ref, engine) };
}

function modeOf(scenario: AnyScenario, name: string | undefined): ModeSpec {
  const wanted = name ?? scenario.modes[0]?.name ?? '';
  const mode = findMode(scenario, wanted);
  if (!mode) throw new InvalidOptionError(`unknown --mode '${wanted}' for ${scenario.name}; choose one of: ${scenario.modes.map((spec) => spec.name).join(', ')}`);
  return mode;
}

/** A mode whose lock belongs to the process runs one worker per process unless --processes is given. */
function processesFor(mode: ModeSpec, workers: number, options: RaceOptions, given: number): number {
  if (!mode.processPerWorker || options.processes !== undefined) return given;
  if (workers > MAX_PROCESSES) throw new InvalidOptionError(`--mode ${mode.name} runs one worker per process: at most ${MAX_PROCESSES} workers (got ${workers}), or give --processes`);
  return workers;
}

/** --processes: at most one per worker, and only where every worker's start crosses processes (no shared memory). */
function checkProcesses(processes: number, workers: number, options: RaceOptions, scenario: AnyScenario): number {
  if (processes === 1) return 1;
  const refuse = (why: string) => {
    throw new InvalidOptionError(`--processes ${processes} ${why}`);
  };
  if (processes > workers) refuse(`needs at least as many workers (got --workers ${workers})`);
  if (options.concurrency !== undefined) refuse('does not go with --concurrency: its semaphore is shared memory of one process');
  if (scenario.http) refuse(`does not apply to ${scenario.name}: an HTTP race's workers are connections of one thread`);
  return processes;
}

/** --run and --shard: one part of a run on several machines, on an engine that can meet them at its server. */
function checkShard(options: RaceOptions, scenario: AnyScenario, engine: Engine, processes: number): ShardSpec | null {
  const spec = shardSpec(options.run, options.shard);
  if (!spec) return null;
  const refuse = (why: string) => {
    throw new InvalidOptionError(`--run ${why}`);
  };
  if (!engine.shards) refuse(`does not run on --engine ${engine.name}: its shards meet at a server's gate (PostgreSQL)`);
  if (processes > 1) refuse('does not go with --processes: each shard runs its workers as threads');
  if (options.concurrency !== undefined) refuse('does not go with --concurrency');
  if (scenario.http) refuse(`does not apply to ${scenario.name}: an HTTP race's workers are connections of one thread`);
  return spec;
}

function resolveCommon(options: RaceOptions, scenario: AnyScenario, mode: ModeSpec, engine: Engine): CommonSettings {
  if (scenario.http && options.concurrency !== undefined) throw new InvalidOptionError(`--concurrency limits worker threads; ${scenario.name} races over HTTP, every request released at once`);
  const values = resolveValues(COMMON_OPTIONS, options as unknown as Readonly<Record<string, unknown>>);
  const { workers, backoffMs } = values;
  if ((values.maxRetries !== undefined || backoffMs > 0) && !mode.retries) {
    const retrying = scenario.modes.filter((spec) => spec.retries).map((spec) => spec.name);
    throw new InvalidOptionError(`--max-retries and --backoff apply to the modes that retry (${retrying.join(', ') || 'none here'}), not to '${mode.name}'`);
  }
  return {
    workers,
    increments: values.increments,
    params: { ...values.params },
    concurrency: options.concurrency === undefined ? workers : checkNumber(COMMON_OPTIONS.concurrency, options.concurrency, workers),
    processes: checkProcesses(processesFor(mode, workers, options, values.processes), workers, options, scenario),
    shard: checkShard(options, scenario, engine, values.processes),
    maxRetries: values.maxRetries ?? Number.POSITIVE_INFINITY,
    backoffMs,
    barrierTimeoutMs: values.barrierTimeoutMs ?? defaultBarrierTimeoutMs(workers),
    lockTimeoutMs: values.lockTimeoutMs,
    timeoutMs: values.timeoutMs,
    keep: values.keep,
    expect: values.expect ?? null,
  };
}

/** What an option of another engine says in the echo: off, its default, or nothing. */
function offValue(spec: OptionSpec): unknown {
  if (spec.type === 'boolean') return false;
  return spec.type === 'number' ? (spec.default ?? null) : null;
}

function echoOf(base: RaceBase, mode: ModeSpec, common: CommonSettings, settings: unknown): OptionsEcho {
  const { scenario: _scenario, mode: _mode, ...commonKeys } = COMMON_OPTIONS;
  const echo: Record<string, unknown> = { engine: base.engine.name, scenario: base.scenario.name, mode: mode.name };
  for (const key of Object.keys(commonKeys)) echo[key] = common[key as keyof CommonSettings];
  echo.maxRetries = Number.isFinite(common.maxRetries) ? common.maxRetries : null;
  echo.run = common.shard?.run ?? null;
  echo.shard = common.shard ? `${common.shard.index}/${common.shard.count}` : null;
  for (const engine of Object.values(ENGINES)) {
    for (const [key, spec] of Object.entries(engine.options as Record<string, OptionSpec>)) {
      if (spec.echo === false) continue;
      // A flag several engines share (--gate) is the run's engine's own.
      echo[key] = Object.hasOwn(base.engine.options, key) ? (settings as Record<string, unknown>)[key] : offValue(spec);
    }
  }
  return echo as OptionsEcho;
}

/** One run of the base's scenario: its mode, and every option checked against it. */
export function resolveRace(base: RaceBase, given: RaceOptions): ResolvedRace {
  // The server gate holds the workers' own connections; with an app, the statements are the app's.
  const options = base.scenario.app && Object.hasOwn(base.engine.options, 'gate') ? ({ ...given, gate: false } as RaceOptions) : given;
  const mode = modeOf(base.scenario, options.mode);
  const common = resolveCommon(options, base.scenario, mode, base.engine);
  const settings = base.engine.resolve(options as unknown as Readonly<Record<string, unknown>>, common);
  return { ...base, mode, common, settings, echo: echoOf(base, mode, common, settings) };
}
