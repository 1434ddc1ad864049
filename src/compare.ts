import { InvalidOptionError } from './errors.js';
import type { RaceOptions } from './options.js';
import type { RaceResult } from './result.js';
import { runRaces } from './run-race.js';
import { scenarioOf } from './scenarios/describe.js';

/** What `runComparison` returns and `race-rig compare --json` prints. */
export interface ComparisonResult {
  readonly schemaVersion: 1;
  readonly scenario: string;
  readonly engine: string;
  readonly workers: number;
  readonly increments: number;
  /** Whether every mode showed the outcome its scenario documents (RACE for `lost`, CORRECT for the fixes). */
  readonly asDocumented: boolean;
  /** One run per mode, in the scenario's order; each one's `expectation` is the mode's documented outcome. */
  readonly runs: readonly RaceResult[];
}

export type ComparisonOptions = Omit<RaceOptions, 'mode' | 'expect' | 'mutex'>;

/**
 * `race-rig compare`: every mode of the scenario, one after another on fresh data (on one
 * database and one pool of threads), so that the trade-off shows in one table.
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  const given = options as RaceOptions;
  if (given.mode !== undefined) throw new InvalidOptionError('compare runs every mode of the scenario; --mode does not go with it');
  if (given.expect !== undefined) throw new InvalidOptionError("compare expects each mode's documented outcome; --expect does not go with it");
  const scenario = await scenarioOf(options);
  if ((options.maxRetries !== undefined || (options.backoffMs ?? 0) > 0) && !scenario.modes.some((mode) => mode.retries)) {
    throw new InvalidOptionError(`--max-retries and --backoff apply to modes that retry, and ${scenario.name} has none`);
  }
  const runs = await runRaces(options, 1, scenario.modes);
  const first = runs[0];
  return {
    schemaVersion: 1,
    scenario: scenario.name,
    engine: first?.options.engine ?? options.engine ?? 'postgres',
    workers: first?.workers ?? 0,
    increments: first?.increments ?? 0,
    asDocumented: runs.every((run) => run.expectation?.met === true),
    runs,
  };
}
