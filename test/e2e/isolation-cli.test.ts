import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { codeBlocks, ROOT } from '../helpers/docs.js';
import { tempDirForFile } from '../helpers/temp-dir.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { leftoversOfRun, NOTHING_LEFT } from '../helpers/leftovers.js';

/** docs/isolation.md's example: what PostgreSQL's isolation tester prints for examples/specs/lost-update.spec at READ COMMITTED. */
async function documentedLostUpdate(): Promise<string> {
  const [block] = codeBlocks(await readFile(join(ROOT, 'docs/isolation.md'), 'utf8'), 'text');
  return block ?? '';
}

const tempDir = tempDirForFile('spec-cli-test-');

describe('race-rig spec', () => {
  it("prints a permutation exactly as PostgreSQL's isolation tester does", async () => {
    const run = await runCli(['spec', 'examples/specs/lost-update.spec', '--isolation', 'read-committed', '--db', testDatabaseUrl()]);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await documentedLostUpdate());
  });

  it('runs a permutation given with --permutation, and prints JSON with --json', async () => {
    const run = await runCli(['spec', 'examples/specs/lost-update.spec', '--isolation', 'repeatable-read', '--permutation', 's1b s2b s1r s2r s1w s2w s1c s2c', '--json', '--db', testDatabaseUrl()]);
    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(0);
    expect(result.isolation).toBe('repeatable-read');
    expect(result.permutations[0].steps.find((step: { step: string }) => step.step === 's2w').error.code).toBe('40001');
  });

  it('runs on the embedded default and leaves nothing behind', async () => {
    const run = await runCli(['spec', 'examples/specs/read-skew.spec', '--isolation', 'read-committed']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/step r_y: SELECT balance FROM accounts WHERE id = 'y';\nbalance\n-------\n {5}60\n/);
    expect(leftoversOfRun(run.pid)).toEqual(NOTHING_LEFT);
  });

  it('turns a bad spec, file or level into one line and exit 2', async () => {
    const broken = join(tempDir(), 'broken.spec');
    await writeFile(broken, 'session s1\nstep a { SELECT 1; }\n\npermutation a b\n');
    const cases: [string[], RegExp][] = [
      [['spec', join(tempDir(), 'missing.spec')], /^race-rig: cannot read the spec .*missing\.spec: ENOENT/],
      [['spec', broken], /^race-rig: .*broken\.spec: permutation names an unknown step b$/m],
      [['spec', 'examples/specs/lost-update.spec', '--isolation', 'chaos'], /^race-rig: --isolation must be one of: read-committed, repeatable-read, serializable \(got 'chaos'\)$/m],
      [['isolation', '--show', 'X9'], /^race-rig: unknown anomaly 'X9'; choose one of: G0, G1a, /],
      [['spec', 'examples/specs/lost-update.spec', '--junit', join(tempDir(), 'r.xml')], /^race-rig: --junit goes with race-rig, race-rig compare, not with race-rig spec$/m],
      [['spec', 'examples/specs/lost-update.spec', '--workers', '5'], /^race-rig: --workers goes with race-rig, race-rig compare, race-rig explore, not with race-rig spec$/m],
      [['isolation', '--permutation', 's1a'], /^race-rig: --permutation goes with race-rig spec, not with race-rig isolation$/m],
    ];
    for (const [args, message] of cases) {
      const run = await runCli([...args, '--db', testDatabaseUrl()]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });
});

describe('race-rig isolation', () => {
  it('--show prints the interleaving behind a row at each level', async () => {
    const run = await runCli(['isolation', '--show', 'G2-item', '--db', testDatabaseUrl()]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('G2-item: write skew');
    expect(run.stdout).toContain('── REPEATABLE READ: OCCURS');
    expect(run.stdout).toMatch(/── SERIALIZABLE: prevented \(serialization failure\)\nstarting permutation: t1b t2b t1r t2r t1w t2w t1c t2c t2after\n/);
    expect(run.stdout).toContain('ERROR:  could not serialize access due to read/write dependencies among transactions');
  });
});
