import type { TimelineEvent } from '../timeline/types.js';
import type { ScheduleRun } from './run-schedule.js';

/**
 * The recorded statements of a schedule on an axis of steps instead of milliseconds: the i-th
 * step starts at i and ends when it completed (later, if it waited for a lock), so the existing
 * timeline analysis and drawing show the interleaving exactly as it was chosen. A worker's
 * statement events are its steps, in order; the rig's notes (retry, error) sit where the
 * statement before them ended.
 */
export function stepTimeline(run: ScheduleRun): TimelineEvent[] {
  const stepsOf = new Map<number, number[]>();
  run.steps.forEach((step, index) => stepsOf.set(step.worker, [...(stepsOf.get(step.worker) ?? []), index]));
  const events: TimelineEvent[] = [];
  for (const [worker, indexes] of stepsOf) {
    let next = 0;
    let lastEnd = 0;
    for (const event of run.result.timeline?.filter((each) => each.worker === worker) ?? []) {
      if (event.sql === null) {
        events.push({ ...event, startMs: lastEnd, endMs: lastEnd });
        continue;
      }
      const index = indexes[next++];
      if (index === undefined) break;
      const step = run.steps[index];
      lastEnd = step?.completedAt ?? run.steps.length;
      events.push({ ...event, startMs: index, endMs: lastEnd });
    }
  }
  return events.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}
