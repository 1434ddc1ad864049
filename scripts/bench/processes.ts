import { runRace } from 'race-rig';
import { median, round } from './stats.js';

/** The target: 100 workers start within 10 ms of each other (server clock), however they are spread. */
export const PROCESS_SPREAD_TARGET_MS = 10;

export interface ProcessSpreadRow {
  readonly processes: number;
  readonly workers: number;
  readonly runs: readonly number[];
  readonly medianMs: number;
  readonly setupMs: number;
  readonly peakRssMb: number;
  readonly met: boolean;
}

/** The start spread, set-up time and peak memory of `lost` × 1 with the workers in 1 or more processes. */
export async function processSpread(db: string, { workers, processes, runs }: { workers: number; processes: readonly number[]; runs: number }): Promise<ProcessSpreadRow[]> {
  const rows: ProcessSpreadRow[] = [];
  for (const count of processes) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runRace({ db, mode: 'lost', workers, increments: 1, processes: count }));
    const spreads = results.map((result) => result.startSpreadMs ?? Number.NaN);
    const medianMs = round(median(spreads));
    const row = { processes: count, workers, runs: spreads, medianMs, setupMs: round(median(results.map((result) => result.setupMs)), 1), peakRssMb: Math.max(...results.map((result) => result.peakRssMb)), met: medianMs <= PROCESS_SPREAD_TARGET_MS };
    process.stderr.write(`bench: ${workers} workers in ${count} process(es): start spread median ${medianMs} ms, set-up ${row.setupMs} ms, peak ${row.peakRssMb} MB\n`);
    rows.push(row);
  }
  return rows;
}
