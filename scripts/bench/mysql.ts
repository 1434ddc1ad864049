import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { runRace, startThrowawayMysqlServer } from 'race-rig';
import { MYSQL_COUNTER_MODES } from '../../src/engines/mysql/scenarios/counter-modes.js';
import { findOnPath, run } from './pgbench.js';
import { median, round } from './stats.js';

/**
 * The MySQL part of `npm run bench`, on a throwaway MariaDB: the start spread of 100 workers on
 * the server's clock, and each counter mode against mariadb-slap running the same transaction on
 * the same server (the value read passed to the write in a user variable, as pgbench does with
 * \gset). The retried modes are the rig's alone: mariadb-slap stops at the first error.
 */
export const SPREAD_TARGET_MS = 10;
const SCHEMA = 'race_rig_slap';
const READ = 'SELECT counter INTO @c FROM user_counter WHERE user_id = 1';
const WRITE = 'UPDATE user_counter SET counter = @c + 1 WHERE user_id = 1';

/** Each counter mode's statements as mariadb-slap runs them (`;` between statements); null: a mode it cannot run. */
const SLAP_QUERIES: Readonly<Record<string, string | null>> = {
  lost: `${READ};${WRITE}`,
  'repeatable-read': `START TRANSACTION;${READ};${WRITE};COMMIT`,
  inplace: 'UPDATE user_counter SET counter = counter + 1 WHERE user_id = 1',
  'for-update': `START TRANSACTION;${READ} FOR UPDATE;${WRITE};COMMIT`,
  'get-lock': `DO GET_LOCK('slap/counter/1', 31536000);${READ};${WRITE};DO RELEASE_LOCK('slap/counter/1')`,
  append: 'INSERT INTO user_counter_activity (user_id, worker) VALUES (1, 0)',
  optimistic: null,
  serializable: null,
  'snapshot-isolation': null,
};

export interface MysqlModeRow {
  readonly mode: string;
  readonly clients: number;
  readonly rigOpsPerSec: number;
  readonly rigTriesPerIncrement: number;
  readonly verdict: string;
  readonly slapTps: number | null;
  readonly ratio: number | null;
}

export interface MysqlBench {
  readonly serverVersion: string;
  readonly spread: readonly { readonly workers: number; readonly gate: boolean; readonly medianMs: number; readonly runs: readonly number[] }[];
  readonly spreadTarget: number;
  readonly modes: readonly MysqlModeRow[];
}

