import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { codeBlocks, ROOT } from '../helpers/docs.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { tempDirForFile } from '../helpers/temp-dir.js';

const tempDir = tempDirForFile('explore-cli-test-');

/** Speeds and the spec file's place differ from run to run; everything else must not. */
const stable = (text: string) => text.replace(/\d+(\.\d+)? per second/g, 'N per second').replace(/spec written to \S+: race-rig spec \S+ replays it/, 'spec written to FILE: race-rig spec FILE replays it');

/** docs/explore.md's first example: the command's output, the spec it wrote, and the spec runner's output for it. */
async function documented(): Promise<{ explore: string; spec: string; replay: string }> {
  const [explore = '', spec = '', replay = ''] = codeBlocks(await readFile(join(ROOT, 'docs/explore.md'), 'utf8'), 'text');
  return { explore, spec, replay };
}

describe('race-rig explore', () => {
  it('prints what docs/explore.md shows, writes its spec, and race-rig spec replays the lost increment', async () => {
    const file = join(tempDir(), 'lost.spec');
    const run = await runCli(['explore', '--mode', 'lost', '--spec-out', file, '--db', testDatabaseUrl()]);
    const docs = await documented();

    expect(run.code, run.stderr).toBe(0);
    expect(stable(run.stdout)).toBe(stable(docs.explore));
    expect(await readFile(file, 'utf8')).toBe(docs.spec);
    const replay = await runCli(['spec', file, '--db', testDatabaseUrl()]);
    expect(replay.stdout).toBe(docs.replay);
    expect(replay.stdout).toMatch(/step check: SELECT counter FROM user_counter WHERE user_id = 1;\ncounter\n-------\n {6}1\n/);
  });

  it('--json carries the keys a CI job reads, and --expect sets the exit code', async () => {
    const run = await runCli(['explore', '--mode', 'lost', '--json', '--expect', 'race', '--db', testDatabaseUrl()]);
    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(0);
    expect(result).toMatchObject({ found: true, strategy: 'exhaustive', interleavings: null, seed: null, expectation: { expected: 'race', met: true } });
    expect(result.schedules).toBeGreaterThan(0);
    expect(result.failing.id).toMatch(/^[\dx.]+$/);
    expect(result.failing.steps).toHaveLength(4);
    expect(result.failing.spec).toContain('permutation ');

    const correct = await runCli(['explore', '--mode', 'lost', '--expect', 'correct', '--db', testDatabaseUrl()]);
    expect(correct.code).toBe(1);
    expect(correct.stdout).toContain('expected correct: exit 1');
    const held = await runCli(['explore', '--mode', 'inplace', '--expect', 'correct', '--db', testDatabaseUrl()]);
    expect(held.code).toBe(0);
    expect(held.stdout).toContain('HELD: all 2 interleavings hold');
  });

  it.each([
    [['--depth', '2'], '--depth goes with --strategy pct'],
    [['--strategy', 'random', '--prune'], '--prune goes with --strategy exhaustive'],
    [['--replay', '0.x'], 'is not a schedule ID'],
    [['--replay', '0x9'], 'the schedule does not fit this run'],
    [['--gate'], '--gate goes with race-rig, race-rig compare, not with race-rig explore'],
    [['--engine', 'sqlite', '--spec-out', 'x.spec'], '--spec-out writes a PostgreSQL isolation spec'],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const run = await runCli(['explore', '--mode', 'lost', ...args, '--db', testDatabaseUrl()].filter((arg, index, all) => !(args.includes('sqlite') && (arg === '--db' || all[index - 1] === '--db'))));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('on the embedded default, leaves nothing behind', async () => {
    const run = await runCli(['explore', '--mode', 'for-update']);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('HELD: all 24 interleavings hold');
    expect(leftoversOfRun(run.pid)).toEqual(NOTHING_LEFT);
  });
});
