import { depositAccountCount as accountCount, depositPick, depositVerdict } from '../../../scenarios/field/deposit.js';
import type { StatementRunner } from '../statements.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/** The optimistic-retry budget on PostgreSQL; what every engine shares is in scenarios/field/deposit.ts. */
const WARM_UP_ID = 0;

function statements(serverNow: string) {
  return {
    read: `SELECT balance, version, ${serverNow} FROM accounts WHERE id = $1`,
    readLocked: `SELECT balance, version, ${serverNow} FROM accounts WHERE id = $1 FOR NO KEY UPDATE`,
    write: 'UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1',
    writeIfVersion: 'UPDATE accounts SET balance = $2, version = version + 1 WHERE id = $1 AND version = $3',
    record: 'INSERT INTO deposits (account_id, amount, worker, iteration) VALUES ($1, $2, $3, $4)',
  };
}

type Statements = ReturnType<typeof statements>;
type Deposit = (db: StatementRunner, sql: Statements, accountId: number, amount: number, worker: number, iteration: number) => Promise<AttemptResult>;

interface AccountRow {
  /** bigint: the driver returns it as a string. */
  balance: string;
  version: number;
}

const balanceOf = (row: AccountRow | undefined) => Number(row?.balance ?? 0);

const DEPOSITS: Record<string, Deposit> = {
  unlocked: async (db, sql, accountId, amount, worker, iteration) => {
    await db.simple('BEGIN');
    const read = await db.row<AccountRow>(sql.read, [accountId]);
    await db.run(sql.write, [accountId, balanceOf(read) + amount]);
    await db.run(sql.record, [accountId, amount, worker, iteration]);
    await db.simple('COMMIT');
  },
  pessimistic: async (db, sql, accountId, amount, worker, iteration) => {
    await db.simple('BEGIN');
    const { row, ms } = await db.timedRow<AccountRow>(sql.readLocked, [accountId]);
    await db.run(sql.write, [accountId, balanceOf(row) + amount]);
    await db.run(sql.record, [accountId, amount, worker, iteration]);
    await db.simple('COMMIT');
    return { lockWaitMs: ms };
  },
  optimistic: async (db, sql, accountId, amount, worker, iteration) => {
    const read = await db.row<AccountRow>(sql.read, [accountId]);
    await db.simple('BEGIN');
    const written = await db.run(sql.writeIfVersion, [accountId, balanceOf(read) + amount, read?.version ?? -1]);
    if (written === 0) {
      await db.simple('ROLLBACK');
      return 'conflict';
    }
    await db.run(sql.record, [accountId, amount, worker, iteration]);
    await db.simple('COMMIT');
  },
};

const MODES: readonly ModeSpec[] = [
  {
    name: 'unlocked',
    summary: 'Read the balance, write balance + amount, at READ COMMITTED: two deposits to one account read the same balance and one is lost.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = <n>;   -- reads 100",
        "UPDATE accounts SET balance = 110 WHERE id = <n>;",
        "INSERT INTO deposits …;",
        "COMMIT;",
      ],
      why: "The read takes no lock, so two deposits to one account can read the same balance; the later write overwrites the earlier one's deposit.",
    },
  },
  {
    name: 'pessimistic',
    summary: 'Read the balance FOR NO KEY UPDATE, then write: deposits to one account queue; none is lost, none has to retry.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = <n> FOR NO KEY UPDATE;",
        "UPDATE accounts SET balance = <read + amount> WHERE id = <n>;",
        "INSERT INTO deposits …;",
        "COMMIT;",
      ],
      why: "The read locks the account row, so deposits to one account queue instead of overwriting each other; nobody retries.",
    },
  },
  {
    name: 'optimistic',
    summary: 'Read balance and version, UPDATE … WHERE version = <read>: a deposit that lost the race retries, and with --max-retries 3 some run out.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance, version FROM accounts WHERE id = <n>;",
        "UPDATE accounts SET balance = <read + amount>, version = version + 1 WHERE id = <n> AND version = <read>;   -- 0 rows: retry",
        "INSERT INTO deposits …;",
        "COMMIT;",
      ],
      why: "A deposit that lost the race to another finds the version changed, updates nothing and retries; with --max-retries, the ones that keep losing run out and fail, counted, never silently dropped.",
    },
  },
];

export const deposit: Scenario = {
  name: 'deposit',
  summary: 'Deposits spread over many accounts, a bounded number in flight (the optimistic-retry budget).',
  unit: { one: 'deposit', many: 'deposits' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL DEFAULT 0, version integer NOT NULL DEFAULT 0);
      CREATE TABLE deposits (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id integer NOT NULL REFERENCES accounts,
        amount integer NOT NULL,
        worker integer NOT NULL,
        iteration integer NOT NULL
      );`);
    await db.query('INSERT INTO accounts (id) SELECT generate_series(1, $1)', [accountCount(context)]);
  },

  worker(context) {
    const { mode, worker, sql: db } = context;
    const depositOnce = DEPOSITS[mode];
    if (!depositOnce) throw new Error(`deposit has no mode '${mode}'`);
    const accounts = accountCount(context);
    const sql = statements(db.serverNow);
    return {
      // Account 0 does not exist: the reads find nothing, the updates change nothing, the
      // deposit row is rolled back.
      warmUp: async () => {
        await db.simple('BEGIN');
        await db.row(sql.read, [WARM_UP_ID]);
        await db.row(sql.readLocked, [WARM_UP_ID]);
        await db.run(sql.write, [WARM_UP_ID, 0]);
        await db.run(sql.writeIfVersion, [WARM_UP_ID, 0, 0]);
        await db.simple('ROLLBACK');
      },
      attempt: (iteration) => {
        const { accountId, amount } = depositPick(worker, iteration, accounts);
        return depositOnce(db, sql, accountId, amount, worker, iteration);
      },
    };
  },

  async verify(db, context) {
    const { rows } = await db.query<{ matching: number; deposits: number }>(`
      SELECT count(*) FILTER (WHERE a.balance = coalesce(d.sum, 0))::integer AS matching,
             coalesce(sum(d.n), 0)::integer AS deposits
        FROM accounts a LEFT JOIN (SELECT account_id, sum(amount) AS sum, count(*) AS n FROM deposits GROUP BY account_id) d
          ON d.account_id = a.id`);
    return depositVerdict(rows[0], context);
  },
};
