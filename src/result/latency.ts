import type { LatencyCounts } from '../latency-counts.js';

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** One bar of the latency histogram: operations that took from `fromMs` up to `toMs`. */
export interface LatencyBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

/** Every worker's counts added up, as [µs, count] pairs from the fastest. */
export type MergedLatency = readonly (readonly [number, number])[];

export function mergeLatency(all: readonly LatencyCounts[]): MergedLatency {
  const merged = new Map<number, number>();
  for (const counts of all) for (const [us, count] of Object.entries(counts)) merged.set(Number(us), (merged.get(Number(us)) ?? 0) + count);
  return [...merged.entries()].sort(([a], [b]) => a - b);
}

const ms = (us: number) => Math.round(us) / 1000;
const total = (merged: MergedLatency) => merged.reduce((sum, [, count]) => sum + count, 0);

/** The latencies in `buckets` log-spaced bars from the fastest to the slowest operation. */
export function latencyBuckets(merged: MergedLatency, buckets = 20): LatencyBucket[] {
  if (merged.length === 0) return [];
  const lowest = Math.max(1, merged[0]?.[0] ?? 1);
  const highest = Math.max(lowest + 1, merged.at(-1)?.[0] ?? lowest);
  const edges = Array.from({ length: buckets + 1 }, (_, index) => lowest * (highest / lowest) ** (index / buckets));
  const counts = Array.from({ length: buckets }, () => 0);
  for (const [us, count] of merged) {
    const index = edges.findIndex((edge, at) => at > 0 && us <= edge);
    const bucket = index === -1 ? buckets - 1 : Math.max(0, index - 1);
    counts[bucket] = (counts[bucket] ?? 0) + count;
  }
  return counts.map((count, index) => ({ fromMs: ms(edges[index] ?? lowest), toMs: ms(edges[index + 1] ?? highest), count }));
}

/** The value below which `percentile` % of the operations fall (the nearest-rank method). */
function percentileOf(merged: MergedLatency, all: number, percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * all));
  let seen = 0;
  for (const [us, count] of merged) {
    seen += count;
    if (seen >= rank) return us;
  }
  return merged.at(-1)?.[0] ?? 0;
}

/** The merged latencies' summary, in milliseconds. */
export function summarizeLatency(merged: MergedLatency): LatencySummary {
  const all = total(merged);
  if (all === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sum = merged.reduce((acc, [us, count]) => acc + us * count, 0);
  return {
    p50: ms(percentileOf(merged, all, 50)),
    p95: ms(percentileOf(merged, all, 95)),
    p99: ms(percentileOf(merged, all, 99)),
    max: ms(merged.at(-1)?.[0] ?? 0),
    mean: ms(sum / all),
  };
}
