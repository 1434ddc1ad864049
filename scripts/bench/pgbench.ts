import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import pg from 'pg';

/** The schema the pgbench scripts work in, with the counter's tables. */
export const PGBENCH_SCHEMA = 'race_rig_pgbench';
const TABLE = `${PGBENCH_SCHEMA}.user_counter`;
const READ = `SELECT counter AS c FROM ${TABLE} WHERE user_id = 1`;
const WRITE = `UPDATE ${TABLE} SET counter = :c + 1 WHERE user_id = 1;`;
/** The advisory lock's first key, as the rig's counter takes it ("RACE"). */
const ADVISORY_NAMESPACE = 0x52414345;

/**
 * Each counter mode's transaction as a pgbench script: the same statements the mode runs, the
 * value read passed to the write with \gset. `optimistic` is missing: pgbench cannot retry a
 * transaction whose UPDATE changed no row.
 */
export const PGBENCH_SCRIPTS: Readonly<Record<string, string>> = {
  lost: `${READ} \\gset\n${WRITE}\n`,
  inplace: `UPDATE ${TABLE} SET counter = counter + 1 WHERE user_id = 1;\n`,
  'for-update': `BEGIN;\n${READ} FOR UPDATE \\gset\n${WRITE}\nCOMMIT;\n`,
  'for-no-key-update': `BEGIN;\n${READ} FOR NO KEY UPDATE \\gset\n${WRITE}\nCOMMIT;\n`,
  advisory: `BEGIN;\nSELECT pg_advisory_xact_lock(${ADVISORY_NAMESPACE}, 1);\n${READ} \\gset\n${WRITE}\nCOMMIT;\n`,
  append: `INSERT INTO ${PGBENCH_SCHEMA}.user_counter_activity (user_id, worker) VALUES (1, :client_id);\n`,
  serializable: `BEGIN ISOLATION LEVEL SERIALIZABLE;\n${READ} \\gset\n${WRITE}\nCOMMIT;\n`,
  'repeatable-read': `BEGIN ISOLATION LEVEL REPEATABLE READ;\n${READ} \\gset\n${WRITE}\nCOMMIT;\n`,
};

/** Modes whose transactions pgbench retries on a serialization failure or deadlock (--max-tries). */
export const RETRIED_MODES = new Set(['serializable', 'repeatable-read']);
const MAX_TRIES = 10_000;

export function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`))));
  });
}

/** Creates (or empties) the pgbench schema with the counter's tables, and writes the scripts into `dir`. */
export async function preparePgbench(db: string, dir: string): Promise<void> {
  const admin = new pg.Client({ connectionString: db });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${PGBENCH_SCHEMA} CASCADE;
      CREATE SCHEMA ${PGBENCH_SCHEMA};
      CREATE TABLE ${TABLE} (user_id integer PRIMARY KEY, counter integer NOT NULL DEFAULT 0, version integer NOT NULL DEFAULT 0);
      CREATE TABLE ${PGBENCH_SCHEMA}.user_counter_activity (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id integer NOT NULL, worker integer NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
      INSERT INTO ${TABLE} (user_id) VALUES (1);`);
  } finally {
    await admin.end();
  }
  for (const [mode, script] of Object.entries(PGBENCH_SCRIPTS)) await writeFile(join(dir, `${mode}.sql`), script);
}

export async function dropPgbench(db: string): Promise<void> {
  const admin = new pg.Client({ connectionString: db });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${PGBENCH_SCHEMA} CASCADE`).finally(() => admin.end());
}

export interface PgbenchFigures {
  readonly tps: number;
  /** Tries per committed transaction (1 when nothing was retried). */
  readonly triesPerTransaction: number;
  readonly failed: number;
}

/** pgbench -M prepared running `mode`'s script from `clients` clients, `perClient` transactions each. */
export async function pgbenchRun(pgbench: string, db: string, dir: string, mode: string, clients: number, perClient: number): Promise<PgbenchFigures> {
  const url = new URL(db);
  const retries = RETRIED_MODES.has(mode) ? [`--max-tries=${MAX_TRIES}`] : [];
  const output = await run(
    pgbench,
    ['-n', '-M', 'prepared', '-f', join(dir, `${mode}.sql`), '-c', String(clients), '-j', '2', '-t', String(perClient), ...retries, '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), url.pathname.slice(1)],
    { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
  );
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN);
  const tps = number(/tps = ([\d.]+) \(without initial connection time\)/);
  if (!Number.isFinite(tps)) throw new Error(`cannot read tps from pgbench output: ${output}`);
  const processed = number(/number of transactions actually processed: (\d+)/);
  const retried = /total number of retries: (\d+)/.test(output) ? number(/total number of retries: (\d+)/) : 0;
  const failed = /number of failed transactions: (\d+)/.test(output) ? number(/number of failed transactions: (\d+)/) : 0;
  return { tps, triesPerTransaction: processed > 0 ? (processed + retried) / processed : 1, failed };
}
