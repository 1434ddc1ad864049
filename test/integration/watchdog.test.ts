import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { armWatchdog } from '../../src/engines/watchdog.js';
import { leftoversAfter, leftoversOfDir, NOTHING_LEFT } from '../helpers/leftovers.js';

/**
 * The watchdog's shell script, on its own: a stand-in rig (a `sleep`) and a stand-in server (a
 * shell working in the directory that notes the SIGQUIT it gets), so that each step shows.
 */
describe('the watchdog of a run directory', () => {
  const cleanUps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0)) await cleanUp();
  });

  async function scene() {
    const dir = await mkdtemp(join(tmpdir(), 'watchdog-test-'));
    const note = `${dir}.quit`;
    const rig = spawn('sleep', ['60'], { stdio: 'ignore' });
    // A root working in the directory (as the postmaster does) whose child works there too.
    const server = spawn('sh', ['-c', `trap 'echo quit > "${note}"; exit 0' QUIT; while :; do sleep 0.1; done`], { cwd: dir, stdio: 'ignore', detached: true });
    cleanUps.push(async () => {
      rig.kill('SIGKILL');
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      await rm(note, { force: true });
    });
    return { dir, note, rig };
  }

  it('does nothing while the rig runs; once it is gone, stops what works in the directory (SIGQUIT first), deletes it and exits', async () => {
    const { dir, note, rig } = await scene();
    armWatchdog({ dir, rig: rig.pid ?? -1 });

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(dir)).toBe(true);
    expect(leftoversOfDir(dir).processes.some((entry) => entry.includes('race-rig-watchdog'))).toBe(true);

    rig.kill('SIGKILL');
    expect(await leftoversAfter(() => leftoversOfDir(dir), 10_000)).toEqual(NOTHING_LEFT);
    expect(readFileSync(note, 'utf8')).toBe('quit\n');
  });

  it('disarmed, it ends at once and leaves the directory alone', async () => {
    const { dir } = await scene();
    const watchdog = armWatchdog({ dir });

    await watchdog.disarm();

    expect(existsSync(dir)).toBe(true);
    expect(leftoversOfDir(dir).processes.filter((entry) => entry.includes('race-rig-watchdog'))).toEqual([]);
  });
});
