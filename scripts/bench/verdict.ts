import { performance } from 'node:perf_hooks';
import type { RaceResult } from 'race-rig';
import { run } from './pgbench.js';
import { median, round } from './stats.js';

/** Time to verdict, as a user sees it: the wall clock of the whole command. */
export const VERDICT_TARGETS = { mainJobOverRaceMs: 1_500, minimalRaceWallMs: 2_000, peakRssMb: 1_000 } as const;

export interface VerdictRow {
  readonly job: 'main' | 'minimal';
  readonly command: string;
  readonly wallMs: number;
  readonly setupMs: number;
  readonly raceMs: number;
  /** Wall clock minus set-up and race: Node's start, tearing down, printing. */
  readonly restMs: number;
  readonly peakRssMb: number;
  readonly target: string;
  readonly met: boolean;
  readonly runs: readonly { wallMs: number; setupMs: number; raceMs: number; peakRssMb: number }[];
}

async function timedRun(rig: string, args: readonly string[]): Promise<{ wallMs: number; result: RaceResult }> {
  const { DATABASE_URL: _unused, ...env } = process.env;
  const started = performance.now();
  const stdout = await run(process.execPath, [rig, ...args, '--json'], env);
  return { wallMs: performance.now() - started, result: JSON.parse(stdout) as RaceResult };
}

async function measureJob(rig: string, job: VerdictRow['job'], args: readonly string[], runs: number): Promise<VerdictRow> {
  const measured: VerdictRow['runs'][number][] = [];
  for (let i = 0; i < runs; i++) {
    const { wallMs, result } = await timedRun(rig, args);
    measured.push({ wallMs: Math.round(wallMs), setupMs: Math.round(result.setupMs), raceMs: Math.round(result.elapsedMs), peakRssMb: result.peakRssMb });
  }
  const pick = (key: 'wallMs' | 'setupMs' | 'raceMs') => Math.round(median(measured.map((item) => item[key])));
  const [wallMs, setupMs, raceMs] = [pick('wallMs'), pick('setupMs'), pick('raceMs')];
  const peakRssMb = Math.max(...measured.map((item) => item.peakRssMb));
  const withinTime = job === 'main' ? wallMs <= raceMs + VERDICT_TARGETS.mainJobOverRaceMs : wallMs <= VERDICT_TARGETS.minimalRaceWallMs;
  const target = job === 'main' ? `wall ≤ race + ${VERDICT_TARGETS.mainJobOverRaceMs} ms, RSS ≤ ${VERDICT_TARGETS.peakRssMb} MB` : `wall ≤ ${VERDICT_TARGETS.minimalRaceWallMs} ms, RSS ≤ ${VERDICT_TARGETS.peakRssMb} MB`;
  const row = { job, command: `node dist/rig.js ${args.map((arg) => (arg.startsWith('postgres') ? 'URL' : arg)).join(' ')}`, wallMs, setupMs, raceMs, restMs: wallMs - setupMs - raceMs, peakRssMb: round(peakRssMb, 0), target, met: withinTime && peakRssMb <= VERDICT_TARGETS.peakRssMb, runs: measured };
  process.stderr.write(`bench: ${row.command}: wall ${wallMs} ms (set-up ${setupMs}, race ${raceMs}), peak RSS ${row.peakRssMb} MB\n`);
  return row;
}

/** The README's main job on the embedded default, and a minimal race against a running server. */
export async function timeToVerdict(rig: string, db: string, { workers, runs }: { workers: number; runs: number }): Promise<VerdictRow[]> {
  return [
    await measureJob(rig, 'main', ['--workers', String(workers), '--mode', 'lost'], runs),
    await measureJob(rig, 'minimal', ['--workers', String(workers), '--increments', '1', '--db', db], runs),
  ];
}
