import type { PendingStatement } from '../sync/schedule.js';

/** A parked worker and the statement it waits to send. */
export interface Candidate {
  readonly worker: number;
  readonly statement: PendingStatement;
}

/** Picks who takes the next step of one schedule. */
export interface Chooser {
  /** The worker (one of `candidates`) that sends its statement at step `step`. */
  choose(step: number, candidates: readonly Candidate[]): number;
}

/** One step of a schedule as it ran. */
export interface TraceStep {
  readonly worker: number;
  readonly statement: PendingStatement;
  /** How many steps had been granted when it completed (its own included); null if it never did. */
  completedAt: number | null;
  /** Whether it waited for a lock another worker held. */
  waited: boolean;
}

/** A way of picking schedules, one after another, until it has none left. */
export interface Strategy {
  readonly name: StrategyName;
  /** The chooser for the next schedule, or null when the search is over. */
  next(): Chooser | null;
  /** Told how the schedule it handed out ran. */
  finished(steps: readonly TraceStep[]): void;
  /**
   * How the last schedule went as a search step: `equivalent` to one already run (--prune: run,
   * not counted), or `diverged`: the server let another waiter have a lock first than when its
   * prefix first ran, so it did not follow its planned prefix (it ran, and counts, as it went).
   */
  readonly last: 'planned' | 'equivalent' | 'diverged';
}

export type StrategyName = 'exhaustive' | 'random' | 'pct' | 'replay';
