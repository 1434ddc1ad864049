import yargs from 'yargs';
import { InvalidOptionError } from '../errors.js';
import { DEFAULTS, ENGINES, LIMITS } from '../options.js';
import { SCENARIOS } from '../scenarios/index.js';
import type { Expectation } from '../scenarios/types.js';

/** The command line after parsing, before any value is checked against the scenario. */
export interface CliArgs {
  readonly engine: string;
  readonly file: string | undefined;
  readonly journal: string | undefined;
  readonly scenario: string;
  readonly mode: string | undefined;
  readonly workers: number;
  readonly increments: number;
  readonly params: Record<string, string>;
  readonly concurrency: number | undefined;
  readonly repeat: number;
  readonly db: string | undefined;
  readonly maxRetries: number | undefined;
  readonly barrierTimeout: number | undefined;
  readonly gate: boolean;
  readonly backoff: number;
  readonly lockTimeout: number;
  readonly statementTimeout: number;
  readonly timeout: number;
  readonly schema: string | undefined;
  readonly reuseSchema: boolean;
  readonly expect: Expectation | undefined;
  readonly json: boolean;
  readonly timeline: boolean;
  readonly explain: boolean;
  readonly junit: string | undefined;
  readonly html: string | undefined;
  readonly permutation: readonly string[];
  readonly isolation: string | undefined;
  readonly stepTimeout: number | undefined;
  readonly show: string | undefined;
  readonly keep: boolean;
  readonly verbose: boolean;
  readonly color: boolean | undefined;
}

export type ParseOutcome =
  | { readonly kind: 'run' | 'compare' | 'isolation'; readonly args: CliArgs }
  | { readonly kind: 'spec'; readonly file: string; readonly args: CliArgs }
  | { readonly kind: 'list'; readonly json: boolean }
  | { readonly kind: 'print'; readonly text: string };

const OPTIONS = {
  scenario: { alias: 's', type: 'string', default: DEFAULTS.scenario, describe: `what the workers race on: ${Object.keys(SCENARIOS).join(', ')} (see race-rig list), or the path of a scenario module` },
  mode: { alias: 'm', type: 'string', describe: 'strategy for the critical section (see race-rig list)', defaultDescription: 'lost for counter, else the first mode' },
  workers: { alias: 'w', type: 'number', default: DEFAULTS.workers, describe: `worker threads, each with its own connection (1 to ${LIMITS.workers})` },
  increments: { alias: 'n', type: 'number', default: DEFAULTS.increments, describe: `operations per worker, each its own transaction (1 to ${LIMITS.increments})` },
  limit: { type: 'number', describe: 'rows a user may have (row-limit scenario; --param limit=N)', defaultDescription: '5' },
  param: { type: 'string', array: true, describe: 'a scenario parameter, key=value (repeatable)' },
  concurrency: { type: 'number', describe: 'how many workers may be inside an operation at once', defaultDescription: 'all of them' },
  repeat: { type: 'number', default: 1, describe: 'run the whole race this many times on fresh data and report how often it reproduced' },
  engine: { type: 'string', default: DEFAULTS.engine, describe: `database engine (${ENGINES.join(', ')})` },
  file: { type: 'string', describe: 'SQLite: the database file', defaultDescription: 'a temp file, deleted after the run' },
  journal: { type: 'string', describe: 'SQLite: journal mode, delete (rollback journal) or wal', defaultDescription: 'delete' },
  db: { type: 'string', describe: 'postgres:// URL of an existing server', defaultDescription: '$DATABASE_URL, else an embedded PostgreSQL' },
  'max-retries': { type: 'number', describe: 'retries per operation in the modes that retry', defaultDescription: 'unbounded' },
  backoff: { type: 'number', default: DEFAULTS.backoffMs, describe: 'base ms of exponential backoff with full jitter before each retry (0: retry at once)' },
  'barrier-timeout': { type: 'number', describe: 'ms every worker has to reach the start barrier', defaultDescription: '30000 + 60 per worker' },
  gate: { type: 'boolean', default: false, describe: "also hold every worker's first statement at a server-side gate and open it once all wait: a tighter start" },
  'lock-timeout': { type: 'number', default: DEFAULTS.lockTimeoutMs, describe: "the workers' lock_timeout in ms: a lock wait longer than this fails the operation (0: wait for ever)" },
  'statement-timeout': { type: 'number', default: DEFAULTS.statementTimeoutMs, describe: "the workers' statement_timeout in ms (0: none)" },
  timeout: { type: 'number', default: DEFAULTS.timeoutMs, describe: 'ms the whole run may take before it is stopped and cleaned up (0: no limit)' },
  schema: { type: 'string', describe: 'work in this schema (created if missing)', defaultDescription: 'a fresh race_rig_… schema' },
  'reuse-schema': { type: 'boolean', default: false, describe: 'allow --schema to be one race-rig did not create' },
  keep: { type: 'boolean', default: false, describe: 'keep the run schema on the --db server' },
  expect: { type: 'string', describe: "exit 1 unless the verdict is this ('race' or 'correct'; with --repeat, in every run)", defaultDescription: 'none' },
  json: { type: 'boolean', default: false, describe: 'print the result as one JSON object' },
  timeline: { type: 'boolean', default: false, describe: "record the first workers' statements and draw them on a time line (PostgreSQL)" },
  explain: { type: 'boolean', default: false, describe: "say what the mode's SQL does and why it breaks or holds, then tie the numbers to it" },
  junit: { type: 'string', describe: 'also write a JUnit XML report to this file (one test case per run)' },
  html: { type: 'string', describe: 'also write a self-contained HTML report to this file (table, latency histogram, timeline)' },
  permutation: { type: 'string', array: true, describe: "spec: run this permutation (the spec's syntax, e.g. \"s1a s2a s1b(*)\"; repeatable) instead of the file's" },
  isolation: { type: 'string', describe: "spec: every session's isolation level: read-committed, repeatable-read or serializable", defaultDescription: "the server's" },
  'step-timeout': { type: 'number', describe: 'spec, isolation: ms a step may stay blocked at the end of a permutation before it is cancelled', defaultDescription: '10000' },
  show: { type: 'string', describe: 'isolation: print the interleavings behind one anomaly (G0, P4, G2-item, …)' },
  verbose: { type: 'boolean', default: false, describe: 'say on stderr what the run is doing (its directory, initdb, the server, each stage), and print stack traces with errors' },
  color: { type: 'boolean', describe: 'colour the report', defaultDescription: 'when stdout is a terminal' },
} as const;

