import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { onStderrLine, readyPostmasterOf, runDirOf } from '../helpers/embedded-run.js';
import { leftoversOfCli, NOTHING_LEFT } from '../helpers/leftovers.js';
import { eventually } from '../helpers/wait.js';

// Killed outright (SIGKILL) at each instant of a run: killed-outright.test.ts.
describe('signals and a dying server, from the command line', () => {
  it.each([
    ['SIGINT', 'set-up', false, 130],
    ['SIGTERM', 'set-up', false, 143],
    ['SIGTERM', 'race', true, 143],
  ] as const)('%s during the %s: clean teardown (server up: %s), exit %i', async (signal, _stage, afterServerStart, exitCode) => {
    const { child, finished } = startCli(['-w', '20', '-n', '100000', '--mode', 'for-update']);
    const pid = child.pid ?? -1;

    const dir = await eventually(() => runDirOf(pid), 'the run to create its directory');
    if (afterServerStart) {
      await eventually(() => readyPostmasterOf(dir), 'the embedded server to accept connections');
      await sleep(1500);
    }
    child.kill(signal);
    const run = await finished;

    expect(run.code).toBe(exitCode);
    expect(run.stderr).toBe(`race-rig: interrupted by ${signal}; cleaned up\n`);
    expect(leftoversOfCli(pid, dir)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C in a terminal (SIGINT to the whole process group) during the race', async () => {
    const { child, finished } = startCli(['-w', '10', '-n', '100000', '--mode', 'for-update'], undefined, { ownGroup: true });
    const pid = child.pid ?? -1;

    const dir = await eventually(() => runDirOf(pid), 'the run to create its directory');
    await eventually(() => readyPostmasterOf(dir), 'the embedded server to accept connections');
    await sleep(1500);
    process.kill(-pid, 'SIGINT');
    const run = await finished;

    expect(run.code).toBe(130);
    expect(run.stderr).toBe('race-rig: interrupted by SIGINT; cleaned up\n');
    expect(leftoversOfCli(pid, dir)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C in a terminal during a race of worker processes (--processes): exit 130, the processes and everything else gone', async () => {
    const { child, finished } = startCli(['--verbose', '-w', '4', '--processes', '2', '-n', '100000', '--mode', 'for-update'], undefined, { ownGroup: true });
    const pid = child.pid ?? -1;
    const pids: number[] = [];
    child.stderr?.on('data', (chunk: Buffer) => pids.push(...[...chunk.toString().matchAll(/worker process \d of 2 \(pid (\d+)\)/g)].map((match) => Number(match[1]))));

    const dir = await eventually(() => runDirOf(pid), 'the run to create its directory');
    await onStderrLine(child, /race: all 4 workers released/, () => process.kill(-pid, 'SIGINT'));
    const run = await finished;

    expect(run.code).toBe(130);
    expect(run.stderr).toContain('race-rig: interrupted by SIGINT; cleaned up\n');
    expect(pids).toHaveLength(2);
    expect(pids.filter((worker) => existsSync(`/proc/${worker}`))).toEqual([]);
    expect(leftoversOfCli(pid, dir)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C in a terminal during an explore search: exit 130, nothing left behind', async () => {
    const args = ['explore', '--verbose', '--mode', 'lost', '-w', '3', '-n', '3', '--strategy', 'random', '--schedules', '100000'];
    const { child, finished } = startCli(args, undefined, { ownGroup: true });
    const pid = child.pid ?? -1;

    // The instant the search has judged its first schedule.
    await onStderrLine(child, /^race-rig: schedule [\dx.]+: /, () => process.kill(-pid, 'SIGINT'));
    const run = await finished;
    const dir = /^race-rig: run directory (.+)$/m.exec(run.stderr)?.[1] ?? '';

    expect(run.code).toBe(130);
    // --verbose also prints the stack under the line.
    expect(run.stderr).toMatch(/^race-rig: interrupted by SIGINT; cleaned up$/m);
    expect(dir.startsWith(join(tmpdir(), `race-rig-${pid}-`))).toBe(true);
    expect(leftoversOfCli(pid, dir)).toEqual(NOTHING_LEFT);
  });

  it('the embedded PostgreSQL killed mid-run: one clear line, exit 2, nothing left behind', async () => {
    const { child, finished } = startCli(['-w', '8', '-n', '100000', '--mode', 'for-update']);
    const pid = child.pid ?? -1;

    const dir = await eventually(() => runDirOf(pid), 'the run to create its directory');
    const postmaster = await eventually(() => readyPostmasterOf(dir), 'the embedded server to accept connections');
    await sleep(1500);
    process.kill(postmaster, 'SIGKILL');
    const run = await finished;

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^race-rig: the embedded PostgreSQL \\(pid ${postmaster}\\) exited during the run\\n$`));
    expect(leftoversOfCli(pid, dir)).toEqual(NOTHING_LEFT);
  });
});
