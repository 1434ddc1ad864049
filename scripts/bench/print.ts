import Table from 'cli-table3';
import type { ModeRow } from './modes.js';
import { round } from './stats.js';
import type { ExploreRow } from './explore.js';
import type { HttpBench } from './http.js';
import type { ProcessSpreadRow, ShardSpreadRow } from './processes.js';
import { PROCESS_SPREAD_TARGET_MS } from './processes.js';
import type { MysqlBench } from './mysql.js';
import type { VerdictRow } from './verdict.js';

interface PrintedReport {
  readonly date: string;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGb: number; readonly node: string; readonly postgres: string };
  readonly startSpread: readonly { workers: number; gate: boolean; medianMs: number; runs: readonly number[]; finalCounters: readonly number[] }[];
  readonly modes: readonly ModeRow[];
  readonly verdict: readonly VerdictRow[];
  readonly retryCost: readonly { mode: string; backoffMs: number; opsPerSec: number; attemptsPerOperation: number }[];
  readonly explore: ExploreRow;
  readonly http: HttpBench;
  readonly processes: readonly ProcessSpreadRow[];
  readonly shards: ShardSpreadRow;
  readonly mysql: MysqlBench | null;
}

const table = (head: string[]) => new Table({ head, style: { head: [], border: [] } });
const mark = (met: boolean | null) => (met === null ? '-' : met ? 'met' : 'MISSED');

function modesTable(rows: readonly ModeRow[]): Table.Table {
  const modes = table(['mode (same transaction)', 'server', 'clients', 'rig ops/s', 'pgbench tps', 'rig ÷ pgbench', 'target', '', 'tries: rig / pgbench']);
  for (const row of rows) {
    const tries = row.rigTriesPerIncrement === 1 && (row.pgbenchTriesPerTransaction ?? 1) === 1 ? '' : `${row.rigTriesPerIncrement} / ${row.pgbenchTriesPerTransaction ?? '-'}`;
    modes.push([row.mode, row.server, row.clients, row.rigOpsPerSec, row.pgbenchTps ?? 'pgbench not found', row.ratio ?? '-', `≥ ${row.target}`, mark(row.met), tries]);
  }
  return modes;
}

function verdictTable(rows: readonly VerdictRow[]): Table.Table {
  const verdict = table(['time to verdict (wall clock of the command)', 'wall ms', 'set-up ms', 'race ms', 'rest ms', 'peak RSS MB', 'target', '']);
  for (const row of rows) verdict.push([row.command, row.wallMs, row.setupMs, row.raceMs, row.restMs, row.peakRssMb, row.target, mark(row.met)]);
  return verdict;
}

function processesTable(rows: readonly ProcessSpreadRow[], shards: ShardSpreadRow): Table.Table {
  const spread = table(['start spread (server clock), lost × 1', 'workers', 'processes', 'median ms', 'runs (ms)', 'target', '', 'set-up ms', 'peak RSS MB (all processes)']);
  for (const row of rows) {
    const how = row.processes === 1 ? 'threads of one process' : `--processes ${row.processes}`;
    spread.push([how, row.workers, row.processes, row.medianMs, row.runs.map((ms) => round(ms, 2)).join(' '), `≤ ${PROCESS_SPREAD_TARGET_MS}`, mark(row.met), row.setupMs, row.peakRssMb]);
  }
  const shardRuns = shards.runs.map((ms) => round(ms, 2)).join(' ');
  spread.push([`--run … --shard I/${shards.shards}`, shards.shards * shards.workersPerShard, `${shards.shards} shards`, shards.medianMs, shardRuns, `≤ ${PROCESS_SPREAD_TARGET_MS}`, mark(shards.met), shards.setupMs, `${shards.peakRssMbPerShard} a shard`]);
  return spread;
}

