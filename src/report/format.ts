import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { FAILURE_KINDS } from '../protocol.js';
import type { FailureKind } from '../protocol.js';
import type { RaceResult } from '../result/types.js';
import { databaseLabel } from './database-label.js';

export { databaseLabel } from './database-label.js';

export interface FormatOptions {
  /** Use colours (the CLI passes whether stdout is a colour terminal). */
  readonly color: boolean;
}

/** What a start spread was measured on, and how the workers were released. */
function startSpreadBasis(result: RaceResult): string {
  if (result.start === 'last-byte') return 'client clock, final bytes written in one loop; last-byte sync';
  return `${result.database.engine === 'sqlite' ? 'process' : 'server'} clock, first critical statements; ${result.start === 'gate' ? 'barrier + server gate' : 'barrier'}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function duration(ms: number): string {
  return ms >= 1000 ? `${decimal.format(ms / 1000)} s` : `${decimal.format(ms)} ms`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${decimal.format((part / whole) * 100)}%`;
}

function plainTable(head?: string[]): Table.Table {
  return new Table({
    ...(head ? { head } : {}),
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
}

function verdictLine(result: RaceResult, paint: ChalkInstance): string {
  if (result.verdict === 'CORRECT') return `${paint.bgGreen.black.bold(' CORRECT ')} ${result.invariant}: ${result.message}`;
  return `${paint.bgRed.white.bold(' RACE ')} ${result.invariant} broke: ${result.message}`;
}

function lostText(result: RaceResult, paint: ChalkInstance): string {
  if (result.lost === 0) return '0';
  if (result.lost < 0) return paint.red.bold(`${integer.format(-result.lost)} more than expected`);
  return paint.red.bold(`${integer.format(result.lost)} (${percent(result.lost, result.expected)})`);
}

/** `accepted 40 · refused 60`, for the scenario's outcomes and figures. */
function namedNumbers(numbers: Readonly<Record<string, number>>): string {
  return Object.entries(numbers)
    .map(([name, value]) => `${name} ${decimal.format(value)}`)
    .join(' · ');
}

function outcomeTable(result: RaceResult, paint: ChalkInstance): string {
  const { unit } = result;
  const { retriesByCause } = result;
  const table = plainTable();
  table.push(
    { expected: [`${integer.format(result.expected)}  (${result.quantity})`] },
    { actual: [integer.format(result.actual)] },
    { lost: [lostText(result, paint)] },
    ...(Object.keys(result.outcomes).length > 0 ? [{ outcomes: [namedNumbers(result.outcomes)] }] : []),
    ...(Object.keys(result.figures).length > 0 ? [{ figures: [namedNumbers(result.figures)] }] : []),
    {
      retries: [
        `${integer.format(result.retries)}  (${decimal.format(result.attemptsPerOperation)} ` +
          `${result.attemptsPerOperation === 1 ? 'attempt' : 'attempts'} per ${unit}; ` +
          `${retryCauses(retriesByCause)})`,
      ],
    },
    { failed: [failureSummary(result.failures)] },
    ...(result.inDoubt + result.notAttempted > 0
      ? [{ 'cut off': [`${integer.format(result.inDoubt)} in doubt, ${integer.format(result.notAttempted)} never attempted (lost connections)`] }]
      : []),
    { elapsed: [duration(result.elapsedMs)] },
    { throughput: [`${integer.format(result.opsPerSec)} ${unit}s/s`] },
    { 'lock wait': [`${duration(result.lockWaitMs.total)} in total, ${duration(result.lockWaitMs.perOperation)} per ${unit}`] },
    {
      'start spread': [result.startSpreadMs === null ? 'n/a' : `${duration(result.startSpreadMs)} (${startSpreadBasis(result)})`],
    },
    { 'set-up': [`${duration(result.setupMs)} to release ${result.start === 'last-byte' ? 'the staged requests' : `${result.threads} threads`}`] },
    { memory: [`${integer.format(result.peakRssMb)} MB peak RSS`] },
  );
  return table.toString();
}

const FAILURE_LABELS: Record<FailureKind, string> = {
  serialization: 'serialization',
  deadlock: 'deadlock',
  busy: 'busy',
  maxRetries: 'max-retries',
  lockTimeout: 'lock timeout',
  statementTimeout: 'statement timeout',
  other: 'other',
};

function failureSummary(failures: RaceResult['failures']): string {
  if (failures.total === 0) return '0';
  const kinds = FAILURE_KINDS.filter((kind) => failures[kind] > 0).map((kind) => `${FAILURE_LABELS[kind]} ${integer.format(failures[kind])}`);
  return `${integer.format(failures.total)}  (${kinds.join(', ')})`;
}

function retryCauses(retries: RaceResult['retriesByCause']): string {
  const named = ([['serialization', retries.serialization], ['deadlock', retries.deadlock], ['busy', retries.busy], ['version conflict', retries.conflict]] as const)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${integer.format(count)}`);
  return named.length > 0 ? named.join(', ') : 'none';
}

/** Why `expected` is less than workers × increments, when connections broke. */
function connectionLossLines(result: RaceResult): string[] {
  if (result.connectionLosses.length === 0) return [];
  const { unit } = result;
  return [
    '',
    `expected excludes ${integer.format(result.notAttempted)} ${unit}s never attempted and allows ${integer.format(result.inDoubt)} in doubt (cut off mid-${unit}):`,
    ...result.connectionLosses.map((loss) => `  worker ${loss.worker} lost its connection: ${loss.code ? `[${loss.code}] ` : ''}${loss.message}`),
  ];
}

function latencyTable(result: RaceResult): string {
  const { p50, p95, p99, max, mean } = result.latencyMs;
  const table = plainTable(['latency', 'p50', 'p95', 'p99', 'max', 'mean']);
  table.push([`ms per ${result.unit}`, p50, p95, p99, max, mean].map((value) => (typeof value === 'number' ? decimal.format(value) : value)));
  return table.toString();
}

/** Where the run's data was: the file, or the server and the run's schema (a database of its own on MySQL). */
function placeLine(result: RaceResult): string {
  const { url, schema, schemaKept } = result.database;
  const kept = schemaKept ? ' (kept)' : '';
  if (result.database.engine === 'sqlite') return `file ${url}${kept}`;
  return result.options.engine === 'mysql' ? `server ${url}  database ${schema}${kept}` : `database ${url}  schema ${schema}${kept}`;
}

/** The human-readable report of one run, as a string (the CLI prints it). */
export function formatResult(result: RaceResult, { color }: FormatOptions): string {
  const paint = new Chalk({ level: color ? 1 : 0 });
  const lines = [
    paint.bold(
      `race-rig  ${result.scenario}/${result.mode}  ${result.workers} workers × ${integer.format(result.increments)} ` +
        `${result.unit}${result.increments === 1 ? '' : 's'}  on ${databaseLabel(result)}`,
    ),
    paint.dim(placeLine(result)),
    '',
    verdictLine(result, paint),
    '',
    outcomeTable(result, paint),
    latencyTable(result),
    ...connectionLossLines(result),
  ];
  for (const warning of result.warnings) lines.push('', paint.yellow(`warning: ${warning}`));
  if (result.errors.length > 0) {
    lines.push('', 'errors:');
    for (const sample of result.errors) lines.push(`  ${sample.count}× ${sample.code ? `[${sample.code}] ` : ''}${sample.message}`);
  }
  if (result.expectation) {
    const { expected, met } = result.expectation;
    lines.push('', met ? paint.green(`expected ${expected}: met`) : paint.red.bold(`expected ${expected}: NOT met (exit 1)`));
  }
  return lines.join('\n');
}
