import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl } from '../helpers/database.js';

const CORRECT_MODES = ['inplace', 'for-update', 'for-no-key-update', 'optimistic', 'serializable', 'repeatable-read', 'advisory'];

describe('counter scenario on a real PostgreSQL', () => {
  it('lost: SELECT then UPDATE loses increments, and the report matches the table', async () => {
    // 10 threads × 100 read-then-write increments on one row: every overlap of two workers'
    // read and write loses one, so a run without any loss is practically impossible.
    const result = await runRace({ db: testDatabaseUrl(), mode: 'lost', workers: 10, increments: 100, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(result.verdict).toBe('RACE');
    expect(result.expected).toBe(1000);
    expect(held.counter).toBe(result.actual);
    expect(result.lost).toBe(result.expected - held.counter);
    expect(result.lost).toBeGreaterThan(0);
  });

  it.each(CORRECT_MODES)('%s ends at exactly workers × increments in the table', async (mode) => {
    const result = await runRace({ db: testDatabaseUrl(), mode, workers: 8, increments: 40, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(held.counter).toBe(320);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 320, actual: 320, lost: 0, failed: 0 });
  });

  it('append: the activity table holds one row per increment', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'append', workers: 8, increments: 40, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(held.activityRows).toBe(320);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 320, actual: 320 });
  });

  it('serializable retries the serialization failures it provokes', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'serializable', workers: 10, increments: 50 });

    expect(result.verdict).toBe('CORRECT');
    expect(result.retriesByCause.serialization).toBeGreaterThan(0);
    expect(result.retries).toBe(result.retriesByCause.serialization + result.retriesByCause.deadlock);
    expect(result.attemptsPerOperation).toBeGreaterThan(1);
  });

  it('optimistic --max-retries 0 counts the increments that lost the version check as failed, and the numbers add up', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'optimistic', workers: 10, increments: 100, maxRetries: 0, keep: true });
    const held = await readAndDropSchema(result.database.schema);

    expect(result.failures.maxRetries).toBeGreaterThan(0);
    expect(result.failed).toBe(result.failures.maxRetries);
    expect(result.retries).toBe(0);
    expect(result.succeeded + result.failed).toBe(1000);
    expect(result.expected).toBe(result.succeeded);
    expect(held.counter).toBe(result.succeeded);
    expect(result.verdict).toBe('CORRECT');
  });
});
