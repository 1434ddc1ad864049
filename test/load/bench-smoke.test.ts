import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findMysqlBinaries } from '../../src/engines/mysql/binaries.js';
import { MYSQL_COUNTER_MODES } from '../../src/engines/mysql/scenarios/counter-modes.js';
import { cliEnv } from '../helpers/cli.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';
import { spawn } from 'node:child_process';

const BENCH = fileURLToPath(new URL('../../dist/bench.js', import.meta.url));

describe('npm run bench', () => {
  it('--smoke measures every figure, writes them as JSON and leaves nothing behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-test-'));
    const out = join(dir, 'bench.json');

    const child = spawn(process.execPath, [BENCH, '--smoke', '--out', out], { env: cliEnv(), stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    const report = JSON.parse(await readFile(out, 'utf8'));
    await rm(dir, { recursive: true, force: true });

    expect(code).toBe(0);
    expect(report.machine.postgres).toMatch(/^\d+/);
    expect(report.startSpread.map((row: { workers: number; gate: boolean }) => [row.workers, row.gate])).toEqual([
      [2, false],
      [2, true],
      [4, false],
      [4, true],
    ]);
    for (const row of report.startSpread) expect(row.medianMs).toBeGreaterThanOrEqual(0);
    // Every mode pgbench can express, on both servers, with its ratio and target.
    expect(new Set(report.modes.map((row: { mode: string }) => row.mode))).toEqual(new Set(['lost', 'inplace', 'for-update', 'for-no-key-update', 'advisory', 'append', 'serializable', 'repeatable-read']));
    expect(new Set(report.modes.map((row: { server: string }) => row.server))).toEqual(new Set(['embedded', 'durable']));
    for (const row of report.modes) {
      expect(row.rigOpsPerSec).toBeGreaterThan(0);
      expect(row.target).toBe(row.server === 'durable' ? 0.9 : 0.6);
      // pgbench is optional: without it on PATH the row says so instead of failing.
      if (row.pgbenchTps !== null) expect(row.ratio).toBeCloseTo(row.rigOpsPerSec / row.pgbenchTps, 1);
    }
    expect(report.verdict.map((row: { job: string }) => row.job)).toEqual(['main', 'minimal']);
    for (const row of report.verdict) {
      expect(row.wallMs).toBeGreaterThan(row.raceMs);
      expect(row.peakRssMb).toBeGreaterThan(0);
    }
    expect(report.retryCost.map((row: { mode: string; backoffMs: number; verdict: string }) => [row.mode, row.backoffMs, row.verdict])).toEqual([
      ['serializable', 0, 'CORRECT'],
      ['serializable', 5, 'CORRECT'],
      ['optimistic', 0, 'CORRECT'],
      ['optimistic', 5, 'CORRECT'],
    ]);
    // Explore's schedules per second, with PostgreSQL's isolation tester as the peer where it is installed.
    expect(report.processes.map((row: { processes: number; workers: number }) => [row.processes, row.workers])).toEqual([
      [1, 4],
      [2, 4],
    ]);
    for (const row of report.processes) expect(row.peakRssMb).toBeGreaterThan(0);
    expect(report.shards).toMatchObject({ shards: 2, workersPerShard: 2 });
    expect(report.shards.medianMs).toBeGreaterThanOrEqual(0);
    // HTTP: last-byte sync from one thread against threads released by the barrier, both on the example app.
    expect(report.http.rows.map((row: { release: string; requests: number }) => [row.release, row.requests])).toEqual([
      ['last-byte', 4],
      ['last-byte-http2', 4],
      ['threads', 4],
    ]);
    expect(report.http.rows[0].clientWindowMs).toBeGreaterThanOrEqual(0);
    for (const row of report.http.rows) expect(row.serverSpreadMs).toBeGreaterThanOrEqual(0);
    expect(report.explore).toMatchObject({ schedules: 10, target: 50 });
    expect(report.explore.schedulesPerSec).toBeGreaterThan(0);
    if (report.explore.testerPermutationsPerSec !== null) {
      expect(report.explore.testerPermutations).toBe(30);
      expect(report.explore.ratio).toBeCloseTo(report.explore.schedulesPerSec / report.explore.testerPermutationsPerSec, 1);
    }
    // On a throwaway MariaDB where the machine has one (CI installs it): every counter mode, against mariadb-slap where it can run the mode.
    if (findMysqlBinaries() !== null) {
      expect(report.mysql.spread.map((row: { workers: number; gate: boolean }) => [row.workers, row.gate])).toEqual([
        [4, false],
        [4, true],
      ]);
      expect(report.mysql.modes.map((row: { mode: string }) => row.mode)).toEqual(MYSQL_COUNTER_MODES.map((mode) => mode.name));
      for (const row of report.mysql.modes) if (row.slapTps !== null) expect(row.ratio).toBeCloseTo(row.rigOpsPerSec / row.slapTps, 1);
    }
    expect(leftoversOfRun(child.pid ?? -1)).toEqual(NOTHING_LEFT);
  });
});
