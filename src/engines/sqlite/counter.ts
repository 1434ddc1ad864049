import { performance } from 'node:perf_hooks';
import { countVerification } from '../../scenarios/types.js';
import type { AttemptResult, ModeSpec, WorkerSession } from '../../scenarios/types.js';
import { LockTimeoutError } from './file-lock.js';
import type { SqliteDb, SqliteScenario, SqliteWorkerContext } from './types.js';

/**
 * The counter scenario on SQLite: every worker thread has its own connection to one database
 * file, as many apps (and the classic TaskRunner post) have.
 */
const USER_ID = 1;

export const SQLITE_COUNTER_MODES: readonly ModeSpec[] = [
  {
    name: 'lost',
    summary: 'SELECT, then UPDATE to the value read + 1, as two statements: another connection writes in between and one increment is lost.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "SELECT counter FROM user_counter WHERE user_id = 1;   -- reads 41",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
      ],
      why: "Each statement is its own transaction: between the read and the write another connection writes, and its increment is overwritten.",
    },
  },
  {
    name: 'deferred',
    summary: 'BEGIN (deferred), read, write, COMMIT: two readers both try to write and SQLite answers one with SQLITE_BUSY; retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN;   -- deferred: no lock yet",
        "SELECT counter FROM user_counter WHERE user_id = 1;   -- shared lock",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- SQLITE_BUSY if another reader wants to write too",
        "COMMIT;",
      ],
      why: "Two connections that both read and then both try to write deadlock on SQLite's file lock; busy_timeout cannot help, so SQLite answers one with SQLITE_BUSY at once and the rig retries it.",
    },
  },
  {
    name: 'immediate',
    summary: 'BEGIN IMMEDIATE takes the write lock before the read: writers queue (busy_timeout) and nothing is lost.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN IMMEDIATE;   -- takes the write lock now (waits up to busy_timeout)",
        "SELECT counter FROM user_counter WHERE user_id = 1;",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
        "COMMIT;",
      ],
      why: "The write lock is taken before the read, so writers queue and each reads the previous one's committed value.",
    },
  },
  {
    name: 'mutex',
    summary: 'A cross-thread mutex in shared memory (Atomics) around the read and the write: the analog of multiprocessing.Lock.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "-- lock the shared mutex (Atomics.compareExchange, Atomics.wait to sleep)",
        "SELECT counter FROM user_counter WHERE user_id = 1;",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
        "-- unlock (Atomics.store, Atomics.notify)",
      ],
      why: "An in-process lock around the read and the write, like multiprocessing.Lock: correct for the threads that share it, invisible to any other process.",
    },
  },
  {
    name: 'file-lock',
    summary: 'An OS advisory lock on a lock file around the read and the write: works across threads and independent processes.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "-- lock the lock file (an OS advisory lock, like fcntl)",
        "SELECT counter FROM user_counter WHERE user_id = 1;",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
        "-- unlock the file",
      ],
      why: "The operating system serializes the holders of the file lock, across threads and independent processes alike.",
    },
  },
  {
    name: 'fcntl-lock',
    summary: "The classic POSIX record lock (fcntl F_SETLKW, Python's fcntl.lockf) around the read and the write, one worker per process: it belongs to the process, so it excludes other processes, never threads.",
    outcome: 'correct',
    retries: false,
    processPerWorker: true,
    explain: {
      steps: [
        "-- fcntl(fd, F_SETLKW, { F_WRLCK })   -- the whole process now holds the lock",
        "SELECT counter FROM user_counter WHERE user_id = 1;",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
        "-- fcntl(fd, F_SETLK, { F_UNLCK })",
      ],
      why: "The kernel grants a POSIX record lock to a process, not a thread: one worker per process are serialized, but two threads of one process both hold it at once (run it with --processes 1 to see the race).",
    },
  },
  {
    name: 'inplace',
    summary: 'UPDATE … SET counter = counter + 1: one statement, so SQLite does the read and the write under one lock.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "UPDATE user_counter SET counter = counter + 1 WHERE user_id = 1;",
      ],
      why: "One statement: SQLite reads and writes under one write lock, so nothing is lost.",
    },
  },
];

type Attempt = () => Promise<AttemptResult>;

/** The attempts of each mode, on one worker's connection. */
function attempts({ worker, db, mutex, fileLock, processLock, lockTimeoutMs, markStart }: SqliteWorkerContext): Record<string, Attempt> {
  const read = db.prepare('SELECT counter FROM user_counter WHERE user_id = ?').pluck();
  const write = db.prepare('UPDATE user_counter SET counter = ? WHERE user_id = ?');
  const increment = db.prepare('UPDATE user_counter SET counter = counter + 1 WHERE user_id = ?');
  const readModifyWrite = () => {
    markStart();
    write.run(Number(read.get(USER_ID) ?? 0) + 1, USER_ID);
  };
  const inTransaction = (begin: string) => {
    const started = performance.now();
    db.exec(begin);
    const lockWaitMs = performance.now() - started;
    readModifyWrite();
    db.exec('COMMIT');
    return { lockWaitMs: begin === 'BEGIN IMMEDIATE' ? lockWaitMs : 0 };
  };
  return {
    lost: async () => readModifyWrite(),
    deferred: async () => inTransaction('BEGIN DEFERRED'),
    immediate: async () => inTransaction('BEGIN IMMEDIATE'),
    mutex: async () => {
      const started = performance.now();
      if (!mutex.lock(worker + 1, lockTimeoutMs)) {
        const holder = mutex.holder();
        throw new LockTimeoutError(
          `the shared mutex was not released within ${lockTimeoutMs} ms (held by ${holder === 'outside' ? 'a holder outside the workers' : `worker ${holder}`})`,
        );
      }
      const lockWaitMs = performance.now() - started;
      try {
        readModifyWrite();
      } finally {
        mutex.unlock();
      }
      return { lockWaitMs };
    },
    'file-lock': async () => {
      const lockWaitMs = await fileLock.lock(lockTimeoutMs);
      try {
        readModifyWrite();
      } finally {
        fileLock.unlock();
      }
      return { lockWaitMs };
    },
    'fcntl-lock': async () => {
      const lockWaitMs = await processLock.lock(lockTimeoutMs);
      try {
        readModifyWrite();
      } finally {
        await processLock.unlock();
      }
      return { lockWaitMs };
    },
    inplace: async () => {
      markStart();
      increment.run(USER_ID);
    },
  };
}

export const sqliteCounter: SqliteScenario = {
  name: 'counter',
  summary: 'Every worker thread increments the same counter in one SQLite file.',
  engine: 'sqlite',
  unit: { one: 'increment', many: 'increments' },
  modes: SQLITE_COUNTER_MODES,

  /** Creates the counter (again, for a repetition), in a file whose journal mode is set already. */
  setup(db: SqliteDb) {
    db.exec(`
      DROP TABLE IF EXISTS user_counter;
      CREATE TABLE user_counter (user_id INTEGER PRIMARY KEY, counter INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0);
      INSERT INTO user_counter (user_id) VALUES (${USER_ID});`);
  },

  worker(context): WorkerSession {
    const attempt = attempts(context)[context.mode];
    if (!attempt) throw new Error(`counter on SQLite has no mode '${context.mode}'`);
    return { attempt };
  },

  verify(db, context) {
    const counter = db.prepare('SELECT counter FROM user_counter WHERE user_id = ?').pluck().get(USER_ID);
    return countVerification('counter = successful increments', 'counter', Number(counter ?? 0), context);
  },
};
