import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../src/engines/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL (embedded) shared by the tests that pass --db; each run makes its own schema. */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbedded({ maxConnections: 150 });
  const { user, password, host, port, database } = server.connection;
  project.provide('databaseUrl', `postgres://${user}:${password}@${host}:${port}/${database}`);
  return () => server.stop();
}
