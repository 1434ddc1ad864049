import { WITHDRAW_ACCOUNT_ID as ACCOUNT_ID, WITHDRAWAL_AMOUNT as AMOUNT, withdrawStartBalance, withdrawVerdict } from '../../../scenarios/field/withdraw.js';
import type { StatementRunner } from '../statements.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/** The overdraft on PostgreSQL; what every engine shares is in scenarios/field/withdraw.ts. */
const WARM_UP_ID = 0;

function statements(serverNow: string) {
  return {
    check: `SELECT balance, ${serverNow} FROM accounts WHERE id = $1`,
    checkForUpdate: `SELECT balance, ${serverNow} FROM accounts WHERE id = $1 FOR UPDATE`,
    debit: 'UPDATE accounts SET balance = balance - $2 WHERE id = $1',
    guardedDebit: `UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2 RETURNING ${serverNow}`,
    record: 'INSERT INTO withdrawals (account_id, amount, worker) VALUES ($1, $2, $3)',
  };
}

type Statements = ReturnType<typeof statements>;
type Withdraw = (db: StatementRunner, sql: Statements, accountId: number, worker: number) => Promise<AttemptResult>;

/** Check the balance, then debit it and record the withdrawal, in one transaction opened by `begin`. */
function checkThenAct(begin: string, check: 'check' | 'checkForUpdate'): Withdraw {
  return async (db, sql, accountId, worker) => {
    await db.simple(begin);
    const { row, ms } = await db.timedRow<{ balance: number }>(sql[check], [accountId]);
    if ((row?.balance ?? 0) < AMOUNT) {
      await db.simple('ROLLBACK');
      return { outcome: 'refused', lockWaitMs: check === 'checkForUpdate' ? ms : 0 };
    }
    await db.run(sql.debit, [accountId, AMOUNT]);
    await db.run(sql.record, [accountId, AMOUNT, worker]);
    await db.simple('COMMIT');
    return { outcome: 'accepted', lockWaitMs: check === 'checkForUpdate' ? ms : 0 };
  };
}

const WITHDRAWALS: Record<string, Withdraw> = {
  'check-then-act': checkThenAct('BEGIN', 'check'),
  'for-update': checkThenAct('BEGIN', 'checkForUpdate'),
  serializable: checkThenAct('BEGIN ISOLATION LEVEL SERIALIZABLE', 'check'),
  guarded: async (db, sql, accountId, worker) => {
    await db.simple('BEGIN');
    const { row, ms } = await db.timedRow(sql.guardedDebit, [accountId, AMOUNT]);
    if (!row) {
      await db.simple('ROLLBACK');
      return { outcome: 'refused', lockWaitMs: ms };
    }
    await db.run(sql.record, [accountId, AMOUNT, worker]);
    await db.simple('COMMIT');
    return { outcome: 'accepted', lockWaitMs: ms };
  },
};

const MODES: readonly ModeSpec[] = [
  {
    name: 'check-then-act',
    summary: 'SELECT balance, and if it covers the amount UPDATE balance = balance − amount, at READ COMMITTED: several workers see the same balance, all pass the check, the balance goes negative.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = 1;   -- 50 covers 10",
        "UPDATE accounts SET balance = balance - 10 WHERE id = 1;",
        "INSERT INTO withdrawals (account_id, amount, worker) VALUES (1, 10, 3);",
        "COMMIT;",
      ],
      why: "The check reads without a lock, so every worker that checks before the first debit commits sees the same balance and passes. The debits themselves queue and subtract correctly, from a balance that no longer covers them: the account goes negative.",
    },
  },
  {
    name: 'for-update',
    summary: 'The same check with SELECT … FOR UPDATE: the next worker checks only after the previous one committed its debit.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;   -- locks the account",
        "UPDATE accounts SET balance = balance - 10 WHERE id = 1;   -- only if the balance covered it",
        "INSERT INTO withdrawals …;",
        "COMMIT;",
      ],
      why: "The check takes the row lock, so the next worker checks only after the previous debit committed, and sees the balance that debit left.",
    },
  },
  {
    name: 'guarded',
    summary: 'One conditional UPDATE … SET balance = balance − amount WHERE balance >= amount: the check and the debit are one atomic statement.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "UPDATE accounts SET balance = balance - 10 WHERE id = 1 AND balance >= 10 RETURNING …;   -- 0 rows: refused",
        "INSERT INTO withdrawals …;",
        "COMMIT;",
      ],
      why: "The check and the debit are one statement: a concurrent UPDATE waits for the row lock and re-evaluates balance >= 10 on the committed row, so it cannot debit money that is gone.",
    },
  },
  {
    name: 'serializable',
    summary: 'check-then-act at SERIALIZABLE: the server aborts one of two withdrawals that read the same balance (40001); retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN ISOLATION LEVEL SERIALIZABLE;",
        "SELECT balance FROM accounts WHERE id = 1;",
        "UPDATE accounts SET balance = balance - 10 WHERE id = 1;",
        "INSERT INTO withdrawals …;",
        "COMMIT;   -- or ERROR 40001: retried",
      ],
      why: "check-then-act unchanged, but two withdrawals that read the same balance cannot both commit: the server aborts one with 40001 and the rig retries it, and the retry sees the new balance.",
    },
  },
];

export const withdraw: Scenario = {
  name: 'withdraw',
  summary: 'Every worker withdraws from the same account after checking the balance (the overdraft).',
  unit: { one: 'withdrawal', many: 'withdrawals' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id integer PRIMARY KEY, balance integer NOT NULL);
      CREATE TABLE withdrawals (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id integer NOT NULL REFERENCES accounts,
        amount integer NOT NULL,
        worker integer NOT NULL
      );`);
    await db.query('INSERT INTO accounts VALUES ($1, $2)', [ACCOUNT_ID, withdrawStartBalance(context)]);
  },

  worker({ mode, worker, sql: db }) {
    const withdrawal = WITHDRAWALS[mode];
    if (!withdrawal) throw new Error(`withdraw has no mode '${mode}'`);
    const sql = statements(db.serverNow);
    return {
      // Account 0 does not exist: every statement runs, nothing is debited, the check refuses.
      warmUp: async () => void (await withdrawal(db, sql, WARM_UP_ID, worker)),
      attempt: () => withdrawal(db, sql, ACCOUNT_ID, worker),
    };
  },

  async verify(db, context) {
    const { rows } = await db.query<{ balance: number; accepted: number; withdrawn: number }>(
      `SELECT a.balance, count(w.id)::integer AS accepted, coalesce(sum(w.amount), 0)::integer AS withdrawn
         FROM accounts a LEFT JOIN withdrawals w ON w.account_id = a.id WHERE a.id = $1 GROUP BY a.balance`,
      [ACCOUNT_ID],
    );
    return withdrawVerdict(rows[0], context);
  },
};