export interface MysqlPlan {
  readonly spreadWorkers: number;
  readonly spreadRuns: number;
  readonly clients: readonly number[];
  readonly transactions: number;
  /** The retried modes commit this many instead (each costs many tries at 100 clients). */
  readonly retriedTransactions: number;
  readonly runs: number;
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function resetTables(url: string): Promise<void> {
  const admin = await mysql.createConnection({ uri: url, multipleStatements: true });
  await admin
    .query(
      `DROP DATABASE IF EXISTS ${SCHEMA}; CREATE DATABASE ${SCHEMA}; USE ${SCHEMA};
       CREATE TABLE user_counter (user_id INT PRIMARY KEY, counter INT NOT NULL DEFAULT 0, version INT NOT NULL DEFAULT 0) ENGINE=InnoDB;
       CREATE TABLE user_counter_activity (id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, worker INT NOT NULL, created_at DATETIME(6) NOT NULL DEFAULT NOW(6)) ENGINE=InnoDB;
       INSERT INTO user_counter (user_id) VALUES (1);`,
    )
    .finally(() => admin.end());
}

/** mariadb-slap's transactions per second for `query` from `clients` clients, `transactions` in all (null: too quick to time). */
async function slapTps(slap: string, url: string, query: string, clients: number, transactions: number): Promise<number | null> {
  await resetTables(url);
  const { hostname, port, username, password } = new URL(url);
  const statements = query.split(';').length;
  const args = [`--host=${hostname}`, `--port=${port}`, `--user=${decodeURIComponent(username)}`, `--password=${decodeURIComponent(password)}`, `--create-schema=${SCHEMA}`];
  args.push(`--concurrency=${clients}`, '--iterations=1', `--number-of-queries=${transactions * statements}`, '--delimiter=;', `--query=${query}`);
  const output = await run(slap, args);
  const seconds = Number(/Average number of seconds to run all queries: ([\d.]+) seconds/.exec(output)?.[1] ?? Number.NaN);
  if (!Number.isFinite(seconds)) throw new Error(`cannot read the time from mariadb-slap's output: ${output}`);
  // It times to the millisecond: a run shorter than that (the --smoke sizes) has no rate to give.
  return seconds > 0 ? transactions / seconds : null;
}

async function compareMode(url: string, slap: string | null, mode: string, clients: number, plan: MysqlPlan): Promise<MysqlModeRow> {
  const query = SLAP_QUERIES[mode] ?? null;
  const increments = Math.max(1, Math.round((query === null ? plan.retriedTransactions : plan.transactions) / clients));
  const rig: { opsPerSec: number; attempts: number; verdict: string }[] = [];
  const peer: number[] = [];
  for (let i = 0; i < plan.runs; i++) {
    const result = await runRace({ engine: 'mysql', db: url, mode, workers: clients, increments });
    rig.push({ opsPerSec: result.opsPerSec, attempts: result.attemptsPerOperation, verdict: result.verdict });
    const tps = slap && query ? await slapTps(slap, url, query, clients, increments * clients) : null;
    if (tps !== null) peer.push(tps);
  }
  const rigOpsPerSec = Math.round(median(rig.map((item) => item.opsPerSec)));
  const slapTpsMedian = peer.length > 0 ? Math.round(median(peer)) : null;
  const ratio = slapTpsMedian ? round(rigOpsPerSec / slapTpsMedian, 2) : null;
  log(`mysql ${mode} × ${clients}: rig ${rigOpsPerSec} ops/s, mariadb-slap ${slapTpsMedian ?? '-'} tps, ratio ${ratio ?? '-'}`);
  return { mode, clients, rigOpsPerSec, rigTriesPerIncrement: round(median(rig.map((item) => item.attempts)), 2), verdict: rig[0]?.verdict ?? '', slapTps: slapTpsMedian, ratio };
}

async function spreadOf(url: string, plan: MysqlPlan) {
  const rows = [];
  for (const gate of [false, true]) {
    const runs: number[] = [];
    for (let i = 0; i < plan.spreadRuns; i++) runs.push((await runRace({ engine: 'mysql', db: url, mode: 'lost', workers: plan.spreadWorkers, increments: 1, gate })).startSpreadMs ?? Number.NaN);
    rows.push({ workers: plan.spreadWorkers, gate, medianMs: round(median(runs)), runs });
    log(`mysql start spread ${plan.spreadWorkers} workers${gate ? ' with the gate' : ' with --no-gate'}: median ${round(median(runs))} ms`);
  }
  return rows;
}

/** The MySQL figures, or null when this machine has no MariaDB or MySQL server to start. */
export async function mysqlBench(plan: MysqlPlan): Promise<MysqlBench | null> {
  const server = await startThrowawayMysqlServer({ maxConnections: 220 }).catch((error: Error) => {
    log(`no MySQL figures: ${error.message}`);
    return null;
  });
  if (!server) return null;
  try {
    const slap = findOnPath('mariadb-slap') ?? findOnPath('mysqlslap');
    if (!slap) log('mariadb-slap is not on PATH: the peer column is skipped');
    const admin = await mysql.createConnection({ uri: server.url });
    const [version] = await admin.query<RowDataPacket[]>('SELECT VERSION() AS v').finally(() => admin.end());
    const modes: MysqlModeRow[] = [];
    for (const clients of plan.clients) for (const { name: mode } of MYSQL_COUNTER_MODES) modes.push(await compareMode(server.url, slap, mode, clients, plan));
    return { serverVersion: String(version[0]?.v), spread: await spreadOf(server.url, plan), spreadTarget: SPREAD_TARGET_MS, modes };
  } finally {
    await server.stop();
  }
}
