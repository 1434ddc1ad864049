import type { RowDataPacket } from 'mysql2/promise';
import { ROW_LIMIT_USER_ID as USER_ID, rowLimitOf as limitOf, rowLimitVerdict } from '../../../scenarios/field/row-limit.js';
import type { AttemptResult, ModeSpec } from '../../../scenarios/types.js';
import { ER, errnoOf } from '../errors.js';
import type { MysqlStatements } from '../statements.js';
import type { MysqlScenario } from '../types.js';
import { GET_LOCK_WAIT_S } from './counter.js';
import { prepareStatements } from './warm-up.js';

/**
 * The limit a trigger enforces, on InnoDB (scenarios/field/row-limit.ts has what every engine
 * shares). The trigger refuses with SIGNAL SQLSTATE '45000' (error 1644); MySQL has no
 * INSERT … RETURNING, so the audit row takes the item's id from LAST_INSERT_ID().
 */
const SQL = {
  insert: 'INSERT INTO items (user_id, worker, iteration) VALUES (?, ?, ?)',
  audit: "INSERT INTO item_audit (item_id, action) VALUES (LAST_INSERT_ID(), 'created')",
  getLock: `SELECT GET_LOCK(CONCAT(DATABASE(), '/row-limit/', ?), ${GET_LOCK_WAIT_S}) AS got`,
  releaseLock: "SELECT RELEASE_LOCK(CONCAT(DATABASE(), '/row-limit/', ?)) AS released",
};

/** The trigger's refusal: SIGNAL SQLSTATE '45000', told apart from a failure by its error number. */
function isLimitReached(error: unknown): boolean {
  return errnoOf(error) === ER.signalException;
}

/** The item and its audit row in one transaction; the trigger's refusal is an outcome, not a failure. */
async function insertItem(db: MysqlStatements, userId: number, worker: number, iteration: number): Promise<AttemptResult> {
  await db.simple('START TRANSACTION');
  try {
    const { ms } = await db.timedRun(SQL.insert, [userId, worker, iteration]);
    await db.run(SQL.audit, []);
    await db.simple('COMMIT');
    return { outcome: 'accepted', lockWaitMs: ms };
  } catch (error) {
    if (!isLimitReached(error)) throw error;
    await db.simple('ROLLBACK');
    return { outcome: 'refused' };
  }
}

/** The same, inside the user's named lock, taken before the transaction starts and released after it ends. */
async function insertItemUnderLock(db: MysqlStatements, userId: number, worker: number, iteration: number): Promise<AttemptResult> {
  const { row, ms } = await db.timedRow<{ got: number | null }>(SQL.getLock, [userId]);
  if (row?.got !== 1) throw new Error(`GET_LOCK returned ${String(row?.got)}: the named lock was not granted`);
  try {
    const inserted = await insertItem(db, userId, worker, iteration);
    return typeof inserted === 'object' ? { ...inserted, lockWaitMs: ms } : inserted;
  } finally {
    await db.row(SQL.releaseLock, [userId]);
  }
}

const INSERTS: Record<string, typeof insertItem> = {
  unlocked: insertItem,
  'get-lock': insertItemUnderLock,
  'repeatable-read': insertItem,
};