function parser(args: readonly string[]) {
  return yargs([...args])
    .scriptName('race-rig')
    .usage('$0 [options]\n\nMake a database race happen on purpose, then check the invariant against the database.')
    .command('$0', 'run a race (the default)')
    .command('list', 'list the scenarios, their modes and what each shows')
    .command('compare', 'run every mode of the scenario on fresh data and print one table')
    .command('spec <file>', "run a PostgreSQL isolation spec's permutations, step by step, and print each step's result")
    .command('isolation', "run Hermitage's anomalies at each isolation level and print which occur")
    .parserConfiguration({ 'duplicate-arguments-array': false, 'strip-aliased': true, 'strip-dashed': true })
    .options(OPTIONS)
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110));
}

function isExpectation(value: string | undefined): value is Expectation | undefined {
  return value === undefined || value === 'race' || value === 'correct';
}

/** `--param key=value` pairs, and `--limit N` as the parameter `limit`. */
function scenarioParams(pairs: readonly string[] | undefined, limit: number | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const match = /^([A-Za-z_][\w-]*)=(.*)$/.exec(pair);
    if (!match?.[1]) throw new InvalidOptionError(`--param must look like key=value (got '${pair}')`);
    params[match[1]] = match[2] ?? '';
  }
  if (limit !== undefined) params.limit = String(limit);
  return params;
}

/**
 * Parses the command line without exiting or printing: help and version come back as text to
 * print, a bad command line as an InvalidOptionError with yargs' one-line message.
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
  const [command, ...extra] = argv._.map(String);
  if (extra.length > 0 || (command !== undefined && !['list', 'compare', 'spec', 'isolation'].includes(command))) {
    throw new InvalidOptionError(`Unknown argument: ${[command, ...extra].join(' ')}`);
  }
  if (command === 'list') return { kind: 'list', json: argv.json };

  const expect = argv.expect;
  if (!isExpectation(expect)) throw new InvalidOptionError(`--expect must be 'race' or 'correct' (got '${expect}')`);
  const args: CliArgs = {
      engine: argv.engine,
      file: argv.file,
      journal: argv.journal,
      scenario: argv.scenario,
      mode: argv.mode,
      workers: argv.workers,
      increments: argv.increments,
      params: scenarioParams(argv.param, argv.limit),
      concurrency: argv.concurrency,
      repeat: argv.repeat,
      db: argv.db,
      maxRetries: argv.maxRetries,
      barrierTimeout: argv.barrierTimeout,
      gate: argv.gate,
      backoff: argv.backoff,
      lockTimeout: argv.lockTimeout,
      statementTimeout: argv.statementTimeout,
      timeout: argv.timeout,
      schema: argv.schema,
      reuseSchema: argv.reuseSchema,
      expect,
      json: argv.json,
      timeline: argv.timeline,
      explain: argv.explain,
      junit: argv.junit,
      html: argv.html,
      permutation: argv.permutation ?? [],
      isolation: argv.isolation,
      stepTimeout: argv.stepTimeout,
      show: argv.show,
      keep: argv.keep,
      verbose: argv.verbose,
      color: argv.color,
  };
  if (command === 'spec') return { kind: 'spec', file: String(argv.file), args };
  return { kind: command === 'compare' || command === 'isolation' ? command : 'run', args };
}
