import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { onStderrLine, runDirOf } from '../helpers/embedded-run.js';
import { leftoversAfter, leftoversOfCli, leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import type { Leftovers } from '../helpers/leftovers.js';
import { describeOnMysql } from '../helpers/mysql.js';

/**
 * The rig killed outright (SIGKILL) at each instant of a run, on the embedded PostgreSQL and on a
 * throwaway MariaDB: its watchdog stops the server and deletes the run directory. About 45 s.
 * SIGINT and SIGTERM from the command line: faults-cli.test.ts; in-process aborts at every stage
 * stay in `npm test` (test/integration/faults.test.ts).
 */

/** A rig killed outright runs no clean-up of its own: its watchdog has a few seconds to do it. */
const WATCHDOG_GRACE_MS = 15_000;

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
      if (runningThen !== null) seen = leftoversOfCli(pid, dir);
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
    expect(await leftoversAfter(() => leftoversOfCli(pid, dir), WATCHDOG_GRACE_MS)).toEqual(NOTHING_LEFT);
  });
});


describeOnMysql('the rig on MySQL killed outright leaves nothing behind', () => {
  it.each([
    ['while the server starts', /^race-rig: starting .*(mariadbd|mysqld) \(pid \d+\)/],
    ['during the race', /^race-rig: race: all 10 workers released/],
  ])('killed outright (SIGKILL) %s, leaves nothing behind', async (_instant, line) => {
    const { child, finished } = startCli(['--engine', 'mysql', '--verbose', '-w', '10', '-n', '100000', '--mode', 'for-update']);
    const pid = child.pid ?? -1;
    let seen: string[] = [];
    await onStderrLine(child, line, () => {
      seen = leftoversOfRun(pid).processes;
      child.kill('SIGKILL');
    });
    const run = await finished;
    const dir = /^race-rig: run directory (.+)$/m.exec(run.stderr)?.[1] ?? '';

    expect(seen.some((entry) => /mariadbd|mysqld/.test(entry))).toBe(true);
    expect(await leftoversAfter(() => leftoversOfCli(pid, dir), WATCHDOG_GRACE_MS)).toEqual(NOTHING_LEFT);
  });

});
