import type { ModeSpec } from '../../../scenarios/types.js';

/** The counter's modes on InnoDB: what each runs, what it shows under concurrency, and why (`--explain`). */
export const MYSQL_COUNTER_MODES: readonly ModeSpec[] = [
  {
    name: 'lost',
    summary: 'SELECT, then UPDATE to the value read + 1, each statement its own transaction (autocommit): one write overwrites another.',
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        'SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41 (a consistent read: no lock)',
        'UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- writes what it read + 1',
      ],
      why: 'Each statement commits on its own and a plain SELECT takes no lock. Between one worker\'s SELECT and its UPDATE another reads the same 41; both write 42, and two increments add one.',
    },
  },
  {
    name: 'repeatable-read',
    summary: "Read and write in one REPEATABLE READ transaction, InnoDB's default: still loses updates (PostgreSQL would abort one with 40001).",
    outcome: 'race',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;   -- REPEATABLE READ, the InnoDB default',
        'SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41 from the snapshot',
        'UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- waits for the other writer, then overwrites its 42',
        'COMMIT;',
      ],
      why: "InnoDB's REPEATABLE READ reads from a snapshot but writes to the latest row version without checking that it changed since the snapshot: the second UPDATE waits for the first writer's lock, then overwrites its value. PostgreSQL's REPEATABLE READ aborts that second writer with 40001; InnoDB lets it commit, and the update is lost (Hermitage's P4).",
    },
  },
  {
    name: 'snapshot-isolation',
    summary: "MariaDB's innodb_snapshot_isolation = ON: the same transaction fails with 1020 when the row changed since the snapshot; retried.",
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'SET SESSION innodb_snapshot_isolation = ON;   -- once per connection (MariaDB 10.6.18, 10.11.8, 11.x)',
        'START TRANSACTION;',
        'SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41 from the snapshot',
        "UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- ERROR 1020 (Record has changed since last read) if another committed since",
        'COMMIT;',
      ],
      why: 'With snapshot isolation on, writing a row that another transaction changed after this one\'s snapshot fails with error 1020, as PostgreSQL\'s 40001 does; the rig rolls back and retries. Correct, paid in retries. MySQL has no such setting.',
    },
  },
  {
    name: 'inplace',
    summary: 'UPDATE … SET counter = counter + 1: the row lock is taken before the value is read, so nothing is lost.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: ['UPDATE user_counter SET counter = counter + 1 WHERE user_id = 1;'],
      why: 'The UPDATE locks the row, then reads its latest version and adds 1. A second UPDATE waits for the lock and adds 1 to the new value. Writers queue on the row lock, one at a time.',
    },
  },
  {
    name: 'for-update',
    summary: 'SELECT … FOR UPDATE, then UPDATE, in one transaction: the read takes the row lock, so writers queue.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        'START TRANSACTION;',
        'SELECT counter FROM user_counter WHERE user_id = 1 FOR UPDATE;   -- locks the row, reads its latest version: 41',
        'UPDATE user_counter SET counter = 42 WHERE user_id = 1;',
        'COMMIT;   -- releases the lock',
      ],
      why: "A locking read takes the row's exclusive lock and reads the latest committed version, not the snapshot: a second worker's SELECT … FOR UPDATE waits until the first commits and then reads 42.",
    },
  },
  {
    name: 'optimistic',
    summary: 'Read counter and version, UPDATE … WHERE version = <read version>: 0 rows means another worker won, so retry.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'SELECT counter, version FROM user_counter WHERE user_id = 1;   -- reads 41, version 7',
        'UPDATE user_counter SET counter = 42, version = version + 1 WHERE user_id = 1 AND version = 7;',
        '-- 0 rows changed: another worker wrote first; read again and retry',
      ],
      why: 'No lock is held between the two statements; the UPDATE re-checks the version on the latest row, so a would-be lost update changes 0 rows and is retried.',
    },
  },
  {
    name: 'serializable',
    summary: 'The read-modify-write at SERIALIZABLE: InnoDB turns the read into a shared lock, two readers deadlock on the write (1213); retried.',
    outcome: 'correct',
    retries: true,
    explain: {
      steps: [
        'SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE;   -- once per connection',
        'START TRANSACTION;',
        'SELECT counter, version FROM user_counter WHERE user_id = 1;   -- takes a shared lock on the row',
        'UPDATE user_counter SET counter = 42 WHERE user_id = 1;   -- waits for the other reader\'s shared lock: ERROR 1213 (deadlock) for one of them',
        'COMMIT;',
      ],
      why: 'InnoDB runs SERIALIZABLE as REPEATABLE READ with every plain read locking in share mode. Two workers that both read hold shared locks; each UPDATE waits for the other\'s, InnoDB detects the deadlock and rolls one back with 1213 (SQLSTATE 40001), and the rig retries it. Correct, paid in deadlocks.',
    },
  },
  {
    name: 'get-lock',
    summary: 'GET_LOCK on a name per user around the read-modify-write, RELEASE_LOCK after: the application-level mutex (the advisory-lock analog).',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: [
        "SELECT GET_LOCK('<run database>/counter/1', 31536000);   -- waits for the named lock",
        'SELECT counter FROM user_counter WHERE user_id = 1;',
        'UPDATE user_counter SET counter = 42 WHERE user_id = 1;',
        "SELECT RELEASE_LOCK('<run database>/counter/1');",
      ],
      why: 'A named lock held by the connection, not by a transaction: every worker that takes it before the read-modify-write is serialized. It protects only the code that takes it, and it stays held across commits until released (or the connection ends).',
    },
  },
  {
    name: 'append',
    summary: 'INSERT one activity row per increment and count them: no shared row, so no row lock and nothing to lose.',
    outcome: 'correct',
    retries: false,
    explain: {
      steps: ['INSERT INTO user_counter_activity (user_id, worker) VALUES (1, 3);', '-- the counter is SELECT COUNT(*) FROM user_counter_activity WHERE user_id = 1, when read'],
      why: 'No two workers touch the same row: every increment is a row of its own (AUTO_INCREMENT hands out the ids), so there is nothing to overwrite.',
    },
  },
];
