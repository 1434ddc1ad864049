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

/** One bar of the latency histogram: operations that took from `fromMs` up to `toMs`. */
export interface LatencyBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

export function mergeLatency(histograms: readonly LatencyHistogram[]): LatencyHistogram {
  const merged = createLatencyHistogram();
  for (const histogram of histograms) merged.add(histogram);
  return merged;
}

/**
 * The merged histogram in `buckets` log-spaced bars from the fastest to the slowest operation.
 * Node's histogram exposes its distribution as a percentile curve, so a bar's count is the
 * difference of the curve at its two edges.
 */
export function latencyBuckets(merged: LatencyHistogram, buckets = 20): LatencyBucket[] {
  if (merged.count === 0) return [];
  const lowest = Math.max(1, merged.min);
  const highest = Math.max(lowest + 1, merged.max);
  const curve = [...merged.percentiles.entries()].sort(([a], [b]) => a - b);
  const countUpTo = (us: number) => {
    let percentile = 0;
    for (const [point, value] of curve) if (value <= us) percentile = point;
    return Math.round((merged.count * percentile) / 100);
  };
  const edges = Array.from({ length: buckets + 1 }, (_, index) => lowest * (highest / lowest) ** (index / buckets));
  const ms = (us: number) => Math.round(us) / 1000;
  return edges.slice(1).map((edge, index) => ({
    fromMs: ms(edges[index] ?? lowest),
    toMs: ms(edge),
    count: countUpTo(index === buckets - 1 ? Number.POSITIVE_INFINITY : edge) - (index === 0 ? 0 : countUpTo(edges[index] ?? lowest)),
  }));
}

/** Merges the workers' histograms into one summary, in milliseconds. */
export function summarizeLatency(merged: LatencyHistogram): LatencySummary {
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
