import type BetterSqlite3 from 'better-sqlite3';
import type { BaseWorkerContext, ScenarioDefinition } from '../../scenarios/types.js';
import type { SharedMutex } from '../../sync/mutex.js';
import type { FileLock } from './file-lock.js';
import type { ProcessLock } from './process-lock.js';

export type SqliteDb = BetterSqlite3.Database;

/** What a SQLite scenario's worker gets in its thread. */
export interface SqliteWorkerContext extends BaseWorkerContext {
  /** The worker's own connection to the run's file. */
  readonly db: SqliteDb;
  /** The cross-thread mutex of the `mutex` mode (Atomics in shared memory). */
  readonly mutex: SharedMutex;
  /** An OS advisory lock on the run's lock file. */
  readonly fileLock: FileLock;
  /** The classic process-wide POSIX record lock (fcntl) on the same file: it excludes other processes only. */
  readonly processLock: ProcessLock;
  /** How long a lock may be waited for, ms (0: for ever). */
  readonly lockTimeoutMs: number;
  /** Call at the first critical statement: SQLite has no server clock, so the start spread is taken on the process clock. */
  markStart(): void;
}

export type SqliteScenario = ScenarioDefinition<SqliteDb, SqliteWorkerContext>;

/** What a SQLite worker thread opens: plain data, cloned into each thread. */
export interface SqliteTarget {
  readonly engine: 'sqlite';
  readonly file: string;
  /** The file the `file-lock` mode locks (an OS advisory lock). */
  readonly lockFile: string;
  /** How long a statement waits for SQLite's own locks (busy_timeout), ms. */
  readonly busyTimeoutMs: number;
  /** How long the `mutex` and `file-lock` modes wait for their lock, ms (0: for ever). */
  readonly lockTimeoutMs: number;
  readonly mutex: SharedArrayBuffer;
}
