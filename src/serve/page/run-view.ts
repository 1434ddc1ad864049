import type { RaceResult } from '../../result/types.js';
import { lostWrites } from '../../timeline/analyze.js';
import { databaseLabel } from '../../report/database-label.js';
import { latencyHistogramSvg, timelineSvg } from '../../report/svg.js';
import { withToken } from './api.js';
import { escapeHtml, formatNumber } from './dom.js';

/** The numbers a room reads off a run, each tagged with its field in the JSON (`data-field`). */
function numbers(result: RaceResult): [field: string, name: string, value: number | null, bad: boolean][] {
  return [
    ['expected', `expected ${result.quantity}`, result.expected, false],
    ['actual', `the database holds`, result.actual, result.verdict === 'RACE'],
    ['lost', `lost ${result.unit}s`, result.lost, result.lost !== 0],
    ['succeeded', `${result.unit}s that succeeded`, result.succeeded, false],
    ['failed', 'failed', result.failed, result.failed > 0],
    ['inDoubt', 'in doubt', result.inDoubt, result.inDoubt > 0],
    ['retries', 'retries', result.retries, false],
    ['opsPerSec', `${result.unit}s per second`, result.opsPerSec, false],
    ['latencyMs.p50', 'p50 latency (ms)', result.latencyMs.p50, false],
    ['latencyMs.p99', 'p99 latency (ms)', result.latencyMs.p99, false],
    ['elapsedMs', 'race took (ms)', result.elapsedMs, false],
    ['startSpreadMs', 'start spread (ms, server clock)', result.startSpreadMs, false],
  ];
}

function timelineSection(result: RaceResult): string {
  if (!result.timeline) return '';
  const lost = lostWrites(result.timeline).length;
  const note =
    lost > 0
      ? `${lost} lost write${lost === 1 ? '' : 's'} among the recorded operations; drawn around the first. Outlined red: the write that erased another worker's committed update (dashed).`
      : 'No lost write among the recorded operations.';
  return `<section class="run-section" id="timeline"><h3>Timeline</h3><p class="lost-writes">${escapeHtml(note)}</p>${timelineSvg(result.timeline)}</section>`;
}

/** A finished run as the page shows it: the verdict, its message, the numbers, the histogram and the timeline. */
export function runResultHtml(result: RaceResult, id: number): string {
  const cells = numbers(result)
    .filter(([, , value]) => value !== null)
    .map(([field, name, value, bad]) => `<div class="number${bad ? ' bad' : ''}" data-field="${field}"><div class="value">${formatNumber(value as number)}</div><div class="name">${escapeHtml(name)}</div></div>`);
  return [
    `<p class="verdict ${result.verdict}" id="verdict">${result.verdict}</p>`,
    `<p class="message">${escapeHtml(`${result.scenario}/${result.mode}: ${result.message}`)}</p>`,
    `<div class="numbers">${cells.join('')}</div>`,
    `<p class="muted">${escapeHtml(`${result.workers} workers × ${result.increments} on ${databaseLabel(result)}`)} · <a href="${escapeHtml(withToken(`/api/results/${id}`))}" id="result-json" target="_blank">the result as JSON</a></p>`,
    `<section class="run-section"><h3>Latency per ${escapeHtml(result.unit)}</h3>${latencyHistogramSvg(result.latencyHistogram, `latency histogram of ${result.mode}`)}</section>`,
    timelineSection(result),
  ].join('\n');
}
