import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { testDatabaseUrl } from '../helpers/database.js';
import { queryAndDrop } from '../helpers/schema-rows.js';

const db = () => testDatabaseUrl();

describe('withdraw: the overdraft', () => {
  it('check-then-act lets the balance go negative', async () => {
    // With the gate, all ten first checks see the whole balance (enough for five).
    const result = await runRace({ db: db(), scenario: 'withdraw', mode: 'check-then-act', workers: 10, increments: 5, gate: true, keep: true });
    const held = await queryAndDrop<{ balance: number; accepted: number }>(
      result.database.schema,
      'SELECT balance, (SELECT count(*)::integer FROM withdrawals) AS accepted FROM accounts',
    );

    expect(result.verdict).toBe('RACE');
    expect(held.balance).toBeLessThan(0);
    expect(held.accepted).toBeGreaterThan(5);
    expect(held.balance).toBe(50 - 10 * held.accepted);
    expect(result.figures).toMatchObject({ balance: held.balance, 'should have been refused': held.accepted - 5 });
  });

  it.each(['for-update', 'guarded', 'serializable'])('%s refuses what the balance does not cover', async (mode) => {
    const result = await runRace({ db: db(), scenario: 'withdraw', mode, workers: 10, increments: 5, gate: true, keep: true });
    const held = await queryAndDrop<{ balance: number; accepted: number }>(
      result.database.schema,
      'SELECT balance, (SELECT count(*)::integer FROM withdrawals) AS accepted FROM accounts',
    );

    expect(held).toEqual({ balance: 0, accepted: 5 });
    expect(result).toMatchObject({ verdict: 'CORRECT', outcomes: { accepted: 5, refused: 45 } });
  });
});

describe('transfer: the deadlock', () => {
  it('unordered locking deadlocks (retried), and the money is still all there', async () => {
    const result = await runRace({ db: db(), scenario: 'transfer', mode: 'unordered', workers: 12, increments: 30, params: { accounts: '4' }, keep: true });
    const held = await queryAndDrop<{ total: number; transfers: number }>(
      result.database.schema,
      'SELECT sum(balance)::integer AS total, (SELECT count(*)::integer FROM transfers) AS transfers FROM accounts',
    );

    expect(result.retriesByCause.deadlock).toBeGreaterThan(0);
    expect(held).toEqual({ total: 4000, transfers: 360 });
    expect(result.verdict).toBe('CORRECT');
  });

  it('unordered with --max-retries 0 fails the deadlocked transfers instead, and none is applied half', async () => {
    const result = await runRace({ db: db(), scenario: 'transfer', mode: 'unordered', workers: 12, increments: 30, params: { accounts: '4' }, maxRetries: 0, keep: true });
    const held = await queryAndDrop<{ total: number; transfers: number }>(
      result.database.schema,
      'SELECT sum(balance)::integer AS total, (SELECT count(*)::integer FROM transfers) AS transfers FROM accounts',
    );

    // Out of retries at the first deadlock: each deadlocked transfer fails, rolled back whole.
    expect(result.failures.maxRetries).toBeGreaterThan(0);
    expect(result.figures.deadlocks).toBe(result.failures.maxRetries);
    expect(held).toEqual({ total: 4000, transfers: 360 - result.failures.maxRetries });
    expect(result.verdict).toBe('CORRECT');
  });

  it('ordered locking never deadlocks', async () => {
    const result = await runRace({ db: db(), scenario: 'transfer', mode: 'ordered', workers: 12, increments: 30, params: { accounts: '4' } });

    expect(result.retriesByCause.deadlock).toBe(0);
    expect(result.failures.deadlock).toBe(0);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 4000, actual: 4000 });
  });
});

