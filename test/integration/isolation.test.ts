import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIsolationMatrix, runSpecFile } from 'race-rig';
import type { PermutationOutcome } from 'race-rig';
import { tempDirForFile } from '../helpers/temp-dir.js';
import { testDatabaseUrl, withClient } from '../helpers/database.js';

const example = (name: string) => new URL(`../../examples/specs/${name}.spec`, import.meta.url).pathname;
const stepOf = (outcome: PermutationOutcome | undefined, name: string) => outcome?.steps.find((step) => step.step === name);
const firstValue = (outcome: PermutationOutcome | undefined, name: string) => stepOf(outcome, name)?.outputs[0]?.rows[0]?.[0];

/** Spec sessions and schemas left on the shared server after a run: there must be none. */
async function leftovers(): Promise<{ sessions: number; schemas: number }> {
  return withClient(async (client) => {
    const sessions = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'race-rig spec %'");
    const schemas = await client.query("SELECT 1 FROM pg_namespace WHERE nspname LIKE 'race_rig_%'");
    return { sessions: sessions.rowCount ?? 0, schemas: schemas.rowCount ?? 0 };
  });
}

const tempDir = tempDirForFile('spec-test-');

describe('isolation specs, step by step', () => {
  it('the lost-update spec loses the update at READ COMMITTED: the second write waits, then overwrites', async () => {
    const result = await runSpecFile(example('lost-update'), { db: testDatabaseUrl(), isolation: 'read-committed' });
    const [outcome] = result.permutations;

    expect(stepOf(outcome, 's2w')).toMatchObject({ blocked: true, error: null });
    expect(stepOf(outcome, 's2c')?.error).toBeNull();
    expect([firstValue(outcome, 's1r'), firstValue(outcome, 's2r'), firstValue(outcome, 's2check')]).toEqual(['10', '10', '11']);
    expect(outcome?.output).toContain(
      'step s2w: UPDATE counter SET value = 11 WHERE id = 1; <waiting ...>\nstep s1c: COMMIT;\nstep s2w: <... completed>\nstep s2c: COMMIT;\n',
    );
    expect(await leftovers()).toEqual({ sessions: 0, schemas: 0 });
  });

  it('the same spec at REPEATABLE READ ends in a serialization failure instead', async () => {
    const result = await runSpecFile(example('lost-update'), { db: testDatabaseUrl(), isolation: 'repeatable-read' });
    const [outcome] = result.permutations;

    expect(stepOf(outcome, 's2w')).toMatchObject({ blocked: true, error: { code: '40001', message: 'could not serialize access due to concurrent update' } });
  });

  it('write skew passes at REPEATABLE READ and fails at SERIALIZABLE', async () => {
    const repeatable = await runSpecFile(example('write-skew'), { db: testDatabaseUrl(), isolation: 'repeatable-read' });
    const serializable = await runSpecFile(example('write-skew'), { db: testDatabaseUrl(), isolation: 'serializable' });

    expect(repeatable.permutations[0]?.steps.every((step) => step.error === null)).toBe(true);
    expect(firstValue(repeatable.permutations[0], 'b_after')).toBe('0');
    expect(serializable.permutations[0]?.steps.map((step) => step.error?.code).filter(Boolean)).toEqual(['40001']);
    expect(firstValue(serializable.permutations[0], 'b_after')).toBe('1');
  });

  it('the deadlock spec: both transfers wait, the server aborts one with 40P01, the other completes', async () => {
    const result = await runSpecFile(example('deadlock'), { db: testDatabaseUrl() });
    const [outcome] = result.permutations;

    expect(stepOf(outcome, 's2b')?.blocked).toBe(true);
    expect(stepOf(outcome, 's1b')?.error?.code).toBe('40P01');
    expect(stepOf(outcome, 's2b')?.error).toBeNull();
  });

  it('cancels a step that never stops waiting after --step-timeout, instead of hanging', async () => {
    const file = join(tempDir(), 'stuck.spec');
    await writeFile(
      file,
      `setup { CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1); }
       teardown { DROP TABLE t; }
       session holder
       step hold { BEGIN; SELECT * FROM t FOR UPDATE; }
       session waiter
       step wait { UPDATE t SET id = 2; }
       permutation hold wait`,
    );
    const started = Date.now();
    const result = await runSpecFile(file, { db: testDatabaseUrl(), stepTimeoutMs: 300 });

    expect(stepOf(result.permutations[0], 'wait')).toMatchObject({ blocked: true, timedOut: true, error: { code: '57014' } });
    // The tester's own line for it, then the step's completion with the cancel's error.
    expect(result.permutations[0]?.output).toMatch(/isolationtester: canceling step wait after 0 seconds\nstep wait: <\.\.\. completed>\nERROR:  canceling statement due to user request\n/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers()).toEqual({ sessions: 0, schemas: 0 });
  });

  it('a step marked (*) counts as waiting at once, so the next step goes while it runs', async () => {
    const file = join(tempDir(), 'marked.spec');
    await writeFile(file, 'session s1\nstep slow { SELECT pg_sleep(0.3) AS slept; }\nsession s2\nstep quick { SELECT 1 AS one; }');
    const result = await runSpecFile(file, { db: testDatabaseUrl(), permutations: ['slow(*) quick', 'slow quick'] });

    const stepLines = (at: number) => result.permutations[at]?.output.split('\n').filter((line) => line.startsWith('step '));
    expect(stepLines(0)).toEqual(['step slow: SELECT pg_sleep(0.3) AS slept; <waiting ...>', 'step quick: SELECT 1 AS one;', 'step slow: <... completed>']);
    expect(stepLines(1)).toEqual(['step slow: SELECT pg_sleep(0.3) AS slept;', 'step quick: SELECT 1 AS one;']);
  });

  it('without permutation lines, runs every interleaving', async () => {
    const file = join(tempDir(), 'all.spec');
    await writeFile(file, 'session a\nstep a1 { SELECT 1 AS one; }\nstep a2 { SELECT 2 AS two; }\nsession b\nstep b1 { SELECT 3 AS three; }');
    const result = await runSpecFile(file, { db: testDatabaseUrl() });

    expect(result.permutations.map((outcome) => outcome.permutation.map((step) => step.step).join(' '))).toEqual(['a1 a2 b1', 'a1 b1 a2', 'b1 a1 a2']);
  });
});

