import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exploreRace } from 'race-rig';
import { findIsolationTester, runIsolationTester } from '../isolation-tester.js';
import { median, round } from './stats.js';

/** The issue's target: schedules per second for counter lost, 2 workers × 1 increment, on the embedded server. */
export const EXPLORE_TARGET = 50;

export interface ExploreRow {
  readonly schedules: number;
  readonly runs: readonly number[];
  readonly schedulesPerSec: number;
  /** PostgreSQL's isolationtester running every permutation of the same exported spec, per second; null without a tester. */
  readonly testerPermutationsPerSec: number | null;
  readonly testerPermutations: number | null;
  readonly ratio: number | null;
  readonly target: number;
  readonly met: boolean;
}

/** The exported spec with its one permutation removed: the tester then runs every permutation of its steps. */
const everyPermutation = (spec: string) => spec.replace(/^permutation .*$/m, '');

async function testerRate(db: string, spec: string): Promise<{ perSec: number; permutations: number } | null> {
  const tester = findIsolationTester();
  if (!tester) return null;
  const dir = await mkdtemp(join(tmpdir(), 'race-rig-bench-'));
  try {
    const file = join(dir, 'lost.spec');
    await writeFile(file, everyPermutation(spec));
    const run = await runIsolationTester(tester, db, file, `bench_tester_${process.pid}`);
    const seconds = run.elapsedMs / 1000;
    const permutations = (run.stdout.match(/^starting permutation:/gm) ?? []).length;
    return { perSec: round(permutations / seconds, 1), permutations };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Explore's speed: random schedules of counter lost, 2 × 1, each on data reset to the set-up and
 * judged by the scenario's verify (shrinking not counted), against PostgreSQL's own isolation
 * tester running every permutation of the failing schedule's exported spec on the same server.
 */
export async function exploreSpeed(db: string, { schedules, runs }: { schedules: number; runs: number }): Promise<ExploreRow> {
  const rates: number[] = [];
  let spec = '';
  for (let i = 0; i < runs; i++) {
    const result = await exploreRace({ db, mode: 'lost', workers: 2, increments: 1, strategy: 'random', seed: i + 1, schedules, all: true });
    rates.push(result.schedulesPerSec);
    spec = result.failing?.spec ?? spec;
  }
  const schedulesPerSec = round(median(rates), 1);
  const tester = spec ? await testerRate(db, spec) : null;
  process.stderr.write(`bench: explore ${schedules} schedules: ${schedulesPerSec}/s${tester ? `; isolationtester ${tester.perSec} permutations/s` : ''}\n`);
  return {
    schedules,
    runs: rates,
    schedulesPerSec,
    testerPermutationsPerSec: tester?.perSec ?? null,
    testerPermutations: tester?.permutations ?? null,
    ratio: tester ? round(schedulesPerSec / tester.perSec, 2) : null,
    target: EXPLORE_TARGET,
    met: schedulesPerSec >= EXPLORE_TARGET,
  };
}
