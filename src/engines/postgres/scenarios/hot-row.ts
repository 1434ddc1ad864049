import { integer } from '../../../scenarios/helpers.js';
import { hasSqlstate } from '../sqlstate.js';
import type { ModeSpec, VerifyContext } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/**
 * Update one popular row, or append: the retweet benchmark. Every worker retweets message 1,
 * either by incrementing its counter (one hot row, every writer queues for its lock) or by
 * appending one activity row per retweet (no shared row at all). The first append design made
 * (message, created_at, action) unique, with created_at the transaction's timestamp: two retweets
 * in the same microsecond collide, and the second is lost to a duplicate-key error.
 */
const MESSAGE_ID = 1;
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

/** Every retweet a user made counts, failed or not: a lost one is a lost action. */
function actionsDone({ operations, notAttempted }: VerifyContext): number {
  return operations - notAttempted;
}

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
        if (mode === 'append-unique-ts' && hasSqlstate(error, UNIQUE_VIOLATION)) return { outcome: 'lost to a duplicate key' };
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
    const counted = rows[0]?.n ?? 0;
    const actions = actionsDone(context);
    const holds = counted >= actions - context.inDoubt && counted <= actions;
    const duplicates = context.outcomes['lost to a duplicate key'] ?? 0;
    const message = holds
      ? `all ${integer.format(actions)} retweets are counted`
      : `${integer.format(actions - counted)} of ${integer.format(actions)} retweets are not counted` +
        (duplicates > 0 ? `: ${integer.format(duplicates)} collided on the timestamp and failed with a duplicate key (23505)` : '');
    return {
      holds,
      invariant: 'retweets counted = retweets made',
      message,
      quantity: 'retweets counted',
      expected: actions,
      actual: counted,
      figures: { 'duplicate-key errors': duplicates },
    };
  },
};
