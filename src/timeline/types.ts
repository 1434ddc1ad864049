/** One thing a recorded worker did, on the wall clock shared by every thread. */
export type TimelineKind = 'begin' | 'read' | 'lock' | 'write' | 'commit' | 'rollback' | 'statement' | 'retry' | 'error';

export interface TimelineEvent {
  readonly worker: number;
  /** The operation (0-based) and the attempt at it (0 for the first) the event belongs to. */
  readonly operation: number;
  readonly attempt: number;
  readonly kind: TimelineKind;
  /** The statement, or null for the rig's own events (retry, error). */
  readonly sql: string | null;
  /** A read: the columns it returned; a write: its parameters; an error: its SQLSTATE and message. */
  readonly detail: string;
  /** Rows the statement returned or changed, null when it failed or was not a statement. */
  readonly rows: number | null;
  /** Epoch ms (fractional): `performance.timeOrigin + performance.now()` in the worker's thread. */
  readonly startMs: number;
  readonly endMs: number;
  readonly failed: boolean;
}

/** Only the first few workers are recorded: enough to see the interleaving, little to carry. */
export const TIMELINE_WORKERS = 4;
/** …and their first operations. */
export const TIMELINE_OPERATIONS = 25;
