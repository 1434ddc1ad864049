import { attemptOf, attempts } from './commits.js';
import type { LostWrite } from './lost-writes.js';
import type { TimelineEvent } from './types.js';

export { attempts, committedWrites } from './commits.js';
export { lostWrites } from './lost-writes.js';
export type { LostWrite } from './lost-writes.js';

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
