import { InvalidOptionError } from '../../errors.js';
import { MAX_TIMEOUT_MS } from '../../options/common.js';
import type { CommonSettings } from '../../options/common.js';
import { optionTable, RACE_COMMANDS, RELEASE_COMMANDS, resolveValues } from '../../options/define.js';
import { SERVER_OPTIONS } from '../../options/server.js';
import { checkDatabaseUrl } from './external.js';

/** PostgreSQL's own flags. */
export const POSTGRES_OPTIONS = optionTable({
  ...SERVER_OPTIONS,
  schema: { flag: 'schema', type: 'string', describe: 'work in this schema (created if missing)', defaultText: 'a fresh race_rig_… schema', commands: RACE_COMMANDS },
  reuseSchema: { flag: 'reuse-schema', type: 'boolean', default: false, describe: 'allow --schema to be one race-rig did not create', commands: RACE_COMMANDS },
  statementTimeoutMs: {
    flag: 'statement-timeout',
    type: 'number',
    default: 0,
    min: 0,
    max: MAX_TIMEOUT_MS,
    describe: "the workers' statement_timeout in ms (0: none)",
    commands: RACE_COMMANDS,
  },
  timeline: { flag: 'timeline', type: 'boolean', default: false, describe: "record the first workers' statements and draw them on a time line", commands: RELEASE_COMMANDS },
});

export interface PostgresSettings {
  readonly db: string | null;
  readonly gate: boolean;
  readonly schema: string | null;
  readonly reuseSchema: boolean;
  readonly statementTimeoutMs: number;
  readonly timeline: boolean;
  readonly lockTimeoutMs: number;
  readonly keep: boolean;
}

/** A name PostgreSQL takes without quoting, so that it can be spliced into SQL safely. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function needs(present: boolean, flag: string, needed: string, why: string): void {
  if (present) throw new InvalidOptionError(`${flag} needs ${needed}: ${why}`);
}

export function resolvePostgres(given: Readonly<Record<string, unknown>>, common: CommonSettings): PostgresSettings {
  const values = resolveValues(POSTGRES_OPTIONS, given);
  const db = values.db ?? null;
  const schema = values.schema ?? null;
  if (db !== null) checkDatabaseUrl(db);
  needs(common.keep && db === null, '--keep', '--db', 'the embedded server and its data are deleted after every run');
  needs(values.reuseSchema && schema === null, '--reuse-schema', '--schema', 'it names the existing schema to run in');
  needs(common.shard !== null && db === null, '--run', '--db', 'every shard must reach the same server');
  if (common.shard !== null && schema !== null) throw new InvalidOptionError("--schema does not go with --run: the run's schema is race_rig_run_<its name>");
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new InvalidOptionError(`--schema must be a lower-case name of letters, digits and _ (got '${schema}')`);
  }
  return { ...values, db, schema, lockTimeoutMs: common.lockTimeoutMs, keep: common.keep };
}
