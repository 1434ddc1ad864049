import { errorMessage, RigError } from '../errors.js';
import { passwordOf, scrubSecrets } from '../db/redact.js';
import { formatResult } from '../report/format.js';
import { formatScenarioList, scenarioListJson } from '../report/format-list.js';
import type { ListedScenario } from '../report/format-list.js';
import { SQLITE_COUNTER } from '../engines/sqlite/counter.js';
import { formatRepeated } from '../report/format-repeat.js';
import { runRace, runRepeatedRace } from '../run-race.js';
import { SCENARIOS } from '../scenarios/index.js';
import type { RaceOptions } from '../options.js';
import { parseCommandLine } from './options.js';
import type { CliArgs } from './options.js';

/** Exit codes, as documented in the README. */
export const EXIT = {
  ok: 0,
  expectationNotMet: 1,
  error: 2,
} as const;

export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
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
    ...(args.expect === undefined ? {} : { expect: args.expect }),
    ...(signal ? { signal } : {}),
  };
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
  const say = (stream: CliIo['stdout'], text: string) => stream.write(`${scrubSecrets(text, secrets)}\n`);
  let verbose = argv.includes('--verbose');
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
    const options = raceOptions(args, db, io.signal);

    if (args.repeat !== 1) {
      const repeated = await runRepeatedRace({ ...options, repeat: args.repeat });
      say(io.stdout, args.json ? JSON.stringify(repeated, null, 2) : formatRepeated(repeated, { color }));
      return repeated.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok;
    }
    const result = await runRace(options);
    say(io.stdout, args.json ? JSON.stringify(result, null, 2) : formatResult(result, { color }));
    return result.expectation?.met === false ? EXIT.expectationNotMet : EXIT.ok;
  } catch (error) {
    const known = error instanceof RigError;
    const hint = known || verbose ? '' : ' (run with --verbose for the stack trace)';
    say(io.stderr, `race-rig: ${known ? '' : 'internal error: '}${errorMessage(error)}${hint}`);
    if (verbose && error instanceof Error && error.stack) say(io.stderr, error.stack);
    return known ? error.exitCode : EXIT.error;
  }
}
