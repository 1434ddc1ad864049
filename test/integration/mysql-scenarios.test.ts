import type { RowDataPacket } from 'mysql2/promise';
import { expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { describeOnMysql, testMysqlUrl, withMysql } from '../helpers/mysql.js';

type Options = Omit<Parameters<typeof runRace>[0], 'engine' | 'db' | 'keep'>;

/**
 * A run on the suite's server with its database kept, then what the database holds (one row
 * of numbers, `{db}` standing for the run's database), and the database dropped. The setups that
 * assert RACE broke in every one of 40 or more runs on the 2-core development machine.
 */
async function runAndRead(options: Options, sql: string) {
  const result = await runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', keep: true, ...options });
  const held = await withMysql(async (connection) => {
    const database = `\`${result.database.schema}\``;
    try {
      const [rows] = await connection.query<RowDataPacket[]>(sql.replaceAll('{db}', database));
      return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([name, value]) => [name, Number(value)]));
    } finally {
      await connection.query(`DROP DATABASE ${database}`);
    }
  });
  return { result, held };
}

const deadlocks = (result: { errors: readonly { code: string | null; count: number }[] }) =>
  result.errors.filter((error) => error.code === '1213 (40001)').reduce((sum, error) => sum + error.count, 0);

describeOnMysql('withdraw on InnoDB, as the server holds it', () => {
  const ACCOUNT = 'SELECT a.balance, (SELECT COUNT(*) FROM {db}.withdrawals) AS withdrawals FROM {db}.accounts a WHERE a.id = 1';

  it('check-then-act overdraws: every worker passes the check on the same balance', async () => {
    const { result, held } = await runAndRead({ scenario: 'withdraw', mode: 'check-then-act', workers: 4, increments: 2 }, ACCOUNT);

    expect(held.balance).toBeLessThan(0);
    expect(held.balance).toBe(20 - 10 * (held.withdrawals ?? 0));
    expect(result).toMatchObject({ verdict: 'RACE', expected: 2, actual: held.withdrawals });
  });

  it.each(['for-update', 'guarded', 'serializable'])('%s stops at zero', async (mode) => {
    const { result, held } = await runAndRead({ scenario: 'withdraw', mode, workers: 6, increments: 3 }, ACCOUNT);

    expect(held).toEqual({ balance: 0, withdrawals: 3 });
    expect(result).toMatchObject({ verdict: 'CORRECT', failed: 0, outcomes: { accepted: 3, refused: 15 } });
    if (mode === 'serializable') expect(deadlocks(result)).toBeGreaterThan(0);
  });
});

describeOnMysql('transfer on InnoDB', () => {
  const BOOKS = `SELECT (SELECT SUM(balance) FROM {db}.accounts) AS total, (SELECT COUNT(*) FROM {db}.transfers) AS transfers,
    (SELECT COUNT(*) FROM {db}.accounts a WHERE a.balance <> 1000 + (SELECT COALESCE(SUM(amount), 0) FROM {db}.transfers WHERE to_id = a.id)
                                                     - (SELECT COALESCE(SUM(amount), 0) FROM {db}.transfers WHERE from_id = a.id)) AS unbalanced`;

  it.each([
    ['unordered', 'deadlocks (1213), retries, and keeps every transfer whole'],
    ['ordered', 'never deadlocks'],
  ])('%s %s', async (mode) => {
    const { result, held } = await runAndRead({ scenario: 'transfer', mode, workers: 6, increments: 10, params: { accounts: '4' } }, BOOKS);

    expect(held).toEqual({ total: 4000, transfers: 60, unbalanced: 0 });
    expect(result).toMatchObject({ verdict: 'CORRECT', failed: 0 });
    if (mode === 'unordered') expect(deadlocks(result)).toBeGreaterThan(0);
    else expect(result.errors).toEqual([]);
  });
});

