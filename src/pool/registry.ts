import type { AnyScenario } from '../scenarios/types.js';
import { httpPool } from './http/pool.js';
import { startThreadPool } from './threads.js';
import type { StartPool } from './types.js';

/**
 * The ways of running a race's workers, first match wins: a scenario whose operations are HTTP
 * requests races connections of one thread; every other scenario races worker threads.
 */
const WAYS: readonly { readonly fits: (scenario: AnyScenario) => boolean; readonly pool: (scenario: AnyScenario) => StartPool }[] = [
  { fits: (scenario) => scenario.http !== undefined, pool: (scenario) => httpPool(scenario.http as NonNullable<AnyScenario['http']>) },
  { fits: () => true, pool: () => startThreadPool },
];

/** How the workers of a race of this scenario run. */
export function poolFor(scenario: AnyScenario): StartPool {
  return (WAYS.find((way) => way.fits(scenario)) ?? WAYS[WAYS.length - 1]!).pool(scenario);
}
