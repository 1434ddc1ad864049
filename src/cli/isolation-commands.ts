import { DEFAULT_ENGINE } from '../engines/registry.js';
import { formatAnomaly, formatMatrix } from '../isolation/format-matrix.js';
import { formatSpecRun } from '../isolation/format-spec.js';
import { runIsolationMatrix } from '../isolation/matrix.js';
import type { SpecRunOptions } from '../isolation/run-spec.js';
import { runSpecFile } from '../isolation/spec-command.js';
import type { SpecEngineName } from '../isolation/spec-engine.js';
import { engineNamed } from '../race/resolve.js';
import type { CliValues } from './parse.js';

export interface SpecCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal | undefined;
  readonly print: (text: string) => void;
  readonly onLog: ((line: string) => void) | undefined;
  /** A line for standard error, such as a teardown that failed (the tester prints those there too). */
  readonly warn: (line: string) => void;
}

/** The spec runner's options from the command line: `--db` falls back to the engine's variable ($DATABASE_URL, $MYSQL_URL). */
function specRunOptions(values: CliValues, io: SpecCommandIo): SpecRunOptions {
  const engine = values.engine ?? DEFAULT_ENGINE;
  const { urlVariable } = engineNamed(engine);
  const db = values.db ?? (urlVariable ? io.env[urlVariable] || undefined : undefined);
  return {
    // Checked by the runner: --engine sqlite has no spec runner.
    engine: engine as SpecEngineName,
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
