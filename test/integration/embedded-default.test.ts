import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';

describe('embedded PostgreSQL by default', () => {
  it('starts a real server when no db is given, and leaves no server or directory behind', async () => {
    const result = await runRace({ mode: 'for-update', workers: 6, increments: 20 });

    expect(result.database.engine).toBe('embedded');
    expect(result.database.serverVersion).toMatch(/^\d+\.\d+/);
    expect(result.database.url).not.toMatch(/:[^:*@/]+@/);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 120, actual: 120 });
    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });

  it('cleans up just the same when the run fails', async () => {
    await expect(runRace({ workers: 10, increments: 1, barrierTimeoutMs: 1 })).rejects.toThrow(/start barrier/);

    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });

  it('onLog traces the run, whose directory is named after this process (what leftoversOfRun looks for)', async () => {
    const trace: string[] = [];

    await runRace({ mode: 'for-update', workers: 3, increments: 5, onLog: (line) => trace.push(line) });

    const dir = `${tmpdir()}/race-rig-${process.pid}-`;
    // As root in a private checkout (CI's mktemp -d), the postgres user cannot reach the binaries
    // in node_modules, and the rig copies them into the run directory first: one more line.
    const copies = trace.filter((line) => line.startsWith('copying the PostgreSQL binaries'));
    for (const line of copies) expect(line).toMatch(new RegExp(`^copying the PostgreSQL binaries into ${dir}[0-9a-f]{8}/runtime/native \\(the postgres user cannot reach .+\\)$`));
    expect(copies.length).toBeLessThanOrEqual(1);
    expect(trace.filter((line) => !copies.includes(line))).toEqual([
      'opening the database',
      expect.stringMatching(new RegExp(`^run directory ${dir}[0-9a-f]{8}$`)),
      expect.stringMatching(new RegExp(`^initdb \\(pid \\d+\\) creating the cluster in ${dir}[0-9a-f]{8}/data$`)),
      expect.stringMatching(/^starting PostgreSQL \(pid \d+\)$/),
      expect.stringMatching(/^PostgreSQL ready \(pid \d+\)$/),
      'setting up the tables',
      'threads connecting and waiting at the start barrier',
      'race: all 3 workers released',
      'verifying',
      'cleaning up',
      'PostgreSQL stopped, run directory deleted',
    ]);
    expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
  });
});
