import type { RowDataPacket } from 'mysql2/promise';
import { HOT_ROW_MESSAGE_ID as MESSAGE_ID, hotRowVerdict, LOST_TO_DUPLICATE_KEY } from '../../../scenarios/field/hot-row.js';
import type { ModeSpec } from '../../../scenarios/types.js';
import { ER, errnoOf } from '../errors.js';
import type { MysqlScenario } from '../types.js';
import { prepareStatements } from './warm-up.js';

/**
 * The retweet benchmark on InnoDB (scenarios/field/hot-row.ts has what every engine shares):
 * created_at is NOW(6), the statement's start, in microseconds, on a DATETIME(6) column.
 */
const DUPLICATE_KEY_CODE = String(ER.duplicateKey);

const STATEMENTS: Record<string, string> = {
  update: 'UPDATE messages SET retweets = retweets + 1 WHERE id = ?',
  append: "INSERT INTO retweets (message_id, action) VALUES (?, 'retweet')",
  'append-unique-ts': "INSERT INTO retweets_unique_ts (message_id, created_at, action) VALUES (?, NOW(6), 'retweet')",
};

const COUNT_SQL: Record<string, string> = {
  update: 'SELECT retweets AS n FROM messages WHERE id = ?',
  append: 'SELECT COUNT(*) AS n FROM retweets WHERE message_id = ?',
  'append-unique-ts': 'SELECT COUNT(*) AS n FROM retweets_unique_ts WHERE message_id = ?',
};

const MODES: readonly ModeSpec[] = [
  {
    name: 'update',
    summary: 'UPDATE messages SET retweets = retweets + 1: correct, but every retweet queues for the one hot row.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: ['UPDATE messages SET retweets = retweets + 1 WHERE id = 1;   -- its own transaction (autocommit)'],
      why: 'Correct (the row lock serializes the increments, each adding 1 to the latest value), but every retweet queues for the one hot row: throughput is one transaction at a time on that row.',
    },
  },
  {
    name: 'append',
    summary: 'INSERT one row per retweet and count them: correct, and no row lock to wait for.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: ["INSERT INTO retweets (message_id, action) VALUES (1, 'retweet');   -- AUTO_INCREMENT id", '-- the count is SELECT COUNT(*) FROM retweets WHERE message_id = 1, when read'],
      why: 'Every retweet is a row of its own: no shared row, no lock to wait for, nothing to lose.',
    },
  },
  {
    name: 'append-unique-ts',
    summary: 'INSERT with UNIQUE (message, created_at, action), created_at = NOW(6): retweets that start in the same microsecond collide (1062) and are lost.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: ["INSERT INTO retweets_unique_ts (message_id, created_at, action) VALUES (1, NOW(6), 'retweet');   -- UNIQUE (message_id, created_at, action)"],
      why: 'NOW(6) is the time the statement started, to the microsecond; two retweets whose statements start in the same microsecond collide on the unique key (ERROR 1062, SQLSTATE 23000) and the second action is lost.',
    },
  },
];

export const mysqlHotRow: MysqlScenario = {
  name: 'hot-row',
  summary: 'Retweets: update one popular row, or append a row per action (the cost of contention), on InnoDB.',
  engine: 'mysql',
  unit: { one: 'retweet', many: 'retweets' },
  modes: MODES,

  async setup(db) {
    await db.query(`
      CREATE TABLE messages (id INT PRIMARY KEY, retweets INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
      CREATE TABLE retweets (
        id BIGINT AUTO_INCREMENT PRIMARY KEY,
        message_id INT NOT NULL,
        action VARCHAR(20) NOT NULL,
        created_at DATETIME(6) NOT NULL DEFAULT NOW(6)
      ) ENGINE=InnoDB;
      CREATE TABLE retweets_unique_ts (
        message_id INT NOT NULL,
        created_at DATETIME(6) NOT NULL,
        action VARCHAR(20) NOT NULL,
        UNIQUE KEY (message_id, created_at, action)
      ) ENGINE=InnoDB;
      INSERT INTO messages (id) VALUES (${MESSAGE_ID});`);
  },

  worker({ mode, connection, sql: db }) {
    const statement = STATEMENTS[mode];
    if (!statement) throw new Error(`hot-row on MySQL has no mode '${mode}'`);
    const retweet = async (messageId: number) => {
      try {
        const { ms } = await db.timedRun(statement, [messageId]);
        return { outcome: 'counted', lockWaitMs: ms };
      } catch (error) {
        // The duplicate key is the bug this mode shows: the retweet happened and is lost.
        if (mode === 'append-unique-ts' && errnoOf(error) === ER.duplicateKey) return { outcome: LOST_TO_DUPLICATE_KEY };
        throw error;
      }
    };
    return {
      warmUp: () => prepareStatements(connection, [statement]),
      attempt: () => retweet(MESSAGE_ID),
    };
  },

  async verify(db, context) {
    const [rows] = await db.query<RowDataPacket[]>(COUNT_SQL[context.mode] ?? COUNT_SQL.update ?? '', [MESSAGE_ID]);
    return hotRowVerdict(Number(rows[0]?.n ?? 0), context, DUPLICATE_KEY_CODE);
  },
};
