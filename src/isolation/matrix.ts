import { InvalidOptionError } from '../errors.js';
import { ANOMALIES, anomalySpec } from './anomalies.js';
import type { Anomaly } from './anomalies.js';
import { LEVELS } from './levels.js';
import type { LevelName } from './levels.js';
import { withSpecDatabase } from './run-spec.js';
import type { SpecRunOptions } from './run-spec.js';
import type { PermutationOutcome } from './outcome.js';
import type { ErrorPrevention, SpecDialect, SpecEngineName } from './spec-engine.js';
import { parseSpec } from './spec.js';

/** How the database kept an anomaly from happening, read from the steps' errors and waits. */
export type Prevention = ErrorPrevention | 'blocked' | 'snapshot';

export interface MatrixCell {
  readonly occurred: boolean;
  /** null when the anomaly occurred. */
  readonly preventedBy: Prevention | null;
  /** The interleaving that proves it: every step's rows, error and wait. */
  readonly permutation: PermutationOutcome;
}

export interface MatrixRow {
  readonly id: string;
  readonly name: string;
  readonly summary: string;
  readonly cells: Readonly<Record<LevelName, MatrixCell>>;
}

/** What `runIsolationMatrix` returns and `race-rig isolation --json` prints. */
export interface IsolationMatrix {
  readonly schemaVersion: 1;
  readonly engine: SpecEngineName;
  readonly serverVersion: string;
  readonly levels: readonly LevelName[];
  readonly anomalies: readonly MatrixRow[];
}

/**
 * The matrix's steps are single-row statements: one still waiting after this long waits for a
 * transaction that the permutation only ends later (InnoDB's SERIALIZABLE reads take shared locks).
 */
const MATRIX_STEP_TIMEOUT_MS = 2_000;

/** A serialization failure first, then a deadlock, then a wait: the strongest sign the database gave. */
export function preventionOf(outcome: PermutationOutcome, dialect: SpecDialect): Prevention {
  const byErrors = outcome.steps.map((step) => (step.error ? dialect.preventionBy(step.error) : null));
  if (byErrors.includes('serialization failure')) return 'serialization failure';
  if (byErrors.includes('deadlock')) return 'deadlock';
  if (outcome.steps.some((step) => step.blocked || step.timedOut)) return 'blocked';
  return 'snapshot';
}

/**
 * A cell from what the database did. A step the rig had to cancel means the database held the
 * interleaving up until the step timeout: it did not run as written, so the anomaly did not occur
 * in it, whatever the rows say after (MySQL cancels only the statement, and the rest of its
 * transaction may then commit half a change).
 */
function judge(anomaly: Anomaly, outcome: PermutationOutcome, dialect: SpecDialect): MatrixCell {
  const heldUp = outcome.steps.some((step) => step.timedOut);
  const occurred = !heldUp && anomaly.occurred(outcome);
  return { occurred, preventedBy: occurred ? null : preventionOf(outcome, dialect), permutation: outcome };
}

export function anomalyNamed(id: string): Anomaly {
  const anomaly = ANOMALIES.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (!anomaly) throw new InvalidOptionError(`unknown anomaly '${id}'; choose one of: ${ANOMALIES.map((known) => known.id).join(', ')}`);
  return anomaly;
}

/**
 * `race-rig isolation`: each anomaly's interleaving at each isolation level, on fresh data, and
 * whether the database let it happen or how it prevented it. `only` restricts it to one anomaly.
 */
export async function runIsolationMatrix(options: SpecRunOptions & { readonly only?: string } = {}): Promise<IsolationMatrix> {
  const anomalies = options.only === undefined ? ANOMALIES : [anomalyNamed(options.only)];
  const levels = Object.keys(LEVELS) as LevelName[];
  return withSpecDatabase({ ...options, stepTimeoutMs: options.stepTimeoutMs ?? MATRIX_STEP_TIMEOUT_MS }, async ({ serverVersion, dialect, run }) => {
    const rows: MatrixRow[] = [];
    for (const anomaly of anomalies) {
      const spec = parseSpec(anomalySpec(anomaly, dialect.engine), `the ${anomaly.id} spec`);
      const [permutation] = spec.permutations;
      if (!permutation) throw new Error(`the ${anomaly.id} spec has no permutation`);
      const cells: Partial<Record<LevelName, MatrixCell>> = {};
      for (const level of levels) {
        const [outcome] = (await run(spec, [permutation], level)).permutations;
        if (!outcome) throw new Error(`the ${anomaly.id} spec did not run`);
        cells[level] = judge(anomaly, outcome, dialect);
      }
      rows.push({ id: anomaly.id, name: anomaly.name, summary: anomaly.summary, cells: cells as Record<LevelName, MatrixCell> });
    }
    return { schemaVersion: 1, engine: dialect.engine, serverVersion, levels, anomalies: rows };
  });
}
