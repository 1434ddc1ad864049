import type { RowDataPacket } from 'mysql2/promise';
import { depositAccountCount as accountCount, depositPick, depositVerdict } from '../../../scenarios/field/deposit.js';
import type { DepositHeld } from '../../../scenarios/field/deposit.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import type { MysqlStatements } from '../statements.js';
import type { MysqlScenario } from '../types.js';
import { insertAccounts } from './accounts.js';
import { prepareStatements } from './warm-up.js';

/** The optimistic-retry budget on InnoDB; what every engine shares is in scenarios/field/deposit.ts. */
const WARM_UP_ID = 0;

function statements(serverNow: string) {
  return {
    read: `SELECT balance, version, ${serverNow} FROM accounts WHERE id = ?`,
    readLocked: `SELECT balance, version, ${serverNow} FROM accounts WHERE id = ? FOR UPDATE`,
    write: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ?',
    writeIfVersion: 'UPDATE accounts SET balance = ?, version = version + 1 WHERE id = ? AND version = ?',
    record: 'INSERT INTO deposits (account_id, amount, worker, iteration) VALUES (?, ?, ?, ?)',
  };
}

type Statements = ReturnType<typeof statements>;
type Deposit = (db: MysqlStatements, sql: Statements, accountId: number, amount: number, worker: number, iteration: number) => Promise<AttemptResult>;

interface AccountRow {
  balance: number;
  version: number;
  [column: string]: unknown;
}

/** Read the balance (locking or not), write what was read + amount, record the deposit: one transaction. */
function readThenWrite(read: 'read' | 'readLocked'): Deposit {
  return async (db, sql, accountId, amount, worker, iteration) => {
    await db.simple('START TRANSACTION');
    const { row, ms } = await db.timedRow<AccountRow>(sql[read], [accountId]);
    await db.run(sql.write, [(row?.balance ?? 0) + amount, accountId]);
    await db.run(sql.record, [accountId, amount, worker, iteration]);
    await db.simple('COMMIT');
    return { lockWaitMs: read === 'readLocked' ? ms : 0 };
  };
}

const DEPOSITS: Record<string, Deposit> = {
  unlocked: readThenWrite('read'),
  pessimistic: readThenWrite('readLocked'),
  optimistic: async (db, sql, accountId, amount, worker, iteration) => {
    const read = await db.row<AccountRow>(sql.read, [accountId]);
    await db.simple('START TRANSACTION');
    const written = await db.run(sql.writeIfVersion, [(read?.balance ?? 0) + amount, accountId, read?.version ?? -1]);
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
    summary: 'Read the balance, write balance + amount, in one transaction: two deposits to one account read the same balance, and InnoDB lets the second write overwrite the first.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance, version FROM accounts WHERE id = <n>;   -- reads 100 (a consistent read: no lock)',
        'UPDATE accounts SET balance = 110, version = version + 1 WHERE id = <n>;   -- waits for the other depositor, then overwrites',
        'INSERT INTO deposits …;',
        'COMMIT;',
      ],
      why: "The read takes no lock, so two deposits to one account can read the same balance; the later UPDATE waits for the earlier one's row lock, then writes its own sum over it. InnoDB does not check that the row changed since it was read, even at REPEATABLE READ, its default (where PostgreSQL would fail with 40001): the earlier deposit is lost.",
    },
  },
  {
    name: 'pessimistic',
    summary: 'Read the balance FOR UPDATE, then write: deposits to one account queue; none is lost, none has to retry.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT balance, version FROM accounts WHERE id = <n> FOR UPDATE;   -- locks the account, reads its latest committed balance',
        'UPDATE accounts SET balance = <read + amount>, version = version + 1 WHERE id = <n>;',
        'INSERT INTO deposits …;',
        'COMMIT;',
      ],
      why: "The read locks the account row and reads its latest committed version, so deposits to one account queue instead of overwriting each other; nobody retries. InnoDB has no FOR NO KEY UPDATE: FOR UPDATE is the row's one exclusive lock.",
    },
  },
  {
    name: 'optimistic',
    summary: 'Read balance and version, UPDATE … WHERE version = <read>: a deposit that lost the race changes 0 rows and retries, and with --max-retries 3 some run out.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'SELECT balance, version FROM accounts WHERE id = <n>;   -- its own transaction (autocommit)',
        'START TRANSACTION;',
        'UPDATE accounts SET balance = <read + amount>, version = version + 1 WHERE id = <n> AND version = <read>;   -- 0 rows changed: retry',
        'INSERT INTO deposits …;',
        'COMMIT;',
      ],
      why: "The UPDATE waits for any other writer's lock and checks the version on the latest committed row, not on a snapshot: a deposit that lost the race finds the version changed, updates nothing and retries. With --max-retries, the ones that keep losing run out and fail, counted, never silently dropped.",
    },
  },
];

export const mysqlDeposit: MysqlScenario = {
  name: 'deposit',
  summary: 'Deposits spread over many accounts, a bounded number in flight (the optimistic-retry budget), on InnoDB.',
  engine: 'mysql',
  unit: { one: 'deposit', many: 'deposits' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL DEFAULT 0, version INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
      CREATE TABLE deposits (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        account_id INT NOT NULL,
        amount INT NOT NULL,
        worker INT NOT NULL,
        iteration INT NOT NULL,
        FOREIGN KEY (account_id) REFERENCES accounts (id)
      ) ENGINE=InnoDB;`);
    await insertAccounts(db, accountCount(context), 0);
  },

  worker(context) {
    const { mode, worker, sql: db, connection } = context;
    const depositOnce = DEPOSITS[mode];
    if (!depositOnce) throw new Error(`deposit on MySQL has no mode '${mode}'`);
    const accounts = accountCount(context);
    const sql = statements(db.serverNow);
    return {
      // Account 0 does not exist: the reads find nothing and the updates change nothing; rolled back.
      warmUp: async () => {
        await db.simple('START TRANSACTION');
        await db.row(sql.read, [WARM_UP_ID]);
        await db.row(sql.readLocked, [WARM_UP_ID]);
        await db.run(sql.write, [0, WARM_UP_ID]);
        await db.run(sql.writeIfVersion, [0, WARM_UP_ID, 0]);
        await db.simple('ROLLBACK');
        await prepareStatements(connection, [sql.record]);
      },
      attempt: (iteration) => {
        const { accountId, amount } = depositPick(worker, iteration, accounts);
        return depositOnce(db, sql, accountId, amount, worker, iteration);
      },
    };
  },

  async verify(db, context) {
    const [rows] = await db.query<(DepositHeld & RowDataPacket)[]>(`
      SELECT COALESCE(SUM(a.balance = COALESCE(d.total, 0)), 0) AS matching, COALESCE(SUM(d.n), 0) AS deposits
        FROM accounts a LEFT JOIN (SELECT account_id, SUM(amount) AS total, COUNT(*) AS n FROM deposits GROUP BY account_id) d
          ON d.account_id = a.id`);
    return depositVerdict(rows[0], context);
  },
};
