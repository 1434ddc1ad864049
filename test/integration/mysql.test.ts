import { describe, expect, it } from 'vitest';
import { CapacityError, DatabaseError, runRace, runRepeatedRace } from 'race-rig';
import { findMysqlBinaries } from '../../src/engines/mysql/binaries.js';
import { classifyMysqlError } from '../../src/engines/mysql/errors.js';
import { startThrowawayMysql } from '../../src/engines/mysql/throwaway.js';
import { describeOnMysql, mysqlDatabaseExists, readAndDropDatabase, testMysqlUrl } from '../helpers/mysql.js';

const COUNTER = 'SELECT counter FROM {db}.user_counter WHERE user_id = 1';
const ACTIVITY = 'SELECT COUNT(*) FROM {db}.user_counter_activity WHERE user_id = 1';

/** A counter run on the suite's server, its database kept and then read back and dropped. */
async function counterRun(mode: string, workers: number, increments: number, extra: Record<string, unknown> = {}) {
  const result = await runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', keep: true, mode, workers, increments, ...extra });
  const held = await readAndDropDatabase(result.database.schema, mode === 'append' ? ACTIVITY : COUNTER);
  return { result, held };
}

describeOnMysql('the counter on InnoDB, as the server holds it', () => {
  it.each(['lost', 'repeatable-read'])('%s loses increments', async (mode) => {
    const { result, held } = await counterRun(mode, 10, 100);

    expect(held).toBe(result.actual);
    expect(held).toBeLessThan(1000);
    expect(result).toMatchObject({ verdict: 'RACE', expected: 1000, lost: 1000 - held, start: 'gate' });
  });

  it.each(['inplace', 'for-update', 'optimistic', 'get-lock', 'append'])('%s ends exact', async (mode) => {
    const { result, held } = await counterRun(mode, 8, 50);

    expect(held).toBe(400);
    expect(result).toMatchObject({ verdict: 'CORRECT', actual: 400, failed: 0 });
  });

  it('serializable deadlocks (1213, SQLSTATE 40001), retries them, and ends exact', async () => {
    const { result, held } = await counterRun('serializable', 8, 50);

    expect(held).toBe(400);
    expect(result.retriesByCause.deadlock).toBeGreaterThan(0);
    expect(result.errors.map((error) => error.code)).toContain('1213 (40001)');
  });

  it("snapshot-isolation meets MariaDB's 1020, retries it as a serialization failure, and ends exact", async () => {
    const { result, held } = await counterRun('snapshot-isolation', 8, 50);

    expect(held).toBe(400);
    expect(result.retriesByCause.serialization).toBeGreaterThan(0);
    expect(result.errors.map((error) => error.code)).toContain('1020 (HY000)');
  });

  it('starts 20 workers at the server gate within a few milliseconds of each other on the server clock', async () => {
    const { result } = await counterRun('inplace', 20, 20);

    expect(result.start).toBe('gate');
    expect(result.startSpreadMs).not.toBeNull();
    expect(result.startSpreadMs).toBeLessThan(50);
  });

  it('--processes 2: the workers in two OS processes, released together at the gate; for-update ends exact', async () => {
    const { result, held } = await counterRun('for-update', 6, 20, { processes: 2 });

    expect(held).toBe(120);
    expect(result).toMatchObject({ verdict: 'CORRECT', start: 'gate', threads: 6, options: { processes: 2 } });
  });

  it('--no-gate starts at the barrier alone', async () => {
    const { result } = await counterRun('lost', 4, 20, { gate: false });

    expect(result.start).toBe('barrier');
  });

  it('--repeat runs each repetition on a fresh database of its own, on one connection to the server', async () => {
    const repeated = await runRepeatedRace({ engine: 'mysql', db: testMysqlUrl() ?? '', mode: 'lost', workers: 6, increments: 50, repeat: 3 });

    expect(repeated.runs).toHaveLength(3);
    expect(new Set(repeated.runs.map((run) => run.database.schema)).size).toBe(3);
    for (const run of repeated.runs) expect(await mysqlDatabaseExists(run.database.schema)).toBe(false);
  });

  it("drops the run's own database afterwards unless --keep", async () => {
    const result = await runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', mode: 'for-update', workers: 4, increments: 10 });

    expect(result.database.schema).toMatch(/^race_rig_[0-9a-f]{10}$/);
    expect(await mysqlDatabaseExists(result.database.schema)).toBe(false);
  });

  it('more workers than the server has connections for is refused before any thread starts', async () => {
    const run = runRace({ engine: 'mysql', db: testMysqlUrl() ?? '', workers: 400, increments: 1 });

    await expect(run).rejects.toThrow(CapacityError);
    await expect(run).rejects.toThrow(/^the server has max_connections=300 \(\d+ in use\), so \d+ are free; this run needs 401, one per worker and one for the gate/);
  });

  it('a wrong password is one line that names the server without the password', async () => {
    const url = new URL(testMysqlUrl() ?? '');
    url.password = 'not-the-password';
    const run = runRace({ engine: 'mysql', db: url.toString(), workers: 2, increments: 1 });

    await expect(run).rejects.toThrow(DatabaseError);
    await expect(run).rejects.toThrow(/^cannot connect to mysql:\/\/race_rig:\*\*\*@127\.0\.0\.1:\d+\/mysql: Access denied .*\(check the user and password in --db\)$/);
  });
});

describe('MySQL errors, by error number', () => {
  it.each([
    [{ errno: 1213, sqlState: '40001' }, { code: '1213 (40001)', kind: 'deadlock', retryCause: 'deadlock', connectionLost: false }],
    [{ errno: 1020, sqlState: 'HY000' }, { code: '1020 (HY000)', kind: 'serialization', retryCause: 'serialization', connectionLost: false }],
    [{ errno: 1205, sqlState: 'HY000' }, { code: '1205 (HY000)', kind: 'lockTimeout', retryCause: null, connectionLost: false }],
    [{ errno: 1062, sqlState: '23000' }, { code: '1062 (23000)', kind: 'other', retryCause: null, connectionLost: false }],
    [{ errno: 2013, sqlState: 'HY000', fatal: true }, { kind: 'other', connectionLost: true }],
    [{ errno: -104, code: 'ECONNRESET' }, { code: 'ECONNRESET', kind: 'other', connectionLost: true }],
  ])('%j is %j', (fields, expected) => {
    expect(classifyMysqlError(Object.assign(new Error('from the server'), fields))).toMatchObject(expected);
  });
});

describe('a throwaway server', () => {
  it('without a server binary, says in one line how to get a server', async () => {
    await expect(startThrowawayMysql({ maxConnections: 10, binaries: null })).rejects.toThrow(
      /^--engine mysql needs a server: give one with --db mysql:\/\/.*or install MariaDB \(Debian: apt-get install mariadb-server\) for a throwaway server$/,
    );
  });

  it.runIf(findMysqlBinaries() !== null)('is found where Debian puts it, whatever PATH says', () => {
    expect(findMysqlBinaries('')).toMatchObject({ server: expect.stringMatching(/\/(mariadbd|mysqld)$/) });
  });
});