describeOnMysql('deposit on InnoDB', () => {
  const BALANCES = `SELECT (SELECT COUNT(*) FROM {db}.deposits) AS deposits,
    (SELECT COUNT(*) FROM {db}.accounts a WHERE a.balance <> (SELECT COALESCE(SUM(amount), 0) FROM {db}.deposits WHERE account_id = a.id)) AS off`;

  it('unlocked loses deposits: the later UPDATE overwrites the earlier', async () => {
    const { result, held } = await runAndRead({ scenario: 'deposit', mode: 'unlocked', workers: 6, increments: 5, params: { accounts: '2' } }, BALANCES);

    expect(held.deposits).toBe(30);
    expect(held.off).toBeGreaterThan(0);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 2, actual: 2 - (held.off ?? 0) });
  });

  it.each(['pessimistic', 'optimistic'])('%s keeps every balance equal to its deposits', async (mode) => {
    const { result, held } = await runAndRead({ scenario: 'deposit', mode, workers: 6, increments: 5, params: { accounts: '2' } }, BALANCES);

    expect(held).toEqual({ deposits: 30, off: 0 });
    expect(result).toMatchObject({ verdict: 'CORRECT', failed: 0 });
    if (mode === 'optimistic') expect(result.retriesByCause.conflict).toBeGreaterThan(0);
  });
});

describeOnMysql('row-limit on InnoDB', () => {
  const ROWS = 'SELECT COUNT(*) AS items, (SELECT COUNT(*) FROM {db}.item_audit) AS audited FROM {db}.items WHERE user_id = 1';

  it('unlocked, at READ COMMITTED: inserts that count at the same moment pass the trigger together', async () => {
    const { result, held } = await runAndRead({ scenario: 'row-limit', mode: 'unlocked', workers: 20, increments: 5, params: { limit: '30' } }, ROWS);

    expect(held.items).toBeGreaterThan(30);
    expect(held.audited).toBe(held.items);
    expect(result).toMatchObject({ verdict: 'RACE', actual: held.items, outcomes: { accepted: held.items, refused: 100 - (held.items ?? 0) } });
  });

  it.each([
    ['get-lock', 'the named lock around the transaction holds the limit'],
    ['repeatable-read', "InnoDB's next-key locks deadlock the concurrent inserts (1213); retried, the limit holds"],
  ])('%s: %s', async (mode) => {
    const { result, held } = await runAndRead({ scenario: 'row-limit', mode, workers: 20, increments: 4, params: { limit: '10' } }, ROWS);

    expect(held).toEqual({ items: 10, audited: 10 });
    expect(result).toMatchObject({ verdict: 'CORRECT', failed: 0, outcomes: { accepted: 10, refused: 70 } });
    if (mode === 'repeatable-read') expect(deadlocks(result)).toBeGreaterThan(0);
    else expect(result.errors).toEqual([]);
  });
});

describeOnMysql('hot-row on InnoDB', () => {
  it.each([
    ['update', 'SELECT retweets AS n FROM {db}.messages WHERE id = 1'],
    ['append', 'SELECT COUNT(*) AS n FROM {db}.retweets'],
  ])('%s counts every retweet', async (mode, sql) => {
    const { result, held } = await runAndRead({ scenario: 'hot-row', mode, workers: 10, increments: 100 }, sql);

    expect(held.n).toBe(1000);
    expect(result).toMatchObject({ verdict: 'CORRECT', actual: 1000 });
  });

  it('append-unique-ts loses the retweets whose NOW(6) collide on the unique key (1062)', async () => {
    const { result, held } = await runAndRead({ scenario: 'hot-row', mode: 'append-unique-ts', workers: 10, increments: 1000 }, 'SELECT COUNT(*) AS n FROM {db}.retweets_unique_ts');
    const duplicates = result.outcomes['lost to a duplicate key'] ?? 0;

    expect(duplicates).toBeGreaterThan(0);
    expect(held.n).toBe(10_000 - duplicates);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 10_000, actual: held.n });
  });
});