const MODES: readonly ModeSpec[] = [
  {
    name: 'unlocked',
    summary: 'At READ COMMITTED, the trigger counts the rows and refuses at the limit: its count locks the rows it meets, not the gaps, so inserts that count at the same moment all pass and the user ends above the limit.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED;   -- once per connection',
        'START TRANSACTION;',
        "INSERT INTO items (user_id, …) VALUES (1, …);   -- the trigger: SELECT COUNT(*) FROM items WHERE user_id = 1 (shared locks on the rows it meets), SIGNAL SQLSTATE '45000' at the limit",
        "INSERT INTO item_audit (item_id, action) VALUES (LAST_INSERT_ID(), 'created');",
        'COMMIT;',
      ],
      why: "Inside an INSERT, InnoDB reads the trigger's count with shared locks, not from a snapshot: a count that meets another transaction's uncommitted row waits for its commit and counts it. At READ COMMITTED those locks cover rows, not the gaps between them, so nothing stops a row from landing behind a count that has already passed it: two inserts that both count before either row is in both pass, and the user ends above the limit. The window is the inside of one INSERT statement, not the whole transaction as on PostgreSQL (whose count reads a snapshot), so the overrun takes volume to show. A trigger is not a lock.",
    },
  },
  {
    name: 'get-lock',
    summary: 'GET_LOCK on a name per user before the transaction, RELEASE_LOCK after its COMMIT, at READ COMMITTED: inserts for one user count one after the other, so the limit holds.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "SELECT GET_LOCK('<run database>/row-limit/1', 31536000);   -- waits for the named lock",
        'START TRANSACTION;',
        'INSERT INTO items …;   -- the trigger counts every row inserted under the lock before',
        'INSERT INTO item_audit …;',
        'COMMIT;',
        "SELECT RELEASE_LOCK('<run database>/row-limit/1');",
      ],
      why: "The named lock makes the inserts for one user run one after the other, each counting after the previous one committed. It belongs to the connection, not to the transaction: a trigger could take it but nothing would release it at COMMIT (PostgreSQL's pg_advisory_xact_lock is released there), so the application takes it before START TRANSACTION and releases it after COMMIT. It protects only the code that takes it.",
    },
  },
  {
    name: 'repeatable-read',
    summary: "The same trigger at InnoDB's default REPEATABLE READ: the count's next-key locks also cover the gap where new rows go, so concurrent inserts deadlock (1213) instead of passing; retried, the limit holds.",
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;   -- InnoDB's default",
        'START TRANSACTION;',
        "INSERT INTO items (user_id, …) VALUES (1, …);   -- the trigger's count takes shared next-key locks up to the table's end; the new row then waits for the other counters' gap locks: ERROR 1213 for one",
        'INSERT INTO item_audit …;',
        'COMMIT;',
      ],
      why: "At REPEATABLE READ the count's shared locks are next-key locks: they cover the gaps as well as the rows, up to the end of the table, where each new row goes. Two inserts that both counted each wait for the other's gap lock to put their row in: InnoDB rolls one back with 1213 (SQLSTATE 40001), the rig retries it, and the retry counts the committed row. The limit holds, paid in deadlocks.",
    },
  },
];

/** Each mode's isolation level, set once per connection. */
const ISOLATION: Record<string, string> = {
  unlocked: 'READ COMMITTED',
  'get-lock': 'READ COMMITTED',
  'repeatable-read': 'REPEATABLE READ',
};

function triggerSql(limit: number): string {
  return `CREATE TRIGGER item_limit BEFORE INSERT ON items FOR EACH ROW
    BEGIN
      IF (SELECT COUNT(*) FROM items WHERE user_id = NEW.user_id) >= ${limit} THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the user has reached the limit of ${limit} items';
      END IF;
    END`;
}

export const mysqlRowLimit: MysqlScenario = {
  name: 'row-limit',
  summary: 'A trigger refuses inserts beyond a per-user limit (the limit enforced by a trigger), on InnoDB.',
  engine: 'mysql',
  unit: { one: 'insert', many: 'inserts' },
  modes: MODES,

  async setup(db, context) {
    await db.query(`
      CREATE TABLE items (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        user_id INT NOT NULL,
        worker INT NOT NULL,
        iteration INT NOT NULL
      ) ENGINE=InnoDB;
      CREATE TABLE item_audit (item_id BIGINT NOT NULL, action VARCHAR(20) NOT NULL) ENGINE=InnoDB;`);
    // A trigger's body has semicolons of its own: it must be a query of its own.
    await db.query(triggerSql(limitOf(context)));
  },

  async worker({ mode, worker, connection, sql: db }) {
    const insert = INSERTS[mode];
    const isolation = ISOLATION[mode];
    if (!insert || !isolation) throw new Error(`row-limit on MySQL has no mode '${mode}'`);
    await connection.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${isolation}`);
    return {
      // Prepared only: warm-up inserts, counted by the other workers' triggers and then rolled back, deadlock
      // them (the shared locks on a rolled-back row pass to the gap it leaves).
      warmUp: () => prepareStatements(connection, Object.values(SQL)),
      attempt: (iteration) => insert(db, USER_ID, worker, iteration),
    };
  },

  async verify(db, context) {
    const [rows] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM items WHERE user_id = ?', [USER_ID]);
    return rowLimitVerdict(Number(rows[0]?.n ?? 0), context);
  },
};
