import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readAndDropSchema, testDatabaseUrl } from '../helpers/database.js';
import { cliEnv, runCli, startCli } from '../helpers/cli.js';
import { readyPostmasterOf, runDirOf } from '../helpers/embedded-run.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { eventually } from '../helpers/wait.js';

describe('race-rig command line', () => {
  it('--json prints one object that matches what the database holds', async () => {
    const run = await runCli(['--json', '--db', testDatabaseUrl(), '--keep', '-w', '4', '-n', '25', '--mode', 'inplace']);

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    const held = await readAndDropSchema(result.database.schema);
    expect(held.counter).toBe(100);
    expect(result).toMatchObject({ verdict: 'CORRECT', expected: 100, actual: 100, lost: 0, retries: 0, workers: 4, increments: 25 });
    for (const key of ['p50', 'p95', 'p99', 'max']) expect(typeof result.latencyMs[key]).toBe('number');
    expect(Object.keys(result.failures).sort()).toEqual(['busy', 'deadlock', 'lockTimeout', 'maxRetries', 'other', 'serialization', 'statementTimeout', 'total']);
    expect(typeof result.elapsedMs).toBe('number');
    expect(typeof result.opsPerSec).toBe('number');
    expect(typeof result.startSpreadMs).toBe('number');
    expect(result.options).toMatchObject({ mode: 'inplace', workers: 4, increments: 25, maxRetries: null });
  });

  it('uses DATABASE_URL when --db is not given', async () => {
    const run = await runCli(['--json', '-w', '2', '-n', '5', '--mode', 'inplace'], cliEnv({ DATABASE_URL: testDatabaseUrl() }));

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'CORRECT', actual: 10, database: { engine: 'external' } });
  });

  it('never prints the password of --db', async () => {
    const url = testDatabaseUrl();
    const password = decodeURIComponent(new URL(url).password);
    expect(password.length).toBeGreaterThan(0);

    const json = await runCli(['--json', '--db', url, '-w', '2', '-n', '5']);
    const report = await runCli(['--db', url, '-w', '2', '-n', '5']);
    const failure = await runCli(['--db', url, '-w', '2', '-n', '5', '--barrier-timeout', '1']);

    expect(failure.code).toBe(2);
    for (const run of [json, report, failure]) expect(run.stdout + run.stderr).not.toContain(password);
    expect(JSON.parse(json.stdout).database.url).toContain(':***@');
  });

  it('exits 1 when --expect does not match the verdict, 0 when it does', async () => {
    const db = testDatabaseUrl();
    const mismatch = await runCli(['--db', db, '-w', '8', '-n', '50', '--mode', 'lost', '--expect', 'correct']);
    const match = await runCli(['--db', db, '-w', '4', '-n', '10', '--mode', 'for-update', '--expect', 'correct']);

    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('RACE');
    expect(match.code).toBe(0);
    expect(match.stdout).toContain('CORRECT');
  });

  it('--help lists every flag with its default', async () => {
    const run = await runCli(['--help']);

    expect(run.code).toBe(0);
    for (const flag of ['--workers', '--increments', '--mode', '--scenario', '--db', '--max-retries', '--barrier-timeout', '--gate', '--backoff', '--expect', '--json', '--keep', '--verbose', '--color']) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('[default: 10]');
    expect(run.stdout).toContain('[default: unbounded]');
  });

  it.each([
    [['--workers', '0'], /--workers must be a whole number from 1 to 1000 \(got '0'\)/],
    [['--workers', '10abc'], /--workers must be a whole number from 1 to 1000 \(got '10abc'\)/],
    [['--workers', '0x10'], /--workers must be a whole number from 1 to 1000 \(got '0x10'\)/],
    [['--workers', '-3'], /--workers must be a whole number/],
    [['--workers', '2.5'], /--workers must be a whole number/],
    [['--workers', 'many'], /--workers must be a whole number/],
    [['--increments', '99999999'], /--increments must be a whole number from 1 to 1000000/],
    [['--mode', 'yolo'], /unknown --mode 'yolo' for counter; choose one of: lost, inplace/],
    [['--scenario', 'bank'], /unknown --scenario 'bank'/],
    [['--expect', 'maybe'], /--expect must be one of: race, correct \(got 'maybe'\)/],
    [['--max-retries', '-1'], /--max-retries must be a whole number/],
    [['--bogus'], /Unknown argument: bogus/],
    [['--keep'], /--keep needs --db/],
    [['--db', 'mysql://x@y/z'], /--db must start with postgres:\/\//],
    [['--engine', 'oracle'], /unknown --engine 'oracle'; choose one of: postgres/],
    [['--timeout', '-5'], /--timeout must be a whole number from 0 to 86400000/],
    [['--lock-timeout', 'soon'], /--lock-timeout must be a whole number/],
    [['--schema', 'Bad-Name'], /--schema must be a lower-case name of letters, digits and _ \(got 'Bad-Name'\)/],
    [['--reuse-schema'], /--reuse-schema needs --schema/],
    [['--mode', 'lost', '--max-retries', '3'], /--max-retries and --backoff apply to the modes that retry \(optimistic, serializable, repeatable-read\), not to 'lost'/],
    [['--mode', 'for-update', '--backoff', '5'], /--max-retries and --backoff apply to the modes that retry/],
    [['--param', 'nokey'], /--param must look like key=value \(got 'nokey'\)/],
    [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000 \(got '0'\)/],
    [['--concurrency', '11'], /--concurrency must be a whole number from 1 to 10 \(got 11\)/],
    [['--repeat', '0'], /--repeat must be a whole number from 1 to 1000 \(got '0'\)/],
    [['compare', '--repeat', '3'], /--repeat goes with race-rig, not with race-rig compare/],
    [['--permutation', 's1 s2'], /--permutation goes with race-rig spec, not with race-rig$/m],
    [['list', '--workers', '3'], /--workers goes with race-rig, race-rig compare, race-rig explore, not with race-rig list/],
    [['--scenario', 'withdraw', '--mode', 'lost'], /unknown --mode 'lost' for withdraw; choose one of: check-then-act, for-update, guarded, serializable/],
    [['list', 'extra'], /Unknown argument: extra/],
    [['--engine', 'sqlite', '--db', 'postgres://x@y/z'], /--db does not apply to --engine sqlite/],
    [['--engine', 'sqlite', '--gate', '--schema', 'x'], /--gate, --schema do not apply to --engine sqlite/],
    [['--engine', 'sqlite', '--journal', 'memory'], /--journal must be one of: delete, wal \(got 'memory'\)/],
    [['--engine', 'sqlite', '--scenario', 'withdraw'], /unknown --scenario 'withdraw' for --engine sqlite; choose one of: counter/],
    [['--engine', 'sqlite', '--timeline'], /--timeline does not apply to --engine sqlite/],
    [['--engine', 'sqlite', '--keep'], /--keep needs --file/],
    [['--file', 'x.db'], /--file does not apply to --engine postgres/],
  ])('rejects %j with one line on stderr and exit 2', async (args, message) => {
    const run = await runCli(args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports an unreachable --db in one line with exit 2', async () => {
    const run = await runCli(['--db', 'postgres://nobody:secret-pw@127.0.0.1:1/none', '-w', '2']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^race-rig: cannot connect to postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: /);
    expect(run.stderr).not.toContain('secret-pw');
  });

  it('runs the counter on SQLite with the same report and JSON, and leaves no file behind', async () => {
    const json = await runCli(['--engine', 'sqlite', '--mode', 'immediate', '--journal', 'wal', '-w', '4', '-n', '25', '--json']);
    const text = await runCli(['--engine', 'sqlite', '-w', '4', '-n', '25']);

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'CORRECT', actual: 100, database: { engine: 'sqlite' }, options: { engine: 'sqlite', journal: 'wal' } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/counter\/lost {2}4 workers × 25 increments {2}on SQLite 3\.\d+/);
    expect(leftoversOfRun(json.pid)).toEqual(NOTHING_LEFT);
    expect(leftoversOfRun(text.pid)).toEqual(NOTHING_LEFT);
  });

  it('runs on the embedded default and leaves nothing behind', async () => {
    const run = await runCli(['--json', '-w', '4', '-n', '10', '--mode', 'advisory'], cliEnv());

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'CORRECT', expected: 40, actual: 40, database: { engine: 'embedded' } });
    expect(leftoversOfRun(run.pid)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C stops the run, the embedded server and removes its directory (exit 130)', async () => {
    const { child, finished } = startCli(['-w', '20', '-n', '100000', '--mode', 'for-update']);
    const pid = child.pid ?? -1;

    // Wait until this run's server accepts connections, then interrupt.
    const dir = await eventually(() => runDirOf(pid), 'the run to create its directory');
    await eventually(() => readyPostmasterOf(dir), 'the embedded server to accept connections');
    await sleep(1500);
    child.kill('SIGINT');
    const run = await finished;

    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^race-rig: interrupted by SIGINT; cleaned up\n$/);
    expect(leftoversOfRun(pid)).toEqual(NOTHING_LEFT);
  });
});
