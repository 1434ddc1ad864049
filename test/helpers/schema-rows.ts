import { withClient } from './database.js';

/** Runs `sql` against a kept run schema (search_path set to it), then drops the schema. */
export async function queryAndDrop<T extends Record<string, unknown>>(schema: string, sql: string): Promise<T> {
  return withClient(async (client) => {
    await client.query(`SET search_path = ${schema}`);
    const { rows } = await client.query<T>(sql);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    const [row] = rows;
    if (!row) throw new Error(`no row from: ${sql}`);
    return row;
  });
}
