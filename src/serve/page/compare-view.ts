import type { RaceResult } from '../../result/types.js';
import { escapeHtml, formatNumber } from './dom.js';

export interface ModeRow {
  readonly name: string;
  /** The mode's documented outcome. */
  readonly outcome: 'race' | 'correct';
}

interface Metric {
  readonly title: string;
  readonly field: 'lost' | 'retries' | 'opsPerSec';
  readonly colourByVerdict: boolean;
}

const ROW = 46;
const LEFT = 230;
const WIDTH = 760;

/** One horizontal bar chart: a row per mode, filled in as the modes finish. */
function chart(metric: Metric, modes: readonly ModeRow[], results: ReadonlyMap<string, RaceResult>, running: string | null): string {
  const values = modes.map((mode) => results.get(mode.name)?.[metric.field]);
  const most = Math.max(1, ...values.map((value) => Math.abs(value ?? 0)));
  const rows = modes.map((mode, index) => {
    const y = index * ROW + 8;
    const result = results.get(mode.name);
    const label = `<text x="${LEFT - 12}" y="${y + 27}" text-anchor="end">${escapeHtml(mode.name)}</text>`;
    if (!result) {
      const waiting = mode.name === running ? 'running…' : 'waiting';
      return `${label}<text class="pending" x="${LEFT}" y="${y + 27}">${waiting}</text>`;
    }
    const value = result[metric.field];
    const length = Math.max(2, (Math.abs(value) / most) * (WIDTH - LEFT - 120));
    const verdict = metric.colourByVerdict ? ` ${result.verdict}` : '';
    return `${label}<rect class="mode-bar${verdict}" x="${LEFT}" y="${y + 6}" width="${length.toFixed(1)}" height="30"><title>${escapeHtml(`${mode.name}: ${value}`)}</title></rect><text x="${(LEFT + length + 10).toFixed(1)}" y="${y + 29}" data-mode="${escapeHtml(mode.name)}" data-field="${metric.field}">${formatNumber(value)}</text>`;
  });
  const height = modes.length * ROW + 16;
  return `<div class="chart" data-metric="${metric.field}"><h3>${escapeHtml(metric.title)}</h3><svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(metric.title)}">${rows.join('')}</svg></div>`;
}

/** The comparison as three charts a room can read from the back: what was lost, what it cost in retries, and the throughput. */
export function comparisonHtml(modes: readonly ModeRow[], results: ReadonlyMap<string, RaceResult>, running: string | null, unit: string): string {
  const metrics: Metric[] = [
    { title: `Lost ${unit}s`, field: 'lost', colourByVerdict: true },
    { title: 'Retries', field: 'retries', colourByVerdict: false },
    { title: `Throughput (${unit}s per second)`, field: 'opsPerSec', colourByVerdict: false },
  ];
  const verdicts = modes
    .map((mode) => {
      const result = results.get(mode.name);
      const documented = mode.outcome === 'race' ? 'RACE' : 'CORRECT';
      const verdict = result ? `<span class="${result.verdict}">${result.verdict}</span>` : '<span class="muted">…</span>';
      return `<tr data-mode="${escapeHtml(mode.name)}"><td>${escapeHtml(mode.name)}</td><td class="verdict-cell">${verdict}</td><td class="muted">documented: ${documented}</td></tr>`;
    })
    .join('');
  return `<table class="verdicts">${verdicts}</table><div class="charts">${metrics.map((metric) => chart(metric, modes, results, running)).join('')}</div>`;
}
