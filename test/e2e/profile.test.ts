import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RIG, cliEnv } from '../helpers/cli.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { run } from '../../scripts/bench/pgbench.js';

const PROFILE = fileURLToPath(new URL('../../dist/profile.js', import.meta.url));

describe('node dist/profile.js (docs/performance.md)', () => {
  it("sums a run's per-thread CPU profiles by where the time went", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profile-test-'));
    try {
      await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, RIG, '--db', testDatabaseUrl(), '--workers', '2', '--increments', '300', '--mode', 'inplace', '--json'], cliEnv());
      // One profile per thread: the main thread and the two workers.
      expect((await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))).toHaveLength(3);

      const summary = await run(process.execPath, [PROFILE, dir, '--threads', 'workers']);

      expect(summary).toMatch(/^2 profiles, \d+ ms of samples\n/);
      // node-postgres is in the worker bundle; the source map names it.
      expect(summary).toMatch(/^ +\d+ ms +[\d.]+% {2}npm pg$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
