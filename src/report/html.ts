import type { RaceResult } from '../result/types.js';
import { lostWrites } from '../timeline/analyze.js';
import type { TimelineEvent } from '../timeline/types.js';
import { COMPARISON_HEAD, comparisonRow, expectedText } from './format-compare.js';
import { escapeHtml, latencyHistogramSvg, timelineSvg } from './svg.js';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #1f2933; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border-bottom: 1px solid #d9e2ec; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child, td.verdict, td.expected { text-align: left; }
.RACE { color: #b91c1c; font-weight: bold; } .CORRECT { color: #047857; }
.mismatch { color: #b91c1c; font-weight: bold; }
svg text { font: 11px system-ui, sans-serif; fill: #52606d; } svg text.label { fill: #fff; pointer-events: none; }
.bar { fill: #3b82f6; } .axis { stroke: #9aa5b1; }
.lost-write { stroke: #b91c1c; stroke-width: 3; } .erased-write { stroke: #b91c1c; stroke-dasharray: 3 2; stroke-width: 2; }
section { margin-top: 2em; }
`;

function comparisonTable(runs: readonly RaceResult[]): string {
  const head = COMPARISON_HEAD.map((name) => `<th>${escapeHtml(name)}</th>`).join('');
  const rows = runs.map(comparisonRow).map((row) => {
    const cells = [
      `<td>${escapeHtml(row.mode)}</td>`,
      `<td class="verdict ${row.verdict}">${row.verdict}</td>`,
      `<td class="expected${row.asExpected ? '' : ' mismatch'}">${expectedText(row)}</td>`,
      `<td>${row.lost}</td>`,
      `<td>${row.retries}</td>`,
      `<td>${row.failed}</td>`,
      `<td>${row.opsPerSec}</td>`,
      `<td>${row.p99Ms}</td>`,
    ];
    return `<tr data-mode="${escapeHtml(row.mode)}">${cells.join('')}</tr>`;
  });
  return `<table id="compare"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function timelineSection(timeline: readonly TimelineEvent[]): string[] {
  const workers = [...new Set(timeline.map((event) => event.worker))].sort((a, b) => a - b);
  const lost = lostWrites(timeline).length;
  return [
    `<h3>Timeline: the first operations of workers ${workers.join(', ')}</h3>`,
    lost > 0
      ? `<p class="lost-writes">${lost} lost write${lost === 1 ? '' : 's'} among them; drawn around the first. Outlined red: a write that overwrote another worker's committed update with a value computed from a read that had not seen it (dashed: the update it erased).</p>`
      : '<p>No lost write among them; drawn: the first of them.</p>',
    timelineSvg(timeline),
  ];
}

function runSection(run: RaceResult): string {
  const timeline = run.timeline ? timelineSection(run.timeline) : [];
  return [
    `<section class="run" id="run-${escapeHtml(run.mode)}">`,
    `<h2>${escapeHtml(`${run.scenario}/${run.mode}`)}: <span class="${run.verdict}">${run.verdict}</span></h2>`,
    `<p>${escapeHtml(`${run.invariant}: ${run.message}`)}</p>`,
    `<h3>Latency per ${escapeHtml(run.unit)} (p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms)</h3>`,
    latencyHistogramSvg(run.latencyHistogram, `latency histogram of ${run.mode}`),
    ...timeline,
    '</section>',
  ].join('\n');
}

/**
 * `--html FILE`: one self-contained page (inline CSS and SVG, no script, nothing fetched when it
 * is opened) with the comparison table, each run's latency histogram and its timeline.
 */
export function htmlReport(title: string, runs: readonly RaceResult[]): string {
  const first = runs[0];
  const about = first
    ? `${first.workers} workers × ${first.increments} ${first.unit}s on ${first.database.engine} ${first.database.serverVersion}`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(about)}</p>`,
    comparisonTable(runs),
    ...runs.map(runSection),
    '</body></html>',
  ].join('\n');
}
