import type { StatementRunner } from '../statements.js';
import { countVerification } from '../../../scenarios/types.js';
import type { AttemptResult } from '../../../scenarios/types.js';
import { COUNTER_MODES } from './counter-modes.js';
import type { Scenario } from './types.js';

/** The one user whose counter every worker increments. */
const USER_ID = 1;
/** A user with no row: warm-up statements run against it and touch nothing. */
const WARM_UP_ID = 0;
/**
 * First key of the two-key advisory lock ("RACE" in ASCII), so the rig's locks cannot collide
 * with an application's single-key advisory locks on a shared server.
 */
export const ADVISORY_NAMESPACE = 0x52414345;

function statements(serverNow: string) {
  return {
    read: `SELECT counter, version, ${serverNow} FROM user_counter WHERE user_id = $1`,
    readForUpdate: `SELECT counter, ${serverNow} FROM user_counter WHERE user_id = $1 FOR UPDATE`,
    readForNoKeyUpdate: `SELECT counter, ${serverNow} FROM user_counter WHERE user_id = $1 FOR NO KEY UPDATE`,
    readAfterLock: 'SELECT counter FROM user_counter WHERE user_id = $1',
    write: 'UPDATE user_counter SET counter = $2 WHERE user_id = $1',
    writeIfVersion: 'UPDATE user_counter SET counter = $2, version = version + 1 WHERE user_id = $1 AND version = $3',
    increment: `UPDATE user_counter SET counter = counter + 1 WHERE user_id = $1 RETURNING ${serverNow}`,
    advisoryLock: `SELECT pg_advisory_xact_lock(${ADVISORY_NAMESPACE}, $1), ${serverNow}`,
    append: `INSERT INTO user_counter_activity (user_id, worker) VALUES ($1, $2) RETURNING ${serverNow}`,
  };
}

type Statements = ReturnType<typeof statements>;
type Attempt = (db: StatementRunner, sql: Statements, userId: number, worker: number) => Promise<AttemptResult>;

interface CounterRow {
  counter: number;
  version: number;
}

/**
 * Read, then write what was read + 1; `begin` opens the transaction (or nothing). A mode that
 * holds a lock sends its write with the COMMIT (one round trip less under the lock); the retried
 * modes do not: with `--backoff 5` that took `serializable` at 100 × 100 from ~960 to ~640
 * increments/s (more tries per increment), though it helped without backoff (docs/performance.md).
 */
function readModifyWrite(begin: string | null, read: 'read' | 'readForUpdate' | 'readForNoKeyUpdate', holdsLock: boolean): Attempt {
  return async (db, sql, userId) => {
    if (begin) await db.simple(begin);
    const { row, ms } = await db.timedRow<CounterRow>(sql[read], [userId]);
    const values = [userId, (row?.counter ?? 0) + 1];
    if (begin && holdsLock) {
      await db.runAndCommit(sql.write, values);
    } else {
      await db.run(sql.write, values);
      if (begin) await db.simple('COMMIT');
    }
    return { lockWaitMs: holdsLock ? ms : 0 };
  };
}

const ATTEMPTS: Record<string, Attempt> = {
  lost: readModifyWrite(null, 'read', false),
  'for-update': readModifyWrite('BEGIN', 'readForUpdate', true),
  'for-no-key-update': readModifyWrite('BEGIN', 'readForNoKeyUpdate', true),
  serializable: readModifyWrite('BEGIN ISOLATION LEVEL SERIALIZABLE', 'read', false),
  'repeatable-read': readModifyWrite('BEGIN ISOLATION LEVEL REPEATABLE READ', 'read', false),

  inplace: async (db, sql, userId) => {
    const { ms } = await db.timedRow(sql.increment, [userId]);
    return { lockWaitMs: ms };
  },

  optimistic: async (db, sql, userId) => {
    const read = await db.row<CounterRow>(sql.read, [userId]);
    const written = await db.run(sql.writeIfVersion, [userId, (read?.counter ?? 0) + 1, read?.version ?? -1]);
    return written === 1 ? 'done' : 'conflict';
  },

  advisory: async (db, sql, userId) => {
    await db.simple('BEGIN');
    const { ms } = await db.timedRow(sql.advisoryLock, [userId]);
    const read = await db.row<CounterRow>(sql.readAfterLock, [userId]);
    await db.runAndCommit(sql.write, [userId, (read?.counter ?? 0) + 1]);
    return { lockWaitMs: ms };
  },

  append: async (db, sql, userId, worker) => {
    const { ms } = await db.timedRow(sql.append, [userId, worker]);
    return { lockWaitMs: ms };
  },
};

export const counter: Scenario = {
  name: 'counter',
  summary: 'Every worker increments the same user counter (the classic lost-update lab).',
  unit: { one: 'increment', many: 'increments' },
  modes: COUNTER_MODES,

  async setup(db) {
    await db.query(`
      CREATE TABLE user_counter (
        user_id integer PRIMARY KEY,
        counter integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 0
      );
      CREATE TABLE user_counter_activity (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL,
        worker integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      INSERT INTO user_counter (user_id) VALUES (${USER_ID});
    `);
  },

  worker({ mode, worker, sql: db }) {
    const attempt = ATTEMPTS[mode];
    if (!attempt) throw new Error(`counter has no mode '${mode}'`);
    const sql = statements(db.serverNow);
    return {
      warmUp: async () => {
        // The insert must really run to be warm, so it runs in a transaction that is rolled back.
        if (mode === 'append') await db.simple('BEGIN');
        await attempt(db, sql, WARM_UP_ID, worker);
        if (mode === 'append') await db.simple('ROLLBACK');
      },
      attempt: () => attempt(db, sql, USER_ID, worker),
    };
  },

  async verify(db, context) {
    if (context.mode === 'append') {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::integer AS n FROM user_counter_activity WHERE user_id = $1', [USER_ID]);
      return countVerification('activity rows = successful increments', 'activity rows', rows[0]?.n ?? 0, context);
    }
    const { rows } = await db.query<{ counter: number }>('SELECT counter FROM user_counter WHERE user_id = $1', [USER_ID]);
    return countVerification('counter = successful increments', 'counter', rows[0]?.counter ?? 0, context);
  },
};
