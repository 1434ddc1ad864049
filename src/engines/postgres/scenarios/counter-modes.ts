import type { ModeSpec } from '../../../scenarios/types.js';

/** The counter's modes: what each runs, what it shows under concurrency, and why (`--explain`). */
export const COUNTER_MODES: readonly ModeSpec[] = [
  {
    name: 'lost',
    summary: 'SELECT, then UPDATE to the value read + 1, at READ COMMITTED: two workers read the same value and one write is lost.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        "SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- writes what it read + 1",
      ],
      why: "Each statement commits on its own (autocommit, READ COMMITTED) and a plain SELECT takes no lock. Between one worker's SELECT and its UPDATE another worker reads the same 41; both write 42, and two increments add one. The UPDATE overwrites blindly with a value computed from a stale read.",
    },
  },
  {
    name: 'inplace',
    summary: 'UPDATE … SET counter = counter + 1: the row lock is taken before the value is read, so nothing is lost.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "UPDATE user_counter SET counter = counter + 1 WHERE user_id = 1;",
      ],
      why: "The UPDATE locks the row before it reads counter. A second UPDATE waits for that lock, then re-reads the committed row and adds 1 to the new value. Nothing is lost; writers queue on the row lock, one at a time.",
    },
  },
  {
    name: 'for-update',
    summary: 'SELECT … FOR UPDATE, then UPDATE, in one transaction: the read takes the row lock, so writers queue.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;   -- sent together with the SELECT",
        "SELECT counter FROM user_counter WHERE user_id = 1 FOR UPDATE;   -- locks the row, reads 41",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- sent together with the COMMIT",
        "COMMIT;   -- releases the lock",
      ],
      why: "The read takes the row lock, so a second worker's SELECT … FOR UPDATE waits until the first commits and then reads 42. Correct, paid in lock waits: the row admits one transaction at a time.",
    },
  },
  {
    name: 'for-no-key-update',
    summary: 'As for-update with FOR NO KEY UPDATE: a weaker lock that still serializes writers but lets foreign-key checks through.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;   -- sent together with the SELECT",
        "SELECT counter FROM user_counter WHERE user_id = 1 FOR NO KEY UPDATE;   -- locks the row, reads 41",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- sent together with the COMMIT",
        "COMMIT;",
      ],
      why: "FOR NO KEY UPDATE conflicts with itself, so writers still queue as with FOR UPDATE, but it lets through the FOR KEY SHARE locks that foreign-key checks take: inserts into tables that reference the row are not blocked.",
    },
  },
  {
    name: 'optimistic',
    summary: 'Read counter and version, UPDATE … WHERE version = <read version>: 0 rows means another worker won, so retry.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41, version 7",
        "UPDATE user_counter SET counter = 42, version = version + 1 WHERE user_id = 1 AND version = 7;",
        "-- 0 rows updated: another worker wrote first; read again and retry",
      ],
      why: "No lock is held between the two statements; the version check turns a would-be lost update into a detected conflict (0 rows updated). Under contention most attempts lose and retry: correct, paid in wasted attempts.",
    },
  },
  {
    name: 'serializable',
    summary: 'The lost-update read-modify-write at SERIALIZABLE: the server aborts one of two conflicting transactions (40001); retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN ISOLATION LEVEL SERIALIZABLE;   -- sent together with the SELECT",
        "SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;",
        "COMMIT;   -- or ERROR 40001 (could not serialize access): roll back and retry",
      ],
      why: "Two transactions that read the same snapshot and both update the row cannot both commit: PostgreSQL aborts the second with SQLSTATE 40001 and the rig retries it from the start. Correct, paid in retries.",
    },
  },
  {
    name: 'repeatable-read',
    summary: 'The same at REPEATABLE READ: updating a row changed since the snapshot fails with 40001; retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        "BEGIN ISOLATION LEVEL REPEATABLE READ;   -- sent together with the SELECT",
        "SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41 from the snapshot",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- ERROR 40001 if another transaction changed the row since",
        "COMMIT;",
      ],
      why: "At REPEATABLE READ, updating a row that another transaction changed after this one's snapshot fails with 40001 (could not serialize access due to concurrent update); the rig rolls back and retries.",
    },
  },
  {
    name: 'advisory',
    summary: 'pg_advisory_xact_lock on the user id, then the read-modify-write: an application-level mutex held until commit.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "BEGIN;   -- sent together with the lock",
        "SELECT pg_advisory_xact_lock(1380008773, 1);   -- waits for the application lock on user 1",
        "SELECT counter FROM user_counter WHERE user_id = 1;",
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- sent together with the COMMIT",
        "COMMIT;   -- releases the advisory lock",
      ],
      why: "A mutex named by numbers, held until commit: every worker that takes it before the read-modify-write is serialized. It protects only the code that takes it; the table itself stays unlocked.",
    },
  },
  {
    name: 'append',
    summary: 'INSERT one activity row per increment and count(*) them: no shared row, so no row lock and nothing to lose.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "INSERT INTO user_counter_activity (user_id, worker) VALUES (1, 3);",
        "-- the counter is SELECT count(*) FROM user_counter_activity WHERE user_id = 1, when read",
      ],
      why: "No two workers touch the same row: every increment is a row of its own, so there is no lock to wait for and nothing to overwrite. Reading the count costs a scan (or a periodic roll-up) instead.",
    },
  },
];
