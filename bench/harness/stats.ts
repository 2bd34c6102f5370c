/** Summary statistics of benchmark samples. */

/** Median, min and max of a sample set, in the unit of the samples. */
export interface SampleSummary {
  readonly count: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function sortedCopy(samples: readonly number[]): number[] {
  if (samples.length === 0) {
    throw new Error('cannot summarize an empty sample set');
  }
  return [...samples].sort((a, b) => a - b);
}

/** Returns the median: the middle sample, or the mean of the two middle samples of an even count. */
export function median(samples: readonly number[]): number {
  const sorted = sortedCopy(samples);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Returns the nearest-rank percentile `p` (0 < p <= 100). */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = sortedCopy(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Summarizes samples as count, median, min and max. */
export function summarize(samples: readonly number[]): SampleSummary {
  const sorted = sortedCopy(samples);
  return { count: sorted.length, median: median(sorted), min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Rounds to `digits` decimal places, for result files that humans read. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
