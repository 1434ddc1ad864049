import { randomInt } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';
import type { OptionValues } from '../options/define.js';
import { checkNumber } from '../options/define.js';
import { withPipeline } from '../pipeline/run-races.js';
import type { PipelineContext } from '../pipeline/run-races.js';
import type { RaceOptions } from '../race/options.js';
import { resolveBase, resolveRace } from '../race/resolve.js';
import type { RaceBase, ResolvedRace } from '../race/resolve.js';
import { failingSchedule } from './failing.js';
import type { EXPLORE_OPTIONS } from './options.js';
import { ReplayStrategy } from './replay.js';
import type { ExploreResult, FailingSchedule } from './result.js';
import { Scheduler } from './run-schedule.js';
import { parseScheduleId } from './schedule-id.js';
import { search } from './search.js';
import type { SearchOutcome, SearchSettings } from './search.js';
import { shrink } from './shrink.js';
import type { ShrinkRunner } from './shrink.js';
import { ExhaustiveStrategy } from './exhaustive.js';
import type { Chooser } from './types.js';

/** What exploreRace takes: the race's options (workers default to 2, increments to 1) and explore's own. */
export type ExploreOptions = Omit<RaceOptions, 'concurrency' | 'processes' | 'gate' | 'timeline' | 'onProgress'> &
  Omit<OptionValues<typeof EXPLORE_OPTIONS>, 'specOut'> & {
    /** How long a statement may run without completing or waiting for a lock, ms (default 10000). */
    readonly stepTimeoutMs?: number;
  };

const DEFAULTS = { workers: 2, increments: 1, schedules: 1000, depth: 3, stepTimeoutMs: 10_000 } as const;

function searchSettings(options: ExploreOptions): SearchSettings {
  const strategy = options.strategy ?? null;
  const given = (value: unknown) => value !== undefined && value !== false;
  if (options.replay !== undefined && (strategy !== null || options.all || given(options.seed) || given(options.schedules))) {
    throw new InvalidOptionError('--replay runs one schedule; it does not go with --strategy, --seed, --schedules or --all');
  }
  if ((given(options.seed) || given(options.schedules)) && strategy === 'exhaustive') throw new InvalidOptionError('--seed and --schedules go with --strategy random or pct');
  if (given(options.depth) && strategy !== 'pct') throw new InvalidOptionError('--depth goes with --strategy pct');
  if (options.prune && strategy !== null && strategy !== 'exhaustive') throw new InvalidOptionError('--prune goes with --strategy exhaustive');
  return {
    strategy,
    prune: options.prune === true,
    seed: options.seed ?? randomInt(2 ** 31 - 1),
    schedules: options.schedules ?? DEFAULTS.schedules,
    depth: options.depth ?? DEFAULTS.depth,
    all: options.all === true,
    replay: options.replay === undefined ? null : parseScheduleId(options.replay),
  };
}

/** The race options explore runs with: no gate or timeline (the schedule decides who goes), no backoff unless asked. */
function raceOptions(options: ExploreOptions, base: RaceBase): RaceOptions {
  const { strategy: _s, prune: _p, seed: _seed, schedules: _n, depth: _d, all: _a, replay: _r, stepTimeoutMs: _t, ...race } = options;
  const takesGate = Object.hasOwn(base.engine.options, 'gate');
  return { ...race, workers: race.workers ?? DEFAULTS.workers, increments: race.increments ?? DEFAULTS.increments, ...(takesGate ? { gate: false } : {}) } as RaceOptions;
}

/** The result's strategy fields: what ran, with its seed and depth where they mattered. */
function strategyFields(outcome: SearchOutcome, settings: SearchSettings) {
  const seeded = outcome.strategy === 'random' || outcome.strategy === 'pct';
  return { strategy: outcome.strategy, seed: seeded ? settings.seed : null, depth: outcome.strategy === 'pct' ? settings.depth : null, prune: settings.prune };
}

/** Runs shrinking's schedules on races of other sizes, on the same session (the pool resized as needed). */
function shrinkRunner(base: RaceBase, options: RaceOptions, context: PipelineContext, scheduler: Scheduler): ShrinkRunner {
  const races = new Map<string, ResolvedRace>();
  const raceOf = async (workers: number, increments: number) => {
    const key = `${workers}x${increments}`;
    const race = races.get(key) ?? resolveRace(base, { ...options, workers, increments });
    races.set(key, race);
    if (context.pool.workers !== workers) await context.resizePool(workers);
    return race;
  };
  return {
    replay: async (workers, increments, choices) => scheduler.run(await raceOf(workers, increments), context, new ReplayStrategy(choices, false).next() as Chooser),
    search: async (workers, increments, limit) => {
      const race = await raceOf(workers, increments);
      const strategy = new ExhaustiveStrategy(true);
      let tried = 0;
      for (let chooser = strategy.next(); chooser && tried < limit; chooser = strategy.next()) {
        tried += 1;
        const run = await scheduler.run(race, context, chooser);
        strategy.finished(run.steps);
        if (run.kind === 'broken') return { run, tried };
      }
      return { run: null, tried };
    },
  };
}

