import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import { SharedMutex } from '../../sync/mutex.js';
import { createRunDir } from '../run-dir.js';
import type { RunDir } from '../run-dir.js';
import { runStep } from '../step.js';
import type { EngineSession, PlannedRun, PreparedRun, SessionRequest } from '../types.js';
import { openSqlite } from './open.js';
import type { SqliteSettings } from './options.js';
import type { SqliteDb, SqliteScenario, SqliteTarget } from './types.js';

/** How long the coordinator's statements wait for SQLite's locks (busy_timeout), and the workers' with --lock-timeout 0. */
const BUSY_FOREVER_MS = 2 ** 31 - 1;

interface SqliteFiles {
  readonly file: string;
  readonly lockFile: string;
  /** The run directory to delete at the end, when the rig made the file (watched: see run-dir.ts). */
  readonly tempDir: RunDir | null;
}

function tablesIn(db: SqliteDb): Set<string> {
  return new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
}

/** Runs `use` on a fresh connection to the file, closing it afterwards. */
async function withDb<T>(file: string, use: (db: SqliteDb) => T | Promise<T>): Promise<T> {
  const db = await openSqlite(file, BUSY_FOREVER_MS);
  try {
    return await use(db);
  } finally {
    db.close();
  }
}

/** The rig's temp file, or --file, which must not hold tables of someone else's unless --keep says the run may work beside them. */
async function openFiles(settings: SqliteSettings, log: (line: string) => void): Promise<SqliteFiles> {
  if (settings.file === null) {
    const tempDir = createRunDir({ prefix: 'race-rig-sqlite', log });
    return { file: join(tempDir.path, 'race.db'), lockFile: join(tempDir.path, 'race.db.lock'), tempDir };
  }
  const { file } = settings;
  const tables = existsSync(file) ? await withDb(file, tablesIn) : new Set<string>();
  if (tables.size > 0 && !settings.keep) {
    throw new InvalidOptionError(`--file ${file} already has tables (${[...tables].join(', ')}); pick another file, or pass --keep to run beside them`);
  }
  return { file, lockFile: `${file}.lock`, tempDir: null };
}

async function prepareRun(files: SqliteFiles, settings: SqliteSettings, run: PlannedRun): Promise<PreparedRun> {
  const scenario = run.scenario as unknown as SqliteScenario;
  const tablesBefore = await runStep(
    `setting up ${scenario.name}`,
    () =>
      withDb(files.file, async (db) => {
        db.pragma(`journal_mode = ${settings.journal.toUpperCase()}`);
        const before = tablesIn(db);
        await scenario.setup(db, run.context);
        return before;
      }),
    run.signal,
  );
  const drop = async () => {
    if (run.keep) return [];
    await withDb(files.file, (db) => {
      for (const table of tablesIn(db)) if (!tablesBefore.has(table)) db.exec(`DROP TABLE IF EXISTS "${table.replaceAll('"', '""')}"`);
    });
    return [];
  };
  const target: SqliteTarget = {
    engine: 'sqlite',
    file: files.file,
    lockFile: files.lockFile,
    busyTimeoutMs: settings.lockTimeoutMs > 0 ? settings.lockTimeoutMs : BUSY_FOREVER_MS,
    lockTimeoutMs: settings.lockTimeoutMs,
    mutex: (settings.mutex ?? new SharedMutex()).buffer,
  };
  return {
    target,
    start: 'barrier',
    connection: { filename: files.file },
    warnings: [],
    schema: '',
    kept: run.keep,
    verify: (context) =>
      runStep(
        'verifying the result',
        () =>
          withDb(files.file, async (db) => {
            const verification = await scenario.verify(db, context);
            await scenario.teardown?.(db, run.context);
            return verification;
          }),
        run.signal,
      ),
    drop,
  };
}

/**
 * A SQLite session: one database file (the rig's temp file, or --file) shared by every worker
 * thread, each with its own connection. No server: the threads may start at once.
 */
export async function openSqliteSession(request: SessionRequest<SqliteSettings>): Promise<EngineSession> {
  const { settings } = request;
  request.threadsMayStart();
  const files = await openFiles(settings, request.log);
  const close = async () => {
    if (files.tempDir) await files.tempDir.remove();
    else if (!settings.keep) await rm(files.lockFile, { force: true });
    return [];
  };
  const version = await withDb(files.file, (db) => String(db.prepare('SELECT sqlite_version()').pluck().get())).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  request.log(`SQLite ${version}, file ${files.file}`);
  return {
    kind: 'sqlite',
    url: files.file,
    serverVersion: version,
    prepare: (run) => prepareRun(files, settings, run),
    trouble: () => null,
    close,
  };
}
