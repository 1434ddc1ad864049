import { InvalidOptionError } from '../errors.js';
import { ANOMALIES } from './anomalies.js';
import type { Anomaly } from './anomalies.js';
import { LEVELS } from './levels.js';
import type { LevelName } from './levels.js';
import { withSpecDatabase } from './run-spec.js';
import type { SpecRunOptions } from './run-spec.js';
import type { PermutationOutcome } from './outcome.js';
import { parseSpec } from './spec.js';

/** How the database kept an anomaly from happening, read from the steps' errors and waits. */
export type Prevention = 'serialization failure' | 'deadlock' | 'blocked' | 'snapshot';

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
  readonly serverVersion: string;
  readonly levels: readonly LevelName[];
  readonly anomalies: readonly MatrixRow[];
}

export function preventionOf(outcome: PermutationOutcome): Prevention {
  const codes = outcome.steps.map((step) => step.error?.code);
  if (codes.includes('40001')) return 'serialization failure';
  if (codes.includes('40P01')) return 'deadlock';
  if (outcome.steps.some((step) => step.blocked)) return 'blocked';
  return 'snapshot';
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
  return withSpecDatabase(options, async ({ serverVersion, run }) => {
    const rows: MatrixRow[] = [];
    for (const anomaly of anomalies) {
      const spec = parseSpec(anomaly.spec, `the ${anomaly.id} spec`);
      const [permutation] = spec.permutations;
      if (!permutation) throw new Error(`the ${anomaly.id} spec has no permutation`);
      const cells: Partial<Record<LevelName, MatrixCell>> = {};
      for (const level of levels) {
        const [outcome] = (await run(spec, [permutation], level)).permutations;
        if (!outcome) throw new Error(`the ${anomaly.id} spec did not run`);
        const occurred = anomaly.occurred(outcome);
        cells[level] = { occurred, preventedBy: occurred ? null : preventionOf(outcome), permutation: outcome };
      }
      rows.push({ id: anomaly.id, name: anomaly.name, summary: anomaly.summary, cells: cells as Record<LevelName, MatrixCell> });
    }
    return { schemaVersion: 1, serverVersion, levels, anomalies: rows };
  });
}
