import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { onStderrLine, readyPostmasterOf, runDirOf } from '../helpers/embedded-run.js';
import { leftoversAfter, leftoversOfDir, leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import type { Leftovers } from '../helpers/leftovers.js';
import { eventually } from '../helpers/wait.js';

/** Everything left of the run of the CLI `pid` whose directory is `dir`, by either name. */
function leftoversOf(pid: number, dir: string): Leftovers {
  const byPid = leftoversOfRun(pid);
  const byDir = leftoversOfDir(dir);
  return {
    dirs: [...new Set([...byPid.dirs, ...byDir.dirs])].sort(),
    processes: [...new Set([...byPid.processes, ...byDir.processes])].sort(),
  };
}

/** A rig killed outright runs no clean-up of its own: its watchdog has a few seconds to do it. */
const WATCHDOG_GRACE_MS = 10_000;

describe('the rig killed outright (SIGKILL, as the OOM killer does) at any instant leaves nothing behind', () => {
  // Each instant is the --verbose line the CLI prints as it gets there; the kill lands in the
  // same tick as the line arrives, right after a look at what the run has going (which shows
  // that the helpers do see this run's processes, so that "nothing left" means something).
  it.each([
    ['right after its run directory exists', /^race-rig: run directory /, 100_000, 'race-rig-watchdog'],
    ['during initdb', /^race-rig: initdb \(pid \d+\)/, 100_000, 'initdb --pgdata='],
    ['while PostgreSQL starts', /^race-rig: starting PostgreSQL/, 100_000, 'postgres -D '],
    ['while the threads start', /^race-rig: threads connecting/, 100_000, 'postgres -D '],
    ['during the race', /^race-rig: race: all 20 workers released/, 100_000, 'postgres -D '],
    // A one-increment run verifies in a moment: no look first, it might be over.
    ['during verification', /^race-rig: verifying/, 1, null],
  ] as const)('%s', async (_instant, line, increments, runningThen) => {
    const { child, finished } = startCli(['--verbose', '-w', '20', '-n', String(increments), '--mode', 'for-update']);
    const pid = child.pid ?? -1;
    let seen: Leftovers | undefined;
    let passwordFileMode: number | undefined;
    await onStderrLine(child, line, () => {
      const dir = runDirOf(pid) ?? '';
      if (runningThen !== null) seen = leftoversOf(pid, dir);
      if (line.source.includes('initdb')) passwordFileMode = statSync(join(dir, 'pwfile')).mode & 0o777;
      child.kill('SIGKILL');
    });
    const run = await finished;
    const dir = /^race-rig: run directory (.+)$/m.exec(run.stderr)?.[1] ?? '';

    expect(dir.startsWith(join(tmpdir(), `race-rig-${pid}-`))).toBe(true);
    if (seen) {
      expect(seen.dirs).toEqual([dir]);
      expect(seen.processes.some((entry) => entry.includes(runningThen ?? ''))).toBe(true);
    }
    // The password initdb reads stays in the run directory, for the owner only.
    if (passwordFileMode !== undefined) expect(passwordFileMode).toBe(0o600);
    expect(await leftoversAfter(() => leftoversOf(pid, dir), WATCHDOG_GRACE_MS)).toEqual(NOTHING_LEFT);
  });
});

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
    expect(leftoversOf(pid, dir)).toEqual(NOTHING_LEFT);
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
    expect(leftoversOf(pid, dir)).toEqual(NOTHING_LEFT);
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
    expect(leftoversOf(pid, dir)).toEqual(NOTHING_LEFT);
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
    expect(leftoversOf(pid, dir)).toEqual(NOTHING_LEFT);
  });
});