async function shrinkAll(outcome: SearchOutcome, base: RaceBase, options: RaceOptions, context: PipelineContext, scheduler: Scheduler): Promise<FailingSchedule[]> {
  const shrunk: FailingSchedule[] = [];
  const seen = new Set<string>();
  for (const found of outcome.failing) {
    // Random and pct may find the same schedule more than once: it shrinks the same way.
    if (seen.has(found.id)) continue;
    seen.add(found.id);
    const minimal = await shrink(found, shrinkRunner(base, options, context, scheduler));
    if (!shrunk.some((each) => each.id === minimal.id && each.workers === minimal.race.common.workers && each.increments === minimal.race.common.increments)) {
      shrunk.push(failingSchedule(minimal, found));
    }
  }
  return shrunk;
}

/** Every option of an exploration checked, before anything starts. */
export async function resolveExplore(options: ExploreOptions) {
  const settings = searchSettings(options);
  const stepTimeoutMs = options.stepTimeoutMs === undefined ? DEFAULTS.stepTimeoutMs : checkNumber({ flag: 'step-timeout', min: 1, max: 86_400_000 }, options.stepTimeoutMs);
  const base = await resolveBase(options as RaceOptions);
  if (base.scenario.http) throw new InvalidOptionError(`race-rig explore schedules the workers' own statements, and ${base.scenario.name} races over HTTP (its statements are the app's); race it with race-rig or race-rig compare`);
  const perProcess = base.scenario.modes.find((mode) => mode.name === options.mode && mode.processPerWorker);
  if (perProcess) throw new InvalidOptionError(`race-rig explore runs its workers as threads of one process, and --mode ${perProcess.name}'s lock belongs to the process; race it with race-rig`);
  if (!base.engine.explores) throw new InvalidOptionError(`race-rig explore does not run on --engine ${base.engine.name} yet; race it with race-rig or race-rig compare`);
  const optionsForRace = raceOptions(options, base);
  const race: ResolvedRace = resolveRace(base, optionsForRace);
  return { settings, stepTimeoutMs, base, optionsForRace, race };
}

/**
 * `race-rig explore`: runs the scenario's statements in interleavings the strategy chooses, one
 * statement at a time, each schedule on fresh data and judged by the scenario's verify; shrinks
 * the first that breaks the invariant (every one with `all`) and returns it with its ID, its
 * timeline and an isolation spec. Prints nothing; cleans up as runRace does.
 */
export async function exploreRace(options: ExploreOptions = {}): Promise<ExploreResult> {
  const { settings, stepTimeoutMs, base, optionsForRace, race } = await resolveExplore(options);
  const scheduler = new Scheduler(stepTimeoutMs);
  const { value, leftovers } = await withPipeline(race, optionsForRace, scheduler.startPool, async (context) => {
    const outcome = await search(race, context, scheduler, settings);
    const failing = await shrinkAll(outcome, base, optionsForRace, context, scheduler);
    return { outcome, failing, dropped: await scheduler.finish(context) };
  });
  const { outcome, failing } = value;
  const found = outcome.outcomes.broken > 0;
  const expected = race.common.expect;
  return {
    schemaVersion: 1,
    engine: base.engine.name,
    scenario: base.scenario.name,
    mode: race.mode.name,
    workers: race.common.workers,
    increments: race.common.increments,
    ...strategyFields(outcome, settings),
    found,
    interleavings: outcome.interleavings,
    schedules: outcome.schedules,
    pruned: outcome.pruned,
    diverged: outcome.diverged,
    outcomes: outcome.outcomes,
    firstOf: outcome.firstOf,
    elapsedMs: Math.round(outcome.elapsedMs * 1000) / 1000,
    schedulesPerSec: Math.round(((outcome.schedules + outcome.pruned) / Math.max(outcome.elapsedMs, 1)) * 1000 * 10) / 10,
    failing: failing[0] ?? null,
    allFailing: failing,
    expectation: expected === null ? null : { expected, met: (expected === 'race') === found },
    warnings: [...value.dropped, ...leftovers],
  };
}
