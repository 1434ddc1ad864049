import { performance } from 'node:perf_hooks';
import { TIMELINE_OPERATIONS } from './types.js';
import type { TimelineEvent, TimelineKind } from './types.js';

/** Wall-clock ms that compare across threads (each thread's `performance.now()` has its own origin). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export function statementKind(sql: string): TimelineKind {
  if (/^\s*(BEGIN|START TRANSACTION)/i.test(sql)) return 'begin';
  if (/^\s*COMMIT/i.test(sql)) return 'commit';
  if (/^\s*ROLLBACK/i.test(sql)) return 'rollback';
  if (/\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b|pg_advisory/i.test(sql)) return 'lock';
  if (/^\s*(SELECT|WITH)\b/i.test(sql)) return 'read';
  if (/^\s*(UPDATE|INSERT|DELETE)\b/i.test(sql)) return 'write';
  return 'statement';
}

function show(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** A read shows the columns it got back (not the rig's server-clock column `t`). */
function readDetail(row: Readonly<Record<string, unknown>> | undefined): string {
  if (!row) return 'no row';
  return Object.entries(row)
    .filter(([name]) => name !== 't')
    .map(([name, value]) => `${name}=${show(value)}`)
    .join(' ');
}

function writeDetail(values: readonly unknown[]): string {
  return values.map((value, index) => `$${index + 1}=${show(value)}`).join(' ');
}

/**
 * Records what one worker's statements did during its first operations (warm-up excluded), for
 * `--timeline`. Lives in the worker thread; its events travel back with the worker's result.
 */
export class TimelineRecorder {
  readonly events: TimelineEvent[] = [];
  private operation = -1;
  private attempt = 0;

  constructor(
    private readonly worker: number,
    private readonly maxOperations = TIMELINE_OPERATIONS,
  ) {}

  /** Called by the operation loop before each attempt; nothing is recorded before the first. */
  beginAttempt(operation: number, attempt: number): void {
    this.operation = operation;
    this.attempt = attempt;
  }

  private get active(): boolean {
    return this.operation >= 0 && this.operation < this.maxOperations;
  }

  statement(
    sql: string,
    values: readonly unknown[],
    startMs: number,
    outcome: { readonly row?: Readonly<Record<string, unknown>>; readonly rows: number } | { readonly error: unknown },
  ): void {
    if (!this.active) return;
    const kind = statementKind(sql);
    const failed = 'error' in outcome;
    let detail = '';
    if ('error' in outcome) detail = errorDetail(outcome.error);
    else if (kind === 'read' || kind === 'lock') detail = readDetail(outcome.row);
    else if (kind === 'write') detail = writeDetail(values);
    this.push(kind, sql, detail, failed ? null : (outcome as { rows: number }).rows, startMs, failed);
  }

  /** The rig's own events: an attempt that will be retried, or an operation that failed. */
  note(kind: 'retry' | 'error', detail: string): void {
    if (!this.active) return;
    const now = wallClockMs();
    this.push(kind, null, detail, null, now, kind === 'error');
  }

  private push(kind: TimelineKind, sql: string | null, detail: string, rows: number | null, startMs: number, failed: boolean): void {
    this.events.push({ worker: this.worker, operation: this.operation, attempt: this.attempt, kind, sql, detail, rows, startMs, endMs: wallClockMs(), failed });
  }
}

export function errorDetail(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `[${code}] ${message}` : message;
}
