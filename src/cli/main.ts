import { runComparison } from '../compare.js';
import { errorMessage, InvalidOptionError, RigError } from '../errors.js';
import { passwordOf, scrubSecrets } from '../db/redact.js';
import { formatResult } from '../report/format.js';
import { formatComparison } from '../report/format-compare.js';
import { formatExplanation, formatStory } from '../report/format-explain.js';
import { formatScenarioList, scenarioListJson } from '../report/format-list.js';
import type { ListedScenario } from '../report/format-list.js';
import { formatRepeated } from '../report/format-repeat.js';
import { formatTimeline } from '../report/format-timeline.js';
import { htmlReport } from '../report/html.js';
import { junitReport } from '../report/junit.js';
import { SQLITE_COUNTER } from '../engines/sqlite/counter.js';
import type { RaceResult } from '../result.js';
import { runRace, runRepeatedRace } from '../run-race.js';
import { describeRun } from '../scenarios/describe.js';
import { SCENARIOS } from '../scenarios/index.js';
import type { RaceOptions } from '../options.js';
import { parseCommandLine } from './options.js';
import type { CliArgs } from './options.js';
import { isolationCommand, specCommand } from './isolation-commands.js';
import { progressDisplay } from './progress.js';
import { checkWritable, writeReport } from './report-files.js';

/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  expectationNotMet: 1,
  error: 2,
} as const;

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Errors, and the progress bar when it is a terminal. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

/** The parsed command line as runRace options (flags are the options' kebab-case names). */
function raceOptions(args: CliArgs, db: string | undefined, signal: AbortSignal | undefined): RaceOptions {
  return {
    engine: args.engine,
    ...(args.file === undefined ? {} : { file: args.file }),
    ...(args.journal === undefined ? {} : { journal: args.journal }),
    scenario: args.scenario,
    ...(args.mode === undefined ? {} : { mode: args.mode }),
    workers: args.workers,
    increments: args.increments,
    params: args.params,
    ...(args.concurrency === undefined ? {} : { concurrency: args.concurrency }),
    ...(db === undefined ? {} : { db }),
    ...(args.maxRetries === undefined ? {} : { maxRetries: args.maxRetries }),
    backoffMs: args.backoff,
    ...(args.barrierTimeout === undefined ? {} : { barrierTimeoutMs: args.barrierTimeout }),
    gate: args.gate,
    lockTimeoutMs: args.lockTimeout,
    statementTimeoutMs: args.statementTimeout,
    timeoutMs: args.timeout,
    ...(args.schema === undefined ? {} : { schema: args.schema }),
    reuseSchema: args.reuseSchema,
    keep: args.keep,
    // The HTML report draws the timeline, so it records one (SQLite records none).
    timeline: args.timeline || (args.html !== undefined && args.engine !== 'sqlite'),
    ...(args.expect === undefined ? {} : { expect: args.expect }),
    ...(signal ? { signal } : {}),
  };
}

/** Flags that only make sense for one kind of command. */
function checkCombinations(kind: 'run' | 'compare', args: CliArgs): void {
  if (args.explain && args.json) throw new InvalidOptionError('--explain prints text; it does not go with --json');
  if (kind === 'compare') {
    if (args.repeat !== 1) throw new InvalidOptionError('compare runs each mode once; --repeat does not go with it');
    if (args.explain) throw new InvalidOptionError('--explain goes with a single mode: race-rig --mode NAME --explain');
  } else if (args.repeat !== 1 && (args.explain || args.timeline)) {
    throw new InvalidOptionError(`${args.explain ? '--explain' : '--timeline'} goes with a single run; drop --repeat`);
  }
}

type Printer = (text: string) => void;

/** What a command produced: its runs (for the report files) and its exit code. */
interface Outcome {
  readonly title: string;
  readonly runs: readonly RaceResult[];
  readonly code: number;
}

/** The text timelines of the runs, when --timeline asked for them (--html records them too). */
function timelines(args: CliArgs, runs: readonly RaceResult[], color: boolean): string[] {
  return runs.flatMap((run) => {
    if (!args.timeline || !run.timeline) return [];
    const heading = runs.length > 1 ? [`── ${run.scenario}/${run.mode} ──`] : [];
    return ['', ...heading, formatTimeline(run.timeline, { color })];
  });
}

