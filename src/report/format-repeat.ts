import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { databaseLabel } from './format.js';
import type { RepeatedResult, Spread } from '../result/repeat.js';

const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function spreadText(spread: Spread | null): string {
  return spread === null ? 'n/a' : `${decimal.format(spread.min)} / ${decimal.format(spread.median)} / ${decimal.format(spread.max)}`;
}

/** The human-readable report of a --repeat: one row per run, the reproduction rate, the spreads. */
export function formatRepeated(result: RepeatedResult, { color }: { color: boolean }): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const first = result.runs[0];
  const header = first
    ? `race-rig  ${first.scenario}/${first.mode}  ${first.workers} workers × ${first.increments} ${first.unit}s × ${result.repeat} runs  on ${databaseLabel(first)}`
    : 'race-rig';
  const rate = `${decimal.format(result.reproductionRate * 100)}%`;
  const headline =
    result.races > 0
      ? `${paint.bgRed.white.bold(' RACE ')} in ${result.races} of ${result.repeat} runs (reproduction rate ${rate})`
      : `${paint.bgGreen.black.bold(' CORRECT ')} in all ${result.repeat} runs (reproduction rate 0%)`;
  const runs = new Table({
    head: ['run', 'verdict', 'expected', 'actual', 'lost', `${first?.unit ?? 'op'}s/s`, 'retries', 'start spread ms'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
  result.runs.forEach((run, index) => {
    runs.push([index + 1, run.verdict, run.expected, run.actual, run.lost, run.opsPerSec, run.retries, run.startSpreadMs ?? 'n/a']);
  });
  const lines = [
    paint.bold(header),
    '',
    headline,
    '',
    runs.toString(),
    `min / median / max: lost ${spreadText(result.spread.lost)}; ${first?.unit ?? 'op'}s/s ${spreadText(result.spread.opsPerSec)}; ` +
      `retries ${spreadText(result.spread.retries)}; start spread ms ${spreadText(result.spread.startSpreadMs)}`,
  ];
  if (result.expectation) {
    const { expected, met } = result.expectation;
    lines.push('', met ? paint.green(`expected ${expected} in every run: met`) : paint.red.bold(`expected ${expected} in every run: NOT met (exit 1)`));
  }
  return lines.join('\n');
}
