import { describe, expect, it } from 'vitest';
import type { CliRun } from '../helpers/cli.js';
import { withClient } from '../helpers/database.js';
import { parsed, runId, schemaOf, startShards } from '../helpers/shards.js';
import { eventually } from '../helpers/wait.js';

describe('a run on several machines when a shard fails', () => {
  it('a shard that never arrives: exit 2 naming it, the others called off, nothing left', async () => {
    const run = runId('missing');
    const [first, second] = await Promise.all(startShards(run, 3, [0, 1], ['--mode', 'for-update', '--barrier-timeout', '3000']).map((shard) => shard.finished));

    expect(first?.code).toBe(2);
    expect(first?.stderr).toMatch(new RegExp(`^race-rig: shard 2 of run ${run} never arrived within 3000 ms; only 6 of 9 workers reached the server gate`));
    expect(second?.code).toBe(2);
    expect(second?.stderr).toBe(`race-rig: run ${run} was called off by shard 0 (its schema is gone); shard 0's output says why\n`);
    expect(await schemaOf(run)).toEqual({ exists: false, counter: null });
  });

  it('a shard killed mid-race: its workers lost, its operations in doubt, the verdict allows for them', async () => {
    const run = runId('killed');
    const schema = `race_rig_run_${run}`;
    const shards = startShards(run, 3, [0, 1, 2], ['--mode', 'for-update', '--increments', '1000']);
    // Once increments are being made, the gate has opened: shard 1 is killed mid-race, with most of
    // its 3,000 increments still to make.
    await eventually(async () => {
      const counter = await withClient((client) => client.query<{ counter: number }>(`SELECT counter FROM ${schema}.user_counter`).catch(() => ({ rows: [] })));
      return (counter.rows[0]?.counter ?? 0) > 0 ? true : undefined;
    }, 'the race to be under way');
    shards[1]?.child.kill('SIGKILL');
    const [leader, killed, other] = await Promise.all(shards.map((shard) => shard.finished));

    expect(killed?.signal).toBe('SIGKILL');
    for (const shard of [leader, other]) {
      expect(shard?.code, shard?.stderr).toBe(0);
      const result = parsed(shard as CliRun);
      expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 6000, inDoubt: 3000 });
      expect(result.actual).toBeGreaterThanOrEqual(6000);
      expect(result.actual).toBeLessThanOrEqual(9000);
      expect(result.connectionLosses.map((loss) => [loss.worker, loss.code])).toEqual([3, 4, 5].map((worker) => [worker, 'SHARD_LOST']));
    }
    expect(await schemaOf(run)).toEqual({ exists: false, counter: null });
  });
});
