import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../errors.js';
import { levelNamed } from './levels.js';
import type { LevelName } from './levels.js';
import { withSpecDatabase } from './run-spec.js';
import type { SpecRunOptions } from './run-spec.js';
import type { PermutationOutcome } from './outcome.js';
import type { SpecEngineName } from './spec-engine.js';
import { allPermutations, parsePermutation, parseSpec, unusedSteps } from './spec.js';

export interface SpecFileOptions extends SpecRunOptions {
  /** Run these permutations (the spec's syntax) instead of the file's. */
  readonly permutations?: readonly string[];
  /** Every session's isolation level (default: the server's). */
  readonly isolation?: string;
}

/** What `runSpecFile` returns and `race-rig spec --json` prints. */
export interface SpecFileResult {
  readonly schemaVersion: 1;
  readonly engine: SpecEngineName;
  readonly file: string;
  readonly sessions: readonly string[];
  readonly isolation: LevelName | null;
  readonly serverVersion: string;
  readonly permutations: readonly PermutationOutcome[];
  /** What the tester prints on standard error: steps no permutation uses, a teardown that failed. */
  readonly warnings: readonly string[];
}

/** `race-rig spec FILE`: every permutation of an isolation spec, each on fresh data. */
export async function runSpecFile(file: string, options: SpecFileOptions = {}): Promise<SpecFileResult> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidOptionError(`cannot read the spec ${file}: ${(error as Error).message}`);
  }
  const spec = parseSpec(source, file);
  const level = options.isolation === undefined ? null : levelNamed(options.isolation);
  const permutations =
    options.permutations && options.permutations.length > 0
      ? options.permutations.map((text) => parsePermutation(text, spec))
      : spec.permutations.length > 0
        ? spec.permutations
        : allPermutations(spec);
  return withSpecDatabase(options, async ({ serverVersion, dialect, run }) => {
    const { permutations: outcomes, warnings } = await run(spec, permutations, level);
    const unused = unusedSteps(spec).map((name) => `unused step name: ${name}`);
    return { schemaVersion: 1, engine: dialect.engine, file, sessions: spec.sessions.map((session) => session.name), isolation: level, serverVersion, permutations: outcomes, warnings: [...unused, ...warnings] };
  });
}
