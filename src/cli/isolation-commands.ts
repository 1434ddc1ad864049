import { InvalidOptionError } from '../errors.js';
import { formatAnomaly, formatMatrix } from '../isolation/format-matrix.js';
import { formatSpecRun } from '../isolation/format-spec.js';
import { runIsolationMatrix } from '../isolation/matrix.js';
import type { SpecRunOptions } from '../isolation/run-spec.js';
import { runSpecFile } from '../isolation/spec-command.js';
import type { CliArgs } from './options.js';

type Print = (text: string) => void;

function specRunOptions(args: CliArgs, db: string | undefined, signal: AbortSignal | undefined): SpecRunOptions {
  for (const [given, flag] of [[args.junit !== undefined, '--junit'], [args.html !== undefined, '--html'], [args.explain, '--explain'], [args.timeline, '--timeline']] as const) {
    if (given) throw new InvalidOptionError(`${flag} applies to races, not to isolation specs`);
  }
  return {
    ...(db === undefined ? {} : { db }),
    ...(args.stepTimeout === undefined ? {} : { stepTimeoutMs: args.stepTimeout }),
    timeoutMs: args.timeout,
    ...(signal ? { signal } : {}),
  };
}

/** `race-rig spec FILE`: the tester-style output, or the JSON. */
export async function specCommand(file: string, args: CliArgs, db: string | undefined, signal: AbortSignal | undefined, print: Print): Promise<number> {
  if (args.show !== undefined) throw new InvalidOptionError('--show goes with race-rig isolation');
  const result = await runSpecFile(file, {
    ...specRunOptions(args, db, signal),
    permutations: args.permutation,
    ...(args.isolation === undefined ? {} : { isolation: args.isolation }),
  });
  print(args.json ? JSON.stringify(result, null, 2) : formatSpecRun(result.sessions.length, result.permutations));
  return 0;
}

/** `race-rig isolation [--show ID]`: the anomaly matrix, or one anomaly's interleavings. */
export async function isolationCommand(args: CliArgs, db: string | undefined, signal: AbortSignal | undefined, print: Print, color: boolean): Promise<number> {
  if (args.permutation.length > 0 || args.isolation !== undefined) throw new InvalidOptionError('--permutation and --isolation go with race-rig spec; isolation runs every level');
  const matrix = await runIsolationMatrix({ ...specRunOptions(args, db, signal), ...(args.show === undefined ? {} : { only: args.show }) });
  if (args.json) print(JSON.stringify(matrix, null, 2));
  else print(args.show === undefined ? formatMatrix(matrix, { color }) : formatAnomaly(matrix, { color }));
  return 0;
}
