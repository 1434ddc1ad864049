import type { AnyScenario } from '../scenarios/types.js';
import { httpPool } from './http/pool.js';
import { processPool } from './processes/pool.js';
import { startThreadPool } from './threads.js';
import type { StartPool } from './types.js';

/**
 * The ways of running a race's workers, first match wins: a scenario whose operations are HTTP
 * requests races connections of one thread; `--processes P` spreads the workers over P
 * processes of threads; every other race runs worker threads of this process.
 */
/** What choosing needs of a resolved race. */
interface RaceShape {
  readonly scenario: AnyScenario;
  readonly common: { readonly processes: number };
}

type Log = (line: string) => void;

const WAYS: readonly { readonly fits: (race: RaceShape) => boolean; readonly pool: (race: RaceShape, log: Log) => StartPool }[] = [
  { fits: (race) => race.scenario.http !== undefined, pool: (race) => httpPool(race.scenario.http as NonNullable<AnyScenario['http']>) },
  { fits: (race) => race.common.processes > 1, pool: (race, log) => processPool(race.common.processes, log) },
  { fits: () => true, pool: () => startThreadPool },
];

/** How the workers of this race run. */
export function poolFor(race: RaceShape, log: Log = () => {}): StartPool {
  return (WAYS.find((way) => way.fits(race)) ?? WAYS[WAYS.length - 1]!).pool(race, log);
}