async function runCommand(kind: 'run' | 'compare', args: CliArgs, options: RaceOptions, print: Printer, color: boolean): Promise<Outcome> {
  if (kind === 'compare') {
    const comparison = await runComparison(options);
    print(args.json ? JSON.stringify(comparison, null, 2) : [formatComparison(comparison, { color }), ...timelines(args, comparison.runs, color)].join('\n'));
    return { title: `race-rig compare ${comparison.scenario}`, runs: comparison.runs, code: comparison.asDocumented ? EXIT.ok : EXIT.expectationNotMet };
  }
  if (args.repeat !== 1) {
    const repeated = await runRepeatedRace({ ...options, repeat: args.repeat });
    print(args.json ? JSON.stringify(repeated, null, 2) : formatRepeated(repeated, { color }));
    const first = repeated.runs[0];
    return { title: `race-rig ${first?.scenario}/${first?.mode} × ${args.repeat}`, runs: repeated.runs, code: repeated.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok };
  }
  const explained = args.explain ? await describeRun(options) : null;
  if (explained) print(`${formatExplanation(explained.scenario, explained.mode)}\n`);
  const result = await runRace(options);
  print(args.json ? JSON.stringify(result, null, 2) : [formatResult(result, { color }), ...timelines(args, [result], color)].join('\n'));
  if (explained) print(`\n${formatStory(result, explained.mode)}`);
  return { title: `race-rig ${result.scenario}/${result.mode}`, runs: [result], code: result.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok };
}

/**
 * The whole command line program: parse, run, print, and return the exit code. It never calls
 * process.exit and never lets an error escape: each becomes one line on stderr.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a message about a mistyped URL cannot show its password.
  const secrets = [...argv.map((token) => token.replace(/^--db=/, '')), io.env.DATABASE_URL ?? '']
    .map(passwordOf)
    .filter((password): password is string => password !== null);
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const say = (stream: { write(text: string): unknown }, text: string) => stream.write(`${scrub(text)}\n`);
  let verbose = argv.includes('--verbose');
  let junitFile: string | undefined;
  let commandName = 'race-rig';
  try {
    const parsed = await parseCommandLine(argv);
    if (parsed.kind === 'print') {
      say(io.stdout, parsed.text);
      return EXIT.ok;
    }
    if (parsed.kind === 'list') {
      const scenarios: ListedScenario[] = [
        ...Object.values(SCENARIOS).map((scenario) => ({ engine: 'postgres' as const, scenario })),
        { engine: 'sqlite', scenario: SQLITE_COUNTER },
      ];
      say(io.stdout, parsed.json ? JSON.stringify(scenarioListJson(scenarios), null, 2) : formatScenarioList(scenarios));
      return EXIT.ok;
    }
    const { args } = parsed;
    verbose = args.verbose;
    const db = args.db ?? (io.env.DATABASE_URL || undefined);
    const color = args.color ?? (io.stdout.isTTY === true && !io.env.NO_COLOR);
    const print = (text: string) => say(io.stdout, text);
    if (parsed.kind === 'spec') return await specCommand(parsed.file, args, db, io.signal, print);
    if (parsed.kind === 'isolation') return await isolationCommand(args, db, io.signal, print, color);
    const { kind } = parsed;
    commandName = kind === 'compare' ? `race-rig compare ${args.scenario}` : `race-rig ${args.scenario}/${args.mode ?? 'default mode'}`;
    checkCombinations(kind, args);
    await checkWritable('--junit', args.junit);
    await checkWritable('--html', args.html);
    junitFile = args.junit;

    const progress = args.json ? null : progressDisplay(io.stderr);
    const options = {
      ...raceOptions(args, db, io.signal),
      ...(progress ? { onProgress: progress.onProgress } : {}),
      ...(args.verbose ? { onLog: (line: string) => say(io.stderr, `race-rig: ${line}`) } : {}),
    };
    let outcome: Outcome;
    try {
      outcome = await runCommand(kind, args, options, print, color);
    } finally {
      progress?.stop();
    }
    if (args.junit !== undefined) await writeReport('--junit', args.junit, scrub(junitReport({ suite: outcome.title, runs: outcome.runs })));
    if (args.html !== undefined) await writeReport('--html', args.html, scrub(htmlReport(outcome.title, outcome.runs)));
    return outcome.code;
  } catch (error) {
    const known = error instanceof RigError;
    const hint = known || verbose ? '' : ' (run with --verbose for the stack trace)';
    say(io.stderr, `race-rig: ${known ? '' : 'internal error: '}${errorMessage(error)}${hint}`);
    if (verbose && error instanceof Error && error.stack) say(io.stderr, error.stack);
    // CI shows a run that could not complete as an errored test case.
    if (junitFile !== undefined) {
      const report = junitReport({ suite: commandName, runs: [], error: { name: commandName, message: errorMessage(error) } });
      await writeReport('--junit', junitFile, scrub(report)).catch(() => undefined);
    }
    return known ? error.exitCode : EXIT.error;
  }
}
