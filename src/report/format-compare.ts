import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { ComparisonResult } from '../pipeline/api.js';
import type { RaceResult } from '../result/types.js';
import { databaseLabel } from './format.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The comparison's row for one mode, as plain values (the text table and the HTML report share it). */
export interface ComparisonRow {
  readonly mode: string;
  /** The expected verdict (in a comparison, the mode's documented outcome), or null for none. */
  readonly expected: 'RACE' | 'CORRECT' | null;
  readonly verdict: 'RACE' | 'CORRECT';
  /** The verdict is the expected one (true when nothing was expected). */
  readonly asExpected: boolean;
  readonly lost: number;
  readonly retries: number;
  readonly failed: number;
  readonly opsPerSec: number;
  readonly p99Ms: number;
}

export function comparisonRow(run: RaceResult): ComparisonRow {
  const expected = run.expectation ? (run.expectation.expected === 'race' ? 'RACE' : 'CORRECT') : null;
  return {
    mode: run.mode,
    expected,
    verdict: run.verdict,
    asExpected: run.expectation?.met ?? true,
    lost: run.lost,
    retries: run.retries,
    failed: run.failed,
    opsPerSec: run.opsPerSec,
    p99Ms: run.latencyMs.p99,
  };
}

/** The expected cell: `race ✓`, `correct ✗`, or `–` when nothing was expected. */
export function expectedText(row: ComparisonRow): string {
  return row.expected === null ? '–' : `${row.expected.toLowerCase()} ${row.asExpected ? '✓' : '✗'}`;
}

export const COMPARISON_HEAD = ['mode', 'verdict', 'expected', 'lost', 'retries', 'failures', 'ops/s', 'p99 ms'] as const;

/** `race-rig compare`: one line per mode, verdict and cost side by side. */
export function formatComparison(comparison: ComparisonResult, { color }: { readonly color: boolean }): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const first = comparison.runs[0];
  const unit = first?.unit ?? 'operation';
  const table = new Table({
    head: [...COMPARISON_HEAD].map((name) => (name === 'ops/s' ? `${unit}s/s` : name)),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const row of comparison.runs.map(comparisonRow)) {
    const verdict = row.verdict === 'RACE' ? paint.red.bold('RACE') : paint.green('CORRECT');
    const documented = row.asExpected ? expectedText(row) : paint.red.bold(expectedText(row));
    table.push([row.mode, verdict, documented, integer.format(row.lost), integer.format(row.retries), integer.format(row.failed), integer.format(row.opsPerSec), row.p99Ms]);
  }
  const header = first
    ? `race-rig compare  ${comparison.scenario}  ${comparison.workers} workers × ${comparison.increments} ${unit}s, every mode on fresh data  on ${databaseLabel(first)}`
    : `race-rig compare  ${comparison.scenario}`;
  const mismatches = comparison.runs.map(comparisonRow).filter((row) => !row.asExpected);
  const footer = comparison.asDocumented
    ? paint.green('every mode showed its documented outcome')
    : paint.red.bold(`${mismatches.map((row) => row.mode).join(', ')}: not the documented outcome (exit 1)`);
  return [paint.bold(header), '', table.toString(), footer].join('\n');
}
