/**
 * `npm run bench`: measures the start, the set-up and the throughput of the rig on an embedded
 * PostgreSQL, prints a table and writes the same figures as JSON (bench-results/bench.json,
 * or --out FILE). `--quick` runs fewer repetitions; `--smoke` runs tiny sizes once each, only to
 * check that the script works (the test suite does). See the README's performance section.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import pg from 'pg';
import { runRace, startEmbeddedPostgres } from 'race-rig';
import type { RaceOptions, RaceResult } from 'race-rig';

const quick = process.argv.includes('--quick');
const smoke = process.argv.includes('--smoke');
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? process.argv[outIndex + 1] : 'bench-results/bench.json';
const rig = join(dirname(fileURLToPath(import.meta.url)), 'rig.js');

const PLAN = smoke
  ? { spreadWorkers: [2, 4], manyWorkers: 4, spreadRuns: 1, minimalRaceRuns: 2, throughput: [[2, 50], [4, 25]], throughputRuns: 1, setupWorkers: 4, setupRuns: 1, retry: [4, 10] }
  : {
      spreadWorkers: [2, 10, 100],
      manyWorkers: 100,
      spreadRuns: quick ? 3 : 5,
      minimalRaceRuns: 10,
      throughput: [[2, 5000], [10, 1000], [100, 100]],
      throughputRuns: quick ? 1 : 3,
      setupWorkers: 100,
      setupRuns: quick ? 1 : 3,
      retry: [100, 100],
    };
const RECOMMENDED_BACKOFF_MS = 5;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round = (value: number, places = 3) => Math.round(value * 10 ** places) / 10 ** places;
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

function findOnPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return null;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`))));
  });
}

async function race(db: string, options: RaceOptions): Promise<RaceResult> {
  return runRace({ db, ...options });
}

async function startSpread(db: string) {
  const rows = [];
  for (const workers of PLAN.spreadWorkers) {
    for (const gate of [false, true]) {
      const runs = workers === PLAN.manyWorkers ? PLAN.minimalRaceRuns : PLAN.spreadRuns;
      const results: RaceResult[] = [];
      for (let i = 0; i < runs; i++) results.push(await race(db, { mode: 'lost', workers, increments: 1, gate }));
      const spreads = results.map((result) => result.startSpreadMs ?? Number.NaN);
      rows.push({ workers, gate, runs: spreads, medianMs: round(median(spreads)), finalCounters: results.map((result) => result.actual) });
      log(`start spread ${workers} workers${gate ? ' with the gate' : ' with --no-gate'}: median ${round(median(spreads))} ms`);
    }
  }
  return rows;
}

async function pgbenchTps(pgbench: string, db: string, workers: number, perClient: number, scriptFile: string): Promise<number> {
  const url = new URL(db);
  const output = await run(
    pgbench,
    ['-n', '-f', scriptFile, '-c', String(workers), '-j', '2', '-t', String(perClient), '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), url.pathname.slice(1)],
    { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1];
  if (!tps) throw new Error(`cannot read tps from pgbench output: ${output}`);
  return Number(tps);
}

async function throughput(db: string) {
  const pgbench = findOnPath('pgbench');
  if (!pgbench) log('pgbench is not on PATH: the pgbench column is skipped');
  const admin = new pg.Client({ connectionString: db });
  await admin.connect();
  const dir = await mkdtemp(join(tmpdir(), 'race-rig-bench-'));
  const scriptFile = join(dir, 'inplace.sql');
  // The statement the rig's `inplace` mode runs, on a table of the same shape.
  await writeFile(scriptFile, 'UPDATE race_rig_bench.user_counter SET counter = counter + 1 WHERE user_id = 1;\n');
  await admin.query(`CREATE SCHEMA race_rig_bench;
    CREATE TABLE race_rig_bench.user_counter (user_id integer PRIMARY KEY, counter integer NOT NULL DEFAULT 0, version integer NOT NULL DEFAULT 0);
    INSERT INTO race_rig_bench.user_counter (user_id) VALUES (1);`);
  const rows = [];
  try {
    for (const [workers = 1, increments = 1] of PLAN.throughput) {
      const rigRuns: number[] = [];
      const pgbenchRuns: number[] = [];
      for (let i = 0; i < PLAN.throughputRuns; i++) {
        rigRuns.push((await race(db, { mode: 'inplace', workers, increments })).opsPerSec);
        if (pgbench) pgbenchRuns.push(await pgbenchTps(pgbench, db, workers, increments, scriptFile));
      }
      const rigOpsPerSec = Math.round(median(rigRuns));
      const pgbenchTpsMedian = pgbench ? Math.round(median(pgbenchRuns)) : null;
      rows.push({
        workers,
        increments,
        rigOpsPerSec,
        rigRuns,
        pgbenchTps: pgbenchTpsMedian,
        pgbenchRuns,
        ratio: pgbenchTpsMedian ? round(rigOpsPerSec / pgbenchTpsMedian, 2) : null,
      });
      log(`throughput ${workers} workers: rig ${rigOpsPerSec} ops/s, pgbench ${pgbenchTpsMedian ?? 'skipped'} tps`);
    }
  } finally {
    await admin.query('DROP SCHEMA IF EXISTS race_rig_bench CASCADE');
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Set-up and memory are measured on a fresh `node dist/rig.js`, so nothing else is in the process. */
async function setup(db: string) {
  const rows = [];
  for (const engine of ['embedded', 'external'] as const) {
    const results: RaceResult[] = [];
    for (let i = 0; i < PLAN.setupRuns; i++) {
      const args = [rig, '--json', '--workers', String(PLAN.setupWorkers), '--increments', '1', ...(engine === 'external' ? ['--db', db] : [])];
      const { DATABASE_URL: _unused, ...env } = process.env;
      results.push(JSON.parse(await run(process.execPath, args, env)) as RaceResult);
    }
    const setupMs = round(median(results.map((result) => result.setupMs)), 0);
    const peakRssMb = Math.max(...results.map((result) => result.peakRssMb));
    rows.push({ engine, workers: PLAN.setupWorkers, setupMs, peakRssMb, runs: results.map((result) => ({ setupMs: result.setupMs, peakRssMb: result.peakRssMb })) });
    log(`set-up (${engine}): ${setupMs} ms, peak RSS ${peakRssMb} MB`);
  }
  return rows;
}

