import { formatAnomaly, formatMatrix } from '../isolation/format-matrix.js';
import { formatSpecRun } from '../isolation/format-spec.js';
import { runIsolationMatrix } from '../isolation/matrix.js';
import type { SpecRunOptions } from '../isolation/run-spec.js';
import { runSpecFile } from '../isolation/spec-command.js';
import type { CliValues } from './parse.js';

export interface SpecCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal | undefined;
  readonly print: (text: string) => void;
  readonly onLog: ((line: string) => void) | undefined;
  /** A line for standard error, such as a teardown that failed (the tester prints those there too). */
  readonly warn: (line: string) => void;
}

function specRunOptions(values: CliValues, io: SpecCommandIo): SpecRunOptions {
  const db = values.db ?? (io.env.DATABASE_URL || undefined);
  return {
    ...(db === undefined ? {} : { db }),
    ...(values.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: values.stepTimeoutMs }),
    ...(values.timeoutMs === undefined ? {} : { timeoutMs: values.timeoutMs }),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.onLog ? { onLog: io.onLog } : {}),
  };
}

/** `race-rig spec FILE`: the tester-style output, or the JSON. */
export async function specCommand(file: string, values: CliValues, io: SpecCommandIo): Promise<number> {
  const result = await runSpecFile(file, {
    ...specRunOptions(values, io),
    permutations: values.permutation ?? [],
    ...(values.isolation === undefined ? {} : { isolation: values.isolation }),
  });
  if (!values.json) result.warnings.forEach(io.warn);
  io.print(values.json ? JSON.stringify(result, null, 2) : formatSpecRun(result.sessions.length, result.permutations));
  return 0;
}

/** `race-rig isolation [--show ID]`: the anomaly matrix, or one anomaly's interleavings. */
export async function isolationCommand(values: CliValues, io: SpecCommandIo, color: boolean): Promise<number> {
  const matrix = await runIsolationMatrix({ ...specRunOptions(values, io), ...(values.show === undefined ? {} : { only: values.show }) });
  if (values.json) io.print(JSON.stringify(matrix, null, 2));
  else io.print(values.show === undefined ? formatMatrix(matrix, { color }) : formatAnomaly(matrix, { color }));
  return 0;
}