describe('deposit: the optimistic-retry budget', () => {
  const mismatched = 'SELECT count(*)::integer AS n FROM accounts a WHERE a.balance <> (SELECT coalesce(sum(amount), 0) FROM deposits d WHERE d.account_id = a.id)';

  it('unlocked loses deposits', async () => {
    const result = await runRace({ db: db(), scenario: 'deposit', mode: 'unlocked', workers: 10, increments: 50, params: { accounts: '5' }, keep: true });
    const held = await queryAndDrop<{ n: number }>(result.database.schema, mismatched);

    expect(held.n).toBeGreaterThan(0);
    expect(result.verdict).toBe('RACE');
  });

  it.each([
    ['pessimistic', {}],
    ['optimistic', { maxRetries: 3 }],
  ] as const)('%s keeps every balance equal to its deposits, counting those that ran out of retries', async (mode, extra) => {
    const result = await runRace({ db: db(), scenario: 'deposit', mode, workers: 10, increments: 50, params: { accounts: '5' }, keep: true, ...extra });
    const held = await queryAndDrop<{ n: number; deposits: number }>(result.database.schema, `${mismatched.replace('AS n', 'AS n, (SELECT count(*)::integer FROM deposits) AS deposits')}`);

    expect(held.n).toBe(0);
    expect(held.deposits).toBe(result.succeeded);
    expect(result.succeeded + result.failures.maxRetries).toBe(500);
    expect(result.figures['ran out of retries']).toBe(result.failures.maxRetries);
    expect(result.verdict).toBe('CORRECT');
  });
});

describe('row-limit: the limit enforced by a trigger', () => {
  it('unlocked: concurrent inserts pass the trigger and exceed the limit', async () => {
    const result = await runRace({ db: db(), scenario: 'row-limit', mode: 'unlocked', workers: 10, increments: 3, gate: true, params: { limit: '5' }, keep: true });
    const held = await queryAndDrop<{ n: number }>(result.database.schema, 'SELECT count(*)::integer AS n FROM items WHERE user_id = 1');

    expect(held.n).toBeGreaterThan(5);
    expect(result).toMatchObject({ verdict: 'RACE', actual: held.n, expected: 5 });
  });

  it('advisory: the lock in the trigger holds the limit', async () => {
    const result = await runRace({ db: db(), scenario: 'row-limit', mode: 'advisory', workers: 10, increments: 3, gate: true, params: { limit: '5' }, keep: true });
    const held = await queryAndDrop<{ n: number }>(result.database.schema, 'SELECT count(*)::integer AS n FROM items WHERE user_id = 1');

    expect(held.n).toBe(5);
    expect(result).toMatchObject({ verdict: 'CORRECT', outcomes: { accepted: 5, refused: 25 } });
  });
});

describe('hot-row: update one row, or append', () => {
  it.each([
    ['update', 'SELECT retweets AS n FROM messages'],
    ['append', 'SELECT count(*)::integer AS n FROM retweets'],
  ])('%s counts every retweet', async (mode, sql) => {
    const result = await runRace({ db: db(), scenario: 'hot-row', mode, workers: 10, increments: 20, keep: true });
    const held = await queryAndDrop<{ n: number }>(result.database.schema, sql);

    expect(held.n).toBe(200);
    expect(result).toMatchObject({ verdict: 'CORRECT', actual: 200 });
  });

  it('append-unique-ts loses the retweets that collide on the timestamp (23505)', async () => {
    // About 40 collisions in 10,000 retweets on 2 cores: none at all is practically impossible.
    const result = await runRace({ db: db(), scenario: 'hot-row', mode: 'append-unique-ts', workers: 10, increments: 1000, keep: true });
    const held = await queryAndDrop<{ n: number }>(result.database.schema, 'SELECT count(*)::integer AS n FROM retweets_unique_ts');
    const duplicates = result.outcomes['lost to a duplicate key'] ?? 0;

    expect(duplicates).toBeGreaterThan(0);
    expect(held.n).toBe(10_000 - duplicates);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 10_000, actual: held.n });
  });
});
