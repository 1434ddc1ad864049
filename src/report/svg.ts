import { lostWrites, timelineWindow } from '../timeline/analyze.js';
import { erasedNote, lostNote } from './format-timeline.js';
import type { TimelineEvent, TimelineKind } from '../timeline/types.js';
import type { LatencyBucket } from '../result/latency.js';

/** Text for HTML and SVG: nothing a value holds can open a tag. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const round = (value: number) => Math.round(value * 10) / 10;

/** The latency histogram as bars: one per bucket, height by count, labelled with the bucket's range. */
export function latencyHistogramSvg(buckets: readonly LatencyBucket[], label: string): string {
  const width = 640;
  const height = 200;
  const bottom = 170;
  const left = 40;
  const most = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const barWidth = buckets.length > 0 ? (width - left - 10) / buckets.length : 0;
  const bars = buckets.map((bucket, index) => {
    const barHeight = (bucket.count / most) * (bottom - 20);
    const x = round(left + index * barWidth);
    return `<rect class="bar" x="${x}" y="${round(bottom - barHeight)}" width="${round(Math.max(1, barWidth - 2))}" height="${round(barHeight)}"><title>${escapeHtml(`${bucket.fromMs}–${bucket.toMs} ms: ${bucket.count}`)}</title></rect>`;
  });
  const firstEdge = buckets[0]?.fromMs ?? 0;
  const lastEdge = buckets.at(-1)?.toMs ?? 0;
  return [
    `<svg class="latency-histogram" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">`,
    `<line x1="${left}" y1="${bottom}" x2="${width - 10}" y2="${bottom}" class="axis"/>`,
    ...bars,
    `<text x="${left}" y="${bottom + 16}">${escapeHtml(`${firstEdge} ms`)}</text>`,
    `<text x="${width - 10}" y="${bottom + 16}" text-anchor="end">${escapeHtml(`${lastEdge} ms (log scale)`)}</text>`,
    `<text x="${left - 4}" y="20" text-anchor="end">${most}</text>`,
    '</svg>',
  ].join('\n');
}

const KIND_COLORS: Readonly<Record<TimelineKind, string>> = {
  begin: '#9aa5b1',
  read: '#3b82f6',
  lock: '#8b5cf6',
  write: '#f59e0b',
  commit: '#10b981',
  rollback: '#6b7280',
  statement: '#9aa5b1',
  retry: '#ef4444',
  error: '#b91c1c',
};

/**
 * The recorded workers on one time axis, a lane each; a write that overwrote another worker's update
 * from a read that had not seen it is outlined red, the update it erased dashed.
 */
export function timelineSvg(events: readonly TimelineEvent[]): string {
  const lost = lostWrites(events);
  const shown = timelineWindow(events, lost);
  const workers = [...new Set(events.map((event) => event.worker))].sort((a, b) => a - b);
  const width = 900;
  const left = 50;
  const lane = 34;
  const height = workers.length * lane + 60;
  if (shown.length === 0) return `<svg class="timeline" viewBox="0 0 ${width} 40" width="${width}" height="40"><text x="10" y="24">nothing recorded</text></svg>`;
  const from = Math.min(...shown.map((event) => event.startMs));
  const span = Math.max(0.001, Math.max(...shown.map((event) => event.endMs)) - from);
  const x = (time: number) => round(left + ((time - from) / span) * (width - left - 10));
  const erasing = new Set(lost.map((pair) => pair.by));
  const erased = new Set(lost.map((pair) => pair.overwritten));
  const lanes = workers.map((worker, index) => `<text x="4" y="${index * lane + 30}">w${worker}</text>`);
  const boxes = shown.map((event) => {
    const y = workers.indexOf(event.worker) * lane + 14;
    const start = x(event.startMs);
    const classes = ['event', event.kind, ...(erasing.has(event) ? ['lost-write'] : []), ...(erased.has(event) ? ['erased-write'] : [])].join(' ');
    const note = erasedNote(event, lost) || lostNote(event, lost);
    const title = `w${event.worker} op ${event.operation}${event.attempt > 0 ? ` attempt ${event.attempt + 1}` : ''}: ${event.kind} ${event.detail}${note ? ` (${note})` : ''}`;
    const boxWidth = round(Math.max(2, x(event.endMs) - start));
    // The value read or written, where the box has room for it: a stale read and its write are the story.
    const label = event.detail && boxWidth > event.detail.length * 6 ? `<text x="${round(start + 3)}" y="${y + 15}" class="label">${escapeHtml(event.detail)}</text>` : '';
    return `<rect class="${classes}" x="${start}" y="${y}" width="${boxWidth}" height="22" fill="${KIND_COLORS[event.kind]}"><title>${escapeHtml(title)}</title></rect>${label}`;
  });
  const legend = Object.entries(KIND_COLORS)
    .filter(([kind]) => kind !== 'statement')
    .map(([kind, color], index) => `<rect x="${left + index * 90}" y="${height - 24}" width="12" height="12" fill="${color}"/><text x="${left + index * 90 + 16}" y="${height - 14}">${kind}</text>`);
  return [
    `<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline of workers ${workers.join(', ')}">`,
    ...lanes,
    ...boxes,
    `<text x="${left}" y="${workers.length * lane + 24}">0 ms</text>`,
    `<text x="${width - 10}" y="${workers.length * lane + 24}" text-anchor="end">${span.toFixed(3)} ms</text>`,
    ...legend,
    '</svg>',
  ].join('\n');
}
