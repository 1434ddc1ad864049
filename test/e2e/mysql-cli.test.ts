import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { onStderrLine } from '../helpers/embedded-run.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { describeOnMysql, mysqlDatabaseExists, readAndDropDatabase, testMysqlUrl } from '../helpers/mysql.js';

function runDirIn(stderr: string): string {
  return /^race-rig: run directory (.+)$/m.exec(stderr)?.[1] ?? '';
}

describeOnMysql('--engine mysql from the command line', () => {
  it('with no --db, starts a throwaway MariaDB, races on it, and leaves nothing behind', async () => {
    const run = await runCli(['--engine', 'mysql', '--verbose', '-w', '10', '-n', '50', '--mode', 'repeatable-read', '--json']);
    const result = JSON.parse(run.stdout);
    const dir = runDirIn(run.stderr);

    expect(run.code).toBe(0);
    expect(dir.startsWith(join(tmpdir(), `race-rig-mysql-${run.pid}-`))).toBe(true);
    expect(result).toMatchObject({ verdict: 'RACE', database: { engine: 'embedded', serverVersion: expect.stringMatching(/MariaDB|^\d/) }, options: { engine: 'mysql', gate: true } });
    expect(result.database.url).toBe(`mysql://root@localhost/?socket=${dir}/mysqld.sock`);
    expect(leftoversOfRun(run.pid)).toEqual(NOTHING_LEFT);
  });

  it('SIGTERM during the race: exit 143, the server stopped, nothing left behind', async () => {
    const { child, finished } = startCli(['--engine', 'mysql', '--verbose', '-w', '10', '-n', '100000', '--mode', 'for-update']);
    const pid = child.pid ?? -1;
    await onStderrLine(child, /^race-rig: race: all 10 workers released/, () => setTimeout(() => child.kill('SIGTERM'), 500));
    const run = await finished;

    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/^race-rig: interrupted by SIGTERM; cleaned up$/m);
    expect(leftoversOfRun(pid)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C during a race on your server (--db): exit 130, the run database dropped', async () => {
    const { child, finished } = startCli(['--engine', 'mysql', '--db', testMysqlUrl() ?? '', '--verbose', '-w', '8', '-n', '100000', '--mode', 'for-update']);
    await onStderrLine(child, /^race-rig: race: all 8 workers released/, () => setTimeout(() => child.kill('SIGINT'), 300));
    const run = await finished;
    const database = /^race-rig: run database (race_rig_[0-9a-f]+)$/m.exec(run.stderr)?.[1] ?? '';

    expect(run.code).toBe(130);
    expect(database).not.toBe('');
    expect(await mysqlDatabaseExists(database)).toBe(false);
  });

  it('a scenario module for MySQL (examples/mysql-seat-booking.js): double bookings in the database, and none with the UNIQUE key', async () => {
    const run = (mode: string) => runCli(['--engine', 'mysql', '--db', testMysqlUrl() ?? '', '--scenario', './examples/mysql-seat-booking.js', '--mode', mode, '-w', '8', '-n', '10', '--keep', '--json']);
    const broken = JSON.parse((await run('check-then-insert')).stdout);
    const fixed = JSON.parse((await run('unique')).stdout);
    const overbooked = 'SELECT COUNT(*) FROM (SELECT seat FROM {db}.bookings GROUP BY seat HAVING COUNT(*) > 1) AS seats';

    expect(broken).toMatchObject({ scenario: 'seat-booking', verdict: 'RACE', unit: 'booking' });
    expect(await readAndDropDatabase(broken.database.schema, overbooked)).toBe(broken.actual);
    expect(broken.actual).toBeGreaterThan(0);
    expect(fixed).toMatchObject({ verdict: 'CORRECT', actual: 0 });
    expect(await readAndDropDatabase(fixed.database.schema, overbooked)).toBe(0);
  });

  it('$MYSQL_URL is the server when --db is not given, and its password is never printed', async () => {
    const url = testMysqlUrl() ?? '';
    const password = decodeURIComponent(new URL(url).password);
    const run = await runCli(['--engine', 'mysql', '-w', '4', '-n', '20', '--mode', 'inplace'], { ...process.env, MYSQL_URL: url, NO_COLOR: '1' });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CORRECT/);
    expect(run.stdout).toContain('server mysql://race_rig:***@127.0.0.1:');
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('a postgres:// --db on --engine mysql is refused in one line, exit 2', async () => {
    const run = await runCli(['--engine', 'mysql', '--db', 'postgres://u:secret@localhost/db']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('race-rig: --db must start with mysql:// or mariadb:// on --engine mysql (got postgres://…)\n');
  });

  it('explore --spec-out is refused on MySQL (the spec is PostgreSQL\'s isolation tester\'s), in one line, exit 2', async () => {
    const run = await runCli(['explore', '--engine', 'mysql', '--spec-out', join(tmpdir(), 'never-written.spec')]);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe('race-rig: --spec-out writes a PostgreSQL isolation spec; it goes with --engine postgres\n');
  });
});
