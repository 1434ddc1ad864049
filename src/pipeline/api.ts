import type { RaceOptions } from '../race/options.js';
import { summarizeRepeats } from '../result/repeat.js';
import type { RepeatedResult } from '../result/repeat.js';
import type { RaceResult } from '../result/types.js';
import { runRaces } from './run-races.js';
import type { ResultListener } from './run-races.js';

/**
 * Runs one race: opens the database (an embedded PostgreSQL unless `db` is given; a temp file on
 * SQLite), creates fresh data, races the workers, and reads the truth back from the database.
 * Prints nothing; returns the result `--json` prints. Everything it started or created (a server,
 * its directory, the schema, the threads) is gone when it settles, also when it fails, is aborted,
 * or runs past `timeoutMs`.
 */
export async function runRace(options: RaceOptions = {}): Promise<RaceResult> {
  const [result] = await runRaces(options, { repeat: 1 });
  if (!result) throw new Error('a run produced no result');
  return result;
}

/** `--repeat`: the whole race `repeat` times on fresh data (one session, one pool), and how often it reproduced. */
export async function runRepeatedRace(options: RaceOptions & { readonly repeat: number }): Promise<RepeatedResult> {
  const { repeat, ...rest } = options;
  return summarizeRepeats(await runRaces(rest, { repeat }));
}

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

export type ComparisonOptions = Omit<RaceOptions, 'mode' | 'expect' | 'mutex'> & ResultListener;

/**
 * `race-rig compare`: every mode of the scenario, one after another on fresh data, on one
 * session and one pool of workers, so that the trade-off shows in one table.
 */
export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  const runs = await runRaces(options, { everyMode: true });
  const first = runs[0];
  return {
    schemaVersion: 1,
    scenario: first?.scenario ?? options.scenario ?? 'counter',
    engine: first?.options.engine ?? options.engine ?? 'postgres',
    workers: first?.workers ?? 0,
    increments: first?.increments ?? 0,
    asDocumented: runs.every((run) => run.expectation?.met === true),
    runs,
  };
}
