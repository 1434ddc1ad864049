import { FAILURE_KINDS, RETRY_CAUSES } from '../protocol.js';
import type { ConnectionLoss, ErrorSample, FailureKind, RetryCause, WorkerResult } from '../protocol.js';
import type { TimelineEvent } from '../timeline/types.js';
import { latencyBuckets, mergeLatency, summarizeLatency } from './latency.js';
import type { LatencyBucket, LatencySummary } from './latency.js';

export type FailureCounts = Record<FailureKind, number> & { total: number };
export type RetryCounts = Record<RetryCause, number> & { total: number };

/** What all the workers did, added up. Pure: plain data in, plain data out. */
export interface WorkerTotals {
  readonly succeeded: number;
  readonly failures: FailureCounts;
  readonly inDoubt: number;
  readonly notAttempted: number;
  readonly connectionLosses: ConnectionLoss[];
  readonly retries: RetryCounts;
  readonly latencyMs: LatencySummary;
  readonly latencyHistogram: LatencyBucket[];
  readonly lockWaitMs: number;
  /** Server-clock time between the first and the last worker's first critical statement. */
  readonly startSpreadMs: number | null;
  readonly distinctThreads: number;
  readonly outcomes: Record<string, number>;
  readonly errors: ErrorSample[];
  /** The recorded workers' events, in time order. */
  readonly timeline: TimelineEvent[];
}

function sumBy<K extends string>(keys: readonly K[], items: readonly Readonly<Record<K, number>>[]): Record<K, number> & { total: number } {
  const sums = Object.fromEntries(keys.map((key) => [key, items.reduce((sum, item) => sum + item[key], 0)])) as Record<K, number>;
  return { ...sums, total: keys.reduce((sum, key) => sum + sums[key], 0) };
}

function mergeErrors(results: readonly WorkerResult[]): ErrorSample[] {
  const merged = new Map<string, ErrorSample>();
  for (const sample of results.flatMap((result) => result.errors)) {
    const key = `${sample.code ?? ''}\u0000${sample.message}`;
    const known = merged.get(key);
    merged.set(key, { ...sample, count: (known?.count ?? 0) + sample.count });
  }
  return [...merged.values()].sort((a, b) => b.count - a.count);
}

function mergeCounts(counts: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const item of counts) for (const [name, count] of Object.entries(item)) merged[name] = (merged[name] ?? 0) + count;
  return merged;
}

export function startSpread(firstStatementsAtMs: readonly (number | null)[]): number | null {
  const times = firstStatementsAtMs.filter((time): time is number => time !== null);
  if (times.length === 0) return null;
  return Math.round((Math.max(...times) - Math.min(...times)) * 1000) / 1000;
}

export function aggregateResults(results: readonly WorkerResult[]): WorkerTotals {
  const latency = mergeLatency(results.map((result) => result.latency));
  return {
    succeeded: results.reduce((sum, result) => sum + result.succeeded, 0),
    failures: sumBy(FAILURE_KINDS, results.map((result) => result.failures)),
    inDoubt: results.reduce((sum, result) => sum + result.inDoubt, 0),
    notAttempted: results.reduce((sum, result) => sum + result.notAttempted, 0),
    connectionLosses: results.flatMap((result) => (result.connectionLoss ? [result.connectionLoss] : [])),
    retries: sumBy(RETRY_CAUSES, results.map((result) => result.retries)),
    latencyMs: summarizeLatency(latency),
    latencyHistogram: latencyBuckets(latency),
    lockWaitMs: Math.round(results.reduce((sum, result) => sum + result.lockWaitMs, 0) * 1000) / 1000,
    startSpreadMs: startSpread(results.map((result) => result.firstStatementAtMs)),
    distinctThreads: new Set(results.map((result) => `${result.processId}:${result.threadId}`)).size,
    outcomes: mergeCounts(results.map((result) => result.outcomes)),
    errors: mergeErrors(results),
    timeline: results.flatMap((result) => result.timeline).sort((a, b) => a.startMs - b.startMs),
  };
}
