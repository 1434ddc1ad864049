import type { Expectation } from '../scenarios/types.js';
import type { TimelineEvent } from '../timeline/types.js';
import type { ScheduleKind } from './run-schedule.js';
import type { StrategyName } from './types.js';

/** One step of a reported schedule. */
export interface ExploredStep {
  /** 1-based, in the order the steps were sent. */
  readonly step: number;
  readonly worker: number;
  /** The statement with its parameters written in. */
  readonly sql: string;
  /** Whether it waited for another worker's lock (it completed after later steps). */
  readonly waited: boolean;
  /** What it read, or its error, as the timeline shows it. */
  readonly result: string;
}

/** A schedule that broke the invariant, shrunk. */
export interface FailingSchedule {
  /** The shrunk schedule's ID: `race-rig explore --replay ID --workers W --increments K` reruns it. */
  readonly id: string;
  readonly workers: number;
  readonly increments: number;
  /** The command line that reruns it (with the same --db or --file, where one was given). */
  readonly replay: string;
  /** The verdict on the invariant, in words, and its two numbers as the scenario's verify read them from the database. */
  readonly message: string;
  readonly expected: number;
  readonly actual: number;
  readonly steps: readonly ExploredStep[];
  /** The steps on the timeline (time in steps: event i starts at i). */
  readonly timeline: readonly TimelineEvent[];
  /** The schedule as an isolation spec that `race-rig spec` replays (PostgreSQL), or null. */
  readonly spec: string | null;
  /** How often the schedule switches from one worker to another. */
  readonly switches: number;
  /** The schedule as the search first found it, before shrinking. */
  readonly found: { readonly id: string; readonly workers: number; readonly increments: number; readonly steps: number; readonly switches: number };
}

/** What `exploreRace` returns and `race-rig explore --json` prints. */
export interface ExploreResult {
  readonly schemaVersion: 1;
  readonly engine: string;
  readonly scenario: string;
  readonly mode: string;
  readonly workers: number;
  readonly increments: number;
  readonly strategy: StrategyName;
  readonly seed: number | null;
  readonly depth: number | null;
  readonly prune: boolean;
  /** Whether some schedule broke the invariant. */
  readonly found: boolean;
  /** How many interleavings exist (equivalence classes with --prune), once an exhaustive search has run them all; else null. */
  readonly interleavings: number | null;
  /** Schedules run and judged (with --prune, not counting those found equivalent half-way). */
  readonly schedules: number;
  /** Schedules --prune stopped counting half-way, as equivalent to one already run. */
  readonly pruned: number;
  /**
   * Exhaustive schedules that could not follow their planned prefix: when several workers wait
   * for one row that changes, which of them gets it first is the server's race, not the
   * schedule's. They ran and are counted as they went; `interleavings` is then null.
   */
  readonly diverged: number;
  /** How many schedules ended each way. */
  readonly outcomes: Readonly<Record<ScheduleKind, number>>;
  /** The first schedule of each kind that occurred, by ID. */
  readonly firstOf: Readonly<Partial<Record<ScheduleKind, string>>>;
  readonly elapsedMs: number;
  readonly schedulesPerSec: number;
  /** The first failing schedule, shrunk; null when none failed. */
  readonly failing: FailingSchedule | null;
  /** With --all, every failing schedule, shrunk (the first is `failing`). */
  readonly allFailing: readonly FailingSchedule[];
  readonly expectation: { readonly expected: Expectation; readonly met: boolean } | null;
  readonly warnings: readonly string[];
}
