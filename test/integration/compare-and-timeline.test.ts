import { describe, expect, it } from 'vitest';
import { COUNTER_MODES } from '../../src/engines/postgres/scenarios/counter-modes.js';
import { lostWrites, runComparison, runRace } from 'race-rig';
import type { RaceProgress } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl } from '../helpers/database.js';

describe('compare: every mode of a scenario, one table', () => {
  it('runs each counter mode on fresh data and gives each its documented verdict, as the database shows', async () => {
    const comparison = await runComparison({ db: testDatabaseUrl(), keep: true, workers: 10, increments: 40 });

    expect(comparison.runs.map((run) => run.mode)).toEqual(COUNTER_MODES.map((mode) => mode.name));
    expect(comparison.asDocumented).toBe(true);
    expect(new Set(comparison.runs.map((run) => run.database.schema)).size).toBe(COUNTER_MODES.length);
    for (const run of comparison.runs) {
      const held = await readAndDropSchema(run.database.schema);
      const inDatabase = run.mode === 'append' ? held.activityRows : held.counter;
      expect(inDatabase, run.mode).toBe(run.actual);
      if (run.mode === 'lost') expect(inDatabase).toBeLessThan(400);
      else expect(inDatabase, run.mode).toBe(400);
    }
    expect(comparison.runs.find((run) => run.mode === 'serializable')?.retries).toBeGreaterThan(0);
  });

  it('passes --max-retries and --backoff only to the modes that retry', async () => {
    const comparison = await runComparison({ db: testDatabaseUrl(), maxRetries: 1000, backoffMs: 1, workers: 4, increments: 5 });

    const retryOptions = Object.fromEntries(comparison.runs.map((run) => [run.mode, [run.options.maxRetries, run.options.backoffMs]]));
    expect(retryOptions).toMatchObject({ lost: [null, 0], 'for-update': [null, 0], optimistic: [1000, 1], serializable: [1000, 1] });
    await expect(runComparison({ db: testDatabaseUrl(), maxRetries: 3, scenario: 'hot-row' })).rejects.toThrow(/hot-row has none/);
  });
});

describe('timeline: what the first workers did, statement by statement', () => {
  it('shows two workers writing the same value under lost, and the database agrees an update was lost', async () => {
    const result = await runRace({ db: testDatabaseUrl(), keep: true, mode: 'lost', workers: 4, increments: 50, timeline: true });
    const { counter } = await readAndDropSchema(result.database.schema);

    const timeline = result.timeline ?? [];
    expect(new Set(timeline.map((event) => event.worker))).toEqual(new Set([0, 1, 2, 3]));
    const [first] = lostWrites(timeline);
    expect(first).toBeDefined();
    expect(first?.by.detail).toBe(first?.overwritten.detail);
    expect(counter).toBeLessThan(200);
  });

  it('shows no lost write under for-update, and the counter is exact', async () => {
    const result = await runRace({ db: testDatabaseUrl(), keep: true, mode: 'for-update', workers: 4, increments: 50, timeline: true });
    const { counter } = await readAndDropSchema(result.database.schema);

    expect(result.timeline?.filter((event) => event.kind === 'lock').length).toBeGreaterThan(0);
    expect(lostWrites(result.timeline ?? [])).toEqual([]);
    expect(counter).toBe(200);
  });

  it('records nothing unless asked', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'inplace', workers: 2, increments: 5 });

    expect(result.timeline).toBeNull();
  });
});

describe('progress', () => {
  it('reports the operations done, rising to the total', async () => {
    const seen: RaceProgress[] = [];
    await runRace({ db: testDatabaseUrl(), mode: 'for-update', workers: 8, increments: 300, onProgress: (progress) => seen.push(progress) });

    expect(seen.length).toBeGreaterThan(1);
    expect(seen.map((progress) => progress.done)).toEqual([...seen.map((progress) => progress.done)].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ scenario: 'counter', mode: 'for-update', done: 2400, total: 2400 });
  });
});
