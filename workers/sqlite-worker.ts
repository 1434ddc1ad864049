import type { SqliteTarget, WorkerTask } from '../src/protocol.js';
import { classifySqliteError } from '../src/engines/sqlite/classify.js';
import { SQLITE_COUNTER_MODES, sqliteCounterSession } from '../src/engines/sqlite/counter.js';
import { FileLock } from '../src/engines/sqlite/file-lock.js';
import { openSqlite } from '../src/engines/sqlite/open.js';
import { SharedMutex } from '../src/sync/mutex.js';
import type { EngineWorker } from './engine-worker.js';

/** A worker on SQLite: its own connection to the file, plus the mutex and the file lock. */
export async function openSqliteWorker(task: WorkerTask, target: SqliteTarget): Promise<EngineWorker> {
  const mode = SQLITE_COUNTER_MODES.find((spec) => spec.name === task.mode);
  if (!mode) throw new Error(`counter on SQLite has no mode '${task.mode}'`);
  const db = await openSqlite(target.file, target.busyTimeoutMs);
  const fileLock = await FileLock.open(target.lockFile);
  try {
    const session = sqliteCounterSession({
      mode: mode.name,
      worker: task.index,
      db,
      mutex: new SharedMutex(target.mutex),
      fileLock,
      lockTimeoutMs: target.lockTimeoutMs,
    });
    return {
      session,
      retries: mode.retries,
      // SQLite statements are not recorded (--timeline is refused for SQLite).
      timeline: null,
      classify: classifySqliteError,
      rollback: async () => {
        if (db.inTransaction) db.exec('ROLLBACK');
      },
      firstStatementAtMs: () => session.firstStatementAtMs(),
      released: () => {},
      check: () => {},
      close: async () => {
        fileLock.close();
        db.close();
      },
    };
  } catch (error) {
    fileLock.close();
    db.close();
    throw error;
  }
}
