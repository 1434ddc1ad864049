import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRace } from 'race-rig';
import { dropPgbench, findOnPath, PGBENCH_SCRIPTS, pgbenchRun, preparePgbench } from './pgbench.js';
import type { PgbenchFigures } from './pgbench.js';
import { median, round } from './stats.js';

/** What each mode must reach, as a share of pgbench's tps on the same server in the same run. */
export const RATIO_TARGETS = { embedded: 0.6, durable: 0.9 } as const;
export type ServerKind = keyof typeof RATIO_TARGETS;

export interface ModePlan {
  readonly clients: readonly number[];
  /** Transactions the whole run commits, split between the clients. */
  readonly transactions: number;
  /** The retried modes commit this many instead (each costs many tries at 100 clients). */
  readonly retriedTransactions: number;
  readonly runs: number;
}

export interface ModeRow {
  readonly server: ServerKind;
  readonly mode: string;
  readonly clients: number;
  readonly perClient: number;
  readonly rigOpsPerSec: number;
  readonly pgbenchTps: number | null;
  readonly ratio: number | null;
  readonly target: number;
  readonly met: boolean | null;
  readonly rigTriesPerIncrement: number;
  readonly pgbenchTriesPerTransaction: number | null;
  readonly rigRuns: readonly number[];
  readonly pgbenchRuns: readonly number[];
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function compareMode(server: ServerKind, db: string, pgbench: string | null, dir: string, mode: string, clients: number, perClient: number, runs: number): Promise<ModeRow> {
  const rig: { opsPerSec: number; attempts: number }[] = [];
  const real: PgbenchFigures[] = [];
  for (let run = 0; run < runs; run++) {
    const result = await runRace({ db, mode, workers: clients, increments: perClient });
    if (result.failed > 0) throw new Error(`${mode} at ${clients} clients: ${result.failed} increments failed (${result.errors[0]?.message ?? ''})`);
    rig.push({ opsPerSec: result.opsPerSec, attempts: result.attemptsPerOperation });
    if (pgbench) real.push(await pgbenchRun(pgbench, db, dir, mode, clients, perClient));
  }
  const rigOpsPerSec = Math.round(median(rig.map((item) => item.opsPerSec)));
  const pgbenchTps = pgbench ? Math.round(median(real.map((item) => item.tps))) : null;
  const ratio = pgbenchTps ? round(rigOpsPerSec / pgbenchTps, 2) : null;
  const target = RATIO_TARGETS[server];
  log(`${server} ${mode} × ${clients}: rig ${rigOpsPerSec} ops/s, pgbench ${pgbenchTps ?? 'skipped'} tps, ratio ${ratio ?? '-'}`);
  return {
    server,
    mode,
    clients,
    perClient,
    rigOpsPerSec,
    pgbenchTps,
    ratio,
    target,
    met: ratio === null ? null : ratio >= target,
    rigTriesPerIncrement: round(median(rig.map((item) => item.attempts)), 2),
    pgbenchTriesPerTransaction: pgbench ? round(median(real.map((item) => item.triesPerTransaction)), 2) : null,
    rigRuns: rig.map((item) => Math.round(item.opsPerSec)),
    pgbenchRuns: real.map((item) => Math.round(item.tps)),
  };
}

/**
 * Every counter mode pgbench can express, on one server: the rig's ops/s and pgbench's tps for
 * the same transaction, from the same number of clients, one after the other in the same run.
 */
export async function compareModes(server: ServerKind, db: string, plan: ModePlan): Promise<ModeRow[]> {
  const pgbench = findOnPath('pgbench');
  if (!pgbench) log('pgbench is not on PATH: the pgbench column is skipped');
  const dir = await mkdtemp(join(tmpdir(), 'race-rig-bench-'));
  const rows: ModeRow[] = [];
  try {
    await preparePgbench(db, dir);
    for (const clients of plan.clients) {
      for (const mode of Object.keys(PGBENCH_SCRIPTS)) {
        const total = mode === 'serializable' || mode === 'repeatable-read' ? plan.retriedTransactions : plan.transactions;
        rows.push(await compareMode(server, db, pgbench, dir, mode, clients, Math.max(1, Math.round(total / clients)), plan.runs));
      }
    }
  } finally {
    await dropPgbench(db).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
