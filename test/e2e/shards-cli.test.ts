import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { parsed, runId, schemaOf, startShards } from '../helpers/shards.js';

// A shard that never arrives or is killed mid-race: test/load/shards-faults.test.ts.
describe('a run on several machines: --run ID --shard I/N, the shards meeting at the server', () => {
  it('three shards race as one run: every shard reports the same verdict, from every worker, and the database agrees', async () => {
    const run = runId('three');
    const shards = await Promise.all(startShards(run, 3, [2, 1, 0], ['--mode', 'for-update', '--keep']).map((shard) => shard.finished));
    const held = await schemaOf(run);

    expect(shards.map((shard) => shard.code)).toEqual([0, 0, 0]);
    for (const shard of shards) expect(parsed(shard)).toMatchObject({ verdict: 'CORRECT', succeeded: 180, actual: 180, threads: 9, start: 'gate' });
    expect(held).toEqual({ exists: true, counter: 180 });
  });

  it('the lost update across shards, and the schema dropped afterwards', async () => {
    const run = runId('lost');
    const shards = await Promise.all(startShards(run, 3, [0, 1, 2], ['--mode', 'lost']).map((shard) => shard.finished));

    expect(shards.map((shard) => parsed(shard).verdict)).toEqual(['RACE', 'RACE', 'RACE']);
    expect(new Set(shards.map((shard) => parsed(shard).actual)).size).toBe(1);
    expect(await schemaOf(run)).toEqual({ exists: false, counter: null });
  });

  it('refuses a shard without --db, or with --processes, in one line', async () => {
    const noDb = await runCli(['--run', 'x', '--shard', '0/2']);
    const processes = await runCli(['--db', testDatabaseUrl(), '--run', 'x', '--shard', '0/2', '--workers', '4', '--processes', '2']);

    expect(noDb).toMatchObject({ code: 2, stderr: 'race-rig: --run needs --db: every shard must reach the same server\n' });
    expect(processes).toMatchObject({ code: 2, stderr: 'race-rig: --run does not go with --processes: each shard runs its workers as threads\n' });
  });
});
