import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { InvalidOptionError } from '../../errors.js';

/**
 * Every run works in a schema of its own, so it never touches anyone else's tables and can drop
 * everything it made. Schemas the rig creates carry a comment saying so; one that does not is
 * only used with --reuse-schema, and then only the tables the run created are dropped.
 */
const MARK = 'created by race-rig';

export interface RunSchema {
  readonly name: string;
  /** True when this run created the schema (it may then drop all of it). */
  readonly ownedByRun: boolean;
  /** Tables that were in the schema before the run; never dropped. */
  readonly tablesBefore: ReadonlySet<string>;
}

function generatedName(): string {
  return `race_rig_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export async function tablesIn(db: pg.ClientBase, schema: string): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.oid`,
    [schema],
  );
  return new Set(rows.map((row) => row.name));
}

async function createMarked(admin: pg.ClientBase, name: string): Promise<RunSchema> {
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.query(`COMMENT ON SCHEMA ${name} IS '${MARK}'`);
  return { name, ownedByRun: true, tablesBefore: new Set() };
}

/**
 * Creates (or, as allowed, takes over) the schema the run works in and points the coordinator's
 * search_path at it. `name` must already be a validated plain identifier.
 */
export async function prepareRunSchema(admin: pg.ClientBase, { name, reuse }: { name: string | null; reuse: boolean }): Promise<RunSchema> {
  let schema: RunSchema;
  if (name === null) {
    schema = await createMarked(admin, generatedName());
  } else {
    const { rows } = await admin.query<{ comment: string | null }>(
      "SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1",
      [name],
    );
    const existing = rows[0];
    if (!existing) {
      schema = await createMarked(admin, name);
    } else if (existing.comment === MARK) {
      // Left by an earlier run with --keep: start it afresh.
      await admin.query(`DROP SCHEMA ${name} CASCADE`);
      schema = await createMarked(admin, name);
    } else if (reuse) {
      schema = { name, ownedByRun: false, tablesBefore: await tablesIn(admin, name) };
    } else {
      throw new InvalidOptionError(
        `schema '${name}' exists and was not created by race-rig; pass --reuse-schema to run in it ` +
          '(the run then creates its tables there and drops only those), or pick another --schema',
      );
    }
  }
  await admin.query(`SET search_path = ${schema.name}`);
  return schema;
}

/**
 * Removes what the run created: the whole schema if the run created it, else only the tables
 * that were not there before.
 */
export async function dropRunSchema(db: pg.ClientBase, schema: RunSchema): Promise<void> {
  if (schema.ownedByRun) {
    await db.query(`DROP SCHEMA IF EXISTS ${schema.name} CASCADE`);
    return;
  }
  for (const table of await tablesIn(db, schema.name)) {
    if (!schema.tablesBefore.has(table)) await db.query(`DROP TABLE IF EXISTS ${schema.name}."${table.replaceAll('"', '""')}" CASCADE`);
  }
}
