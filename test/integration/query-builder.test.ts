import { describe, expect, it } from 'vitest';
import { exploreRace, runRace } from 'race-rig';
import { testDatabaseUrl, withClient } from '../helpers/database.js';
import { describeOnMysql, readAndDropDatabase, testMysqlUrl } from '../helpers/mysql.js';

// @ts-expect-error: a plain JavaScript scenario module, as users write them
import { OWN_POOL } from '../fixtures/kysely-counter.js';

const scenario = './test/fixtures/kysely-counter.js';

/** The counter as the kept schema holds it, and the schema dropped after. */
async function counterIn(schema: string): Promise<number> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(`SELECT n FROM ${schema}.counters WHERE id = 1`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return rows[0]?.n ?? Number.NaN;
  });
}

describe('a scenario written with a query builder (kysely) on the pool each worker gets', () => {
  it('lost: the read-modify-write loses increments, as the table shows', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'lost', workers: 10, increments: 40, keep: true });

    expect(await counterIn(result.database.schema)).toBe(result.actual);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 400 });
    expect(result.actual).toBeLessThan(400);
  });

  it("for-update in kysely's transaction(): exact, on one connection per worker", async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'for-update', workers: 10, increments: 20, keep: true });

    expect(await counterIn(result.database.schema)).toBe(200);
    expect(result).toMatchObject({ verdict: 'CORRECT', threads: 10 });
  });

  it("own-pool: a pool the scenario opens from context.connectionConfig, in the run's schema, closed when the worker ends", async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'own-pool', workers: 4, increments: 25, keep: true });
    const left = await withClient(async (client) => (await client.query('SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = $1', [OWN_POOL])).rows[0]?.n);

    expect(await counterIn(result.database.schema)).toBe(100);
    expect(result.verdict).toBe('CORRECT');
    expect(left).toBe(0);
  });

  it("explore schedules kysely's own statements: the lost update found, the transaction's fix held over every schedule", async () => {
    const broken = await exploreRace({ db: testDatabaseUrl(), scenario, mode: 'lost' });
    const fixed = await exploreRace({ db: testDatabaseUrl(), scenario, mode: 'for-update' });

    expect(broken).toMatchObject({ found: true, failing: { expected: 2, actual: 1 } });
    expect(broken.failing?.steps.map((step) => step.sql)).toEqual([
      'select "n" from "counters" where "id" = 1',
      'select "n" from "counters" where "id" = 1',
      'update "counters" set "n" = 1 where "id" = 1',
      'update "counters" set "n" = 1 where "id" = 1',
    ]);
    expect(fixed.found).toBe(false);
    expect(fixed.interleavings).toBe(fixed.schedules);
  });
});

describe('drizzle-orm on the same pool', () => {
  const drizzleScenario = './test/fixtures/drizzle-counter.js';

  it('lost: RACE; for-update in db.transaction(): exact; explore finds the lost update in its SQL', async () => {
    const broken = await runRace({ db: testDatabaseUrl(), scenario: drizzleScenario, mode: 'lost', workers: 10, increments: 40, keep: true });
    const fixed = await runRace({ db: testDatabaseUrl(), scenario: drizzleScenario, mode: 'for-update', workers: 10, increments: 20, keep: true });
    const explored = await exploreRace({ db: testDatabaseUrl(), scenario: drizzleScenario, mode: 'lost' });

    expect(await counterIn(broken.database.schema)).toBe(broken.actual);
    expect(broken.verdict).toBe('RACE');
    expect(await counterIn(fixed.database.schema)).toBe(200);
    expect(fixed.verdict).toBe('CORRECT');
    expect(explored).toMatchObject({ found: true, failing: { expected: 2, actual: 1 } });
    expect(explored.failing?.steps[0]?.sql).toBe('select "n" from "counters" where "counters"."id" = 1');
  });
});

describeOnMysql('the same with kysely on MySQL, on the pool each worker gets', () => {
  const mysqlScenario = './test/fixtures/kysely-mysql-counter.js';
  const counterOnMysql = (database: string) => readAndDropDatabase(database, 'SELECT n FROM {db}.counters WHERE id = 1');

  it('lost: RACE, held at the server gate like the rig\'s own statements; for-update in a transaction: exact', async () => {
    const broken = await runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', scenario: mysqlScenario, mode: 'lost', workers: 10, increments: 40, keep: true });
    const fixed = await runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', scenario: mysqlScenario, mode: 'for-update', workers: 10, increments: 20, keep: true });

    expect(await counterOnMysql(broken.database.schema)).toBe(broken.actual);
    expect(broken).toMatchObject({ verdict: 'RACE', start: 'gate' });
    expect(broken.actual).toBeLessThan(400);
    expect(broken.startSpreadMs).not.toBeNull();
    expect(await counterOnMysql(fixed.database.schema)).toBe(200);
    expect(fixed.verdict).toBe('CORRECT');
  });

  it("explore schedules kysely's statements on MySQL too", async () => {
    const result = await exploreRace({ engine: 'mysql', db: testMysqlUrl() ?? '', scenario: mysqlScenario, mode: 'lost' });

    expect(result).toMatchObject({ found: true, failing: { expected: 2, actual: 1 } });
    expect(result.failing?.steps.map((step) => step.sql)).toEqual([
      'select `n` from `counters` where `id` = 1',
      'select `n` from `counters` where `id` = 1',
      'update `counters` set `n` = 1 where `id` = 1',
      'update `counters` set `n` = 1 where `id` = 1',
    ]);
  });
});