async function retryCost(db: string) {
  const rows = [];
  for (const mode of ['serializable', 'optimistic']) {
    for (const backoffMs of [0, RECOMMENDED_BACKOFF_MS]) {
      const [workers, increments] = PLAN.retry;
      const result = await race(db, { mode, workers, increments, backoffMs });
      rows.push({ mode, workers, increments, backoffMs, opsPerSec: result.opsPerSec, attemptsPerOperation: result.attemptsPerOperation, verdict: result.verdict });
      log(`${mode} --backoff ${backoffMs}: ${result.opsPerSec} ops/s, ${result.attemptsPerOperation} attempts per increment`);
    }
  }
  return rows;
}

function printTables(report: Awaited<ReturnType<typeof measure>>): void {
  const table = (head: string[]) => new Table({ head, style: { head: [], border: [] } });
  const spread = table(['start spread (server clock)', 'workers', 'median ms', 'runs (ms)']);
  for (const row of report.startSpread) {
    spread.push([row.gate ? 'barrier + gate (default)' : 'barrier (--no-gate)', row.workers, row.medianMs, row.runs.map((ms) => round(ms, 2)).join(' ')]);
  }
  const minimal = table([`minimal race: lost, ${PLAN.manyWorkers} × 1`, 'final counters (ideal 1)', 'runs ≤ 2']);
  for (const row of report.startSpread.filter((item) => item.workers === PLAN.manyWorkers)) {
    minimal.push([row.gate ? 'barrier + gate (default)' : 'barrier (--no-gate)', row.finalCounters.join(' '), `${row.finalCounters.filter((counter) => counter <= 2).length} of ${row.finalCounters.length}`]);
  }
  const speed = table(['inplace throughput', 'rig ops/s', 'pgbench tps', 'rig ÷ pgbench']);
  for (const row of report.throughput) {
    speed.push([`${row.workers} workers × ${row.increments}`, row.rigOpsPerSec, row.pgbenchTps ?? 'pgbench not found', row.ratio ?? '-']);
  }
  const setupTable = table([`set-up, ${PLAN.setupWorkers} workers`, 'start to release ms', 'peak RSS MB']);
  for (const row of report.setup) setupTable.push([row.engine === 'embedded' ? 'embedded server (started by the run)' : 'server already running (--db)', row.setupMs, row.peakRssMb]);
  const retry = table([`retry cost, ${PLAN.retry.join(' × ')}`, '--backoff ms', 'ops/s', 'attempts per increment']);
  for (const row of report.retryCost) retry.push([row.mode, row.backoffMs, row.opsPerSec, row.attemptsPerOperation]);
  const machine = report.machine;
  process.stdout.write(
    `race-rig bench, ${report.date}: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}\n` +
      [spread, minimal, speed, setupTable, retry].map((item) => item.toString()).join('\n') +
      '\n',
  );
}

async function measure() {
  const server = await startEmbeddedPostgres({ maxConnections: 220 });
  try {
    const version = await race(server.url, { mode: 'inplace', workers: 2, increments: 1 });
    return {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGb: Math.round(totalmem() / 2 ** 30),
        node: process.versions.node,
        postgres: version.database.serverVersion,
      },
      startSpread: await startSpread(server.url),
      throughput: await throughput(server.url),
      setup: await setup(server.url),
      retryCost: await retryCost(server.url),
    };
  } finally {
    await server.stop();
  }
}

const report = await measure();
printTables(report);
if (outFile) {
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`figures written to ${outFile}`);
}
