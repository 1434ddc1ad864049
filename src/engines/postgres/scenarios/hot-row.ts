import { HOT_ROW_MESSAGE_ID as MESSAGE_ID, hotRowVerdict, LOST_TO_DUPLICATE_KEY } from '../../../scenarios/field/hot-row.js';
import { hasSqlstate } from '../sqlstate.js';
import type { ModeSpec } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/**
 * The retweet benchmark on PostgreSQL (scenarios/field/hot-row.ts has what every engine shares):
 * created_at is now(), the transaction's start, in microseconds.
 */
const WARM_UP_ID = 0;
const UNIQUE_VIOLATION = '23505';

const MODES: readonly ModeSpec[] = [
  {
    name: 'update',
    summary: 'UPDATE messages SET retweets = retweets + 1: correct, but every retweet queues for the one hot row.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "UPDATE messages SET retweets = retweets + 1 WHERE id = 1;",
      ],
      why: "Correct (the row lock serializes the increments), but every retweet queues for the one hot row: throughput is one transaction at a time on that row.",
    },
  },
  {
    name: 'append',
    summary: 'INSERT one row per retweet and count them: correct, and no row lock to wait for.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "INSERT INTO retweets (message_id, action) VALUES (1, 'retweet');",
        "-- the count is SELECT count(*) FROM retweets WHERE message_id = 1, when read",
      ],
      why: "Every retweet is a row of its own: no shared row, no lock to wait for, nothing to lose.",
    },
  },
  {
    name: 'append-unique-ts',
    summary: 'INSERT with unique (message, created_at, action), created_at = now(): retweets in the same microsecond collide (23505) and are lost.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "INSERT INTO retweets_unique_ts (message_id, created_at, action) VALUES (1, now(), 'retweet');   -- unique (message_id, created_at, action)",
      ],
      why: "now() has microsecond resolution and many retweets arrive in the same microsecond (or the same transaction start): they collide on the unique key (23505) and the action is lost.",
    },
  },
];

function statements(serverNow: string) {
  return {
    update: `UPDATE messages SET retweets = retweets + 1 WHERE id = $1 RETURNING ${serverNow}`,
    append: `INSERT INTO retweets (message_id, action) VALUES ($1, 'retweet') RETURNING ${serverNow}`,
    'append-unique-ts': `INSERT INTO retweets_unique_ts (message_id, created_at, action) VALUES ($1, now(), 'retweet') RETURNING ${serverNow}`,
  } as Record<string, string>;
}

const COUNT_SQL: Record<string, string> = {
  update: 'SELECT retweets AS n FROM messages WHERE id = $1',
  append: 'SELECT count(*)::integer AS n FROM retweets WHERE message_id = $1',
  'append-unique-ts': 'SELECT count(*)::integer AS n FROM retweets_unique_ts WHERE message_id = $1',
};

export const hotRow: Scenario = {
  name: 'hot-row',
  summary: 'Retweets: update one popular row, or append a row per action (the cost of contention).',
  unit: { one: 'retweet', many: 'retweets' },
  modes: MODES,

  async setup(db) {
    await db.query(`
      CREATE TABLE messages (id integer PRIMARY KEY, retweets integer NOT NULL DEFAULT 0);
      CREATE TABLE retweets (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id integer NOT NULL,
        action text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE retweets_unique_ts (
        message_id integer NOT NULL,
        created_at timestamptz NOT NULL,
        action text NOT NULL,
        UNIQUE (message_id, created_at, action)
      );
      INSERT INTO messages (id) VALUES (${MESSAGE_ID});`);
  },

  worker({ mode, sql: db }) {
    const statement = statements(db.serverNow)[mode];
    if (!statement) throw new Error(`hot-row has no mode '${mode}'`);
    const retweet = async (messageId: number) => {
      try {
        const { ms } = await db.timedRow(statement, [messageId]);
        return { outcome: 'counted', lockWaitMs: ms };
      } catch (error) {
        // The duplicate key is the bug this mode shows: the retweet happened and is lost.
        if (mode === 'append-unique-ts' && hasSqlstate(error, UNIQUE_VIOLATION)) return { outcome: LOST_TO_DUPLICATE_KEY };
        throw error;
      }
    };
    return {
      warmUp: async () => {
        await db.simple('BEGIN');
        await retweet(WARM_UP_ID);
        await db.simple('ROLLBACK');
      },
      attempt: () => retweet(MESSAGE_ID),
    };
  },

  async verify(db, context) {
    const { rows } = await db.query<{ n: number }>(COUNT_SQL[context.mode] ?? COUNT_SQL.update ?? '', [MESSAGE_ID]);
    return hotRowVerdict(rows[0]?.n ?? 0, context, UNIQUE_VIOLATION);
  },
};
