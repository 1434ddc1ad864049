import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAGS_TABLE_BEGIN, FLAGS_TABLE_END, flagsTable } from '../../src/cli/flags-table.js';
import { allOptions } from '../../src/cli/options.js';
import { parseCommandLine } from '../../src/cli/parse.js';
import { EXIT, raceOptionsOf } from '../../src/cli/race-command.js';
import { ENGINES } from '../../src/engines/registry.js';
import { resolveExplore } from '../../src/explore/explore.js';
import type { ExploreOptions } from '../../src/explore/explore.js';
import { planRaces } from '../../src/pipeline/plan.js';
import { codeBlocks, docs, prose, rigCommands, ROOT, tableAfter } from '../helpers/docs.js';
import { explored, race } from '../helpers/result-fixture.js';

const read = (path: string) => readFile(join(ROOT, path), 'utf8');

/** Flags of other programs that the docs show (node, docker, the bench script). */
const OTHER_PROGRAMS_FLAGS = new Set(['import', 'trace-warnings', 'wait', 'health-cmd', 'health-interval', 'health-timeout', 'health-retries', 'quick', 'smoke', 'out', 'max-tries', 'cpu-prof', 'cpu-prof-dir', 'threads', 'prefix']);

function knownFlags(): Set<string> {
  const flags = new Set(['help', 'version']);
  for (const [, spec] of allOptions()) {
    flags.add(spec.flag);
    if (spec.type === 'boolean') flags.add(`no-${spec.flag}`);
  }
  return flags;
}

describe('README.md and docs/', () => {
  const files = docs();

  it('README is a first screen: at most 250 lines', async () => {
    expect((await read('README.md')).split('\n').length).toBeLessThanOrEqual(250);
  });

  it('the flags table is the one the option tables make (npm run docs writes it)', async () => {
    const text = await read('docs/reference/flags.md');
    const table = text.slice(text.indexOf(FLAGS_TABLE_BEGIN) + FLAGS_TABLE_BEGIN.length, text.indexOf(FLAGS_TABLE_END)).trim();
    expect(table).toBe(flagsTable());
  });

  it('names only flags that exist', () => {
    const known = knownFlags();
    const unknown = files.flatMap(({ path, text }) =>
      [...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((match) => match[1] ?? '').filter((flag) => !known.has(flag) && !OTHER_PROGRAMS_FLAGS.has(flag)).map((flag) => `${path}: --${flag}`),
    );
    expect(unknown).toEqual([]);
  });

  it('shows only command lines that parse and resolve (flags, engine, scenario, mode)', async () => {
    const commands = files.flatMap(({ path, text }) => rigCommands(text).map((command) => ({ path, ...command })));
    expect(commands.length).toBeGreaterThan(10);
    // A spec file a command before it wrote (`explore --spec-out FILE`), in the same page.
    const written = new Set<string>();
    for (const { path, line, args } of commands) {
      const parsed = await parseCommandLine(args).catch((error: Error) => {
        throw new Error(`${path}: ${line}: ${error.message}`);
      });
      if (parsed.kind === 'explore' && parsed.values.specOut) written.add(`${path}:${parsed.values.specOut}`);
      if (parsed.kind === 'spec') expect(existsSync(join(ROOT, parsed.file)) || written.has(`${path}:${parsed.file}`), `${path}: ${line}`).toBe(true);
      if (parsed.kind === 'explore') {
        const { specOut: _file, ...values } = parsed.values;
        await resolveExplore(raceOptionsOf(values, { env: {}, hooks: {} }) as ExploreOptions).catch((error: Error) => {
          throw new Error(`${path}: ${line}: ${error.message}`);
        });
      }
      if (parsed.kind !== 'run' && parsed.kind !== 'compare') continue;
      const options = raceOptionsOf(parsed.values, { env: {}, hooks: {} });
      const shape = parsed.kind === 'compare' ? ({ everyMode: true } as const) : { repeat: parsed.values.repeat ?? 1 };
      await planRaces(options, shape).catch((error: Error) => {
        throw new Error(`${path}: ${line}: ${error.message}`);
      });
    }
  });

  it('lists exactly the modes of every scenario (docs/scenarios.md, docs/sqlite.md, docs/mysql.md)', async () => {
    const pages: Record<string, string> = { postgres: await read('docs/scenarios.md'), sqlite: await read('docs/sqlite.md'), mysql: await read('docs/mysql.md') };
    for (const engine of Object.values(ENGINES)) {
      for (const scenario of Object.values(engine.scenarios)) {
        const [text, heading] = [pages[engine.name] ?? '', engine.name === 'sqlite' ? /^## Modes/m : new RegExp(`^## ${scenario.name}\\b`, 'm')];
        const listed = tableAfter(text, heading).map((row) => /^`([^`]+)`$/.exec(row[0] ?? '')?.[1]);
        expect(listed, `${engine.name}/${scenario.name}`).toEqual(scenario.modes.map((mode) => mode.name));
      }
    }
  });

  it('documents every field of the JSON result, and no other', async () => {
    const text = await read('docs/reference/json.md');
    const documented = tableAfter(text, /^## A run/m).flatMap((row) => [...(row[0] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1] ?? ''));
    expect(new Set(documented)).toEqual(new Set(Object.keys(race)));
  });

  it('documents every field of explore\'s JSON, and no other', async () => {
    const text = await read('docs/reference/json.md');
    const documented = tableAfter(text, /^## race-rig explore/m).flatMap((row) => [...(row[0] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((match) => match[1] ?? ''));
    expect(new Set(documented)).toEqual(new Set(Object.keys(explored)));
  });

  it('gives every exit code the CLI uses, and no other', async () => {
    const rows = tableAfter(await read('docs/reference/exit-codes.md'), /^# Exit codes/m).map((row) => row[0]);
    expect(rows).toEqual([...Object.values(EXIT), 130, 143].map(String));
  });

  it('shows the vitest example exactly as test/integration/readme-example.test.ts runs it', async () => {
    const example = await read('test/integration/readme-example.test.ts');
    expect(codeBlocks(await read('docs/ci.md'), 'ts')).toContain(example);
  });

  it('shows the explore example exactly as test/integration/explore-example.test.ts runs it', async () => {
    const example = await read('test/integration/explore-example.test.ts');
    expect(codeBlocks(await read('docs/explore.md'), 'ts')).toContain(example);
  });

  it('links only to files that exist', () => {
    const broken = files.flatMap(({ path, text }) =>
      [...prose(text).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((match) => match[1] ?? '')
        .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(ROOT, dirname(path), target)))
        .map((target) => `${path}: ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
