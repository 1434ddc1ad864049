import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { ANOMALIES } from './anomalies.js';
import { DIALECTS } from './dialects.js';
import { formatPermutation } from './format-spec.js';
import { LEVELS } from './levels.js';
import type { IsolationMatrix, MatrixCell } from './matrix.js';

function cellText(cell: MatrixCell, paint: InstanceType<typeof Chalk>): string {
  return cell.occurred ? paint.red.bold('OCCURS') : paint.green(`prevented (${cell.preventedBy})`);
}

/** The anomaly matrix: a row per anomaly, a column per isolation level. */
export function formatMatrix(matrix: IsolationMatrix, { color }: { readonly color: boolean }): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const dialect = DIALECTS[matrix.engine];
  const table = new Table({
    head: ['anomaly', '', ...matrix.levels.map((level) => LEVELS[level].toUpperCase())],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
  for (const row of matrix.anomalies) table.push([row.id, row.name, ...matrix.levels.map((level) => cellText(row.cells[level], paint))]);
  return [
    paint.bold(`race-rig isolation  Hermitage's anomalies on ${dialect.product(matrix.serverVersion)}, each interleaving run at each level`),
    '',
    table.toString(),
    'Every cell is decided by what the database did in that interleaving: the rows it returned, the errors and the waits.',
    dialect.legend,
    `race-rig isolation --show ID prints the interleaving behind a row (${ANOMALIES.map((anomaly) => anomaly.id).join(', ')}).`,
  ].join('\n');
}

/** `--show ID`: the interleaving behind one row, at each level, in the tester's style. */
export function formatAnomaly(matrix: IsolationMatrix, { color }: { readonly color: boolean }): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  return matrix.anomalies
    .map((row) =>
      [
        paint.bold(`${row.id}: ${row.name}`),
        `${row.summary}.`,
        ...matrix.levels.flatMap((level) => ['', `── ${LEVELS[level].toUpperCase()}: ${cellText(row.cells[level], paint)}`, formatPermutation(row.cells[level].permutation)]),
      ].join('\n'),
    )
    .join('\n\n');
}