describe('the anomaly matrix', () => {
  it("decides each of Hermitage's anomalies at each level from what PostgreSQL did", async () => {
    const matrix = await runIsolationMatrix({ db: testDatabaseUrl() });
    const cell = (id: string, level: 'read-committed' | 'repeatable-read' | 'serializable') => matrix.anomalies.find((row) => row.id === id)?.cells[level];
    const table = Object.fromEntries(
      matrix.anomalies.map((row) => [row.id, matrix.levels.map((level) => (row.cells[level].occurred ? 'occurs' : row.cells[level].preventedBy))]),
    );

    // PostgreSQL's column of Hermitage's table, now measured rather than copied.
    expect(table).toEqual({
      G0: ['blocked', 'serialization failure', 'serialization failure'],
      G1a: ['snapshot', 'snapshot', 'snapshot'],
      G1b: ['snapshot', 'snapshot', 'snapshot'],
      G1c: ['snapshot', 'snapshot', 'serialization failure'],
      OTV: ['blocked', 'serialization failure', 'serialization failure'],
      PMP: ['occurs', 'snapshot', 'snapshot'],
      P4: ['occurs', 'serialization failure', 'serialization failure'],
      'G-single': ['occurs', 'snapshot', 'snapshot'],
      'G2-item': ['occurs', 'occurs', 'serialization failure'],
      G2: ['occurs', 'occurs', 'serialization failure'],
    });
    // The evidence is in each cell: the rows the steps read and the errors they met.
    expect(stepOf(cell('P4', 'repeatable-read')?.permutation, 't2w')?.error?.code).toBe('40001');
    expect(firstValue(cell('G-single', 'read-committed')?.permutation, 't1y')).toBe('18');
    expect(firstValue(cell('G-single', 'repeatable-read')?.permutation, 't1y')).toBe('20');
    expect(await leftovers()).toEqual({ sessions: 0, schemas: 0 });
  }, 180_000);
});
