import type { RowDataPacket } from 'mysql2/promise';
import { WITHDRAW_ACCOUNT_ID as ACCOUNT_ID, WITHDRAWAL_AMOUNT as AMOUNT, withdrawStartBalance, withdrawVerdict } from '../../../scenarios/field/withdraw.js';
import type { WithdrawHeld } from '../../../scenarios/field/withdraw.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import type { MysqlStatements } from '../statements.js';
import type { MysqlScenario } from '../types.js';
import { prepareStatements } from './warm-up.js';

/** The overdraft on InnoDB; what every engine shares is in scenarios/field/withdraw.ts. */
const WARM_UP_ID = 0;

function statements(serverNow: string) {
  return {
    check: `SELECT balance, ${serverNow} FROM accounts WHERE id = ?`,
    checkForUpdate: `SELECT balance, ${serverNow} FROM accounts WHERE id = ? FOR UPDATE`,
    debit: 'UPDATE accounts SET balance = balance - ? WHERE id = ?',
    guardedDebit: 'UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?',
    record: 'INSERT INTO withdrawals (account_id, amount, worker) VALUES (?, ?, ?)',
  };
}

type Statements = ReturnType<typeof statements>;
type Withdraw = (db: MysqlStatements, sql: Statements, accountId: number, worker: number) => Promise<AttemptResult>;

/** Check the balance, then debit it and record the withdrawal, in one transaction. */
function checkThenAct(check: 'check' | 'checkForUpdate'): Withdraw {
  return async (db, sql, accountId, worker) => {
    await db.simple('START TRANSACTION');
    const { row, ms } = await db.timedRow<{ balance: number }>(sql[check], [accountId]);
    const lockWaitMs = check === 'checkForUpdate' ? ms : 0;
    if ((row?.balance ?? 0) < AMOUNT) {
      await db.simple('ROLLBACK');
      return { outcome: 'refused', lockWaitMs };
    }
    await db.run(sql.debit, [AMOUNT, accountId]);
    await db.run(sql.record, [accountId, AMOUNT, worker]);
    await db.simple('COMMIT');
    return { outcome: 'accepted', lockWaitMs };
  };
}

const WITHDRAWALS: Record<string, Withdraw> = {
  'check-then-act': checkThenAct('check'),
  'for-update': checkThenAct('checkForUpdate'),
  // The same statements: the session's isolation level (SESSION_SETTINGS) makes the check a shared lock.
  serializable: checkThenAct('check'),
  guarded: async (db, sql, accountId, worker) => {
    await db.simple('START TRANSACTION');
    const { changed, ms: lockWaitMs } = await db.timedRun(sql.guardedDebit, [AMOUNT, accountId, AMOUNT]);
    if (changed === 0) {
      await db.simple('ROLLBACK');
      return { outcome: 'refused', lockWaitMs };
    }
    await db.run(sql.record, [accountId, AMOUNT, worker]);
    await db.simple('COMMIT');
    return { outcome: 'accepted', lockWaitMs };
  },
};

const SESSION_SETTINGS: Record<string, string> = {
  serializable: 'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE',
};

