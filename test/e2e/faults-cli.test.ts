import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { embeddedTraces, leftoversSince, NOTHING_LEFT } from '../helpers/leftovers.js';
import { eventually } from '../helpers/wait.js';

/** The data directory of the embedded run that started after `before`, once it exists. */
function newDataDir(before: ReturnType<typeof embeddedTraces>, withServer: boolean): string | undefined {
  const dir = embeddedTraces().dirs.find((candidate) => !before.dirs.includes(candidate));
  if (!dir) return undefined;
  return !withServer || existsSync(`${dir}/data/postmaster.pid`) ? `${dir}/data` : undefined;
}

describe('signals and a dying server, from the command line', () => {
  it.each([
    ['SIGINT', 'set-up', false, 130],
    ['SIGTERM', 'set-up', false, 143],
    ['SIGTERM', 'race', true, 143],
  ] as const)('%s during the %s: clean teardown (server up: %s), exit %i', async (signal, _stage, afterServerStart, exitCode) => {
    const before = embeddedTraces();
    const { child, finished } = startCli(['-w', '20', '-n', '100000', '--mode', 'for-update']);

    await eventually(() => newDataDir(before, afterServerStart), 'the run to create its directory');
    if (afterServerStart) await sleep(1500);
    child.kill(signal);
    const run = await finished;

    expect(run.code).toBe(exitCode);
    expect(run.stderr).toBe(`race-rig: interrupted by ${signal}; cleaned up\n`);
    expect(leftoversSince(before)).toEqual(NOTHING_LEFT);
  });

  it('Ctrl-C in a terminal (SIGINT to the whole process group, server included) during the race', async () => {
    const before = embeddedTraces();
    const { child, finished } = startCli(['-w', '10', '-n', '100000', '--mode', 'for-update'], undefined, { ownGroup: true });

    await eventually(() => newDataDir(before, true), 'the embedded server to start');
    await sleep(1500);
    process.kill(-(child.pid ?? 0), 'SIGINT');
    const run = await finished;

    expect(run.code).toBe(130);
    expect(run.stderr).toBe('race-rig: interrupted by SIGINT; cleaned up\n');
    expect(leftoversSince(before)).toEqual(NOTHING_LEFT);
  });

  it('the rig itself killed outright (SIGKILL, as the OOM killer does): its watchdog stops the server and deletes the directory', async () => {
    const before = embeddedTraces();
    const { child, finished } = startCli(['-w', '6', '-n', '100000', '--mode', 'for-update']);

    await eventually(() => newDataDir(before, true), 'the embedded server to start');
    await sleep(1000);
    child.kill('SIGKILL');
    await finished;

    const left = await eventually(() => {
      const traces = leftoversSince(before);
      return traces.dirs.length + traces.servers.length + traces.processes.length === 0 ? traces : undefined;
    }, 'the watchdog to clean up', 15_000);
    expect(left).toEqual(NOTHING_LEFT);
  });

  it('the embedded PostgreSQL killed mid-run: one clear line, exit 2, nothing left behind', async () => {
    const before = embeddedTraces();
    const { finished } = startCli(['-w', '8', '-n', '100000', '--mode', 'for-update']);

    const dataDir = await eventually(() => newDataDir(before, true), 'the embedded server to start');
    await sleep(1500);
    const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGKILL');
    const run = await finished;

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^race-rig: the embedded PostgreSQL \\(pid ${postmaster}\\) exited during the run\\n$`));
    expect(leftoversSince(before)).toEqual(NOTHING_LEFT);
  });
});
