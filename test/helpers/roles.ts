import { withClient, testDatabaseUrl } from './database.js';

/**
 * A login role on the shared test server, created (or reset) for one test: returns the --db URL
 * that logs in as it. `grants` are run as the superuser after the role exists.
 */
export async function testRole(name: string, password: string, { connectionLimit = -1, grants = [] as string[] } = {}): Promise<string> {
  await withClient(async (client) => {
    await client.query(`DROP OWNED BY ${name}`).catch(() => undefined);
    await client.query(`DROP ROLE IF EXISTS ${name}`);
    await client.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' CONNECTION LIMIT ${connectionLimit}`);
    for (const grant of grants) await client.query(grant);
  });
  const url = new URL(testDatabaseUrl());
  url.username = name;
  url.password = password;
  return url.toString();
}
