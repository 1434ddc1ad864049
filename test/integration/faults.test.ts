import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { readAndDropSchema, testDatabaseUrl, withClient } from '../helpers/database.js';
import { eventually } from '../helpers/wait.js';

/** The schema of the run whose worker `worker` is connected right now. */
async function racingSchema(worker: number): Promise<string | undefined> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT application_name AS name FROM pg_stat_activity WHERE application_name LIKE $1`,
      [`race-rig worker ${worker} %`],
    );
    return rows[0]?.name.split(' ')[3];
  });
}

describe('faults during a run', () => {
  it('a worker whose connection is killed mid-run: its unfinished increments are reported, and the numbers add up', async () => {
    const run = runRace({ db: testDatabaseUrl(), mode: 'for-update', workers: 6, increments: 2000, keep: true });

    const schema = await eventually(() => racingSchema(2), 'worker 2 to connect');
    await eventually(async () => {
      const { rows } = await withClient((client) => client.query<{ counter: number }>(`SELECT counter FROM ${schema}.user_counter`).catch(() => ({ rows: [] })));
      return (rows[0]?.counter ?? 0) > 200 ? true : undefined;
    }, 'the race to be under way');
    const terminated = await withClient((client) =>
      client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`race-rig worker 2 ${schema}`]),
    );
    expect(terminated.rowCount).toBe(1);
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
