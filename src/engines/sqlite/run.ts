import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { abortReason, runSignal, throwIfAborted } from '../../abort.js';
import { InvalidOptionError } from '../../errors.js';
import { comparisonRunOptions, progressCallback, resolveOptions } from '../../options.js';
import type { RaceOptions, RaceStage, ResolvedOptions } from '../../options.js';
import { raceSettingsOf, startWorkerPool } from '../../race-workers.js';
import type { WorkerPool } from '../../race-workers.js';
import { aggregateResults } from '../../report/aggregate.js';
import { buildResult, verifyContextOf } from '../../result.js';
import type { RaceResult } from '../../result.js';
import type { ModeSpec } from '../../scenarios/types.js';
import { SharedMutex } from '../../sync/mutex.js';
import { stageReporter } from '../../trace.js';
import { createRunDir } from '../run-dir.js';
import type { RunDir } from '../run-dir.js';
import { SQLITE_COUNTER, setUpSqliteCounter, verifySqliteCounter } from './counter.js';
import { openSqlite } from './open.js';

/** How long a statement waits for SQLite's locks when --lock-timeout does not say (0 = for ever). */
const BUSY_FOREVER_MS = 2 ** 31 - 1;

interface SqliteFiles {
  readonly file: string;
  readonly lockFile: string;
  /** The temp directory to delete at the end, when the rig made the file. */
  readonly tempDir: RunDir | null;
}

async function prepareFiles(resolved: ResolvedOptions, log?: (line: string) => void): Promise<SqliteFiles> {
  if (resolved.file === null) {
    const tempDir = createRunDir({ prefix: 'race-rig-sqlite', log });
    return { file: join(tempDir.path, 'race.db'), lockFile: join(tempDir.path, 'race.db.lock'), tempDir };
  }
  const file = resolve(resolved.file);
  if (existsSync(file)) {
    const db = await openSqlite(file, 1000);
    try {
      const taken = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user_counter'").get();
      if (taken && !resolved.keep) {
        throw new InvalidOptionError(`--file ${file} already has a table user_counter; pick another file (or pass --keep to reuse it)`);
      }
    } finally {
      db.close();
    }
  }
  return { file, lockFile: `${file}.lock`, tempDir: null };
}

async function raceOnSqlite(onProgress: ((done: number, elapsedMs: number) => void) | undefined, resolved: ResolvedOptions, files: SqliteFiles, pool: WorkerPool, signal: AbortSignal, stage: (stage: RaceStage) => void): Promise<RaceResult> {
  const startedAt = performance.now();
  stage('setup');
  const db = await openSqlite(files.file, BUSY_FOREVER_MS);
  let version: string;
  try {
    db.pragma(`journal_mode = ${resolved.journal.toUpperCase()}`);
    setUpSqliteCounter(db);
    version = String(db.prepare('SELECT sqlite_version()').pluck().get());
  } finally {
    db.close();
  }

  stage('race');
  const outcome = await pool.race({
    ...raceSettingsOf(resolved),
    target: {
      engine: 'sqlite',
      file: files.file,
      lockFile: files.lockFile,
      busyTimeoutMs: resolved.lockTimeoutMs > 0 ? resolved.lockTimeoutMs : BUSY_FOREVER_MS,
      lockTimeoutMs: resolved.lockTimeoutMs,
      mutex: resolved.mutex?.buffer ?? new SharedMutex().buffer,
    },
    onProgress,
    signal,
  });

  stage('verify');
  const totals = aggregateResults(outcome.results);
  const reader = await openSqlite(files.file, BUSY_FOREVER_MS);
  try {
    const verification = verifySqliteCounter(reader, verifyContextOf(resolved, totals));
    throwIfAborted(signal);
    return buildResult({
      options: resolved,
      totals,
      verification,
      setupMs: outcome.releasedAt - startedAt,
      elapsedMs: outcome.elapsedMs,
      database: { engine: 'sqlite', url: files.file, serverVersion: version, schema: '', schemaKept: resolved.keep },
    });
  } finally {
    reader.close();
  }
}

/** The one scenario SQLite runs. */
export function sqliteScenario(options: RaceOptions): typeof SQLITE_COUNTER {
  if ((options.scenario ?? 'counter') !== 'counter') {
    throw new InvalidOptionError(`--engine sqlite runs the counter scenario only (got --scenario ${options.scenario})`);
  }
  return SQLITE_COUNTER;
}

/**
 * The counter on SQLite, `repeat` times: one database file shared by every worker thread, each
 * with its own connection. The rig's temp file (and directory) is deleted at the end; a --file
 * keeps only what --keep says.
 */
export async function runSqliteRaces(options: RaceOptions, repeat: number, modes?: readonly ModeSpec[]): Promise<RaceResult[]> {
  if (modes) {
    // Each mode on a file of its own, one after another.
    const results: RaceResult[] = [];
    for (const mode of modes) results.push(...(await runSqliteRaces(comparisonRunOptions(options, mode), 1)));
    return results;
  }
  const resolved = resolveOptions(options, sqliteScenario(options), { kind: 'builtin', name: 'counter' });
  const { signal, dispose } = runSignal(options.signal, resolved.timeoutMs);
  const stage = stageReporter(options);
  const pool = startWorkerPool(resolved.workers);
  let files: SqliteFiles | undefined;
  const results: RaceResult[] = [];
  let failure: unknown;
  try {
    stage('database');
    files = await prepareFiles(resolved, options.onLog);
    for (let run = 0; run < repeat; run++) results.push(await raceOnSqlite(progressCallback(options, resolved), resolved, files, pool, signal, stage));
  } catch (error) {
    failure = signal.aborted ? abortReason(signal) : error;
  }
  stage('cleanup');
  await pool.destroy().catch(() => undefined);
  if (files?.tempDir) await files.tempDir.remove();
  else if (files && !resolved.keep) await dropCounter(files.file).catch(() => undefined);
  dispose();
  if (failure !== undefined) throw failure;
  return results;
}

async function dropCounter(file: string): Promise<void> {
  const db = await openSqlite(file, 5000);
  try {
    db.exec('DROP TABLE IF EXISTS user_counter');
  } finally {
    db.close();
  }
  await rm(`${file}.lock`, { force: true });
}
