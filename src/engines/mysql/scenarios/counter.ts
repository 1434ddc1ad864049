import type { Connection, RowDataPacket } from 'mysql2/promise';
import { DatabaseError } from '../../../errors.js';
import { countVerification } from '../../../scenarios/types.js';
import type { AttemptResult } from '../../../scenarios/types.js';
import type { MysqlStatements } from '../statements.js';
import type { MysqlScenario } from '../types.js';
import { MYSQL_COUNTER_MODES } from './counter-modes.js';

/** The one user whose counter every worker increments. */
const USER_ID = 1;
/** A user with no row: warm-up statements run against it and touch nothing. */
const WARM_UP_ID = 0;
/** GET_LOCK's timeout in seconds: a year, as good as for ever (--lock-timeout bounds row locks, not named locks). */
export const GET_LOCK_WAIT_S = 31_536_000;

function statements(serverNow: string) {
  return {
    read: `SELECT counter, version, ${serverNow} FROM user_counter WHERE user_id = ?`,
    readForUpdate: `SELECT counter, ${serverNow} FROM user_counter WHERE user_id = ? FOR UPDATE`,
    readAfterLock: 'SELECT counter FROM user_counter WHERE user_id = ?',
    write: 'UPDATE user_counter SET counter = ? WHERE user_id = ?',
    writeIfVersion: 'UPDATE user_counter SET counter = ?, version = version + 1 WHERE user_id = ? AND version = ?',
    increment: 'UPDATE user_counter SET counter = counter + 1 WHERE user_id = ?',
    getLock: `SELECT GET_LOCK(CONCAT(DATABASE(), '/counter/', ?), ${GET_LOCK_WAIT_S}) AS got, ${serverNow}`,
    releaseLock: "SELECT RELEASE_LOCK(CONCAT(DATABASE(), '/counter/', ?)) AS released",
    append: 'INSERT INTO user_counter_activity (user_id, worker) VALUES (?, ?)',
  };
}

type Statements = ReturnType<typeof statements>;
type Attempt = (db: MysqlStatements, sql: Statements, userId: number, worker: number) => Promise<AttemptResult>;

interface CounterRow {
  counter: number;
  version: number;
  [column: string]: unknown;
}

/** Read, then write what was read + 1, in a transaction or not. */
function readModifyWrite(transaction: boolean, read: 'read' | 'readForUpdate', holdsLock: boolean): Attempt {
  return async (db, sql, userId) => {
    if (transaction) await db.simple('START TRANSACTION');
    const { row, ms } = await db.timedRow<CounterRow>(sql[read], [userId]);
    await db.run(sql.write, [(row?.counter ?? 0) + 1, userId]);
    if (transaction) await db.simple('COMMIT');
    return { lockWaitMs: holdsLock ? ms : 0 };
  };
}

const ATTEMPTS: Record<string, Attempt> = {
  lost: readModifyWrite(false, 'read', false),
  'repeatable-read': readModifyWrite(true, 'read', false),
  'snapshot-isolation': readModifyWrite(true, 'read', false),
  serializable: readModifyWrite(true, 'read', false),
  'for-update': readModifyWrite(true, 'readForUpdate', true),

  inplace: async (db, sql, userId) => {
    await db.run(sql.increment, [userId]);
  },

  optimistic: async (db, sql, userId) => {
    const read = await db.row<CounterRow>(sql.read, [userId]);
    const written = await db.run(sql.writeIfVersion, [(read?.counter ?? 0) + 1, userId, read?.version ?? -1]);
    return written === 1 ? 'done' : 'conflict';
  },

  'get-lock': async (db, sql, userId) => {
    const { row, ms } = await db.timedRow<{ got: number | null }>(sql.getLock, [userId]);
    if (row?.got !== 1) throw new Error(`GET_LOCK returned ${String(row?.got)}: the named lock was not granted`);
    try {
      const read = await db.row<CounterRow>(sql.readAfterLock, [userId]);
      await db.run(sql.write, [(read?.counter ?? 0) + 1, userId]);
    } finally {
      await db.row(sql.releaseLock, [userId]);
    }
    return { lockWaitMs: ms };
  },

  append: async (db, sql, userId, worker) => {
    await db.run(sql.append, [userId, worker]);
  },
};

/** Per-connection settings a mode needs before its first transaction. */
const SESSION_SETTINGS: Record<string, string> = {
  'repeatable-read': 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ',
  'snapshot-isolation': 'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; SET SESSION innodb_snapshot_isolation = ON',
  serializable: 'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE',
};

async function checkSnapshotIsolation(db: Connection): Promise<void> {
  const [rows] = await db.query<RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'innodb_snapshot_isolation'");
  if (rows.length === 0) {
    throw new DatabaseError('this server has no innodb_snapshot_isolation (MariaDB has it from 10.6.18, 10.11.8 and 11.x; MySQL has none): mode snapshot-isolation cannot run here');
  }
}

export const mysqlCounter: MysqlScenario = {
  name: 'counter',
  summary: 'Every worker increments the same user counter on InnoDB (the classic lost-update lab).',
  engine: 'mysql',
  unit: { one: 'increment', many: 'increments' },
  modes: MYSQL_COUNTER_MODES,

  async setup(db, { mode }) {
    if (mode === 'snapshot-isolation') await checkSnapshotIsolation(db);
    await db.query(`
      CREATE TABLE user_counter (
        user_id INT PRIMARY KEY,
        counter INT NOT NULL DEFAULT 0,
        version INT NOT NULL DEFAULT 0
      ) ENGINE=InnoDB;
      CREATE TABLE user_counter_activity (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        user_id INT NOT NULL,
        worker INT NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT NOW(6)
      ) ENGINE=InnoDB;
      INSERT INTO user_counter (user_id) VALUES (${USER_ID});
    `);
  },

  async worker({ mode, worker, connection, sql: db }) {
    const attempt = ATTEMPTS[mode];
    if (!attempt) throw new Error(`counter on MySQL has no mode '${mode}'`);
    const setting = SESSION_SETTINGS[mode];
    if (setting) await connection.query(setting);
    const sql = statements(db.serverNow);
    return {
      warmUp: async () => {
        // The insert must really run to be warm, so it runs in a transaction that is rolled back.
        if (mode === 'append') await db.simple('START TRANSACTION');
        await attempt(db, sql, WARM_UP_ID, worker);
        if (mode === 'append') await db.simple('ROLLBACK');
      },
      attempt: () => attempt(db, sql, USER_ID, worker),
    };
  },

  async verify(db, context) {
    if (context.mode === 'append') {
      const [rows] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM user_counter_activity WHERE user_id = ?', [USER_ID]);
      return countVerification('activity rows = successful increments', 'activity rows', Number(rows[0]?.n ?? 0), context);
    }
    const [rows] = await db.query<RowDataPacket[]>('SELECT counter FROM user_counter WHERE user_id = ?', [USER_ID]);
    return countVerification('counter = successful increments', 'counter', Number(rows[0]?.counter ?? 0), context);
  },
};
