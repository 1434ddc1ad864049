import { describe, expect, it } from 'vitest';
import { runRace } from 'race-rig';
import { embeddedTraces, leftoversSince, NOTHING_LEFT } from '../helpers/leftovers.js';

describe('embedded PostgreSQL by default', () => {
  it('starts a real server when no db is given, and leaves no server or directory behind', async () => {
    const before = embeddedTraces();

    const result = await runRace({ mode: 'for-update', workers: 6, increments: 20 });

    expect(result.database.engine).toBe('embedded');
    expect(result.database.serverVersion).toMatch(/^\d+\.\d+/);
    expect(result.database.url).not.toMatch(/:[^:*@/]+@/);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 120, actual: 120 });
    expect(leftoversSince(before)).toEqual(NOTHING_LEFT);
  });

  it('cleans up just the same when the run fails', async () => {
    const before = embeddedTraces();

    await expect(runRace({ workers: 10, increments: 1, barrierTimeoutMs: 1 })).rejects.toThrow(/start barrier/);

    expect(leftoversSince(before)).toEqual(NOTHING_LEFT);
  });
});
