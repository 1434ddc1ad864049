import { Chalk } from 'chalk';
import { lostWrites, timelineWindow } from '../timeline/analyze.js';
import type { LostWrite } from '../timeline/analyze.js';
import type { TimelineEvent, TimelineKind } from '../timeline/types.js';

const WIDTH = 64;

/** The letter that marks an event on a worker's line. */
export const EVENT_LETTERS: Readonly<Record<TimelineKind, string>> = {
  begin: 'B',
  read: 'R',
  lock: 'L',
  write: 'W',
  commit: 'C',
  rollback: 'A',
  statement: 'S',
  retry: 'r',
  error: 'x',
};

const LEGEND = 'R read  L locking read  W write  B begin  C commit  A rollback  r retry  x error  ! a write that overwrote an update its read had not seen';

const ms = (value: number) => `${value.toFixed(3)} ms`;

function workerLine(events: readonly TimelineEvent[], from: number, span: number, erasing: ReadonlySet<TimelineEvent>): string {
  const cells = Array.from({ length: WIDTH }, () => ' ');
  const column = (time: number) => Math.min(WIDTH - 1, Math.max(0, Math.floor(((time - from) / span) * WIDTH)));
  for (const event of events) {
    const start = column(event.startMs);
    const end = Math.max(start, column(event.endMs));
    for (let cell = start + 1; cell <= end; cell++) cells[cell] = cell === end ? '>' : '-';
    cells[start] = erasing.has(event) ? '!' : EVENT_LETTERS[event.kind];
  }
  return cells.join('');
}

/** After an erasing write: whose updates it overwrote, from which read. */
export function erasedNote(event: TimelineEvent, lost: readonly LostWrite[]): string {
  const erased = lost.filter((pair) => pair.by === event);
  const [first] = erased;
  if (!first) return '';
  const whose = [...new Set(erased.map((pair) => `w${pair.overwritten.worker}`))].join(', ');
  const what = erased.length === 1 ? `${whose}'s update` : `the updates of ${whose}`;
  const read = first.read.detail ? ` (${first.read.detail})` : '';
  return `overwrote ${what}: its value came from a read${read} that had not seen ${erased.length === 1 ? 'it' : 'them'}, so ${erased.length === 1 ? 'that update is' : 'they are'} lost`;
}

/** After an erased write: who overwrote it. */
export function lostNote(event: TimelineEvent, lost: readonly LostWrite[]): string {
  const pair = lost.find((candidate) => candidate.overwritten === event);
  return pair ? `this update is lost: w${pair.by.worker} overwrote it with a value computed from an older read` : '';
}

function describe(event: TimelineEvent, lost: readonly LostWrite[]): string {
  const note = erasedNote(event, lost) || lostNote(event, lost);
  return `${event.kind.padEnd(9)}${event.detail}${note ? `  ← ${note}` : ''}`;
}

/**
 * `--timeline`: the recorded workers as lines of letters on one time axis (`w0 |R-->W>  |`), around
 * the first lost write if there is one, then the same events as a list with what they read and
 * wrote, so that a write computed from a read that another worker's commit had already made stale
 * can be seen erasing that commit.
 */
export function formatTimeline(timeline: readonly TimelineEvent[], options: { readonly color?: boolean; readonly unit?: 'ms' | 'steps' } = {}): string {
  const steps = options.unit === 'steps';
  // On explore's axis of steps, event i starts at i: shown 1-based.
  const at = (value: number) => (steps ? `step ${value + 1}` : ms(value));
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  if (timeline.length === 0) return 'timeline: nothing was recorded (no operation ran)';
  const lost = lostWrites(timeline);
  const shown = timelineWindow(timeline, lost);
  const from = Math.min(...shown.map((event) => event.startMs));
  const to = Math.max(...shown.map((event) => event.endMs));
  const span = Math.max(to - from, 0.001);
  const erasing = new Set(lost.map((pair) => pair.by));
  const workers = [...new Set(timeline.map((event) => event.worker))].sort((a, b) => a - b);
  const operations = new Set(timeline.map((event) => `${event.worker}/${event.operation}`)).size;

  const headline = lost.length > 0
    ? paint.red(`${lost.length} lost write${lost.length === 1 ? '' : 's'} in ${operations} recorded operations; the first:`)
    : paint.green(`no lost write in ${operations} recorded operations; the first of them:`);
  const lines = [
    `timeline of workers ${workers.map((worker) => `w${worker}`).join(', ')}: ${headline}`,
    ...workers.map((worker) => `  w${String(worker).padEnd(3)}|${workerLine(shown.filter((event) => event.worker === worker), from, span, erasing)}|`),
    steps ? `      ${at(from).padEnd(WIDTH - at(to - 1).length + 1)}${at(to - 1)}` : `      ${'0'.padEnd(WIDTH - ms(span).length + 1)}${ms(span)}`,
    `  ${paint.dim(LEGEND)}`,
    '',
    ...shown.map((event) => `  ${steps ? at(event.startMs).padStart(9) : `+${ms(event.startMs - from).padStart(11)}`}  w${String(event.worker).padEnd(3)} ${describe(event, lost)}`),
  ];
  return lines.join('\n');
}
