import type { Engine } from '../types.js';
import { POSTGRES_OPTIONS, resolvePostgres } from './options.js';
import type { PostgresSettings } from './options.js';
import { SCENARIOS } from './scenarios/index.js';
import { openPostgresSession } from './session.js';

/** PostgreSQL: a throwaway embedded server by default, or the user's with --db; a schema per run. */
export const postgresEngine: Engine<PostgresSettings, typeof POSTGRES_OPTIONS> = {
  name: 'postgres',
  summary: 'PostgreSQL: an embedded server started for the run, or yours with --db; each run in a schema of its own',
  options: POSTGRES_OPTIONS,
  explores: true,
  shards: true,
  scenarios: SCENARIOS,
  urlVariable: 'DATABASE_URL',
  resolve: resolvePostgres,
  open: (request) => openPostgresSession({ ...request, clients: request.common.workers }),
};