function httpTable(http: HttpBench): Table.Table {
  const rows = table(['HTTP race: example wallet app, POST withdraw', 'requests', 'client window ms (final bytes)', 'target', '', 'server spread ms (bodies complete)', 'runs (ms)', 'last-byte ÷ threads']);
  const label = { 'last-byte': 'last-byte sync, HTTP/1.1, one thread', 'last-byte-http2': 'last-byte sync, HTTP/2 (one connection)', threads: 'threads released by the barrier' };
  for (const row of http.rows) {
    const lastByte = row.release !== 'threads';
    rows.push([
      label[row.release],
      row.requests,
      row.clientWindowMs ?? '-',
      lastByte ? `≤ ${http.target}` : '',
      lastByte ? mark((row.clientWindowMs ?? Number.POSITIVE_INFINITY) <= http.target) : '',
      row.serverSpreadMs,
      row.serverRuns.map((ms) => round(ms, 1)).join(' '),
      lastByte ? (row.release === 'last-byte' ? http.ratio : http.ratioHttp2) : '',
    ]);
  }
  return rows;
}

function mysqlTables(mysql: MysqlBench | null): Table.Table[] {
  if (!mysql) return [];
  const spread = table([`start spread, ${mysql.serverVersion} (server clock)`, 'workers', 'median ms', 'runs (ms)', 'target', '']);
  for (const row of mysql.spread) {
    const met = row.gate ? row.medianMs <= mysql.spreadTarget : null;
    spread.push([row.gate ? 'barrier + gate (default)' : 'barrier (--no-gate)', row.workers, row.medianMs, row.runs.map((ms) => round(ms, 2)).join(' '), row.gate ? `≤ ${mysql.spreadTarget}` : '', mark(met)]);
  }
  const modes = table(['mysql mode (same statements)', 'clients', 'verdict', 'rig ops/s', 'mariadb-slap tps', 'rig ÷ slap', 'tries per increment']);
  for (const row of mysql.modes) {
    modes.push([row.mode, row.clients, row.verdict, row.rigOpsPerSec, row.slapTps ?? (row.ratio === null ? 'no peer (retried)' : '-'), row.ratio ?? '-', row.rigTriesPerIncrement]);
  }
  return [spread, modes];
}

/** The bench's figures as tables on standard output, each with its target where it has one. */
export function printReport(report: PrintedReport, plan: { readonly manyWorkers: number; readonly retry: readonly number[] }): void {
  const spread = table(['start spread (server clock)', 'workers', 'median ms', 'runs (ms)']);
  for (const row of report.startSpread) {
    spread.push([row.gate ? 'barrier + gate (default)' : 'barrier (--no-gate)', row.workers, row.medianMs, row.runs.map((ms) => round(ms, 2)).join(' ')]);
  }
  const minimal = table([`minimal race: lost, ${plan.manyWorkers} × 1`, 'final counters (ideal 1)', 'runs ≤ 2']);
  for (const row of report.startSpread.filter((item) => item.workers === plan.manyWorkers)) {
    minimal.push([row.gate ? 'barrier + gate (default)' : 'barrier (--no-gate)', row.finalCounters.join(' '), `${row.finalCounters.filter((counter) => counter <= 2).length} of ${row.finalCounters.length}`]);
  }
  const retry = table([`retry cost, ${plan.retry.join(' × ')}`, '--backoff ms', 'ops/s', 'attempts per increment']);
  for (const row of report.retryCost) retry.push([row.mode, row.backoffMs, row.opsPerSec, row.attemptsPerOperation]);
  const { explore } = report;
  const schedules = table(['explore: counter lost, 2 × 1', 'per second', 'runs', 'target', '', 'isolationtester permutations/s', 'explore ÷ tester']);
  schedules.push([
    `${explore.schedules} random schedules, each judged`,
    explore.schedulesPerSec,
    explore.runs.join(' '),
    `≥ ${explore.target}`,
    mark(explore.met),
    explore.testerPermutationsPerSec === null ? 'isolationtester not found' : `${explore.testerPermutationsPerSec} (${explore.testerPermutations} permutations)`,
    explore.ratio ?? '-',
  ]);
  const { machine } = report;
  process.stdout.write(
    `race-rig bench, ${report.date}: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}\n` +
      [spread, minimal, modesTable(report.modes), verdictTable(report.verdict), retry, schedules, processesTable(report.processes, report.shards), httpTable(report.http), ...mysqlTables(report.mysql)].map((item) => item.toString()).join('\n') +
      '\n',
  );
}
