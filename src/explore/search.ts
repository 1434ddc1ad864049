import type { PipelineContext } from '../pipeline/run-races.js';
import type { ResolvedRace } from '../race/resolve.js';
import { ExhaustiveStrategy } from './exhaustive.js';
import { PctStrategy, RandomStrategy } from './random.js';
import { ReplayStrategy } from './replay.js';
import type { ScheduleKind, ScheduleRun, Scheduler } from './run-schedule.js';
import type { Strategy, StrategyName } from './types.js';

/** Up to this many interleavings, explore runs them all unless told otherwise. */
export const EXHAUSTIVE_LIMIT = 10_000;

export interface SearchSettings {
  /** null: exhaustive when the interleavings are few, else pct. */
  readonly strategy: Exclude<StrategyName, 'replay'> | null;
  readonly prune: boolean;
  readonly seed: number;
  readonly schedules: number;
  readonly depth: number;
  readonly all: boolean;
  readonly replay: readonly number[] | null;
}

export interface SearchOutcome {
  readonly strategy: StrategyName;
  readonly schedules: number;
  readonly pruned: number;
  readonly diverged: number;
  readonly outcomes: Record<ScheduleKind, number>;
  readonly firstOf: Partial<Record<ScheduleKind, string>>;
  readonly failing: ScheduleRun[];
  /** Set once an exhaustive search ran every interleaving. */
  readonly interleavings: number | null;
  readonly elapsedMs: number;
}

/** How many interleavings keep each worker's own order, for these statement counts: (Σn)! / Π(n!). */
export function interleavingsOf(statementsPerWorker: readonly number[]): number {
  let count = 1;
  let total = 0;
  for (const statements of statementsPerWorker) {
    for (let i = 1; i <= statements; i++) {
      total += 1;
      count = (count * total) / i;
    }
  }
  return Math.round(count);
}

function statementsPerWorker(run: ScheduleRun): number[] {
  const counts = Array.from({ length: run.race.common.workers }, () => 0);
  for (const step of run.steps) counts[step.worker] = (counts[step.worker] ?? 0) + 1;
  return counts;
}

function firstStrategy(settings: SearchSettings, race: ResolvedRace): Strategy {
  if (settings.replay) return new ReplayStrategy(settings.replay, true);
  switch (settings.strategy) {
    case 'random':
      return new RandomStrategy(settings.seed, settings.schedules);
    case 'pct':
      return new PctStrategy(settings.seed, settings.schedules, settings.depth, race.common.workers, race.common.workers * race.common.increments * 4);
    default:
      return new ExhaustiveStrategy(settings.prune);
  }
}

/**
 * Runs schedules as the strategy picks them, each on fresh data, until it has none left or one
 * breaks the invariant (all of them with `all`). Without a strategy it starts exhaustive and,
 * when the first schedule shows more than EXHAUSTIVE_LIMIT interleavings, goes on with pct.
 */
export async function search(race: ResolvedRace, context: PipelineContext, scheduler: Scheduler, settings: SearchSettings): Promise<SearchOutcome> {
  const started = performance.now();
  let strategy = firstStrategy(settings, race);
  const outcomes: Record<ScheduleKind, number> = { broken: 0, deadlock: 0, serialization: 0, busy: 0, held: 0 };
  const firstOf: Partial<Record<ScheduleKind, string>> = {};
  const failing: ScheduleRun[] = [];
  let schedules = 0;
  let pruned = 0;
  let diverged = 0;
  let stoppedEarly = false;
  for (let chooser = strategy.next(); chooser; chooser = strategy.next()) {
    const run = await scheduler.run(race, context, chooser);
    strategy.finished(run.steps);
    context.options.onLog?.(`schedule ${run.id}: ${strategy.last === 'equivalent' ? 'equivalent to one already run' : run.kind}${strategy.last === 'diverged' ? ' (off its planned prefix)' : ''}`);
    if (strategy.last === 'equivalent') {
      pruned += 1;
      continue;
    }
    if (strategy.last === 'diverged') diverged += 1;
    schedules += 1;
    outcomes[run.kind] += 1;
    firstOf[run.kind] ??= run.id;
    if (run.kind === 'broken') {
      failing.push(run);
      if (!settings.all) {
        stoppedEarly = true;
        break;
      }
    }
    if (settings.strategy === null && !settings.prune && settings.replay === null && schedules === 1 && interleavingsOf(statementsPerWorker(run)) > EXHAUSTIVE_LIMIT) {
      strategy = new PctStrategy(settings.seed, settings.schedules - 1, settings.depth, race.common.workers, run.steps.length);
    }
  }
  const exhaustedAll = strategy.name === 'exhaustive' && !stoppedEarly && diverged === 0;
  return { strategy: strategy.name, schedules, pruned, diverged, outcomes, firstOf, failing, interleavings: exhaustedAll ? schedules : null, elapsedMs: performance.now() - started };
}
