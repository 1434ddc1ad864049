import type { RowDataPacket } from 'mysql2/promise';
import { lockOrder, TRANSFER_AMOUNT as AMOUNT, TRANSFER_START_BALANCE as START_BALANCE, transferAccountCount as accountCount, transferPair, transferVerdict } from '../../../scenarios/field/transfer.js';
import type { TransferHeld } from '../../../scenarios/field/transfer.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import { ER } from '../errors.js';
import type { MysqlStatements } from '../statements.js';
import type { MysqlScenario } from '../types.js';
import { insertAccounts } from './accounts.js';
import { prepareStatements } from './warm-up.js';

/**
 * The deadlock on InnoDB (scenarios/field/transfer.ts has what every engine shares): each
 * transaction locks both rows with FOR UPDATE. Locking them in the order the transfer names them
 * deadlocks as soon as two transfers cross; locking them by id never does. InnoDB finds a
 * deadlock as the lock request that closes the cycle is made and rolls one transaction back (1213).
 */
const WARM_UP_ID = 0;
/** How a deadlock's error is reported (classifyMysqlError's code). */
const DEADLOCK_CODE = `${ER.deadlock} (40001)`;

function statements(serverNow: string) {
  return {
    lock: `SELECT balance, ${serverNow} FROM accounts WHERE id = ? FOR UPDATE`,
    move: 'UPDATE accounts SET balance = balance + ? WHERE id = ?',
    record: 'INSERT INTO transfers (from_id, to_id, amount, worker, iteration) VALUES (?, ?, ?, ?, ?)',
  };
}

type Statements = ReturnType<typeof statements>;

async function transfer(db: MysqlStatements, sql: Statements, from: number, to: number, ordered: boolean, worker: number, iteration: number): Promise<AttemptResult> {
  const [first, second] = lockOrder(from, to, ordered);
  await db.simple('START TRANSACTION');
  const { ms: firstWait } = await db.timedRow(sql.lock, [first]);
  const { ms: secondWait } = await db.timedRow(sql.lock, [second]);
  await db.run(sql.move, [-AMOUNT, from]);
  await db.run(sql.move, [AMOUNT, to]);
  await db.run(sql.record, [from, to, AMOUNT, worker, iteration]);
  await db.simple('COMMIT');
  return { lockWaitMs: firstWait + secondWait };
}

const MODES: readonly ModeSpec[] = [
  {
    name: 'unordered',
    summary: 'Lock the source row, then the destination, FOR UPDATE: two transfers in opposite directions wait for each other and InnoDB rolls one back at once (1213); retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance FROM accounts WHERE id = <from> FOR UPDATE;',
        'SELECT balance FROM accounts WHERE id = <to> FOR UPDATE;   -- may wait for a transfer that waits for us: ERROR 1213',
        'UPDATE accounts SET balance = balance - 1 WHERE id = <from>;',
        'UPDATE accounts SET balance = balance + 1 WHERE id = <to>;',
        'INSERT INTO transfers …;',
        'COMMIT;',
      ],
      why: "A transfer from A to B locks A then B; one from B to A locks B then A. Each holds the lock the other wants: InnoDB checks for a cycle whenever a lock request has to wait (innodb_deadlock_detect), finds it at once, and rolls one of the two back, whole, with 1213 (SQLSTATE 40001). The money stays right; the deadlocks are the cost. PostgreSQL only looks after deadlock_timeout.",
    },
  },
  {
    name: 'ordered',
    summary: 'Lock the two rows in id order, whatever the direction: no two transfers can wait for each other, so no deadlock.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance FROM accounts WHERE id = LEAST(<from>, <to>) FOR UPDATE;',
        'SELECT balance FROM accounts WHERE id = GREATEST(<from>, <to>) FOR UPDATE;',
        'UPDATE … (the two balances);',
        'INSERT INTO transfers …;   -- the foreign keys take shared locks on the two accounts, already ours',
        'COMMIT;',
      ],
      why: 'Every transaction takes its locks in the same global order (by id), so no two can each hold what the other waits for: no cycle, no deadlock.',
    },
  },
];

export const mysqlTransfer: MysqlScenario = {
  name: 'transfer',
  summary: 'Transfers between a few accounts, both rows locked FOR UPDATE (the deadlock), on InnoDB.',
  engine: 'mysql',
  unit: { one: 'transfer', many: 'transfers' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB;
      CREATE TABLE transfers (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        from_id INT NOT NULL,
        to_id INT NOT NULL,
        amount INT NOT NULL,
        worker INT NOT NULL,
        iteration INT NOT NULL,
        UNIQUE KEY (worker, iteration),
        FOREIGN KEY (from_id) REFERENCES accounts (id),
        FOREIGN KEY (to_id) REFERENCES accounts (id)
      ) ENGINE=InnoDB;`);
    await insertAccounts(db, accountCount(context), START_BALANCE);
  },

  async worker(context) {
    const { mode, worker, sql: db, connection } = context;
    const accounts = accountCount(context);
    const sql = statements(db.serverNow);
    const ordered = mode === 'ordered';
    return {
      // Account 0 does not exist: the lock and the update run against nothing, and are rolled back.
      warmUp: async () => {
        await db.simple('START TRANSACTION');
        await db.timedRow(sql.lock, [WARM_UP_ID]);
        await db.run(sql.move, [0, WARM_UP_ID]);
        await db.simple('ROLLBACK');
        await prepareStatements(connection, [sql.record]);
      },
      attempt: (iteration) => {
        const { from, to } = transferPair(worker, iteration, accounts);
        return transfer(db, sql, from, to, ordered, worker, iteration);
      },
    };
  },

  async verify(db, context) {
    const [rows] = await db.query<(TransferHeld & RowDataPacket)[]>(`
      SELECT (SELECT SUM(balance) FROM accounts) AS total,
             (SELECT COUNT(*) FROM accounts a
               WHERE a.balance <> ${START_BALANCE}
                                  + COALESCE((SELECT SUM(amount) FROM transfers WHERE to_id = a.id), 0)
                                  - COALESCE((SELECT SUM(amount) FROM transfers WHERE from_id = a.id), 0)) AS unbalanced,
             (SELECT COUNT(*) FROM transfers) AS transfers`);
    return transferVerdict(rows[0], context, DEADLOCK_CODE);
  },
};
