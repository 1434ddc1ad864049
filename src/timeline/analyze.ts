import type { TimelineEvent } from './types.js';

/** A committed write that another worker's committed write replaced with the very same values. */
export interface LostWrite {
  readonly overwritten: TimelineEvent;
  readonly by: TimelineEvent;
}

const attemptOf = (event: TimelineEvent) => `${event.worker}/${event.operation}/${event.attempt}`;

/** Events grouped by the attempt they belong to, in time order. */
export function attempts(events: readonly TimelineEvent[]): Map<string, TimelineEvent[]> {
  const grouped = new Map<string, TimelineEvent[]>();
  for (const event of events) {
    const key = attemptOf(event);
    grouped.set(key, [...(grouped.get(key) ?? []), event]);
  }
  return grouped;
}

/**
 * Writes that changed a row and were committed: their attempt saw no error, and either ran
 * without a transaction (autocommit) or ended in a COMMIT.
 */
export function committedWrites(events: readonly TimelineEvent[]): TimelineEvent[] {
  const writes: TimelineEvent[] = [];
  for (const group of attempts(events).values()) {
    const failed = group.some((event) => event.failed || event.kind === 'retry' || event.kind === 'error');
    const inTransaction = group.some((event) => event.kind === 'begin');
    const committed = !failed && (!inTransaction || group.some((event) => event.kind === 'commit'));
    if (committed) writes.push(...group.filter((event) => event.kind === 'write' && (event.rows ?? 0) > 0));
  }
  return writes.sort((a, b) => a.endMs - b.endMs);
}

/**
 * The lost-update signature: two workers commit the same statement with the same values
 * (`SET counter = 42` twice, each having read 41), so the later write erases the earlier one's
 * effect. Correct strategies never write the same values twice; the `lost` mode does it often.
 */
export function lostWrites(events: readonly TimelineEvent[]): LostWrite[] {
  const lastWrite = new Map<string, TimelineEvent>();
  const lost: LostWrite[] = [];
  for (const write of committedWrites(events)) {
    const key = `${write.sql ?? ''}\u0000${write.detail}`;
    const previous = lastWrite.get(key);
    if (previous && previous.worker !== write.worker) lost.push({ overwritten: previous, by: write });
    lastWrite.set(key, write);
  }
  return lost;
}

/** The events worth drawing: around the first lost write, or else the first few. */
export function timelineWindow(events: readonly TimelineEvent[], lost: readonly LostWrite[], fallbackEvents = 16): TimelineEvent[] {
  if (events.length === 0) return [];
  const first = lost[0];
  let from: number;
  let to: number;
  if (first) {
    const grouped = attempts(events);
    const involved = [...(grouped.get(attemptOf(first.overwritten)) ?? []), ...(grouped.get(attemptOf(first.by)) ?? [])];
    from = Math.min(...involved.map((event) => event.startMs));
    to = Math.max(...involved.map((event) => event.endMs));
  } else {
    const shown = events.slice(0, fallbackEvents);
    from = Math.min(...shown.map((event) => event.startMs));
    to = Math.max(...shown.map((event) => event.endMs));
  }
  return events.filter((event) => event.endMs >= from && event.startMs <= to);
}
