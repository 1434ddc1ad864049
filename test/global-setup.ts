import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/engines/postgres/embedded.js';
import { installExamples } from './examples-install.js';
import { mysqlForTests } from './mysql-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL (embedded) shared by the tests that pass --db; each run makes its own schema. */
    databaseUrl: string;
    /** A real MySQL or MariaDB shared by the MySQL tests, or null when the machine has none (see mysql-server.ts). */
    mysqlUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  installExamples();
  const server = await startEmbeddedPostgres({ maxConnections: 150 });
  try {
    const mysql = await mysqlForTests(process.env);
    project.provide('databaseUrl', server.url);
    project.provide('mysqlUrl', mysql.url);
    return async () => {
      await mysql.stop();
      await server.stop();
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
