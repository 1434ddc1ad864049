/**
 * Latencies are counted as plain data: whole microseconds, rounded to three significant digits
 * (the precision of an HDR histogram with 3 figures), each with how often it occurred. Plain data
 * crosses threads and processes as it is, merges by adding counts, and gives exact percentiles
 * and buckets. A run holds at most a few thousand distinct values, however many operations it has.
 */
export type LatencyCounts = Record<number, number>;

/** One hour in microseconds: the largest latency recorded without clamping. */
const HIGHEST_US = 3_600_000_000;

export function createLatencyCounts(): LatencyCounts {
  return {};
}

/** Three significant digits: 1234 µs counts as 1230, 98 as 98. */
function rounded(us: number): number {
  if (us < 1000) return us;
  const unit = 10 ** (Math.floor(Math.log10(us)) - 2);
  return Math.round(us / unit) * unit;
}

export function recordUs(counts: LatencyCounts, us: number): void {
  const key = rounded(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
  counts[key] = (counts[key] ?? 0) + 1;
}

export function recordMs(counts: LatencyCounts, ms: number): void {
  recordUs(counts, ms * 1000);
}
