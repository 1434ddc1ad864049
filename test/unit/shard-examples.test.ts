import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli/parse.js';
import { raceOptionsOf } from '../../src/cli/race-command.js';
import { planRaces } from '../../src/pipeline/plan.js';
import { ROOT, shellWords } from '../helpers/docs.js';

/** The race-rig command line of an example, its placeholders filled in as the platform would. */
async function commandOf(file: string, values: Readonly<Record<string, string>>): Promise<string[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  const line = /npx --yes race-rig ([^\n]+)\n\s+([^\n]+)/.exec(text);
  expect(line, file).not.toBeNull();
  let command = `${line?.[1] ?? ''} ${line?.[2] ?? ''}`;
  for (const [placeholder, value] of Object.entries(values)) command = command.replaceAll(placeholder, value);
  return shellWords(command);
}

describe('the shard examples run as written', () => {
  it.each([
    ['examples/shards/kubernetes-indexed-job.yaml', { '$DATABASE_URL': 'postgres://u:p@db:5432/app', '$RUN_ID': '0b7a3a52-5c1f-4d5e-9a51-6f3f0c1a2b3c', '$JOB_COMPLETION_INDEX': '2' }],
    ['examples/shards/github-actions.yml', { '${{ secrets.RACE_DATABASE_URL }}': 'postgres://u:p@db:5432/app', '${{ github.run_id }}': '1234567', '${{ github.run_attempt }}': '1', '${{ matrix.shard }}': '2' }],
  ])('%s: its command line parses and resolves, shard 2 of 4', async (file, values) => {
    const parsed = await parseCommandLine(await commandOf(file, values));
    if (parsed.kind !== 'run') throw new Error(`${file}: not a race`);
    const [race] = await planRaces(raceOptionsOf(parsed.values, { env: {}, hooks: {} }), { repeat: 1 });

    expect(race?.common.shard).toMatchObject({ index: 2, count: 4 });
    expect(race?.common.workers).toBe(25);
  });
});
