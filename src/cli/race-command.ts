import { DEFAULT_ENGINE } from '../engines/registry.js';
import { InvalidOptionError } from '../errors.js';
import type { RaceOptions } from '../race/options.js';
import { engineNamed, resolveBase, resolveRace } from '../race/resolve.js';
import { runComparison, runRace, runRepeatedRace } from '../pipeline/api.js';
import { formatResult } from '../report/format.js';
import { formatComparison } from '../report/format-compare.js';
import { formatExplanation, formatStory } from '../report/format-explain.js';
import { formatRepeated } from '../report/format-repeat.js';
import { formatTimeline } from '../report/format-timeline.js';
import type { RaceResult } from '../result/types.js';
import { CLI_OPTIONS } from './options.js';
import type { CliValues } from './parse.js';

/** Exit codes, as documented in docs/reference/exit-codes.md. */
export const EXIT = {
  ok: 0,
  expectationNotMet: 1,
  error: 2,
} as const;

/** What a race command produced: its runs (for the report files) and its exit code. */
export interface Outcome {
  readonly title: string;
  readonly runs: readonly RaceResult[];
  readonly code: number;
}

export interface RaceCommandIo {
  readonly print: (text: string) => void;
  readonly color: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The hooks the CLI adds: the signal, progress and --verbose lines. */
  readonly hooks: Pick<RaceOptions, 'signal' | 'onProgress' | 'onLog'>;
}

/**
 * The race options of a command line: everything that is not the CLI's own flag. `--db` falls
 * back to the engine's variable ($DATABASE_URL, $MYSQL_URL); --html records a timeline where the engine can.
 */
export function raceOptionsOf(values: CliValues, io: Pick<RaceCommandIo, 'env' | 'hooks'>): RaceOptions {
  const race = Object.fromEntries(Object.entries(values).filter(([key]) => !Object.hasOwn(CLI_OPTIONS, key))) as RaceOptions;
  const engine = engineNamed(race.engine ?? DEFAULT_ENGINE);
  const takes = (key: string) => Object.hasOwn(engine.options, key);
  const db = race.db ?? (engine.urlVariable ? io.env[engine.urlVariable] || undefined : undefined);
  const timeline = race.timeline || (values.html !== undefined && takes('timeline')) || undefined;
  return { ...race, ...(db === undefined ? {} : { db }), ...(timeline === undefined ? {} : { timeline }), ...io.hooks };
}

/** Flags that describe one run in words. */
function checkCombinations(kind: 'run' | 'compare', values: CliValues): void {
  if (values.explain && values.json) throw new InvalidOptionError('--explain prints text; it does not go with --json');
  const repeat = values.repeat ?? 1;
  if (kind === 'run' && repeat !== 1 && (values.explain || values.timeline)) {
    throw new InvalidOptionError(`${values.explain ? '--explain' : '--timeline'} goes with a single run; drop --repeat`);
  }
}

/** The text timelines of the runs, when --timeline asked for them (--html records them too). */
function timelines(values: CliValues, runs: readonly RaceResult[], color: boolean): string[] {
  return runs.flatMap((run) => {
    if (!values.timeline || !run.timeline) return [];
    const heading = runs.length > 1 ? [`── ${run.scenario}/${run.mode} ──`] : [];
    return ['', ...heading, formatTimeline(run.timeline, { color })];
  });
}

async function compareCommand(values: CliValues, options: RaceOptions, io: RaceCommandIo): Promise<Outcome> {
  const comparison = await runComparison(options);
  io.print(values.json ? JSON.stringify(comparison, null, 2) : [formatComparison(comparison, { color: io.color }), ...timelines(values, comparison.runs, io.color)].join('\n'));
  return { title: `race-rig compare ${comparison.scenario}`, runs: comparison.runs, code: comparison.asDocumented ? EXIT.ok : EXIT.expectationNotMet };
}

async function repeatCommand(values: CliValues, options: RaceOptions, io: RaceCommandIo, repeat: number): Promise<Outcome> {
  const repeated = await runRepeatedRace({ ...options, repeat });
  io.print(values.json ? JSON.stringify(repeated, null, 2) : formatRepeated(repeated, { color: io.color }));
  const first = repeated.runs[0];
  return { title: `race-rig ${first?.scenario}/${first?.mode} × ${repeat}`, runs: repeated.runs, code: repeated.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok };
}

async function singleCommand(values: CliValues, options: RaceOptions, io: RaceCommandIo): Promise<Outcome> {
  const explained = values.explain ? resolveRace(await resolveBase(options), options) : null;
  if (explained) io.print(`${formatExplanation(explained.scenario, explained.mode)}\n`);
  const result = await runRace(options);
  io.print(values.json ? JSON.stringify(result, null, 2) : [formatResult(result, { color: io.color }), ...timelines(values, [result], io.color)].join('\n'));
  if (explained) io.print(`\n${formatStory(result, explained.mode)}`);
  return { title: `race-rig ${result.scenario}/${result.mode}`, runs: [result], code: result.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok };
}

/** `race-rig [compare]`: runs the races, prints the report, and says the exit code. */
export async function raceCommand(kind: 'run' | 'compare', values: CliValues, io: RaceCommandIo): Promise<Outcome> {
  checkCombinations(kind, values);
  const options = raceOptionsOf(values, io);
  if (kind === 'compare') return compareCommand(values, options, io);
  const repeat = values.repeat ?? 1;
  return repeat === 1 ? singleCommand(values, options, io) : repeatCommand(values, options, io, repeat);
}
