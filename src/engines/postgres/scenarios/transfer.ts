import { lockOrder, TRANSFER_AMOUNT as AMOUNT, TRANSFER_START_BALANCE as START_BALANCE, transferAccountCount as accountCount, transferPair, transferVerdict } from '../../../scenarios/field/transfer.js';
import { SQLSTATE } from '../sqlstate.js';
import type { StatementRunner } from '../statements.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/**
 * The deadlock on PostgreSQL (scenarios/field/transfer.ts has what every engine shares): each
 * transaction locks both rows with FOR UPDATE. Locking them in the order the transfer names them
 * deadlocks as soon as two transfers cross; locking them by id never does. PostgreSQL keeps the
 * money safe either way: the invariant holds, and what the broken mode costs is the deadlocks
 * (40P01) it provokes.
 */
const WARM_UP_ID = 0;

function statements(serverNow: string) {
  return {
    lock: `SELECT balance, ${serverNow} FROM accounts WHERE id = $1 FOR UPDATE`,
    move: 'UPDATE accounts SET balance = balance + $2 WHERE id = $1',
    record: 'INSERT INTO transfers (from_id, to_id, amount, worker, iteration) VALUES ($1, $2, $3, $4, $5)',
  };
}

type Statements = ReturnType<typeof statements>;

async function transfer(db: StatementRunner, sql: Statements, from: number, to: number, ordered: boolean, worker: number, iteration: number): Promise<AttemptResult> {
  const [first, second] = lockOrder(from, to, ordered);
  await db.simple('BEGIN');
  const { ms: firstWait } = await db.timedRow(sql.lock, [first]);
  const { ms: secondWait } = await db.timedRow(sql.lock, [second]);
  await db.run(sql.move, [from, -AMOUNT]);
  await db.run(sql.move, [to, AMOUNT]);
  await db.run(sql.record, [from, to, AMOUNT, worker, iteration]);
  await db.simple('COMMIT');
  return { lockWaitMs: firstWait + secondWait };
}

const MODES: readonly ModeSpec[] = [
  {
    name: 'unordered',
    summary: 'Lock the source row, then the destination, FOR UPDATE: two transfers in opposite directions wait for each other and PostgreSQL aborts one (40P01); retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = <from> FOR UPDATE;",
        "SELECT balance FROM accounts WHERE id = <to> FOR UPDATE;   -- may wait for a transfer that waits for us",
        "UPDATE accounts SET balance = balance - 1 WHERE id = <from>;",
        "UPDATE accounts SET balance = balance + 1 WHERE id = <to>;",
        "INSERT INTO transfers …;",
        "COMMIT;   -- or ERROR 40P01 (deadlock detected): retried",
      ],
      why: "A transfer from A to B locks A then B; one from B to A locks B then A. Each holds the lock the other wants: PostgreSQL detects the cycle after deadlock_timeout and aborts one (40P01). The money stays right; the deadlocks are the cost.",
    },
  },
  {
    name: 'ordered',
    summary: 'Lock the two rows in id order, whatever the direction: no two transfers can wait for each other, so no deadlock.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = least(<from>, <to>) FOR UPDATE;",
        "SELECT balance FROM accounts WHERE id = greatest(<from>, <to>) FOR UPDATE;",
        "UPDATE … (the two balances);",
        "INSERT INTO transfers …;",
        "COMMIT;",
      ],
      why: "Every transaction takes its locks in the same global order (by id), so no two can each hold what the other waits for: no cycle, no deadlock.",
    },
  },
];

export const transferScenario: Scenario = {
  name: 'transfer',
  summary: 'Transfers between a few accounts, both rows locked FOR UPDATE (the deadlock).',
  unit: { one: 'transfer', many: 'transfers' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL);
      CREATE TABLE transfers (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        from_id integer NOT NULL REFERENCES accounts,
        to_id integer NOT NULL REFERENCES accounts,
        amount integer NOT NULL,
        worker integer NOT NULL,
        iteration integer NOT NULL,
        UNIQUE (worker, iteration)
      );`);
    await db.query('INSERT INTO accounts SELECT id, $2 FROM generate_series(1, $1) AS id', [accountCount(context), START_BALANCE]);
  },

  async worker(context) {
    const { mode, worker, sql: db, client } = context;
    // Each deadlock costs its transactions deadlock_timeout (1 s by default) before PostgreSQL
    // looks for it; 10 ms lets the deadlocking mode finish in seconds. Only a superuser may set
    // it, so elsewhere the server's own value stays.
    await client.query("SET deadlock_timeout = '10ms'").catch(() => undefined);
    const accounts = accountCount(context);
    const sql = statements(db.serverNow);
    const ordered = mode === 'ordered';
    return {
      // Account 0 does not exist: both locks and updates run against nothing; rolled back.
      warmUp: async () => {
        await db.simple('BEGIN');
        await db.timedRow(sql.lock, [WARM_UP_ID]);
        await db.run(sql.move, [WARM_UP_ID, 0]);
        await db.simple('ROLLBACK');
      },
      attempt: (iteration) => {
        const { from, to } = transferPair(worker, iteration, accounts);
        return transfer(db, sql, from, to, ordered, worker, iteration);
      },
    };
  },

  async verify(db, context) {
    const { rows } = await db.query<{ total: number; unbalanced: number; transfers: number }>(`
      WITH moved AS (
        SELECT id, coalesce((SELECT sum(amount) FROM transfers WHERE to_id = a.id), 0)
                 - coalesce((SELECT sum(amount) FROM transfers WHERE from_id = a.id), 0) AS net
          FROM accounts a)
      SELECT (SELECT sum(balance) FROM accounts)::integer AS total,
             (SELECT count(*) FROM accounts a JOIN moved m USING (id) WHERE a.balance <> ${START_BALANCE} + m.net)::integer AS unbalanced,
             (SELECT count(*) FROM transfers)::integer AS transfers`);
    return transferVerdict(rows[0], context, SQLSTATE.deadlockDetected);
  },
};
