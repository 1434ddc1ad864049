import { closeSync, openSync } from 'node:fs';
import { tryLock, unlock } from 'fs-native-extensions';
import { describe, expect, it } from 'vitest';
import { OUTSIDE_HOLDER, runRace, SharedMutex } from 'race-rig';
import { counterIn, freshSqliteFile } from '../helpers/sqlite-file.js';

const sqlite = freshSqliteFile();
const counterInFile = () => counterIn(sqlite.path);

describe('SQLite: one file, a connection per worker thread', () => {
  it('lost: read then write in separate statements loses updates', async () => {
    const result = await runRace({ engine: 'sqlite', file: sqlite.path, keep: true, mode: 'lost', workers: 10, increments: 100 });

    expect(counterInFile()).toBe(result.actual);
    expect(result.actual).toBeLessThan(1000);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 1000, database: { engine: 'sqlite', url: sqlite.path } });
  });

  it.each([
    ['deferred', 'delete'],
    ['deferred', 'wal'],
    ['immediate', 'delete'],
    ['immediate', 'wal'],
    ['mutex', 'delete'],
    ['file-lock', 'wal'],
    ['inplace', 'delete'],
  ] as const)('%s (journal %s) ends exact in the file', async (mode, journal) => {
    const result = await runRace({ engine: 'sqlite', file: sqlite.path, keep: true, mode, journal, workers: 8, increments: 50 });

    expect(counterInFile()).toBe(400);
    expect(result).toMatchObject({ verdict: 'CORRECT', actual: 400, options: { journal } });
  });

  it('deferred meets SQLITE_BUSY and retries until correct', async () => {
    // Long enough (about a second) that the threads overlap even when other processes keep both
    // cores busy: 100 increments each once ran back to back, one thread after another.
    const result = await runRace({ engine: 'sqlite', file: sqlite.path, keep: true, mode: 'deferred', journal: 'wal', workers: 10, increments: 2000 });

    expect(result.retriesByCause.busy).toBeGreaterThan(0);
    expect(result.errors.map((error) => error.code)).toContain('SQLITE_BUSY_SNAPSHOT');
    expect(counterInFile()).toBe(20_000);
  });
});

describe('SQLite: a lock holder that never lets go', () => {
  it('the mutex times out with a clear error instead of hanging', async () => {
    const mutex = new SharedMutex();
    expect(mutex.lock(OUTSIDE_HOLDER, 0)).toBe(true);

    const result = await runRace({ engine: 'sqlite', file: sqlite.path, keep: true, mode: 'mutex', mutex, lockTimeoutMs: 50, workers: 3, increments: 2 });

    expect(result.failures).toMatchObject({ lockTimeout: 6, total: 6 });
    expect(result.errors[0]).toMatchObject({
      code: 'RIG_LOCK_TIMEOUT',
      message: 'the shared mutex was not released within 50 ms (held by a holder outside the workers)',
      count: 6,
    });
    expect(counterInFile()).toBe(0);
    expect(result.verdict).toBe('CORRECT');
  });

  it('the file lock times out with a clear error instead of hanging', async () => {
    // This test process holds the lock on the lock file, as another program would.
    const fd = openSync(`${sqlite.path}.lock`, 'a+');
    expect(tryLock(fd)).toBe(true);
    try {
      const result = await runRace({ engine: 'sqlite', file: sqlite.path, keep: true, mode: 'file-lock', lockTimeoutMs: 50, workers: 3, increments: 2 });

      expect(result.failures).toMatchObject({ lockTimeout: 6, total: 6 });
      expect(result.errors[0]?.message).toBe(`the file lock on ${sqlite.path}.lock was not released within 50 ms`);
      expect(counterInFile()).toBe(0);
    } finally {
      unlock(fd);
      closeSync(fd);
    }
  });
});
