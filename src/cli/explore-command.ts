import { writeFile } from 'node:fs/promises';
import { InvalidOptionError } from '../errors.js';
import { exploreRace } from '../explore/explore.js';
import type { ExploreOptions } from '../explore/explore.js';
import { formatExplore } from '../report/format-explore.js';
import type { CliValues } from './parse.js';
import { EXIT, raceOptionsOf } from './race-command.js';
import type { RaceCommandIo } from './race-command.js';
import { checkWritable } from './report-files.js';

/** `race-rig explore`: the search, its report (or JSON), the spec file, and the exit code. */
export async function exploreCommand(values: CliValues, io: Omit<RaceCommandIo, 'hooks'> & { readonly hooks: Pick<RaceCommandIo['hooks'], 'signal' | 'onLog'> }): Promise<number> {
  const { specOut, ...rest } = values;
  if (specOut !== undefined && (values.engine ?? 'postgres') !== 'postgres') throw new InvalidOptionError('--spec-out writes a PostgreSQL isolation spec; it goes with --engine postgres');
  await checkWritable('--spec-out', specOut);
  const options = raceOptionsOf(rest, io) as ExploreOptions;
  const result = await exploreRace(options);
  io.print(values.json ? JSON.stringify(result, null, 2) : formatExplore(result, { color: io.color, specOut: specOut ?? null }));
  if (specOut !== undefined) {
    if (result.failing?.spec) await writeFile(specOut, result.failing.spec);
    else if (result.failing) io.print(`race-rig: the failing schedule could not be written as a spec (a statement holds a "}")`);
  }
  return result.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok;
}
