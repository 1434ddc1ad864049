import { findMysqlBinaries } from '../src/engines/mysql/binaries.js';
import { startThrowawayMysqlServer } from '../src/engines/mysql/throwaway-api.js';

/** How to give the suite a MySQL server, for the line printed when it has none. */
const HOW = 'install MariaDB (apt-get install mariadb-server) or run with MYSQL_URL=mysql://user:password@host:3306/db';

/**
 * The suite's MySQL server: $MYSQL_URL, else a throwaway MariaDB from the installed binary. With
 * neither, CI (CI=true) fails here; elsewhere one line says that the MySQL tests did not run.
 */
export async function mysqlForTests(env: NodeJS.ProcessEnv): Promise<{ url: string | null; stop(): Promise<void> }> {
  if (env.MYSQL_URL) return { url: env.MYSQL_URL, stop: async () => {} };
  if (findMysqlBinaries()) {
    const server = await startThrowawayMysqlServer({ maxConnections: 300 });
    return { url: server.url, stop: () => server.stop() };
  }
  if (env.CI === 'true') throw new Error(`CI=true, but there is no MySQL server for the MySQL tests: ${HOW}`);
  process.stderr.write(`race-rig tests: THE MYSQL TESTS DID NOT RUN: no mariadbd or mysqld here and no $MYSQL_URL; ${HOW}\n`);
  return { url: null, stop: async () => {} };
}
