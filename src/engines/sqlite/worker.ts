import { performance } from 'node:perf_hooks';
import type { WorkerTask } from '../../protocol.js';
import { findMode, loadScenario } from '../../scenarios/load.js';
import { baseWorkerContext, workerOf } from '../../scenarios/worker-context.js';
import { SharedMutex } from '../../sync/mutex.js';
import type { ScheduleGate } from '../../sync/schedule.js';
import { TimelineRecorder } from '../../timeline/recorder.js';
import type { OpenWorker } from '../types.js';
import { classifySqliteError } from './classify.js';
import { FileLock } from './file-lock.js';
import { ProcessLock } from './process-lock.js';
import { openSqlite } from './open.js';
import { scheduledDb, scheduledFileLock, scheduledMutex } from './scheduled.js';
import { SQLITE_SCENARIOS } from './scenarios.js';
import type { SqliteScenario, SqliteTarget } from './types.js';

/** A worker on SQLite: its own connection to the file, plus the mutex and the file lock. */
export const openWorker: OpenWorker = async (task: WorkerTask, schedule: ScheduleGate | null) => {
  const target = task.target as SqliteTarget;
  const scenario = (await loadScenario(task.scenario, { name: 'sqlite', scenarios: SQLITE_SCENARIOS })) as unknown as SqliteScenario;
  const mode = findMode(scenario, task.mode);
  if (!mode) throw new Error(`${scenario.name} on SQLite has no mode '${task.mode}'`);
  const db = await openSqlite(target.file, target.busyTimeoutMs);
  const fileLock = await FileLock.open(target.lockFile);
  const processLock = new ProcessLock(target.lockFile);
  const recorder = schedule ? new TimelineRecorder(task.index, Number.POSITIVE_INFINITY) : null;
  const mutex = new SharedMutex(target.mutex);
  const scenarioDb = schedule && recorder ? scheduledDb(db, schedule, recorder) : db;
  let startedAt: number | null = null;
  try {
    const session = await workerOf(scenario)({
      ...baseWorkerContext(task, mode.name),
      db: scenarioDb,
      mutex: schedule ? scheduledMutex(mutex, schedule) : mutex,
      fileLock: schedule ? scheduledFileLock(fileLock, schedule) : fileLock,
      processLock,
      lockTimeoutMs: target.lockTimeoutMs,
      markStart: () => {
        startedAt ??= performance.timeOrigin + performance.now();
      },
    });
    await session.warmUp?.();
    startedAt = null;
    // Under explore a busy statement does not wait: the coordinator decides when it is tried again.
    if (schedule) db.pragma('busy_timeout = 0');
    return {
      session,
      retries: mode.retries,
      // SQLite statements are recorded only under explore (--timeline is PostgreSQL's).
      timeline: recorder,
      classify: classifySqliteError,
      rollback: async () => {
        if (db.inTransaction) scenarioDb.exec('ROLLBACK');
      },
      firstStatementAtMs: () => startedAt,
      released: () => {},
      check: () => {},
      close: async () => {
        fileLock.close();
        processLock.close();
        db.close();
      },
    };
  } catch (error) {
    fileLock.close();
    db.close();
    throw error;
  }
};
