import { describe, expect, it } from 'vitest';
import { runRace, SCENARIOS } from 'race-rig';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';

/**
 * Load: 200 workers × 100 increments on the embedded server (sized for them automatically), in
 * every counter mode, with the verdict each mode must give. About four minutes on 2 cores; the
 * modes that retry use --backoff 5, without which `serializable` alone takes three minutes.
 */
const counterModes = SCENARIOS.counter?.modes ?? [];

describe('200 workers × 100 increments on the embedded server', () => {
  it.each(counterModes.map((mode) => [mode.name, mode.outcome, mode.retries] as const))(
    '%s ends %s',
    async (mode, outcome, retries) => {
      const result = await runRace({ mode, workers: 200, increments: 100, ...(retries ? { backoffMs: 5 } : {}) });

      expect(result.threads).toBe(200);
      expect(result.succeeded).toBe(20_000);
      if (outcome === 'correct') expect(result).toMatchObject({ verdict: 'CORRECT', actual: 20_000, lost: 0 });
      else expect(result).toMatchObject({ verdict: 'RACE' });
      expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
    },
    300_000,
  );
});
