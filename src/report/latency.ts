import { createHistogram } from 'node:perf_hooks';
import type { RecordableHistogram } from 'node:perf_hooks';

/**
 * Latencies are recorded in whole microseconds into HDR histograms: Node's built-in one
 * (perf_hooks.createHistogram, backed by HdrHistogram_c). Each worker thread records its own;
 * the histogram survives postMessage, and the coordinator merges them with `add`, as autocannon
 * does. Being built in, it costs each of a hundred threads no module to load.
 */
export type LatencyHistogram = RecordableHistogram;

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** One hour in microseconds: the largest latency recorded without clamping. */
const HIGHEST_US = 3_600_000_000;

export function createLatencyHistogram(): LatencyHistogram {
  return createHistogram({ lowest: 1, highest: HIGHEST_US, figures: 3 });
}

export function recordMs(histogram: LatencyHistogram, ms: number): void {
  histogram.record(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
}

/** Merges the workers' histograms into one summary, in milliseconds. */
export function summarizeLatency(histograms: readonly LatencyHistogram[]): LatencySummary {
  const merged = createLatencyHistogram();
  for (const histogram of histograms) merged.add(histogram);
  if (merged.count === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(merged.percentile(50)),
    p95: ms(merged.percentile(95)),
    p99: ms(merged.percentile(99)),
    max: ms(merged.max),
    mean: ms(merged.mean),
  };
}
