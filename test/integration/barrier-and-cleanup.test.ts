import { describe, expect, it } from 'vitest';
import { BarrierError, runRace } from 'race-rig';
import { schemaExists, testDatabaseUrl, withClient } from '../helpers/database.js';

describe('start barrier and worker threads', () => {
  it('releases every worker: one OS thread each, each runs all its increments', async () => {
    const result = await runRace({ db: testDatabaseUrl(), mode: 'inplace', workers: 24, increments: 5 });

    expect(result.threads).toBe(24);
    expect(result.succeeded).toBe(120);
    expect(result.startSpreadMs).not.toBeNull();
    expect(result.startSpreadMs).toBeGreaterThanOrEqual(0);
  });

  it('turns workers that do not arrive in time into an error that says how many arrived', async () => {
    const run = runRace({ db: testDatabaseUrl(), workers: 20, increments: 1, barrierTimeoutMs: 1 });

    await expect(run).rejects.toBeInstanceOf(BarrierError);
    await expect(run).rejects.toThrow(/^only \d+ of 20 workers reached the start barrier within 1 ms/);
  });
});

describe('a shared server', () => {
  it('works in a schema of its own, drops it afterwards and leaves other tables alone', async () => {
    await withClient((client) => client.query('CREATE TABLE IF NOT EXISTS public.bystander (n integer); TRUNCATE public.bystander; INSERT INTO public.bystander VALUES (42)'));

    const result = await runRace({ db: testDatabaseUrl(), mode: 'lost', workers: 4, increments: 10 });

    expect(result.database.schema).toMatch(/^race_rig_/);
    expect(await schemaExists(result.database.schema)).toBe(false);
    const bystander = await withClient((client) => client.query<{ n: number }>('SELECT n FROM public.bystander'));
    expect(bystander.rows).toEqual([{ n: 42 }]);
  });
});
