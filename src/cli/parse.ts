import yargs from 'yargs';
import { InvalidOptionError } from '../errors.js';
import { checkChoice, checkNumber, checkPairs, defaultShown, isGiven } from '../options/define.js';
import type { Command, OptionSpec, OptionValues } from '../options/define.js';
import type { COMMON_OPTIONS } from '../options/common.js';
import type { EngineOptionValues } from '../race/options.js';
import { allOptions } from './options.js';
import type { CLI_OPTIONS, ENGINE_OPTION } from './options.js';
import type { EXPLORE_OPTIONS } from '../explore/options.js';

/** The command line's values by API name, only those given, each checked against its declaration. */
export type CliValues = OptionValues<typeof ENGINE_OPTION> &
  OptionValues<typeof COMMON_OPTIONS> &
  EngineOptionValues &
  OptionValues<typeof EXPLORE_OPTIONS> &
  OptionValues<typeof CLI_OPTIONS>;

export type ParseOutcome =
  | { readonly kind: 'print'; readonly text: string }
  | { readonly kind: Exclude<Command, 'spec' | 'serve'>; readonly values: CliValues }
  | { readonly kind: 'spec'; readonly file: string; readonly values: CliValues }
  | { readonly kind: 'serve'; readonly files: readonly string[]; readonly values: CliValues };

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** yargs sees every option as text (or a flag): the numbers are checked here, quoting what was typed. */
function yargsOptions(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    allOptions().map(([, spec]) => [
      spec.flag,
      {
        ...(spec.alias ? { alias: spec.alias } : {}),
        type: spec.type === 'boolean' ? 'boolean' : 'string',
        describe: spec.describe,
        ...(defaultShown(spec) === undefined ? {} : { defaultDescription: defaultShown(spec) }),
      },
    ]),
  );
}

function parser(args: readonly string[]) {
  return yargs([...args])
    .scriptName('race-rig')
    .usage('$0 [options]\n\nMake a database race happen on purpose, then check the invariant against the database.')
    .command('$0', 'run a race (the default)')
    .command('list', 'list the scenarios of every engine, their modes and what each shows')
    .command('compare', 'run every mode of the scenario on fresh data and print one table')
    .command('explore', "run the scenario's statements in chosen interleavings, find the one that breaks it, shrink it, export it")
    .command('spec <spec-file>', "run a PostgreSQL isolation spec's permutations, step by step, and print each step's result")
    .command('isolation', "run Hermitage's anomalies at each isolation level and print which occur")
    .command('serve [files..]', 'serve the classroom page: run, compare and step through races in a browser (files: scenario modules and specs it may run)')
    .parserConfiguration({ 'strip-aliased': true, 'strip-dashed': true })
    .options(yargsOptions())
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110));
}

/** One option's value as given (repeated: the last, or all for a list), converted and checked. */
function valueOf(spec: OptionSpec, raw: unknown): unknown {
  const all = Array.isArray(raw) ? raw.map(String) : [raw];
  const last = all[all.length - 1];
  switch (spec.type) {
    case 'number':
      return checkNumber(spec, last);
    case 'list':
      return all.map(String);
    case 'pairs':
      return checkPairs(spec, all.map(String));
    case 'string':
      return spec.choices ? checkChoice(spec, last) : String(last);
    default:
      return last;
  }
}

const COMMAND_NAMES: Record<Command, string> = { run: 'race-rig', compare: 'race-rig compare', explore: 'race-rig explore', list: 'race-rig list', spec: 'race-rig spec', isolation: 'race-rig isolation', serve: 'race-rig serve' };

function checkCommand(spec: OptionSpec, command: Command): void {
  if (spec.commands.includes(command)) return;
  throw new InvalidOptionError(`--${spec.flag} goes with ${spec.commands.map((name) => COMMAND_NAMES[name]).join(', ')}, not with ${COMMAND_NAMES[command]}`);
}

function valuesOf(argv: Record<string, unknown>, command: Command): CliValues {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of allOptions()) {
    const raw = argv[camelCase(spec.flag)];
    if (raw === undefined) continue;
    values[key] = valueOf(spec, raw);
    if (isGiven(values[key])) checkCommand(spec, command);
  }
  // --limit N is short for --param limit=N.
  if (values.limit !== undefined) values.params = { ...(values.params as Record<string, string> | undefined), limit: String(values.limit) };
  return values as CliValues;
}

/**
 * Parses the command line without exiting or printing: help and version come back as text to
 * print, a bad command line as an InvalidOptionError with a one-line message.
 */
export async function parseCommandLine(commandLine: readonly string[]): Promise<ParseOutcome> {
  let printed = '';
  let failure: string | undefined;
  const argv = await parser(commandLine)
    .exitProcess(false)
    .fail((message: string | null, error: Error | undefined) => {
      failure = message ?? error?.message ?? 'invalid command line';
    })
    .parseAsync([...commandLine], {}, (_error: Error | undefined, _argv: unknown, output: string) => {
      printed = output;
    });
  if (failure !== undefined) throw new InvalidOptionError(failure.split('\n')[0] ?? failure);
  if (printed) return { kind: 'print', text: printed };
  const [first, ...extra] = argv._.map(String);
  const command = (first ?? 'run') as Command;
  if (command === 'serve' && extra.length === 0) {
    const files = Array.isArray(argv.files) ? argv.files.map(String) : [];
    return { kind: 'serve', files, values: valuesOf(argv as Record<string, unknown>, command) };
  }
  if (extra.length > 0 || !['run', 'list', 'compare', 'explore', 'spec', 'isolation'].includes(command) || first === 'run') {
    throw new InvalidOptionError(`Unknown argument: ${[first, ...extra].join(' ')}`);
  }
  const values = valuesOf(argv as Record<string, unknown>, command);
  if (command === 'spec') return { kind: 'spec', file: String(argv.specFile), values };
  return { kind: command as Exclude<Command, 'spec' | 'serve'>, values };
}
