import type { TimelineEvent } from './types.js';

/** An event and the transaction it ran in within its attempt (null: autocommit, outside any). */
export interface Step {
  readonly event: TimelineEvent;
  readonly transaction: number | null;
}

/** A write that changed a row and was committed. */
export interface CommittedWrite {
  readonly write: TimelineEvent;
  /** The COMMIT that made it visible to the other workers, or the write itself in autocommit. */
  readonly commit: TimelineEvent;
  /** Its attempt's events before it, with their transactions, in order. */
  readonly before: readonly Step[];
  readonly transaction: number | null;
}

export const attemptOf = (event: TimelineEvent) => `${event.worker}/${event.operation}/${event.attempt}`;

/** Events grouped by the attempt they belong to, in time order. */
export function attempts(events: readonly TimelineEvent[]): Map<string, TimelineEvent[]> {
  const grouped = new Map<string, TimelineEvent[]>();
  for (const event of events) {
    const key = attemptOf(event);
    grouped.set(key, [...(grouped.get(key) ?? []), event]);
  }
  return grouped;
}

/** Numbers the transactions of one attempt: BEGIN opens one, COMMIT or ROLLBACK closes it. */
export function inTransactions(group: readonly TimelineEvent[]): Step[] {
  let current: number | null = null;
  let opened = 0;
  return group.map((event) => {
    if (event.kind === 'begin') current = ++opened;
    const step = { event, transaction: current };
    if (event.kind === 'commit' || event.kind === 'rollback') current = null;
    return step;
  });
}

function committedIn(steps: readonly Step[]): CommittedWrite[] {
  const writes: CommittedWrite[] = [];
  steps.forEach((step, index) => {
    if (step.event.kind !== 'write' || (step.event.rows ?? 0) === 0) return;
    const commit = step.transaction === null
      ? step.event
      : steps.find((later) => later.transaction === step.transaction && later.event.kind === 'commit')?.event;
    if (commit) writes.push({ write: step.event, commit, before: steps.slice(0, index), transaction: step.transaction });
  });
  return writes;
}

/**
 * Writes that changed a row and were committed, in the order their commits were acknowledged:
 * their attempt saw no error, and they ran in autocommit or in a transaction that ended in COMMIT.
 */
export function committedWriteSteps(events: readonly TimelineEvent[]): CommittedWrite[] {
  const writes: CommittedWrite[] = [];
  for (const group of attempts(events).values()) {
    const failed = group.some((event) => event.failed || event.kind === 'retry' || event.kind === 'error');
    if (!failed) writes.push(...committedIn(inTransactions(group)));
  }
  return writes.sort((a, b) => a.commit.endMs - b.commit.endMs);
}

export function committedWrites(events: readonly TimelineEvent[]): TimelineEvent[] {
  return committedWriteSteps(events).map((committed) => committed.write);
}
