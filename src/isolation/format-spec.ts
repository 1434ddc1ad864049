import type { StatementOutput } from './protocol.js';
import type { PermutationOutcome } from './outcome.js';
import type { PermutationStep } from './spec.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** libpq's PQprint test for a numeric column value: digits, `.`, `E`, `e`, spaces and `-`, not starting with an E, ending in a digit. */
function looksNumeric(value: string): boolean {
  return /^[0-9. -][0-9.Ee -]*$/.test(value) && /[0-9]$/.test(value);
}

/**
 * A result as the tester prints it, through libpq's PQprint with a header, alignment and `|`:
 * a column is right-aligned unless one of its non-empty values is not numeric, every column is
 * padded to its width in bytes (the last one too), and the row count is followed by a blank line.
 */
export function formatRows({ fields, rows }: StatementOutput): string {
  const widths = fields.map(bytes);
  const text = fields.map(() => false);
  for (const row of rows) {
    row.forEach((value, column) => {
      if (value === null || value === '') return;
      if (!looksNumeric(value)) text[column] = true;
      widths[column] = Math.max(widths[column] ?? 0, bytes(value));
    });
  }
  const pad = (value: string, column: number) => {
    const spaces = ' '.repeat(Math.max(0, (widths[column] ?? 0) - bytes(value)));
    return text[column] ? value + spaces : spaces + value;
  };
  return [
    `${fields.map(pad).join('|')}\n`,
    `${widths.map((width) => '-'.repeat(width)).join('+')}\n`,
    ...rows.map((row) => `${row.map((value, column) => pad(value ?? '', column)).join('|')}\n`),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})\n\n`,
  ].join('');
}

/** The results of one query string that the tester prints: those with columns. */
export function formatResults(statements: readonly StatementOutput[]): string {
  return statements
    .filter((statement) => statement.fields.length > 0)
    .map(formatRows)
    .join('');
}

/** The step names of a permutation, as `starting permutation:` lists them (markers are not printed). */
export function permutationLabel(permutation: readonly PermutationStep[]): string {
  return permutation.map(({ step }) => ` ${step}`).join('');
}

/** One permutation as the tester prints it, from `starting permutation:` on. */
export function formatPermutation(outcome: PermutationOutcome): string {
  return outcome.output.replace(/\n$/, '');
}

/** The whole run of a spec file, as the tester prints it (without the final newline, which printing adds). */
export function formatSpecRun(sessions: number, outcomes: readonly PermutationOutcome[]): string {
  return `Parsed test spec with ${sessions} sessions\n${outcomes.map((outcome) => `\n${outcome.output}`).join('')}`.replace(/\n$/, '');
}
