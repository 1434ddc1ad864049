import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { queryAndDrop } from '../helpers/schema-rows.js';

describe('scenarios on the command line', () => {
  it('race-rig list names every scenario with its modes and what each shows', async () => {
    const text = await runCli(['list']);
    const json = await runCli(['list', '--json']);

    expect(text.code).toBe(0);
    for (const line of [/^counter: /m, /^withdraw: /m, /^transfer: /m, /^deposit: /m, /^row-limit: /m, /^hot-row: /m, /^ {2}check-then-act\s+RACE\s+SELECT balance/m, /^ {2}guarded\s+CORRECT/m]) {
      expect(text.stdout).toMatch(line);
    }
    const listed = JSON.parse(json.stdout) as { engine: string; name: string; modes: { name: string }[] }[];
    expect(listed.map((scenario) => `${scenario.engine}:${scenario.name}`)).toEqual([
      'postgres:counter',
      'postgres:withdraw',
      'postgres:transfer',
      'postgres:deposit',
      'postgres:row-limit',
      'postgres:hot-row',
      'sqlite:counter',
      'mysql:counter',
      'mysql:withdraw',
      'mysql:transfer',
      'mysql:deposit',
      'mysql:row-limit',
      'mysql:hot-row',
    ]);
    expect(text.stdout).toMatch(/^counter \(--engine sqlite\): /m);
    expect(text.stdout).toMatch(/^row-limit \(--engine mysql\): /m);
    expect(listed.find((scenario) => scenario.engine === 'mysql' && scenario.name === 'counter')?.modes.map((mode) => mode.name)).toContain('repeatable-read');
    expect(listed.find((scenario) => scenario.name === 'hot-row')?.modes.map((mode) => mode.name)).toEqual(['update', 'append', 'append-unique-ts']);
  });

  it('runs the example scenario module from examples/: broken, then fixed, as the database shows', async () => {
    const broken = await runCli(['--db', testDatabaseUrl(), '--scenario', './examples/seat-booking.js', '--mode', 'check-then-insert', '-w', '8', '-n', '10', '--gate', '--keep', '--json']);
    const fixed = await runCli(['--db', testDatabaseUrl(), '--scenario', './examples/seat-booking.js', '--mode', 'unique', '-w', '8', '-n', '10', '--keep', '--json']);

    expect(broken.code).toBe(0);
    expect(fixed.code).toBe(0);
    const brokenResult = JSON.parse(broken.stdout);
    const fixedResult = JSON.parse(fixed.stdout);
    const overbooked = 'SELECT count(*)::integer AS n FROM (SELECT seat FROM bookings GROUP BY seat HAVING count(*) > 1) s';
    expect(await queryAndDrop(brokenResult.database.schema, overbooked)).toEqual({ n: brokenResult.actual });
    expect(await queryAndDrop(fixedResult.database.schema, overbooked)).toEqual({ n: 0 });
    expect(brokenResult).toMatchObject({ scenario: 'seat-booking', verdict: 'RACE', unit: 'booking' });
    expect(brokenResult.actual).toBeGreaterThan(0);
    expect(fixedResult).toMatchObject({ verdict: 'CORRECT', outcomes: { booked: 10, refused: 70 } });
  });

  it('says what a scenario module lacks, in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-scenario-'));
    await writeFile(join(dir, 'half.js'), "export default { name: 'half', modes: [{ name: 'only', outcome: 'race' }], setup() {} };\n");

    const missing = await runCli(['--scenario', join(dir, 'nowhere.js')]);
    const half = await runCli(['--scenario', join(dir, 'half.js')]);
    await rm(dir, { recursive: true, force: true });

    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^race-rig: cannot load the scenario module .*nowhere\.js: Cannot find module/);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/^race-rig: .*half\.js is not a race-rig scenario: it lacks worker\(\), verify\(\)\n$/);
  });

  it('--repeat reports how many runs reproduced the race, and --expect applies to every run', async () => {
    const lost = await runCli(['--db', testDatabaseUrl(), '-w', '6', '-n', '40', '--repeat', '3', '--json']);
    const fixed = await runCli(['--db', testDatabaseUrl(), '-w', '6', '-n', '20', '--mode', 'inplace', '--repeat', '2', '--expect', 'correct']);
    const expectedWrongly = await runCli(['--db', testDatabaseUrl(), '-w', '6', '-n', '40', '--repeat', '2', '--expect', 'correct']);

    const summary = JSON.parse(lost.stdout);
    expect(lost.code).toBe(0);
    expect(summary).toMatchObject({ repeat: 3, races: 3, reproductionRate: 1, verdicts: ['RACE', 'RACE', 'RACE'] });
    expect(summary.runs).toHaveLength(3);
    expect(new Set(summary.runs.map((run: { database: { schema: string } }) => run.database.schema)).size).toBe(3);
    expect(summary.spread.lost.min).toBeGreaterThan(0);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('CORRECT  in all 2 runs (reproduction rate 0%)');
    expect(expectedWrongly.code).toBe(1);
    expect(expectedWrongly.stdout).toContain('expected correct in every run: NOT met (exit 1)');
  });

  it('--concurrency 1 lets one worker in at a time, so even the lost update cannot happen', async () => {
    const run = await runCli(['--db', testDatabaseUrl(), '-w', '8', '-n', '25', '--concurrency', '1', '--json']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'lost', verdict: 'CORRECT', expected: 200, actual: 200, options: { concurrency: 1 } });
  });
});
