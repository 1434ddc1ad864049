import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabaseUrl, withClient } from '../helpers/database.js';
import { testRole } from '../helpers/roles.js';

function dbWith(change: (url: URL) => void): string {
  const url = new URL(testDatabaseUrl());
  change(url);
  return url.toString();
}

/** A CLI failure: exit 2, nothing on stdout, exactly one line on stderr, no stack, no password. */
function expectOneLineFailure(run: { code: number | null; stdout: string; stderr: string }, message: RegExp, secret?: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  if (secret) expect(run.stderr).not.toContain(secret);
}

describe('--db problems, each with its own message', () => {
  it('a wrong password', async () => {
    const run = await runCli(['--db', dbWith((url) => (url.password = 'not-the-password-42')), '-w', '2']);

    expectOneLineFailure(run, /^race-rig: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres: password authentication failed for user "postgres" \(check the user and password in --db\)$/m, 'not-the-password-42');
  });

  it('a database that does not exist', async () => {
    const run = await runCli(['--db', dbWith((url) => (url.pathname = '/no_such_db')), '-w', '2']);

    expectOneLineFailure(run, /: database "no_such_db" does not exist \(create it, or name another database in --db\)$/m, new URL(testDatabaseUrl()).password);
  });

  it('sslmode=require on a server without SSL: one line, no library warning', async () => {
    const run = await runCli(['--db', dbWith((url) => url.searchParams.set('sslmode', 'require')), '-w', '2']);

    expectOneLineFailure(run, /^race-rig: cannot connect to postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres\?sslmode=require: The server does not support SSL connections$/m, new URL(testDatabaseUrl()).password);
    expect(run.stderr).not.toContain('SECURITY WARNING');
  });

  it('max_connections too low for the workers, before any thread starts', async () => {
    // The shared test server allows 150 connections.
    const run = await runCli(['--db', testDatabaseUrl(), '-w', '200']);

    expectOneLineFailure(run, /^race-rig: the server has max_connections=150 \(150 usable by this user, \d+ in use\), so \d+ are free; this run needs 200, one per worker\. Lower --workers or raise max_connections\.$/m);
  });

  it('a user without the right to create the schema', async () => {
    const db = await testRole('plain_racer', 'plain-pw');

    const run = await runCli(['--db', db, '-w', '2']);

    expectOneLineFailure(run, /^race-rig: user plain_racer may not create a schema here \(permission denied for database postgres\); GRANT CREATE ON DATABASE to it, or run in a schema it may use with --schema NAME --reuse-schema$/m, 'plain-pw');
  });
});

describe('the run schema on a shared server', () => {
  async function schemaTables(schema: string): Promise<string[] | null> {
    return withClient(async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) return null;
      const { rows } = await client.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema]);
      return rows.map((row) => row.name);
    });
  }

  it('refuses a schema it did not create, unless --reuse-schema; then drops only its own tables', async () => {
    await withClient((client) => client.query('DROP SCHEMA IF EXISTS app CASCADE; CREATE SCHEMA app; CREATE TABLE app.orders (id integer)'));

    const refused = await runCli(['--db', testDatabaseUrl(), '--schema', 'app', '-w', '2', '-n', '5']);
    const reused = await runCli(['--db', testDatabaseUrl(), '--schema', 'app', '--reuse-schema', '-w', '2', '-n', '5', '--mode', 'inplace', '--json']);

    expectOneLineFailure(refused, /^race-rig: schema 'app' exists and was not created by race-rig; pass --reuse-schema to run in it/m);
    expect(reused.code).toBe(0);
    expect(JSON.parse(reused.stdout)).toMatchObject({ verdict: 'CORRECT', actual: 10, database: { schema: 'app' } });
    expect(await schemaTables('app')).toEqual(['orders']);
    await withClient((client) => client.query('DROP SCHEMA app CASCADE'));
  });

  it('--schema names the schema, --keep leaves it, and a later run may take over its own schema', async () => {
    await withClient((client) => client.query('DROP SCHEMA IF EXISTS kept_race CASCADE'));

    const kept = await runCli(['--db', testDatabaseUrl(), '--schema', 'kept_race', '--keep', '-w', '2', '-n', '5', '--mode', 'inplace']);
    const tablesAfterKeep = await schemaTables('kept_race');
    const again = await runCli(['--db', testDatabaseUrl(), '--schema', 'kept_race', '-w', '2', '-n', '5', '--mode', 'inplace']);

    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('schema kept_race (kept)');
    expect(tablesAfterKeep).toEqual(['user_counter', 'user_counter_activity']);
    expect(again.code).toBe(0);
    expect(await schemaTables('kept_race')).toBeNull();
  });
});
