import { describe, expect, it } from 'vitest';
import { formatResult } from '../../src/report/format.js';
import type { RaceResult } from '../../src/result.js';

const ANSI = /\u001b\[[0-9;]*m/;

const race: RaceResult = {
  schemaVersion: 1,
  verdict: 'RACE',
  scenario: 'counter',
  mode: 'lost',
  invariant: 'counter = successful increments',
  message: 'expected 10,000, the database holds 412: 9,588 lost (95.88%)',
  quantity: 'counter',
  unit: 'increment',
  workers: 100,
  increments: 100,
  operations: 10_000,
  expected: 10_000,
  actual: 412,
  lost: 9_588,
  figures: {},
  outcomes: {},
  succeeded: 10_000,
  failed: 0,
  retries: 0,
  retriesByCause: { serialization: 0, deadlock: 0, busy: 0, conflict: 0 },
  failures: { serialization: 0, deadlock: 0, busy: 0, maxRetries: 0, lockTimeout: 0, statementTimeout: 0, other: 0, total: 0 },
  inDoubt: 0,
  notAttempted: 0,
  connectionLosses: [],
  attemptsPerOperation: 1,
  elapsedMs: 2_345.6,
  setupMs: 1_200,
  opsPerSec: 4_263,
  latencyMs: { p50: 1.5, p95: 20.25, p99: 80, max: 120.5, mean: 4.2 },
  lockWaitMs: { total: 0, perOperation: 0 },
  startSpreadMs: 3.25,
  threads: 100,
  peakRssMb: 900,
  errors: [],
  database: { engine: 'embedded', url: 'postgres://postgres:***@127.0.0.1:5555/postgres', serverVersion: '18.4', schema: 'race_rig_x', schemaKept: false },
  expectation: { expected: 'correct', met: false },
  warnings: [],
  options: {
    engine: 'postgres',
    file: null,
    journal: null,
    scenario: 'counter',
    params: {},
    concurrency: 100,
    mode: 'lost',
    workers: 100,
    increments: 100,
    maxRetries: null,
    barrierTimeoutMs: 30_000,
    gate: false,
    backoffMs: 0,
    lockTimeoutMs: 0,
    statementTimeoutMs: 0,
    timeoutMs: 600_000,
    schema: null,
    reuseSchema: false,
    keep: false,
    expect: 'correct',
  },
};

describe('formatResult', () => {
  it('states the verdict with expected, actual and lost', () => {
    const text = formatResult(race, { color: false });

    expect(text).toContain('RACE  counter = successful increments broke: expected 10,000, the database holds 412: 9,588 lost (95.88%)');
    expect(text).toMatch(/expected\s+│ 10,000  \(counter\)/);
    expect(text).toMatch(/lost\s+│ 9,588 \(95\.88%\)/);
    expect(text).toContain('counter/lost  100 workers × 100 increments  on PostgreSQL 18.4 (embedded)');
    expect(text).toContain('4,263 increments/s');
    expect(text).toContain('3.25 ms (server clock');
    expect(text).toContain('expected correct: NOT met (exit 1)');
    expect(text).toMatch(/ms per increment\s*│ 1\.5\s*│ 20\.25\s*│ 80\s*│ 120\.5\s*│ 4\.2/);
    expect(text).not.toMatch(ANSI);
  });

  it('colours only when asked to', () => {
    expect(formatResult(race, { color: true })).toMatch(ANSI);
  });

  it('names the kinds of failure, and explains operations cut off by a lost connection', () => {
    const text = formatResult(
      {
        ...race,
        failed: 3,
        failures: { ...race.failures, maxRetries: 2, lockTimeout: 1, total: 3 },
        inDoubt: 1,
        notAttempted: 57,
        connectionLosses: [{ worker: 3, code: '57P01', message: 'terminating connection due to administrator command' }],
      },
      { color: false },
    );

    expect(text).toMatch(/failed\s+│ 3  \(max-retries 2, lock timeout 1\)/);
    expect(text).toMatch(/cut off\s+│ 1 in doubt, 57 never attempted/);
    expect(text).toContain('expected excludes 57 increments never attempted and allows 1 in doubt');
    expect(text).toContain('worker 3 lost its connection: [57P01] terminating connection due to administrator command');
  });

  it('lists the errors the workers saw', () => {
    const text = formatResult(
      { ...race, errors: [{ code: '40P01', message: 'deadlock detected', count: 3 }] },
      { color: false },
    );

    expect(text).toContain('3× [40P01] deadlock detected');
  });
});
