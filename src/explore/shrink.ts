import { lostWrites } from '../timeline/analyze.js';
import type { ScheduleRun } from './run-schedule.js';
import { stepTimeline } from './step-timeline.js';

/** How shrinking runs schedules: given choices (followed leniently), or a small exhaustive search of one size. */
export interface ShrinkRunner {
  /** Runs the choices with this many workers and operations each. */
  replay(workers: number, increments: number, choices: readonly number[]): Promise<ScheduleRun>;
  /** The first failing schedule of an exhaustive (pruned) search of this size, trying at most `limit`; null if none. */
  search(workers: number, increments: number, limit: number): Promise<{ run: ScheduleRun | null; tried: number }>;
}

/** A size is searched exhaustively, when its projection does not fail, if it has at most this many schedules. */
const SMALL_SEARCH = 20;

/** At most this many schedules are tried while shrinking one. */
const SHRINK_BUDGET = 80;

const choicesOf = (run: ScheduleRun) => run.steps.map((step) => step.worker);

export function switchesOf(choices: readonly number[]): number {
  return choices.reduce((count, worker, index) => count + (index > 0 && worker !== choices[index - 1] ? 1 : 0), 0);
}

/** Each step's operation (0-based), from the worker's recorded statements. */
function operationsOf(run: ScheduleRun): number[] {
  const events = new Map<number, number[]>();
  for (const event of run.result.timeline ?? []) {
    if (event.sql !== null) events.set(event.worker, [...(events.get(event.worker) ?? []), event.operation]);
  }
  const seen = new Map<number, number>();
  return run.steps.map((step) => {
    const index = seen.get(step.worker) ?? 0;
    seen.set(step.worker, index + 1);
    return events.get(step.worker)?.[index] ?? 0;
  });
}

/** The workers to keep when keeping `count`: those of the first lost write first, then the lowest. */
function workerSets(run: ScheduleRun, count: number): number[][] {
  const lost = lostWrites(stepTimeline(run))[0];
  const involved = lost ? [lost.overwritten.worker, lost.by.worker] : [];
  const all = Array.from({ length: run.race.common.workers }, (_, worker) => worker);
  const sets = [[...new Set([...involved, ...all])].slice(0, count), all.slice(0, count)].map((set) => set.sort((a, b) => a - b));
  return sets.filter((set, index) => sets.findIndex((other) => other.join() === set.join()) === index);
}

/** The schedule's steps of the kept workers' first `increments` operations, the workers renumbered. */
function projected(run: ScheduleRun, keep: readonly number[], increments: number): number[] {
  const operations = operationsOf(run);
  return run.steps.flatMap((step, index) => ((operations[index] ?? 0) < increments && keep.includes(step.worker) ? [keep.indexOf(step.worker)] : []));
}

/** Variants with fewer switches: two neighbouring runs of steps swapped, or a run moved to join the same worker's next one. */
function fewerSwitches(choices: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const worker of choices) {
    const last = runs[runs.length - 1];
    if (last && last[0] === worker) last.push(worker);
    else runs.push([worker]);
  }
  const variants: number[][] = [];
  for (let j = 0; j + 1 < runs.length; j++) {
    const swapped = [...runs];
    [swapped[j], swapped[j + 1]] = [swapped[j + 1] as number[], swapped[j] as number[]];
    variants.push(swapped.flat());
    const joinAt = runs.findIndex((run, index) => index > j && run[0] === runs[j]?.[0]);
    if (joinAt > 0) variants.push([...runs.slice(0, j), ...runs.slice(j + 1, joinAt + 1), runs[j] as number[], ...runs.slice(joinAt + 1)].flat());
  }
  const current = switchesOf(choices);
  return variants.filter((variant) => switchesOf(variant) < current);
}

/**
 * Shrinks a failing schedule while it still fails: first to fewer workers and fewer operations
 * (the smallest first, each tried with the failing schedule's own steps of the workers kept),
 * then to fewer switches between workers, greedily. Each try is a real run on fresh data.
 */
export async function shrink(found: ScheduleRun, runner: ShrinkRunner): Promise<ScheduleRun> {
  let best = found;
  let budget = SHRINK_BUDGET;
  const attempt = async (workers: number, increments: number, choices: readonly number[]) => {
    budget -= 1;
    const run = await runner.replay(workers, increments, choices);
    return run.kind === 'broken' ? run : null;
  };
  const searchSize = async (workers: number, increments: number) => {
    const { run, tried } = await runner.search(workers, increments, Math.min(SMALL_SEARCH, budget));
    budget -= tried;
    return run;
  };
  const { workers, increments } = found.race.common;
  const sizes: [number, number][] = [];
  for (let w = 1; w <= workers; w++) for (let k = 1; k <= increments; k++) if (w * k < workers * increments) sizes.push([w, k]);
  sizes.sort((a, b) => a[0] * a[1] - b[0] * b[1] || a[0] - b[0]);
  sizing: for (const [w, k] of sizes) {
    for (const keep of workerSets(found, w)) {
      if (budget <= SHRINK_BUDGET / 2) break sizing;
      const run = await attempt(w, k, projected(found, keep, k));
      if (run) {
        best = run;
        break sizing;
      }
    }
    if (w > 1 && budget > SHRINK_BUDGET / 2) {
      const run = await searchSize(w, k);
      if (run) {
        best = run;
        break;
      }
    }
  }
  for (let improved = true; improved && budget > 0; ) {
    improved = false;
    for (const variant of fewerSwitches(choicesOf(best))) {
      if (budget <= 0) break;
      const run = await attempt(best.race.common.workers, best.race.common.increments, variant);
      if (run && switchesOf(choicesOf(run)) < switchesOf(choicesOf(best))) {
        best = run;
        improved = true;
        break;
      }
    }
  }
  return best;
}
