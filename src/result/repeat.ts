import type { RaceResult, Verdict } from './types.js';
import type { Expectation } from '../scenarios/types.js';

/** The least, middle and largest of a figure over the repetitions. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** What `--repeat R --json` prints and `runRepeatedRace` returns. */
export interface RepeatedResult {
  readonly schemaVersion: 1;
  readonly repeat: number;
  /** Runs whose verdict was RACE. */
  readonly races: number;
  /** races ÷ repeat: how reliably the setup reproduces the race. */
  readonly reproductionRate: number;
  readonly verdicts: readonly Verdict[];
  readonly spread: {
    readonly lost: Spread;
    readonly opsPerSec: Spread;
    readonly elapsedMs: Spread;
    readonly retries: Spread;
    readonly startSpreadMs: Spread | null;
  };
  /** With --expect: met only when every run gave the expected verdict. */
  readonly expectation: { readonly expected: Expectation; readonly met: boolean } | null;
  readonly runs: readonly RaceResult[];
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median: median ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

/** Pure: the runs of a --repeat, summed up. */
export function summarizeRepeats(runs: readonly RaceResult[]): RepeatedResult {
  const races = runs.filter((run) => run.verdict === 'RACE').length;
  const spreads = runs.map((run) => run.startSpreadMs).filter((value): value is number => value !== null);
  const expectations = runs.map((run) => run.expectation).filter((item) => item !== null);
  const expected = expectations[0]?.expected;
  return {
    schemaVersion: 1,
    repeat: runs.length,
    races,
    reproductionRate: runs.length === 0 ? 0 : Math.round((races / runs.length) * 1000) / 1000,
    verdicts: runs.map((run) => run.verdict),
    spread: {
      lost: spreadOf(runs.map((run) => run.lost)),
      opsPerSec: spreadOf(runs.map((run) => run.opsPerSec)),
      elapsedMs: spreadOf(runs.map((run) => run.elapsedMs)),
      retries: spreadOf(runs.map((run) => run.retries)),
      startSpreadMs: spreads.length > 0 ? spreadOf(spreads) : null,
    },
    expectation: expected === undefined ? null : { expected, met: expectations.every((item) => item.met) },
    runs,
  };
}
