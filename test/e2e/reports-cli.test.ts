import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliEnv, RIG, runCli } from '../helpers/cli.js';
import { tempDirForFile } from '../helpers/temp-dir.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { validateJunit } from '../helpers/junit.js';

const tempDir = tempDirForFile('reports-cli-test-');

describe('--junit', () => {
  it('writes a valid JUnit report whose failure says expected CORRECT, got RACE (exit 1)', async () => {
    const file = join(tempDir(), 'lost.xml');
    const run = await runCli(['--db', testDatabaseUrl(), '--mode', 'lost', '-w', '20', '-n', '50', '--expect', 'correct', '--junit', file]);
    const xml = await readFile(file, 'utf8');

    expect(run.code).toBe(1);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/<testsuite name="race-rig counter\/lost" [^>]*tests="1" failures="1" errors="0"/);
    expect(xml).toMatch(/<testcase classname="race-rig.counter" name="counter\/lost" time="[\d.]+">/);
    expect(xml).toMatch(/<failure message="expected CORRECT, got RACE: expected 1,000, the database holds \d+: [\d,]+ lost/);
  });

  it('lists every repetition as a test case of its own', async () => {
    const file = join(tempDir(), 'repeat.xml');
    const run = await runCli(['--db', testDatabaseUrl(), '--mode', 'for-update', '-w', '4', '-n', '10', '--repeat', '3', '--expect', 'correct', '--junit', file]);
    const xml = await readFile(file, 'utf8');

    expect(run.code).toBe(0);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('name="counter/for-update run 3 of 3"');
    expect(xml).not.toContain('<failure');
  });

  it('reports a run that could not start as an errored test case, without the password (exit 2)', async () => {
    const file = join(tempDir(), 'error.xml');
    const run = await runCli(['--db', 'postgres://rig:s3cret-pw@127.0.0.1:1/nowhere', '--junit', file]);
    const xml = await readFile(file, 'utf8');

    expect(run.code).toBe(2);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/<error message="cannot connect to postgres:\/\/rig:\*\*\*@127.0.0.1:1\/nowhere/);
    expect(xml).not.toContain('s3cret-pw');
  });

  it('refuses a report path it cannot write before running anything', async () => {
    const run = await runCli(['--db', testDatabaseUrl(), '--junit', join(tempDir(), 'no-such-dir', 'r.xml')]);

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^race-rig: --junit .*: the directory .*no-such-dir does not exist or is not writable$/m);
  });
});

describe('compare, --explain and --timeline on the command line', () => {
  it('compare prints one table with every mode and its documented verdict', async () => {
    const run = await runCli(['compare', '--db', testDatabaseUrl(), '-w', '10', '-n', '40']);

    expect(run.code).toBe(0);
    for (const mode of ['lost', 'inplace', 'for-update', 'for-no-key-update', 'optimistic', 'serializable', 'repeatable-read', 'advisory', 'append']) {
      expect(run.stdout).toMatch(new RegExp(`│ ${mode} +│ ${mode === 'lost' ? 'RACE ' : 'CORRECT'} +│ ${mode === 'lost' ? 'race' : 'correct'} ✓`));
    }
    expect(run.stdout).toContain('every mode showed its documented outcome');
  });

  it('compare refuses --mode, --expect and --repeat with one line (exit 2)', async () => {
    for (const flags of [['--mode', 'lost'], ['--expect', 'race'], ['--repeat', '2']]) {
      const run = await runCli(['compare', '--db', testDatabaseUrl(), ...flags]);
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--explain prints the SQL and the why before the run, and ties the numbers to it after', async () => {
    const run = await runCli(['--db', testDatabaseUrl(), '--mode', 'lost', '-w', '20', '-n', '50', '--explain']);
    const [before, after] = run.stdout.split(/^race-rig {2}counter\/lost/m);

    expect(run.code).toBe(0);
    expect(before).toContain('Each operation runs:\n    SELECT counter, version FROM user_counter WHERE user_id = 1;');
    expect(before).toContain('Why it breaks under concurrency:');
    expect(after).toMatch(/1,000 increments reported success, and the database holds \d+ \(counter\): [\d,]+ were erased in the window described above\./);
  });

  it('--explain does not go with --json', async () => {
    const run = await runCli(['--explain', '--json']);

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("race-rig: --explain prints text; it does not go with --json\n");
  });

  it('--timeline draws the workers and marks a lost write', async () => {
    const run = await runCli(['--db', testDatabaseUrl(), '--mode', 'lost', '-w', '4', '-n', '50', '--timeline']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/timeline of workers w0, w1, w2, w3: \d+ lost writes? in \d+ recorded operations; the first:/);
    expect(run.stdout).toMatch(/^ {2}w\d +\|.*!.*\|$/m);
    expect(run.stdout).toMatch(/write +\$1=1 \$2=\d+ {2}← overwrote w\d's update: its value came from a read \(counter=\d+ version=\d+\) that had not seen it/);
  });
});

describe('the progress bar', () => {
  const scriptRun = promisify(execFile);

  it('shows increments done and ops/s on a terminal', async () => {
    // `script` gives the rig a pseudo-terminal, as a user's shell does.
    const command = `${process.execPath} ${RIG} --db ${testDatabaseUrl()} --mode for-update -w 4 -n 1000`;
    const { stdout } = await scriptRun('script', ['-qec', command, '/dev/null'], { env: cliEnv() });

    const json = await scriptRun('script', ['-qec', `${command} --json`, '/dev/null'], { env: cliEnv() });

    expect(stdout).toMatch(/counter\/for-update \[[█░]+\] \d+\/4000 operations \| \d+ ops\/s/);
    expect(json.stdout).toContain('"verdict": "CORRECT"');
    expect(json.stdout).not.toContain('operations |');
  });

  it('stays quiet when stderr is not a terminal', async () => {
    const piped = await runCli(['--db', testDatabaseUrl(), '--mode', 'for-update', '-w', '4', '-n', '1000']);

    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
  });
});
