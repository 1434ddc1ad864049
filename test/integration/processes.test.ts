import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { testDatabaseUrl, withClient } from '../helpers/database.js';
import { counterIn } from '../helpers/sqlite-file.js';
import { eventually } from '../helpers/wait.js';

const scenario = './test/fixtures/pid-counter.js';

/** The worker processes' pids, as the run logs them when it starts them. */
function pidLog(): { pids: number[]; onLog: (line: string) => void } {
  const pids: number[] = [];
  return { pids, onLog: (line) => void (/^worker process \d+ of \d+ \(pid (\d+)\)/.exec(line)?.[1] && pids.push(Number(/\(pid (\d+)\)/.exec(line)?.[1]))) };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The counter and which processes made the increments, in a kept schema; the schema dropped after. */
async function heldIn(schema: string): Promise<{ counter: number; pids: number[] }> {
  return withClient(async (client) => {
    const counter = await client.query<{ n: number }>(`SELECT n FROM ${schema}.counter WHERE id = 1`);
    const pids = await client.query<{ pid: number }>(`SELECT DISTINCT pid FROM ${schema}.made_by ORDER BY pid`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return { counter: counter.rows[0]?.n ?? Number.NaN, pids: pids.rows.map((row) => row.pid) };
  });
}

describe('--processes: the workers spread over OS processes, released together at the server gate', () => {
  it('the increments are made by exactly the worker processes the run started, and the correct mode loses none', async () => {
    const log = pidLog();
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'for-update', workers: 6, increments: 20, processes: 3, keep: true, onLog: log.onLog });
    const held = await heldIn(result.database.schema);

    expect(log.pids).toHaveLength(3);
    expect(held.pids).toEqual([...log.pids].sort((a, b) => a - b));
    expect(held.pids).not.toContain(process.pid);
    expect(held.counter).toBe(120);
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 120, threads: 6, start: 'gate' });
    expect(result.options.processes).toBe(3);
    expect(log.pids.filter(alive)).toEqual([]);
  });

  it('the lost update happens across processes as across threads', async () => {
    const result = await runRace({ db: testDatabaseUrl(), scenario, mode: 'lost', workers: 8, increments: 50, processes: 2, keep: true });
    const held = await heldIn(result.database.schema);

    expect(result.verdict).toBe('RACE');
    expect(held.counter).toBe(result.actual);
    expect(held.counter).toBeLessThan(400);
  });

  it('a worker process killed mid-race is named by its pid and cause, its operations in doubt, and nothing is left', async () => {
    const log = pidLog();
    const schema = `killed_process_${process.pid}`;
    // The test holds the counter's row lock once the tables exist: every worker then waits inside an increment.
    const holder = new pg.Client({ connectionString: testDatabaseUrl() });
    await holder.connect();
    let holding: Promise<unknown> | undefined;
    const run = runRace({
      ...{ db: testDatabaseUrl(), scenario, mode: 'for-update', workers: 4, increments: 30, processes: 2, schema, keep: true, onLog: log.onLog },
      onStage: (stage) => {
        if (stage === 'race') holding = holder.query(`BEGIN; SELECT n FROM ${schema}.counter WHERE id = 1 FOR UPDATE`);
      },
    });
    try {
      await eventually(() => holding?.then(() => true), 'the test to hold the row lock');
      await eventually(async () => {
        const { rows } = await withClient((client) => client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock'", [`race-rig worker % ${schema}`]));
        return rows.length === 4 ? true : undefined;
      }, 'every worker to wait for the row lock');
      process.kill(log.pids[1] ?? -1, 'SIGKILL');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    const result = await run;
    const held = await heldIn(schema);

    expect(result.connectionLosses).toEqual([2, 3].map((worker) => ({ worker, code: 'PROCESS_EXIT', message: `process 2 (pid ${log.pids[1]}) was killed by SIGKILL during the race` })));
    expect(result).toMatchObject({ verdict: 'CORRECT', succeeded: 60, inDoubt: 60 });
    // What the killed process made before the test held the lock may have committed: in doubt.
    expect(held.counter).toBe(result.actual);
    expect(held.counter).toBeGreaterThanOrEqual(60);
    expect(held.counter).toBeLessThanOrEqual(120);
    expect(log.pids).toEqual(expect.arrayContaining(held.pids));
    expect(log.pids.filter(alive)).toEqual([]);
  });

  it('on SQLite: the file lock holds across processes, the in-process mutex does not, and fcntl locks only between processes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqlite-processes-'));
    const file = join(dir, 'counter.db');
    const counter = () => counterIn(file);
    try {
      const locked = await runRace({ engine: 'sqlite', file, keep: true, mode: 'file-lock', workers: 4, increments: 100, processes: 2 });
      expect(counter()).toBe(400);
      expect(locked).toMatchObject({ verdict: 'CORRECT', threads: 4 });

      const mutex = await runRace({ engine: 'sqlite', file, keep: true, mode: 'mutex', workers: 4, increments: 200, processes: 2 });
      expect(mutex.verdict).toBe('RACE');
      expect(counter()).toBe(mutex.actual);
      expect(counter()).toBeLessThan(800);

      // fcntl's record lock belongs to the process: one worker per process by default, and then exact.
      const fcntl = await runRace({ engine: 'sqlite', file, keep: true, mode: 'fcntl-lock', workers: 4, increments: 100 });
      expect(counter()).toBe(400);
      expect(fcntl).toMatchObject({ verdict: 'CORRECT', options: { processes: 4 } });

      // Four threads of one process all hold it at once: the lock excludes nothing between them.
      const threads = await runRace({ engine: 'sqlite', file, keep: true, mode: 'fcntl-lock', workers: 4, increments: 200, processes: 1 });
      expect(threads.verdict).toBe('RACE');
      expect(counter()).toBe(threads.actual);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what cannot cross processes, in one line', async () => {
    await expect(runRace({ db: testDatabaseUrl(), workers: 2, processes: 3 })).rejects.toThrow('--processes 3 needs at least as many workers (got --workers 2)');
    await expect(runRace({ db: testDatabaseUrl(), workers: 4, processes: 2, concurrency: 2 })).rejects.toThrow('--processes 2 does not go with --concurrency: its semaphore is shared memory of one process');
  });
});
