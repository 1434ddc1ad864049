import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AbortedError, BarrierError, runRace, WorkerError } from 'race-rig';
import type { RaceStage } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl, withClient } from '../helpers/database.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { testRole } from '../helpers/roles.js';
import { eventually } from '../helpers/wait.js';

/** The advisory lock the `advisory` mode takes for user 1 ("RACE", 1): holding it from outside blocks every increment. */
const ADVISORY_MODE_LOCK = 'SELECT pg_advisory_lock(1380008773, 1)';

async function raceSchemas(): Promise<string[]> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'race\\_rig\\_%'");
    return rows.map((row) => row.name);
  });
}

/** Runs `use` while a separate session holds the lock the `advisory` mode needs. */
async function whileAdvisoryLockIsHeld<T>(use: () => Promise<T>): Promise<T> {
  return withClient(async (holder) => {
    await holder.query(ADVISORY_MODE_LOCK);
    return use();
  });
}

describe('faults during a run', () => {
  it('a worker that fails before the barrier breaks it at once, and the error names the worker', async () => {
    // The role may hold 3 connections: the coordinator and two workers get in, the others fail.
    const db = await testRole('limited_racer', 'limited-pw', { connectionLimit: 3, grants: ['GRANT CREATE ON DATABASE postgres TO limited_racer'] });
    const schemasBefore = await raceSchemas();
    const started = Date.now();

    const run = runRace({ db, mode: 'inplace', workers: 5, increments: 5 });

    await expect(run).rejects.toBeInstanceOf(WorkerError);
    await expect(run).rejects.toThrow(/^worker \d failed before the start barrier \([0-2] of 5 arrived\): too many connections for role "limited_racer"$/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(await raceSchemas()).toEqual(schemasBefore);
  });

  it('a worker whose connection is killed mid-run: its unfinished increments are reported, and the numbers add up', async () => {
    // A schema name of its own, so that no backend of an earlier run can be mistaken for worker 2.
    const schema = 'killed_connection_race';
    const worker2 = `race-rig worker 2 ${schema}`;
    // Once the tables exist, a session of the test takes the counter's row lock and holds it: every
    // worker then waits for it inside an increment, so worker 2 is certainly cut off mid-run.
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    let holding: Promise<unknown> | undefined;
    const run = runRace({
      ...{ db: testDatabaseUrl(), mode: 'for-update', workers: 6, increments: 2000, schema, keep: true },
      onStage: (stage) => {
        if (stage === 'race') holding = holder.query(`BEGIN; SELECT counter FROM ${schema}.user_counter WHERE user_id = 1 FOR UPDATE`);
      },
    });

    try {
      await eventually(() => holding?.then(() => true), 'the test to hold the row lock');
      await eventually(async () => {
        const { rows } = await withClient((client) => client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [worker2]));
        return rows.length === 1 ? true : undefined;
      }, 'worker 2 to wait for the row lock');
      const terminated = await withClient((client) => client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [worker2]));
      expect(terminated.rowCount).toBe(1);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const result = await run;
    const held = await readAndDropSchema(schema);

    expect(result.connectionLosses).toEqual([{ worker: 2, code: '57P01', message: 'terminating connection due to administrator command' }]);
    expect(result.inDoubt).toBe(1);
    expect(result.notAttempted).toBeGreaterThan(0);
    expect(result.succeeded + result.failed + result.inDoubt + result.notAttempted).toBe(12_000);
    expect(result.expected).toBe(result.succeeded);
    expect(held.counter).toBe(result.actual);
    expect(held.counter - result.succeeded).toBeGreaterThanOrEqual(0);
    expect(held.counter - result.succeeded).toBeLessThanOrEqual(1);
    expect(result).toMatchObject({ verdict: 'CORRECT', lost: 0 });
  });
});

describe('a lock that never comes', () => {
  it('--lock-timeout turns every wait into a counted failure that left no trace', async () => {
    const result = await whileAdvisoryLockIsHeld(() => runRace({ db: testDatabaseUrl(), mode: 'advisory', workers: 3, increments: 4, lockTimeoutMs: 50, keep: true }));
    const held = await readAndDropSchema(result.database.schema);

    expect(result.failures).toMatchObject({ lockTimeout: 12, total: 12 });
    expect(result.errors[0]).toMatchObject({ code: '55P03', count: 12 });
    expect(held.counter).toBe(0);
    expect(result).toMatchObject({ succeeded: 0, expected: 0, actual: 0, verdict: 'CORRECT' });
  });

  it('--statement-timeout does the same for a statement that runs too long', async () => {
    const result = await whileAdvisoryLockIsHeld(() => runRace({ db: testDatabaseUrl(), mode: 'advisory', workers: 2, increments: 3, statementTimeoutMs: 50 }));

    expect(result.failures).toMatchObject({ statementTimeout: 6, total: 6 });
    expect(result.errors[0]).toMatchObject({ code: '57014' });
  });

  it('--timeout stops the whole run, ends the stuck backends and drops the schema', async () => {
    const schemasBefore = await raceSchemas();
    const started = Date.now();

    const schema = 'timed_out_race';
    const run = whileAdvisoryLockIsHeld(() => runRace({ db: testDatabaseUrl(), mode: 'advisory', workers: 3, increments: 2, timeoutMs: 1500, schema }));

    await expect(run).rejects.toThrow(/^the run did not finish within --timeout 1500 ms and was stopped/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await raceSchemas()).toEqual(schemasBefore);
    const stuck = await withClient((client) => client.query('SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1', [`race-rig worker % ${schema}`]));
    expect(stuck.rowCount).toBe(0);
  });
});

describe('aborting at every stage', () => {
  it.each<RaceStage>(['database', 'setup', 'race', 'verify'])('an abort during %s tears everything down', async (stage) => {
    const controller = new AbortController();

    const run = runRace({
      mode: 'for-update',
      workers: 4,
      increments: stage === 'race' ? 100_000 : 5,
      signal: controller.signal,
      onStage: (entered) => {
        if (entered !== stage) return;
        // During the race, let the workers get going first.
        if (stage === 'race') setTimeout(() => controller.abort(), 1500);
        else controller.abort();
      },
    });

    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });

  it('a barrier timeout on the embedded server tears everything down too', async () => {
    await expect(runRace({ workers: 10, increments: 1, barrierTimeoutMs: 1 })).rejects.toBeInstanceOf(BarrierError);

    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });
});
