import { expect, it } from 'vitest';
import { ENGINES, runRace } from 'race-rig';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { describeOnMysql } from '../helpers/mysql.js';

/**
 * Load on InnoDB: 100 workers × 50 increments in every MySQL counter mode, each run on a throwaway
 * MariaDB the rig starts and removes (no --db), with the verdict each mode must give. The modes
 * that retry use --backoff 5. About two and a half minutes on 2 cores.
 */
const counterModes = ENGINES.mysql.scenarios.counter?.modes ?? [];

describeOnMysql('100 workers × 50 increments on a throwaway MariaDB', () => {
  it.each(counterModes.map((mode) => [mode.name, mode.outcome, mode.retries] as const))(
    '%s ends %s',
    async (mode, outcome, retries) => {
      const result = await runRace({ engine: 'mysql', mode, workers: 100, increments: 50, ...(retries ? { backoffMs: 5 } : {}) });

      expect(result.threads).toBe(100);
      expect(result.succeeded).toBe(5_000);
      expect(result.start).toBe('gate');
      if (outcome === 'correct') expect(result).toMatchObject({ verdict: 'CORRECT', actual: 5_000, lost: 0 });
      else expect(result).toMatchObject({ verdict: 'RACE' });
      expect(leftoversOfRun(process.pid)).toEqual(NOTHING_LEFT);
    },
    300_000,
  );
});
