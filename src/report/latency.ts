import * as hdr from 'hdr-histogram-js';

/**
 * Latencies are recorded in whole microseconds into HDR histograms (3 significant digits);
 * workers send theirs back compressed and the coordinator merges them, as autocannon does.
 */
const BIT_BUCKET_SIZE = 32;

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export type LatencyHistogram = hdr.Histogram;

export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({ bitBucketSize: BIT_BUCKET_SIZE, autoResize: true, numberOfSignificantValueDigits: 3 });
}

export function recordMs(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

/** Merges encoded histograms into one summary, in milliseconds. */
export function summarizeLatency(encoded: readonly string[]): LatencySummary {
  const merged = createLatencyHistogram();
  for (const item of encoded) {
    const histogram = hdr.decodeFromCompressedBase64(item, BIT_BUCKET_SIZE);
    merged.add(histogram);
  }
  if (merged.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(merged.getValueAtPercentile(50)),
    p95: ms(merged.getValueAtPercentile(95)),
    p99: ms(merged.getValueAtPercentile(99)),
    max: ms(merged.maxValue),
    mean: Math.round(merged.mean) / 1000,
  };
}
