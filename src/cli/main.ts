import { DEFAULT_ENGINE, ENGINES } from '../engines/registry.js';
import { errorMessage, RigError } from '../errors.js';
import { passwordOf, scrubSecrets } from '../redact.js';
import { formatScenarioList, scenarioListJson } from '../report/format-list.js';
import type { ListedScenario } from '../report/format-list.js';
import { htmlReport } from '../report/html.js';
import { junitReport } from '../report/junit.js';
import { isolationCommand, specCommand } from './isolation-commands.js';
import { parseCommandLine } from './parse.js';
import type { CliValues } from './parse.js';
import { progressDisplay } from './progress.js';
import { exploreCommand } from './explore-command.js';
import { serveCommand } from './serve-command.js';
import { EXIT, raceCommand } from './race-command.js';
import type { Outcome } from './race-command.js';
import { checkWritable, writeReport } from './report-files.js';


export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Errors, --verbose lines, and the progress bar when it is a terminal. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
}

type Say = (stream: { write(text: string): unknown }, text: string) => void;

/** What every command gets from the boundary: where to print, colour, the --verbose trace, the secrets scrubbed. */
interface CommandIo {
  readonly io: CliIo;
  readonly say: Say;
  readonly scrub: (text: string) => string;
  readonly color: boolean;
  readonly onLog: ((line: string) => void) | undefined;
}

function listedScenarios(): ListedScenario[] {
  return Object.values(ENGINES).flatMap((engine) => Object.values(engine.scenarios).map((scenario) => ({ engine: engine.name, scenario })));
}

/** A race command (a run, --repeat, compare), its progress bar, and its report files. */
async function raceCommandWithReports(kind: 'run' | 'compare', values: CliValues, { io, say, scrub, color, onLog }: CommandIo): Promise<number> {
  await checkWritable('--junit', values.junit);
  await checkWritable('--html', values.html);
  const progress = values.json ? null : progressDisplay(io.stderr);
  let outcome: Outcome;
  try {
    outcome = await raceCommand(kind, values, {
      print: (text) => say(io.stdout, text),
      color,
      env: io.env,
      hooks: {
        ...(io.signal ? { signal: io.signal } : {}),
        ...(progress ? { onProgress: progress.onProgress } : {}),
        ...(onLog ? { onLog } : {}),
      },
    });
  } finally {
    progress?.stop();
  }
  if (values.junit !== undefined) await writeReport('--junit', values.junit, scrub(junitReport({ suite: outcome.title, runs: outcome.runs })));
  if (values.html !== undefined) await writeReport('--html', values.html, scrub(htmlReport(outcome.title, outcome.runs)));
  return outcome.code;
}

function commandName(kind: string, values: CliValues): string {
  const scenario = values.scenario ?? 'counter';
  return kind === 'compare' ? `race-rig compare ${scenario}` : `race-rig ${scenario}/${values.mode ?? 'default mode'}`;
}

/**
 * The whole command line program: parse, run, print, and return the exit code. It never calls
 * process.exit and never lets an error escape: each becomes one line on stderr.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a message about a mistyped URL cannot show its password.
  const urlVariables = Object.values(ENGINES).flatMap((engine) => (engine.urlVariable ? [io.env[engine.urlVariable] ?? ''] : []));
  const secrets = [...argv.map((token) => token.replace(/^--db=/, '')), ...urlVariables]
    .map(passwordOf)
    .filter((password): password is string => password !== null);
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const say: Say = (stream, text) => stream.write(`${scrub(text)}\n`);
  let verbose = argv.includes('--verbose');
  let junitFile: string | undefined;
  let name = 'race-rig';
  try {
    const parsed = await parseCommandLine(argv);
    if (parsed.kind === 'print') {
      say(io.stdout, parsed.text);
      return EXIT.ok;
    }
    const { values } = parsed;
    verbose = values.verbose === true;
    const color = values.color ?? (io.stdout.isTTY === true && !io.env.NO_COLOR);
    const print = (text: string) => say(io.stdout, text);
    const onLog = verbose ? (line: string) => say(io.stderr, `race-rig: ${line}`) : undefined;
    if (parsed.kind === 'list') {
      print(values.json ? JSON.stringify(scenarioListJson(listedScenarios()), null, 2) : formatScenarioList(listedScenarios(), DEFAULT_ENGINE));
      return EXIT.ok;
    }
    if (parsed.kind === 'spec') return await specCommand(parsed.file, values, { env: io.env, signal: io.signal, print, onLog, warn: (line) => say(io.stderr, `race-rig: ${line}`) });
    if (parsed.kind === 'isolation') return await isolationCommand(values, { env: io.env, signal: io.signal, print, onLog, warn: (line) => say(io.stderr, `race-rig: ${line}`) }, color);
    if (parsed.kind === 'serve') return await serveCommand(parsed.files, values, { print, env: io.env, signal: io.signal, scrub, onLog });
    if (parsed.kind === 'explore') return await exploreCommand(values, { print, env: io.env, color, hooks: { ...(io.signal ? { signal: io.signal } : {}), ...(onLog ? { onLog } : {}) } });
    name = commandName(parsed.kind, values);
    junitFile = values.junit;
    return await raceCommandWithReports(parsed.kind, values, { io, say, scrub, color, onLog });
  } catch (error) {
    const known = error instanceof RigError;
    const hint = known || verbose ? '' : ' (run with --verbose for the stack trace)';
    say(io.stderr, `race-rig: ${known ? '' : 'internal error: '}${errorMessage(error)}${hint}`);
    if (verbose && error instanceof Error && error.stack) say(io.stderr, error.stack);
    // CI shows a run that could not complete as an errored test case.
    if (junitFile !== undefined) {
      const report = junitReport({ suite: name, runs: [], error: { name, message: errorMessage(error) } });
      await writeReport('--junit', junitFile, scrub(report)).catch(() => undefined);
    }
    return known ? error.exitCode : EXIT.error;
  }
}
