import { describe, expect, it } from 'vitest';
import { formatResult } from '../../src/report/format.js';
import { race } from '../helpers/result-fixture.js';

const ANSI = /\u001b\[[0-9;]*m/;

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
