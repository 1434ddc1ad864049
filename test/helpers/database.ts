import pg from 'pg';
import { inject } from 'vitest';

export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

/** Runs `use` with a fresh connection to the shared test server, closing it afterwards. */
export async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The counter as the database holds it in a kept run schema, and the schema dropped after. */
export async function readAndDropSchema(schema: string): Promise<{ counter: number; activityRows: number }> {
  return withClient(async (client) => {
    const counter = await client.query<{ counter: number }>(`SELECT counter FROM ${schema}.user_counter WHERE user_id = 1`);
    const activity = await client.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${schema}.user_counter_activity WHERE user_id = 1`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return { counter: counter.rows[0]?.counter ?? Number.NaN, activityRows: activity.rows[0]?.n ?? Number.NaN };
  });
}

export async function schemaExists(schema: string): Promise<boolean> {
  return withClient(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return rowCount === 1;
  });
}