const MODES: readonly ModeSpec[] = [
  {
    name: 'check-then-act',
    summary: 'SELECT balance, and if it covers the amount UPDATE balance = balance − amount: the SELECT is a consistent read that locks nothing, so several workers pass the check and the balance goes negative.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance FROM accounts WHERE id = 1;   -- 50 covers 10 (a consistent read: no lock)',
        'UPDATE accounts SET balance = balance - 10 WHERE id = 1;   -- waits for the row lock, subtracts from the latest balance',
        'INSERT INTO withdrawals (account_id, amount, worker) VALUES (1, 10, 3);',
        'COMMIT;',
      ],
      why: "The check reads the transaction's snapshot without a lock, so every worker that checks before the first debit commits sees the same balance and passes. The debits themselves queue on the row lock and subtract from the latest balance, one that no longer covers them: the account goes negative.",
    },
  },
  {
    name: 'for-update',
    summary: 'The same check with SELECT … FOR UPDATE: a locking read, so the next worker checks only after the previous one committed its debit.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;   -- locks the account, reads its latest committed balance',
        'UPDATE accounts SET balance = balance - 10 WHERE id = 1;   -- only if the balance covered it',
        'INSERT INTO withdrawals …;',
        'COMMIT;   -- releases the lock',
      ],
      why: "A locking read takes the row's exclusive lock and reads the latest committed version, not the snapshot: the next worker's check waits until the previous debit committed, and sees the balance it left.",
    },
  },
  {
    name: 'guarded',
    summary: 'One conditional UPDATE … SET balance = balance − amount WHERE balance >= amount, 0 rows changed meaning refused: the check and the debit are one statement.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'UPDATE accounts SET balance = balance - 10 WHERE id = 1 AND balance >= 10;   -- 0 rows changed: refused',
        'INSERT INTO withdrawals …;',
        'COMMIT;',
      ],
      why: 'The check and the debit are one statement, and an UPDATE reads the row it changes under its lock, in its latest committed version: a concurrent UPDATE waits for the lock, then evaluates balance >= 10 on what the first one left, so it cannot debit money that is gone. MySQL has no RETURNING on UPDATE: the rows changed say whether it was accepted.',
    },
  },
  {
    name: 'serializable',
    summary: 'check-then-act at SERIALIZABLE: every check takes a shared lock on the account, two debits deadlock on each other (1213), and the loser is retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE;   -- once per connection',
        'START TRANSACTION;',
        'SELECT balance FROM accounts WHERE id = 1;   -- takes a shared lock on the account',
        "UPDATE accounts SET balance = balance - 10 WHERE id = 1;   -- waits for the other checkers' shared locks: ERROR 1213 (deadlock) for one",
        'INSERT INTO withdrawals …;',
        'COMMIT;',
      ],
      why: 'InnoDB runs SERIALIZABLE as REPEATABLE READ with every plain read locking in share mode. Workers that checked the same balance all hold shared locks; the first debit waits for them, the second closes the cycle, and InnoDB rolls one back with 1213 (SQLSTATE 40001). The rig retries it, and the retry checks the balance the debit left. PostgreSQL aborts with 40001 at the conflict instead; InnoDB pays in deadlocks.',
    },
  },
];

export const mysqlWithdraw: MysqlScenario = {
  name: 'withdraw',
  summary: 'Every worker withdraws from the same account after checking the balance (the overdraft), on InnoDB.',
  engine: 'mysql',
  unit: { one: 'withdrawal', many: 'withdrawals' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB;
      CREATE TABLE withdrawals (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        account_id INT NOT NULL,
        amount INT NOT NULL,
        worker INT NOT NULL,
        FOREIGN KEY (account_id) REFERENCES accounts (id)
      ) ENGINE=InnoDB;`);
    await db.query('INSERT INTO accounts VALUES (?, ?)', [ACCOUNT_ID, withdrawStartBalance(context)]);
  },

  async worker({ mode, worker, connection, sql: db }) {
    const withdrawal = WITHDRAWALS[mode];
    if (!withdrawal) throw new Error(`withdraw on MySQL has no mode '${mode}'`);
    const setting = SESSION_SETTINGS[mode];
    if (setting) await connection.query(setting);
    const sql = statements(db.serverNow);
    return {
      // Account 0 does not exist: the check refuses and nothing is debited; the rest is only prepared.
      warmUp: async () => {
        await withdrawal(db, sql, WARM_UP_ID, worker);
        await prepareStatements(connection, Object.values(sql));
      },
      attempt: () => withdrawal(db, sql, ACCOUNT_ID, worker),
    };
  },

  async verify(db, context) {
    const [rows] = await db.query<(WithdrawHeld & RowDataPacket)[]>(
      `SELECT a.balance, COUNT(w.id) AS accepted, COALESCE(SUM(w.amount), 0) AS withdrawn
         FROM accounts a LEFT JOIN withdrawals w ON w.account_id = a.id WHERE a.id = ? GROUP BY a.balance`,
      [ACCOUNT_ID],
    );
    return withdrawVerdict(rows[0], context);
  },
};
