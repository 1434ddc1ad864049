import { describe, expect, it } from 'vitest';
import type { WorkerResult } from '../../src/protocol.js';
import { aggregateResults, startSpread } from '../../src/result/aggregate.js';
import { createLatencyCounts, recordMs } from '../../src/latency-counts.js';

function workerResult(overrides: Partial<WorkerResult> & { latenciesMs?: number[] }): WorkerResult {
  const histogram = createLatencyCounts();
  for (const ms of overrides.latenciesMs ?? []) recordMs(histogram, ms);
  const { latenciesMs: _latencies, ...rest } = overrides;
  return {
    index: 0,
    processId: 1,
    threadId: 1,
    succeeded: 0,
    failures: { serialization: 0, deadlock: 0, busy: 0, maxRetries: 0, lockTimeout: 0, statementTimeout: 0, other: 0 },
    inDoubt: 0,
    notAttempted: 0,
    connectionLoss: null,
    retries: { serialization: 0, deadlock: 0, busy: 0, conflict: 0 },
    firstStatementAtMs: null,
    latency: histogram,
    lockWaitMs: 0,
    outcomes: {},
    errors: [],
    timeline: [],
    ...rest,
  };
}

describe('aggregateResults', () => {
  const results = [
    workerResult({
      index: 0,
      threadId: 11,
      succeeded: 3,
      failures: { serialization: 0, deadlock: 1, busy: 0, maxRetries: 2, lockTimeout: 0, statementTimeout: 0, other: 0 },
      retries: { serialization: 4, deadlock: 1, busy: 0, conflict: 0 },
      firstStatementAtMs: 1_000.25,
      latenciesMs: [1, 2, 3],
      lockWaitMs: 1.5,
      outcomes: { accepted: 2, refused: 1 },
      errors: [{ code: '40P01', message: 'deadlock detected', count: 1 }],
    }),
    workerResult({
      index: 1,
      threadId: 12,
      succeeded: 2,
      failures: { serialization: 1, deadlock: 0, busy: 0, maxRetries: 0, lockTimeout: 1, statementTimeout: 0, other: 1 },
      inDoubt: 1,
      notAttempted: 7,
      connectionLoss: { worker: 1, code: '57P01', message: 'terminating connection due to administrator command' },
      retries: { serialization: 0, deadlock: 0, busy: 0, conflict: 7 },
      firstStatementAtMs: 1_003.75,
      latenciesMs: [100, 4],
      lockWaitMs: 2,
      outcomes: { refused: 2 },
      errors: [
        { code: '40P01', message: 'deadlock detected', count: 2 },
        { code: null, message: 'Connection terminated', count: 1 },
      ],
    }),
  ];

  it('adds up operations, failures by kind and retries by cause', () => {
    const totals = aggregateResults(results);

    expect(totals.succeeded).toBe(5);
    expect(totals.failures).toEqual({ serialization: 1, deadlock: 1, busy: 0, maxRetries: 2, lockTimeout: 1, statementTimeout: 0, other: 1, total: 6 });
    expect(totals.inDoubt).toBe(1);
    expect(totals.notAttempted).toBe(7);
    expect(totals.connectionLosses).toEqual([{ worker: 1, code: '57P01', message: 'terminating connection due to administrator command' }]);
    expect(totals.retries).toEqual({ serialization: 4, deadlock: 1, busy: 0, conflict: 7, total: 12 });
    expect(totals.lockWaitMs).toBe(3.5);
    expect(totals.distinctThreads).toBe(2);
    expect(totals.outcomes).toEqual({ accepted: 2, refused: 3 });
  });

  it('buckets every latency into a log-spaced histogram from the fastest to the slowest', () => {
    const { latencyHistogram } = aggregateResults(results);

    expect(latencyHistogram).toHaveLength(20);
    expect(latencyHistogram.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
    expect(latencyHistogram[0]?.fromMs).toBeCloseTo(1, 1);
    expect(latencyHistogram.at(-1)?.toMs).toBeCloseTo(100, 0);
    expect(latencyHistogram.at(-1)?.count).toBe(1);
  });

  it('merges the recorded timelines in time order', () => {
    const at = (worker: number, startMs: number) => ({ worker, operation: 0, attempt: 0, kind: 'read' as const, sql: 'SELECT 1', detail: '', rows: 1, startMs, endMs: startMs + 1, failed: false });
    const [first, second] = results;
    if (!first || !second) throw new Error('fixture');
    const totals = aggregateResults([{ ...first, timeline: [at(0, 5), at(0, 9)] }, { ...second, timeline: [at(1, 7)] }]);

    expect(totals.timeline.map((event) => [event.worker, event.startMs])).toEqual([[0, 5], [1, 7], [0, 9]]);
  });

  it('merges the workers latency histograms', () => {
    const { latencyMs } = aggregateResults(results);
    const many = aggregateResults([
      workerResult({ latenciesMs: Array.from({ length: 990 }, () => 2) }),
      workerResult({ latenciesMs: [...Array.from({ length: 9 }, () => 40), 1234.5678] }),
    ]).latencyMs;

    // Nearest rank over 1,000 operations, at three significant digits.
    expect(many).toEqual({ p50: 2, p95: 2, p99: 2, max: 1230, mean: 3.57 });

    expect(latencyMs.max).toBeCloseTo(100, 0);
    expect(latencyMs.p50).toBeCloseTo(3, 1);
    expect(latencyMs.mean).toBeCloseTo(22, 0);
  });

  it('merges identical errors and puts the most frequent first', () => {
    expect(aggregateResults(results).errors).toEqual([
      { code: '40P01', message: 'deadlock detected', count: 3 },
      { code: null, message: 'Connection terminated', count: 1 },
    ]);
  });

  it('measures the start spread on the server clock, ignoring workers that never started', () => {
    expect(aggregateResults(results).startSpreadMs).toBe(3.5);
    expect(startSpread([null, 5, null])).toBe(0);
    expect(startSpread([null])).toBeNull();
  });
});
