import { ROW_LIMIT_USER_ID as USER_ID, rowLimitOf as limitOf, rowLimitVerdict } from '../../../scenarios/field/row-limit.js';
import { hasSqlstate } from '../sqlstate.js';
import { ADVISORY_NAMESPACE } from './counter.js';
import type { ModeSpec } from '../../../scenarios/types.js';
import type { Scenario } from './types.js';

/** The limit a trigger enforces, on PostgreSQL; what every engine shares is in scenarios/field/row-limit.ts. */
const WARM_UP_ID = 0;
/** The trigger's refusal: a SQLSTATE of its own, so the rig can tell it from a failure. */
const LIMIT_REACHED = 'RR001';

const MODES: readonly ModeSpec[] = [
  {
    name: 'unlocked',
    summary: 'The trigger counts the rows and refuses at the limit: concurrent inserts all count the same rows, all pass, and the user ends above the limit.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "INSERT INTO items (user_id, …) VALUES (1, …);   -- the trigger runs SELECT count(*) FROM items WHERE user_id = 1 and refuses at the limit",
        "INSERT INTO item_audit …;",
        "COMMIT;",
      ],
      why: "The trigger's count sees only committed rows and its own: concurrent inserts all count the same rows, all pass, and the user ends above the limit. A trigger is not a lock.",
    },
  },
  {
    name: 'advisory',
    summary: 'The trigger first takes pg_advisory_xact_lock on the user id: inserts for one user count one after the other, so the limit holds.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;",
        "INSERT INTO items …;   -- the trigger first runs pg_advisory_xact_lock(1380008773, 1), then counts",
        "INSERT INTO item_audit …;",
        "COMMIT;   -- releases the advisory lock",
      ],
      why: "The advisory lock makes inserts for one user count one after the other: each trigger counts after the previous insert committed.",
    },
  },
];

export const rowLimit: Scenario = {
  name: 'row-limit',
  summary: 'A trigger refuses inserts beyond a per-user limit (the limit enforced by a trigger).',
  unit: { one: 'insert', many: 'inserts' },
  modes: MODES,

  async setup(db, context) {
    const lock = context.mode === 'advisory' ? `PERFORM pg_advisory_xact_lock(${ADVISORY_NAMESPACE}, NEW.user_id);` : '';
    await db.query(`
      CREATE TABLE items (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id integer NOT NULL,
        worker integer NOT NULL,
        iteration integer NOT NULL
      );
      CREATE TABLE item_audit (item_id bigint NOT NULL, action text NOT NULL);
      CREATE FUNCTION enforce_item_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${lock}
        IF (SELECT count(*) FROM items WHERE user_id = NEW.user_id) >= ${limitOf(context)} THEN
          RAISE EXCEPTION 'user % has reached the limit of ${limitOf(context)} items', NEW.user_id USING ERRCODE = '${LIMIT_REACHED}';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER item_limit BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION enforce_item_limit();`);
  },

  worker({ worker, sql: db }) {
    const insert = `INSERT INTO items (user_id, worker, iteration) VALUES ($1, $2, $3) RETURNING id, ${db.serverNow}`;
    const audit = "INSERT INTO item_audit (item_id, action) VALUES ($1, 'created')";
    const attempt = async (userId: number, iteration: number) => {
      await db.simple('BEGIN');
      try {
        const { row, ms } = await db.timedRow<{ id: string }>(insert, [userId, worker, iteration]);
        await db.run(audit, [row?.id]);
        await db.simple('COMMIT');
        return { outcome: 'accepted', lockWaitMs: ms };
      } catch (error) {
        if (!hasSqlstate(error, LIMIT_REACHED)) throw error;
        await db.simple('ROLLBACK');
        return { outcome: 'refused' };
      }
    };
    return {
      // User 0 has no rows: the trigger lets the insert through, and the whole is rolled back.
      warmUp: async () => {
        await db.simple('BEGIN');
        const { row } = await db.timedRow<{ id: string }>(insert, [WARM_UP_ID, worker, -1]);
        await db.run(audit, [row?.id]);
        await db.simple('ROLLBACK');
      },
      attempt: (iteration) => attempt(USER_ID, iteration),
    };
  },

  async verify(db, context) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::integer AS n FROM items WHERE user_id = $1', [USER_ID]);
    return rowLimitVerdict(rows[0]?.n ?? 0, context);
  },
};
