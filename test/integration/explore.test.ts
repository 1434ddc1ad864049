import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, exploreRace, runSpecFile } from 'race-rig';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import type { ExploreOptions, ExploreResult } from 'race-rig';
import { testDatabaseUrl, withClient } from '../helpers/database.js';

const explore = (options: ExploreOptions) => exploreRace({ db: testDatabaseUrl(), ...options });
const held = (result: ExploreResult) => ({ found: result.found, complete: result.interleavings === result.schedules });
const dir = mkdtempSync(join(tmpdir(), 'race-rig-explore-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('explore on PostgreSQL: counter', () => {
  it('lost, 2 workers × 1 increment: all C(4,2) = 6 schedules, 4 of them lose an increment, the first shrunk', async () => {
    const result = await explore({ mode: 'lost', all: true });

    expect(result).toMatchObject({ strategy: 'exhaustive', schedules: 6, interleavings: 6, found: true });
    expect(result.outcomes).toMatchObject({ broken: 4, held: 2 });
    expect(result.failing).toMatchObject({ workers: 2, increments: 1, expected: 2, actual: 1 });
    // Shrunk to the fewest switches between the two workers: one worker's read and write inside the other's.
    expect(['1.0x2.1', '0.1x2.0']).toContain(result.failing?.id);
    expect(result.failing?.steps.map((step) => step.sql)).toEqual([
      'SELECT counter, version FROM user_counter WHERE user_id = 1',
      'SELECT counter, version FROM user_counter WHERE user_id = 1',
      'UPDATE user_counter SET counter = 1 WHERE user_id = 1',
      'UPDATE user_counter SET counter = 1 WHERE user_id = 1',
    ]);
  });

  it('the failing schedule, replayed by its ID, fails the same way, and its spec shows the same counter in the database', async () => {
    const found = await explore({ mode: 'lost' });
    const id = found.failing?.id ?? '';
    const replayed = await explore({ mode: 'lost', replay: id });
    expect(replayed).toMatchObject({ strategy: 'replay', schedules: 1, found: true, failing: { id, actual: 1, expected: 2 } });

    const file = join(dir, 'lost.spec');
    writeFileSync(file, found.failing?.spec ?? '');
    const spec = await runSpecFile(file, { db: testDatabaseUrl() });
    const check = spec.permutations[0]?.steps.find((step) => step.step === 'check');
    // What the scenario's verify reads, read by the spec runner from its own fresh tables.
    expect(check?.outputs.at(-1)?.rows).toEqual([['1']]);
  });

  it.each([
    ['inplace', 2],
    ['append', 2],
    ['optimistic', 6],
    // BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT each: of the C(8,4) = 70 orders, those where a
    // worker's locking read comes after the other's and before that one's COMMIT is sent wait.
    ['for-update', 24],
    ['advisory', 36],
  ])('%s holds over all its %i schedules, the count worked out by hand', async (mode, count) => {
    const result = await explore({ mode });
    expect(held(result)).toEqual({ found: false, complete: true });
    expect(result.schedules).toBe(count);
  });

  it.each(['for-no-key-update', 'serializable', 'repeatable-read'])('%s holds over an exhaustive search', async (mode) => {
    const result = await explore({ mode });
    expect(held(result)).toEqual({ found: false, complete: true });
    if (mode !== 'for-no-key-update') expect(result.outcomes.serialization).toBeGreaterThan(0);
  });

  it('--prune skips the schedules that only reorder the two reads: 4 classes of the 6', async () => {
    const result = await explore({ mode: 'lost', all: true, prune: true });
    expect(result).toMatchObject({ schedules: 4, interleavings: 4, outcomes: { broken: 2, held: 2 } });
  });

  it('an abort in the middle of a search tears everything down: no server, no directory', async () => {
    const controller = new AbortController();
    let races = 0;
    const search = exploreRace({
      mode: 'serializable',
      signal: controller.signal,
      onStage: (stage) => {
        if (stage === 'race' && ++races === 5) setTimeout(() => controller.abort(), 1);
      },
    });

    await expect(search).rejects.toBeInstanceOf(AbortedError);
    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });

  it('leaves no schema behind', async () => {
    await explore({ mode: 'for-update' });
    const left = await withClient(async (client) => (await client.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'race_rig_%'")).rowCount);
    expect(left).toBe(0);
  });
});

describe('explore on PostgreSQL: the other scenarios', () => {
  it.each([
    ['withdraw', 'check-then-act', {}],
    ['deposit', 'unlocked', { accounts: '1' }],
    ['row-limit', 'unlocked', { limit: '1' }],
  ])('%s %s: a schedule that breaks the invariant is found', async (scenario, mode, params) => {
    const result = await explore({ scenario, mode, params });
    expect(result.found).toBe(true);
    expect(result.failing?.workers).toBe(2);
    expect(result.failing?.actual).not.toBe(result.failing?.expected);
  });

  it('transfer unordered: a deadlock is an outcome of its schedule, retried, and the balances hold (random, seeded)', async () => {
    // The exhaustive search over all 70 classes runs in the load suite (test/load/explore-every-mode.test.ts).
    const result = await explore({ scenario: 'transfer', mode: 'unordered', params: { accounts: '2' }, strategy: 'random', seed: 2, schedules: 10 });
    expect(result.found).toBe(false);
    expect(result.schedules).toBe(10);
    expect(result.outcomes.deadlock).toBeGreaterThan(0);
    const replayed = await explore({ scenario: 'transfer', mode: 'unordered', params: { accounts: '2' }, replay: result.firstOf.deadlock ?? '' });
    expect(replayed.outcomes.deadlock).toBe(1);
  });

  it('a scenario module (examples/seat-booking.js): the double booking is found and the unique fix holds', async () => {
    const scenario = './examples/seat-booking.js';
    expect((await explore({ scenario, mode: 'check-then-insert' })).found).toBe(true);
    expect(held(await explore({ scenario, mode: 'unique' }))).toEqual({ found: false, complete: true });
  });
});

describe('explore on SQLite', () => {
  it('lost is found; the locking modes hold over every schedule', async () => {
    expect((await exploreRace({ engine: 'sqlite', mode: 'lost' })).found).toBe(true);
    for (const [mode, count] of [['immediate', 8], ['mutex', 6], ['file-lock', 6], ['inplace', 2]] as const) {
      const result = await exploreRace({ engine: 'sqlite', mode });
      expect(held(result), mode).toEqual({ found: false, complete: true });
      expect(result.schedules, mode).toBe(count);
    }
  });

  it('deferred: busy answers are outcomes of their schedules, retried', async () => {
    const result = await exploreRace({ engine: 'sqlite', mode: 'deferred', journal: 'wal' });
    expect(held(result)).toEqual({ found: false, complete: true });
    expect(result.outcomes.busy).toBeGreaterThan(0);
  });
});
