import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** Where Debian's postgresql-server-dev (or postgresql-client) packages put PostgreSQL's isolationtester. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** PostgreSQL's own isolationtester: $RACE_RIG_ISOLATIONTESTER, else the newest one Debian installed; null when there is none. */
export function findIsolationTester(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.RACE_RIG_ISOLATIONTESTER) return existsSync(env.RACE_RIG_ISOLATIONTESTER) ? env.RACE_RIG_ISOLATIONTESTER : null;
  if (!existsSync(DEBIAN_ROOT)) return null;
  const versions = readdirSync(DEBIAN_ROOT).sort((a, b) => Number(b) - Number(a));
  const found = versions.map((version) => join(DEBIAN_ROOT, version, 'lib/pgxs/src/test/isolation/isolationtester')).find((path) => existsSync(path));
  return found ?? null;
}

export interface TesterRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From the tester's start to its exit (its database's creation and removal not counted). */
  readonly elapsedMs: number;
}

/**
 * Runs the real tester on `specFile` against the server at `databaseUrl`, in a database of its
 * own created for the run and dropped after (the tester works in `public`, race-rig in a schema of
 * its own, so neither sees the other's tables). The password goes through PGPASSWORD, not argv;
 * `env` adds to the tester's environment (PGOPTIONS, say).
 */
export async function runIsolationTester(tester: string, databaseUrl: string, specFile: string, database: string, env: NodeJS.ProcessEnv = {}): Promise<TesterRun> {
  const url = new URL(databaseUrl);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const conninfo = `host=${url.hostname} port=${url.port} user=${decodeURIComponent(url.username)} dbname=${database}`;
    return await spawnTester(tester, conninfo, { ...env, PGPASSWORD: decodeURIComponent(url.password) }, await readFile(specFile));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

function spawnTester(tester: string, conninfo: string, env: NodeJS.ProcessEnv, spec: Buffer): Promise<TesterRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(tester, [conninfo], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: performance.now() - started }));
    child.stdin.end(spec);
  });
}
