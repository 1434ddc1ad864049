import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { runCli } from '../helpers/cli.js';
import { testDatabaseUrl, withClient } from '../helpers/database.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/wallet-service/', import.meta.url));
const scenario = './examples/wallet-service/race-service.js';

/** The wallet's balance and the ledger's sum in a kept schema, and the schema dropped after. */
async function walletIn(schema: string): Promise<{ balance: number; withdrawn: number }> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ balance: number; withdrawn: number }>(
      `SELECT balance, (SELECT coalesce(sum(amount), 0)::integer FROM ${schema}.ledger) AS withdrawn FROM ${schema}.wallets WHERE id = 1`,
    );
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return rows[0] ?? { balance: Number.NaN, withdrawn: Number.NaN };
  });
}

describe('the example wallet service (kysely, fastify), its withdraw() raced from the worker threads', () => {
  it('as first written (check, then act): the wallet is overdrawn, as the database shows', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'check-then-act', workers: 10, increments: 5, keep: true });
    const wallet = await walletIn(result.database.schema);

    expect(result.verdict).toBe('RACE');
    expect(wallet.balance).toBeLessThan(0);
    expect(wallet.balance).toBe(50 - wallet.withdrawn);
    expect(result.outcomes.accepted).toBe(wallet.withdrawn / 10);
  });

  it('fixed (the check inside the UPDATE): the balance stops at 0, exactly 5 withdrawals made', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'guarded', workers: 10, increments: 5, keep: true });

    expect(await walletIn(result.database.schema)).toEqual({ balance: 0, withdrawn: 50 });
    expect(result).toMatchObject({ verdict: 'CORRECT', outcomes: { accepted: 5, refused: 45 } });
  });

  it('its HTTP API answers 200 for a withdrawal made and 409 for one the balance does not cover', async () => {
    const { Kysely, PostgresDialect } = await import(`${EXAMPLE}node_modules/kysely/dist/esm/index.js`);
    const { buildApp } = await import(`${EXAMPLE}src/app.js`);
    const { createTables } = await import(`${EXAMPLE}src/schema.js`);
    const schema = `wallet_api_${process.pid}`;
    await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
    const pool = new pg.Pool({ connectionString: testDatabaseUrl(), options: `-c search_path=${schema}`, max: 2 });
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    const app = buildApp(db, { guarded: true });
    try {
      await createTables(db);
      await db.insertInto('wallets').values({ id: 1, balance: 15 }).execute();
      const withdraw = () => app.inject({ method: 'POST', url: '/wallets/1/withdraw', payload: { amount: 10 } });

      expect((await withdraw()).statusCode).toBe(200);
      expect((await withdraw()).statusCode).toBe(409);
      expect((await app.inject({ method: 'GET', url: '/wallets/1' })).json()).toEqual({ balance: 5 });
    } finally {
      await app.close();
      await db.destroy();
      await withClient((client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
    }
  });
});

describe('the example wallet service raced over HTTP: POST /wallets/1/withdraw, released by last-byte sync', () => {
  const overHttp = './examples/wallet-service/race-http.js';

  it('as first written: the endpoint overdraws the wallet, as the database shows, from the CLI', async () => {
    const run = await runCli(['--db', testDatabaseUrl(), '--scenario', overHttp, '--mode', 'check-then-act', '--workers', '10', '--increments', '3', '--keep', '--expect', 'race', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { verdict: string; start: string; outcomes: Record<string, number>; database: { schema: string } };
    const wallet = await walletIn(result.database.schema);

    expect(result).toMatchObject({ verdict: 'RACE', start: 'last-byte' });
    expect(wallet.balance).toBeLessThan(0);
    expect(wallet.balance).toBe(50 - wallet.withdrawn);
    expect(result.outcomes.accepted).toBe(wallet.withdrawn / 10);
  });

  it('fixed: the balance stops at 0 with exactly 5 withdrawals answered 200, the rest 409, from runRace', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario: overHttp, mode: 'guarded', workers: 10, increments: 3, keep: true });

    expect(await walletIn(result.database.schema)).toEqual({ balance: 0, withdrawn: 50 });
    expect(result).toMatchObject({ verdict: 'CORRECT', outcomes: { accepted: 5, refused: 25 }, inDoubt: 0 });
    expect(result.figures.bodySpreadMs).toBeGreaterThanOrEqual(0);
  });

  it('over HTTP/2, every withdrawal a stream of one connection: overdrawn as over HTTP/1.1', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario: './examples/wallet-service/race-http2.js', mode: 'check-then-act', workers: 10, increments: 3, keep: true });
    const wallet = await walletIn(result.database.schema);

    expect(result).toMatchObject({ verdict: 'RACE', start: 'last-byte', inDoubt: 0 });
    expect(wallet.balance).toBeLessThan(0);
    expect(result.outcomes.accepted).toBe(wallet.withdrawn / 10);
  });
});

describe('examples/http-endpoint.js: the wallet app already running, raced from the command line by --param', () => {
  /** The wallet app on a schema of its own, listening on a free port; what the race left, then everything stopped. */
  async function withRunningApp(guarded: boolean, race: (url: string, schema: string) => Promise<void>): Promise<{ balance: number; withdrawn: number }> {
    const { Kysely, PostgresDialect } = await import(`${EXAMPLE}node_modules/kysely/dist/esm/index.js`);
    const { buildApp } = await import(`${EXAMPLE}src/app.js`);
    const { createTables } = await import(`${EXAMPLE}src/schema.js`);
    const schema = `wallet_running_${process.pid}_${guarded ? 'guarded' : 'unguarded'}`;
    await withClient((client) => client.query(`CREATE SCHEMA ${schema}`));
    const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: testDatabaseUrl(), options: `-c search_path=${schema}`, max: 10 }) }) });
    const app = buildApp(db, { guarded });
    try {
      await createTables(db);
      await db.insertInto('wallets').values({ id: 1, balance: 50 }).execute();
      await app.listen({ host: '127.0.0.1', port: 0 });
      await race(`http://127.0.0.1:${app.server.address().port}`, schema);
    } finally {
      await app.close();
      await db.destroy();
    }
    return walletIn(schema);
  }

  const cli = (url: string, schema: string, expect: string) =>
    runCli([
      ...['--db', testDatabaseUrl(), '--scenario', './examples/http-endpoint.js', '--workers', '10', '--increments', '1', '--expect', expect],
      ...['--param', `url=${url}`, '--param', 'path=/wallets/1/withdraw', '--param', 'body={"amount":10}'],
      ...['--param', `verify=SELECT balance >= 0 AS holds, balance AS actual FROM ${schema}.wallets WHERE id = 1`],
    ]);

  it('as first written: RACE, the wallet overdrawn; fixed: CORRECT, exactly 5 withdrawals', async () => {
    const unguarded = await withRunningApp(false, async (url, schema) => {
      const run = await cli(url, schema, 'race');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/ RACE .*broke/);
    });
    const guarded = await withRunningApp(true, async (url, schema) => {
      const run = await cli(url, schema, 'correct');
      expect(run.code, run.stderr).toBe(0);
    });

    expect(unguarded.balance).toBeLessThan(0);
    expect(unguarded.balance).toBe(50 - unguarded.withdrawn);
    expect(guarded).toEqual({ balance: 0, withdrawn: 50 });
  });
});
