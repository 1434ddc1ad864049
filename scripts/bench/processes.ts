import { spawn } from 'node:child_process';
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

export interface ShardSpreadRow {
  readonly shards: number;
  readonly workersPerShard: number;
  readonly runs: readonly number[];
  readonly medianMs: number;
  readonly setupMs: number;
  /** The largest shard's peak memory (each shard is a machine of its own). */
  readonly peakRssMbPerShard: number;
  readonly met: boolean;
}

interface ShardJson {
  readonly startSpreadMs: number | null;
  readonly setupMs: number;
  readonly peakRssMb: number;
}

/** One run of `shards` CLI processes started at once against `db`, as N machines would start them; shard 0's result and every shard's memory. */
async function shardRun(rig: string, db: string, run: string, shards: number, workers: number): Promise<ShardJson[]> {
  const one = (index: number) =>
    new Promise<ShardJson>((resolve, reject) => {
      const child = spawn(process.execPath, [rig, '--db', db, '--run', run, '--shard', `${index}/${shards}`, '--workers', String(workers), '--increments', '1', '--mode', 'lost', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ShardJson) : reject(new Error(`shard ${index} exited with ${code}`))));
    });
  return Promise.all(Array.from({ length: shards }, (_, index) => one(index)));
}

/** The start spread of one run as `shards` machines × `workers` (here: processes of this machine), shard 0's server-clock figure. */
export async function shardSpread(rig: string, db: string, { shards, workers, runs }: { shards: number; workers: number; runs: number }): Promise<ShardSpreadRow> {
  const results: ShardJson[][] = [];
  for (let i = 0; i < runs; i++) results.push(await shardRun(rig, db, `bench_${process.pid}_${i}`, shards, workers));
  const spreads = results.map((run) => run[0]?.startSpreadMs ?? Number.NaN);
  const medianMs = round(median(spreads));
  const row = {
    ...{ shards, workersPerShard: workers, runs: spreads, medianMs },
    setupMs: round(median(results.map((run) => run[0]?.setupMs ?? Number.NaN)), 1),
    peakRssMbPerShard: Math.max(...results.flat().map((shard) => shard.peakRssMb)),
    met: medianMs <= PROCESS_SPREAD_TARGET_MS,
  };
  process.stderr.write(`bench: ${shards} shards × ${workers}: start spread median ${medianMs} ms, set-up ${row.setupMs} ms, peak ${row.peakRssMbPerShard} MB a shard\n`);
  return row;
}
