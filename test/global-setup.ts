import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/engines/postgres/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL (embedded) shared by the tests that pass --db; each run makes its own schema. */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres({ maxConnections: 150 });
  project.provide('databaseUrl', server.url);
  return () => server.stop();
}
