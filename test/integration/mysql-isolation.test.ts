import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runIsolationMatrix, runSpecFile } from 'race-rig';
import type { PermutationOutcome } from 'race-rig';
import { runCli } from '../helpers/cli.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { describeOnMysql, mysqlRows, testMysqlUrl } from '../helpers/mysql.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const example = (name: string) => new URL(`../../examples/specs/innodb/${name}.spec`, import.meta.url).pathname;
const stepOf = (outcome: PermutationOutcome | undefined, name: string) => outcome?.steps.find((step) => step.step === name);
const firstValue = (outcome: PermutationOutcome | undefined, name: string) => stepOf(outcome, name)?.outputs[0]?.rows[0]?.[0];

/** The run databases on the shared server, and the connections still in one of them. */
async function runDatabases(): Promise<{ databases: string[]; connections: number }> {
  const databases = await mysqlRows("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'race\\_rig\\_%' ORDER BY 1");
  const connections = await mysqlRows("SELECT ID FROM information_schema.PROCESSLIST WHERE DB LIKE 'race\\_rig\\_%'");
  return { databases: databases.map((row) => String(row.name)), connections: connections.length };
}

const tempDir = tempDirForFile('mysql-spec-test-');

describeOnMysql('isolation specs on InnoDB', () => {
  it("decides each of Hermitage's anomalies at each level from what MariaDB did", async () => {
    const before = await runDatabases();
    // Three interleavings wait on a lock until the rig cancels the step: half a second is plenty here.
    const matrix = await runIsolationMatrix({ engine: 'mysql', db: testMysqlUrl() ?? '', stepTimeoutMs: 500 });
    const cell = (id: string, level: 'read-committed' | 'repeatable-read' | 'serializable') => matrix.anomalies.find((row) => row.id === id)?.cells[level];
    const table = Object.fromEntries(
      matrix.anomalies.map((row) => [row.id, matrix.levels.map((level) => (row.cells[level].occurred ? 'occurs' : row.cells[level].preventedBy))]),
    );

    expect(matrix).toMatchObject({ engine: 'mysql', serverVersion: expect.stringMatching(/^\d+\.\d+/) });
    // InnoDB's column of Hermitage's table, as this machine's MariaDB 10.11 did it.
    expect(table).toEqual({
      G0: ['blocked', 'blocked', 'blocked'],
      G1a: ['snapshot', 'snapshot', 'blocked'],
      G1b: ['snapshot', 'snapshot', 'blocked'],
      G1c: ['snapshot', 'snapshot', 'deadlock'],
      OTV: ['blocked', 'blocked', 'blocked'],
      PMP: ['occurs', 'snapshot', 'blocked'],
      P4: ['occurs', 'occurs', 'deadlock'],
      'G-single': ['occurs', 'snapshot', 'blocked'],
      'G2-item': ['occurs', 'occurs', 'deadlock'],
      G2: ['occurs', 'occurs', 'deadlock'],
    });
    // The lost update at REPEATABLE READ: the second write waited for the first, then overwrote it, and no error said so.
    const lost = cell('P4', 'repeatable-read')?.permutation;
    expect(stepOf(lost, 't2w')).toMatchObject({ blocked: true, error: null });
    expect([firstValue(lost, 't1r'), firstValue(lost, 't2r')]).toEqual(['10', '10']);
    // SERIALIZABLE's reads took shared locks: both writes wait for the other's, and InnoDB rolls one back at once.
    expect(stepOf(cell('P4', 'serializable')?.permutation, 't2w')?.error?.code).toBe('1213 (40001)');
    // The update waits for the reader's shared lock until the rig cancels it: held up, so not read skew, whatever t1y read after.
    expect(stepOf(cell('G-single', 'serializable')?.permutation, 't2x')).toMatchObject({ blocked: true, timedOut: true });
    expect(cell('G-single', 'serializable')?.permutation.output).toContain('ERROR 1317 (70100): Query execution was interrupted\n');
    expect(await runDatabases()).toEqual(before);
  });

  it('the deadlock spec: the second transfer is seen waiting, the first gets 1213 at once, the second completes', async () => {
    const started = Date.now();
    const result = await runSpecFile(example('deadlock'), { engine: 'mysql', db: testMysqlUrl() ?? '' });
    const [outcome] = result.permutations;

    expect(result).toMatchObject({ engine: 'mysql', warnings: [] });
    expect(stepOf(outcome, 's2b')).toMatchObject({ blocked: true, error: null, timedOut: false });
    expect(stepOf(outcome, 's1b')?.error).toMatchObject({ code: '1213 (40001)', message: 'Deadlock found when trying to get lock; try restarting transaction' });
    expect(outcome?.output).toContain(
      'step s2b: UPDATE accounts SET balance = balance + 1 WHERE id = 1; <waiting ...>\n' +
        'step s1b: UPDATE accounts SET balance = balance + 1 WHERE id = 2;\n' +
        'ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction\n' +
        'step s2b: <... completed>\n',
    );
    expect(stepOf(outcome, 's2check')?.outputs[0]?.rows).toEqual([
      ['1', '101'],
      ['2', '99'],
    ]);
    // Waits are read live from the server: nothing here waited for a step timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('the lost update at REPEATABLE READ, then 1020 once innodb_snapshot_isolation is on', async () => {
    const result = await runSpecFile(example('lost-update'), { engine: 'mysql', db: testMysqlUrl() ?? '', isolation: 'repeatable-read' });
    const [plain, snapshot] = result.permutations;

    expect(stepOf(plain, 's2w')).toMatchObject({ blocked: true, error: null });
    expect(firstValue(plain, 's2check')).toBe('11');
    expect(stepOf(snapshot, 's2w')).toMatchObject({ blocked: true, error: { code: '1020 (HY000)' } });
  });

  it('a step waiting for a metadata lock or a named lock is seen waiting, from the process list', async () => {
    const file = join(tempDir(), 'other-locks.spec');
    await writeFile(
      file,
      `setup { CREATE TABLE t (id int PRIMARY KEY) ENGINE=InnoDB; }
       teardown { DROP TABLE t; }
       session reader
       step read { START TRANSACTION; SELECT id FROM t; }
       step done { COMMIT; }
       session ddl
       step alter { ALTER TABLE t ADD COLUMN note int; }
       session holder
       step take { SELECT GET_LOCK('race_rig_spec', 10) AS got; }
       step give { SELECT RELEASE_LOCK('race_rig_spec') AS released; }
       session waiter
       step want { SELECT GET_LOCK('race_rig_spec', 10) AS got; }
       step back { SELECT RELEASE_LOCK('race_rig_spec') AS released; }
       permutation read alter done take want give back`,
    );
    const [outcome] = (await runSpecFile(file, { engine: 'mysql', db: testMysqlUrl() ?? '' })).permutations;

    expect(outcome?.steps.filter((step) => step.blocked).map((step) => step.step)).toEqual(['alter', 'want']);
    expect(outcome?.steps.every((step) => step.error === null && !step.timedOut)).toBe(true);
    expect(firstValue(outcome, 'want')).toBe('1');
  });

  it('with no --db, runs on a throwaway MariaDB and leaves nothing behind', async () => {
    const run = await runCli(['spec', '--engine', 'mysql', 'examples/specs/innodb/deadlock.spec']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Parsed test spec with 2 sessions\n/);
    expect(run.stdout).toContain('ERROR 1213 (40001): Deadlock found');
    expect(leftoversOfRun(run.pid)).toEqual(NOTHING_LEFT);
  });

  it('a bad --engine or --db is one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['isolation', '--engine', 'sqlite'], /^race-rig: race-rig spec and race-rig isolation run on --engine postgres or mysql \(got 'sqlite'\)$/m],
      [['spec', 'examples/specs/innodb/deadlock.spec', '--engine', 'mysql', '--db', 'postgres://x@localhost/db'], /^race-rig: --db must start with mysql:\/\/ or mariadb:\/\/ on --engine mysql/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});
