import type { StatementOutput, StepError } from './protocol.js';
import type { PermutationOutcome, StepOutcome } from './schedule.js';
import type { PermutationStep } from './spec.js';

const NUMERIC = /^-?\d+(\.\d+)?$/;

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return `${' '.repeat(left)}${text}`.padEnd(width);
}

/** A result as psql's aligned format prints it (numbers right, text left), as the tester's expected files show. */
export function formatRows({ fields, rows }: StatementOutput): string {
  const cells = rows.map((row) => row.map((value) => value ?? ''));
  const widths = fields.map((field, column) => Math.max(field.length, ...cells.map((row) => (row[column] ?? '').length)));
  const numeric = fields.map((_, column) => cells.length > 0 && cells.every((row) => NUMERIC.test(row[column] ?? '') || row[column] === ''));
  const line = (values: readonly string[], align: (value: string, column: number) => string) => values.map(align).join('|').trimEnd();
  return [
    line(fields, (field, column) => center(field, widths[column] ?? 0)),
    widths.map((width) => '-'.repeat(width)).join('+'),
    ...cells.map((row) => line(row, (value, column) => (numeric[column] ? value.padStart(widths[column] ?? 0) : value.padEnd(widths[column] ?? 0)))),
    `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`,
    '',
  ].join('\n');
}

function errorLine(error: StepError, timedOut: boolean): string {
  return timedOut ? `ERROR:  ${error.message} (cancelled after the step timeout: it never stopped waiting)` : `ERROR:  ${error.message}`;
}

function results(step: StepOutcome): string[] {
  return [...step.notices.map((notice) => `${step.session}: NOTICE:  ${notice}`), ...step.outputs.map(formatRows), ...(step.error ? [errorLine(step.error, step.timedOut)] : [])];
}

export function permutationLabel(permutation: readonly PermutationStep[]): string {
  return permutation
    .map(({ step, blockedAtOnce, blockers }) => (blockedAtOnce || blockers.length > 0 ? `${step}(${[...(blockedAtOnce ? ['*'] : []), ...blockers].join(', ')})` : step))
    .join(' ');
}

/** One permutation in the style of PostgreSQL's isolation tester's expected output. */
export function formatPermutation(outcome: PermutationOutcome): string {
  const byName = new Map(outcome.steps.map((step) => [step.step, step]));
  const lines = [`starting permutation: ${permutationLabel(outcome.permutation)}`];
  for (const event of outcome.events) {
    if (event.kind === 'invalid') {
      lines.push(`error in steps: ${event.message}`);
      continue;
    }
    const step = byName.get(event.step);
    if (!step) continue;
    if (event.kind === 'started') {
      lines.push(`step ${step.step}: ${step.sql}${event.waiting ? ' <waiting ...>' : ''}`);
      if (!event.waiting) lines.push(...results(step));
    } else {
      lines.push(`step ${step.step}: <... completed>`, ...results(step));
    }
  }
  return lines.join('\n');
}

/** The whole run of a spec file, as the tester prints it. */
export function formatSpecRun(sessions: number, outcomes: readonly PermutationOutcome[]): string {
  return [`Parsed test spec with ${sessions} session${sessions === 1 ? '' : 's'}`, ...outcomes.map((outcome) => `\n${formatPermutation(outcome)}`)].join('\n');
}
