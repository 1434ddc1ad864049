/**
 * `npm run bench`: the start spread, every counter mode against pgbench running the same
 * transaction on the same server (embedded and durable, 10 and 100 clients), the time to verdict
 * as a user sees it, the cost of retries, and explore's schedules per second against PostgreSQL's
 * isolation tester, the start spread of an HTTP race (last-byte sync against threads); then, on a throwaway MariaDB, the start spread and every counter mode against
 * mariadb-slap. Prints each figure with its target and writes them
 * as JSON (bench-results/bench.json, or --out FILE). `--quick` runs each figure once; `--smoke`
 * runs tiny sizes once, only to check that the script works (the test suite does).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRace, startEmbeddedPostgres } from 'race-rig';
import type { RaceResult } from 'race-rig';
import { exploreSpeed } from './bench/explore.js';
import { httpBench } from './bench/http.js';
import { processSpread, shardSpread } from './bench/processes.js';
import { compareModes } from './bench/modes.js';
import { mysqlBench } from './bench/mysql.js';
import type { MysqlPlan } from './bench/mysql.js';
import type { ModePlan, ServerKind } from './bench/modes.js';
import { printReport } from './bench/print.js';
import { median, round } from './bench/stats.js';
import { timeToVerdict } from './bench/verdict.js';

const quick = process.argv.includes('--quick');
const smoke = process.argv.includes('--smoke');
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? process.argv[outIndex + 1] : 'bench-results/bench.json';
const rig = join(dirname(fileURLToPath(import.meta.url)), 'rig.js');

const MODES: ModePlan = smoke
  ? { clients: [2], transactions: 10, retriedTransactions: 10, runs: 1 }
  : { clients: [10, 100], transactions: 5_000, retriedTransactions: 2_000, runs: quick ? 1 : 3 };
const PLAN = smoke
  ? { spreadWorkers: [2, 4], manyWorkers: 4, spreadRuns: 1, minimalRaceRuns: 2, verdictWorkers: 4, verdictRuns: 1, retry: [4, 10], explore: { schedules: 10, runs: 1 }, http: { requests: 4, runs: 1 }, processes: { workers: 4, processes: [1, 2], runs: 1 }, shards: { shards: 2, workers: 2, runs: 1 } }
  : {
      spreadWorkers: [2, 10, 100],
      manyWorkers: 100,
      spreadRuns: quick ? 3 : 5,
      minimalRaceRuns: 10,
      verdictWorkers: 100,
      verdictRuns: quick ? 1 : 3,
      retry: [100, 100],
      explore: { schedules: 300, runs: quick ? 1 : 3 },
      http: { requests: 50, runs: quick ? 1 : 5 },
      processes: { workers: 100, processes: [1, 4], runs: quick ? 3 : 10 },
      shards: { shards: 4, workers: 25, runs: quick ? 3 : 7 },
    };
const MYSQL: MysqlPlan = smoke
  ? { spreadWorkers: 4, spreadRuns: 1, clients: [2], transactions: 10, retriedTransactions: 10, runs: 1 }
  : { spreadWorkers: 100, spreadRuns: quick ? 3 : 10, clients: [10, 100], transactions: 5_000, retriedTransactions: 2_000, runs: quick ? 1 : 3 };
const RECOMMENDED_BACKOFF_MS = 5;

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function startSpread(db: string) {
  const rows = [];
  for (const workers of PLAN.spreadWorkers) {
    for (const gate of [false, true]) {
      const runs = workers === PLAN.manyWorkers ? PLAN.minimalRaceRuns : PLAN.spreadRuns;
      const results: RaceResult[] = [];
      for (let i = 0; i < runs; i++) results.push(await runRace({ db, mode: 'lost', workers, increments: 1, gate }));
      const spreads = results.map((result) => result.startSpreadMs ?? Number.NaN);
      rows.push({ workers, gate, runs: spreads, medianMs: round(median(spreads)), finalCounters: results.map((result) => result.actual) });
      log(`start spread ${workers} workers${gate ? ' with the gate' : ' with --no-gate'}: median ${round(median(spreads))} ms`);
    }
  }
  return rows;
}

async function retryCost(db: string) {
  const rows = [];
  for (const mode of ['serializable', 'optimistic']) {
    for (const backoffMs of [0, RECOMMENDED_BACKOFF_MS]) {
      const [workers, increments] = PLAN.retry;
      const result = await runRace({ db, mode, workers, increments, backoffMs });
      rows.push({ mode, workers, increments, backoffMs, opsPerSec: result.opsPerSec, attemptsPerOperation: result.attemptsPerOperation, verdict: result.verdict });
      log(`${mode} --backoff ${backoffMs}: ${result.opsPerSec} ops/s, ${result.attemptsPerOperation} attempts per increment`);
    }
  }
  return rows;
}

/** Runs `use` on a throwaway server of the given kind, stopped afterwards. */
async function onServer<T>(kind: ServerKind, use: (db: string) => Promise<T>): Promise<T> {
  const server = await startEmbeddedPostgres({ maxConnections: 220, durable: kind === 'durable' });
  try {
    return await use(server.url);
  } finally {
    await server.stop();
  }
}

async function measure() {
  return onServer('embedded', async (db) => {
    const version = await runRace({ db, mode: 'inplace', workers: 2, increments: 1 });
    return {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.versions.node, postgres: version.database.serverVersion },
      startSpread: await startSpread(db),
      modes: [...(await compareModes('embedded', db, MODES)), ...(await onServer('durable', (durable) => compareModes('durable', durable, MODES)))],
      verdict: await timeToVerdict(rig, db, { workers: PLAN.verdictWorkers, runs: PLAN.verdictRuns }),
      retryCost: await retryCost(db),
      explore: await exploreSpeed(db, PLAN.explore),
      http: await httpBench(db, PLAN.http),
      processes: await processSpread(db, PLAN.processes),
      shards: await shardSpread(rig, db, PLAN.shards),
      mysql: await mysqlBench(MYSQL),
    };
  });
}

const report = await measure();
printReport(report, { manyWorkers: PLAN.manyWorkers, retry: PLAN.retry });
if (outFile) {
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${outFile}`);
}
