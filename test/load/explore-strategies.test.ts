import { describe, expect, it } from 'vitest';
import { exploreRace } from 'race-rig';
import type { ExploreOptions } from 'race-rig';
import { testDatabaseUrl } from '../helpers/database.js';

const explore = (options: ExploreOptions) => exploreRace({ db: testDatabaseUrl(), ...options });

/** The seeded strategies over hundreds of schedules: with the load tests, as the search runs long. */
describe('explore, seeded', () => {
  it('random and pct with the same seed run the same schedules', async () => {
    const options = { mode: 'lost', workers: 3, increments: 2, strategy: 'random', seed: 11, schedules: 12, all: true } as const;
    const [first, second] = [await explore(options), await explore(options)];
    expect(second.outcomes).toEqual(first.outcomes);
    expect(second.allFailing.map((failing) => failing.found.id)).toEqual(first.allFailing.map((failing) => failing.found.id));
    const pct = await explore({ mode: 'lost', workers: 3, increments: 3, strategy: 'pct', seed: 5, depth: 2, schedules: 200 });
    expect(pct).toMatchObject({ strategy: 'pct', seed: 5, depth: 2, found: true });
    expect(pct.failing).toMatchObject({ workers: 2, increments: 1 });
  });

});
