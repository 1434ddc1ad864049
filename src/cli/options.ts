import { DEFAULT_ENGINE, ENGINES } from '../engines/registry.js';
import { LEVELS } from '../isolation/levels.js';
import { COMMON_OPTIONS } from '../options/common.js';
import { COMMANDS, optionTable, RACE_COMMANDS, RELEASE_COMMANDS } from '../options/define.js';
import { EXPLORE_OPTIONS } from '../explore/options.js';
import type { OptionSpec } from '../options/define.js';
import { MAX_REPEAT } from '../pipeline/plan.js';

/** Which engine runs the race: one of the registry's. */
export const ENGINE_OPTION = optionTable({
  engine: {
    flag: 'engine',
    type: 'string',
    default: DEFAULT_ENGINE,
    describe: `database engine: ${Object.keys(ENGINES).join(' or ')} (spec, isolation and serve: postgres or mysql)`,
    commands: [...RACE_COMMANDS, 'spec', 'isolation', 'serve'],
  },
});

/** The commands that print a report (serve prints only its address). */
const PRINTING_COMMANDS = COMMANDS.filter((command) => command !== 'serve');

/** The command line's own flags: what to print and write, the spec runner's and serve's. */
export const CLI_OPTIONS = optionTable({
  repeat: {
    flag: 'repeat',
    type: 'number',
    default: 1,
    min: 1,
    max: MAX_REPEAT,
    describe: 'run the whole race this many times on fresh data and report how often it reproduced',
    commands: ['run'],
  },
  limit: { flag: 'limit', type: 'number', min: 0, max: 1_000_000, describe: 'the row-limit scenario\'s limit (the same as --param limit=N)', defaultText: '5', commands: RACE_COMMANDS },
  json: { flag: 'json', type: 'boolean', default: false, describe: 'print the result as one JSON object', commands: PRINTING_COMMANDS },
  explain: { flag: 'explain', type: 'boolean', default: false, describe: "say what the mode's SQL does and why it breaks or holds, then tie the numbers to it", commands: ['run'] },
  junit: { flag: 'junit', type: 'string', describe: 'also write a JUnit XML report to this file (one test case per run)', commands: RELEASE_COMMANDS },
  html: { flag: 'html', type: 'string', describe: 'also write a self-contained HTML report to this file (table, latency histogram, timeline)', commands: RELEASE_COMMANDS },
  permutation: { flag: 'permutation', type: 'list', describe: 'run this permutation (the spec\'s syntax, e.g. "s1a s2a s1b(*)"; repeatable) instead of the file\'s', commands: ['spec'] },
  isolation: {
    flag: 'isolation',
    type: 'string',
    choices: Object.keys(LEVELS) as (keyof typeof LEVELS)[],
    describe: "every session's isolation level",
    defaultText: "the server's",
    commands: ['spec'],
  },
  stepTimeoutMs: {
    flag: 'step-timeout',
    type: 'number',
    min: 1,
    max: 86_400_000,
    describe: 'ms a step that must be waited for may run before it is cancelled (explore: before the search gives up)',
    defaultText: '10000 (isolation: 2000)',
    commands: ['spec', 'isolation', 'explore'],
  },
  show: { flag: 'show', type: 'string', describe: 'print the interleavings behind one anomaly (G0, P4, G2-item, …)', commands: ['isolation'] },
  verbose: { flag: 'verbose', type: 'boolean', default: false, describe: 'say what the rig is doing, on stderr, and print stack traces with errors', commands: COMMANDS },
  color: { flag: 'color', type: 'boolean', describe: 'colour the report (--no-color: none)', defaultText: 'when stdout is a terminal', commands: PRINTING_COMMANDS },
  port: { flag: 'port', type: 'number', default: 7878, min: 0, max: 65_535, describe: 'the port race-rig serve listens on (0: any free one)', commands: ['serve'] },
  host: { flag: 'host', type: 'string', default: '127.0.0.1', describe: 'the address race-rig serve binds to; any but a loopback one requires the token it prints', commands: ['serve'] },
});

/** Every option the command line takes, in the order --help and the docs list them, by API name. */
export function allOptions(): [string, OptionSpec][] {
  // A flag several engines share (--db) is one entry of each of their tables: listed once.
  const engineOptions = new Map(Object.values(ENGINES).flatMap((engine) => Object.entries(engine.options as Record<string, OptionSpec>)));
  return [...Object.entries(ENGINE_OPTION), ...Object.entries(COMMON_OPTIONS), ...engineOptions, ...Object.entries(EXPLORE_OPTIONS), ...Object.entries(CLI_OPTIONS)];
}

/** The engines whose flag this is ("postgres, mysql"), or null for a flag of every engine. */
export function engineOf(key: string): string | null {
  const engines = Object.values(ENGINES).filter((engine) => Object.hasOwn(engine.options, key));
  return engines.length > 0 ? engines.map((engine) => engine.name).join(', ') : null;
}
