import type { StartKind } from '../engines/types.js';
import type { ResolvedRace } from '../race/resolve.js';
import type { Expectation, RunContext, Verification, VerifyContext } from '../scenarios/types.js';
import type { WorkerTotals } from './aggregate.js';
import type { RaceResult, Verdict } from './types.js';

export interface ResultInputs {
  readonly race: ResolvedRace;
  readonly totals: WorkerTotals;
  readonly verification: Verification;
  readonly setupMs: number;
  readonly elapsedMs: number;
  readonly database: RaceResult['database'];
  readonly start: StartKind;
  readonly warnings: readonly string[];
  /** The peak memory of worker processes (`--processes`), added to the coordinator's own. */
  readonly workerProcessesRssMb?: number;
}

/** What every scenario function is told about a run. */
export function runContextOf({ mode, common }: ResolvedRace): RunContext {
  return { mode: mode.name, workers: common.workers * (common.shard?.count ?? 1), iterations: common.increments, params: common.params };
}

/** What verification is told: the run, and what the workers reported. */
export function verifyContextOf(race: ResolvedRace, totals: WorkerTotals): VerifyContext {
  return {
    ...runContextOf(race),
    operations: race.common.workers * race.common.increments,
    succeeded: totals.succeeded,
    failed: totals.failures.total,
    inDoubt: totals.inDoubt,
    notAttempted: totals.notAttempted,
    outcomes: totals.outcomes,
    retries: totals.retries,
    failures: totals.failures,
    errors: totals.errors,
  };
}

const round = (value: number, places = 3) => Math.round(value * 10 ** places) / 10 ** places;

/** The counts of what the workers did, as the result reports them. */
function workerFigures(totals: WorkerTotals, operations: number, elapsedMs: number) {
  return {
    outcomes: totals.outcomes,
    succeeded: totals.succeeded,
    failed: totals.failures.total,
    inDoubt: totals.inDoubt,
    notAttempted: totals.notAttempted,
    connectionLosses: totals.connectionLosses,
    retries: totals.retries.total,
    retriesByCause: { serialization: totals.retries.serialization, deadlock: totals.retries.deadlock, busy: totals.retries.busy, conflict: totals.retries.conflict },
    failures: totals.failures,
    attemptsPerOperation: round((operations - totals.notAttempted + totals.retries.total) / Math.max(1, operations - totals.notAttempted), 2),
    opsPerSec: elapsedMs > 0 ? Math.round(totals.succeeded / (elapsedMs / 1000)) : 0,
    latencyMs: totals.latencyMs,
    latencyHistogram: totals.latencyHistogram,
    lockWaitMs: { total: totals.lockWaitMs, perOperation: round(totals.lockWaitMs / operations) },
    startSpreadMs: totals.startSpreadMs,
    threads: totals.distinctThreads,
    errors: totals.errors,
  };
}

export function buildResult({ race, totals, verification, setupMs, elapsedMs, database, start, warnings, workerProcessesRssMb = 0 }: ResultInputs): RaceResult {
  const { workers, increments, expect } = race.common;
  const operations = workers * increments;
  const verdict: Verdict = verification.holds ? 'CORRECT' : 'RACE';
  const observed: Expectation = verdict === 'CORRECT' ? 'correct' : 'race';
  return {
    schemaVersion: 1,
    verdict,
    scenario: race.scenario.name,
    mode: race.mode.name,
    invariant: verification.invariant,
    message: verification.message,
    quantity: verification.quantity,
    unit: race.scenario.unit?.one ?? 'operation',
    workers,
    increments,
    operations,
    expected: verification.expected,
    actual: verification.actual,
    lost: verification.holds ? 0 : verification.expected - verification.actual,
    figures: verification.figures ?? {},
    ...workerFigures(totals, operations, elapsedMs),
    elapsedMs: round(elapsedMs),
    setupMs: round(setupMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) + workerProcessesRssMb,
    // Explore records every statement of every worker, asked or not.
    timeline: race.echo.timeline || totals.timeline.length > 0 ? totals.timeline : null,
    warnings: [...warnings],
    database,
    expectation: expect === null ? null : { expected: expect, met: expect === observed },
    options: race.echo,
    start,
  };
}
