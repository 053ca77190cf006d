/**
 * Statistics of one sample set — what a fork reports of its own timed
 * replays: median, mean, p99, spread, the relative margin of error of the
 * mean (Student's t) and of the median (order statistics), and the thinning
 * of raw samples kept per result line. simple-statistics and @stdlib where
 * they have the function. Pure: no I/O, no clock, no randomness.
 */
import { createRequire } from 'node:module';
import { mean as ssMean, medianSorted, quantileSorted, sampleStandardDeviation } from 'simple-statistics';

type TQuantile = (p: number, df: number) => number;
let tQuantile: TQuantile | null = null;

/**
 * Student's t quantile t_{0.975, df}: the half-width factor of a two-sided
 * 95% interval (@stdlib).
 * @throws RangeError for df < 1
 */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  // Loaded on first use: @stdlib's module graph costs ~90 ms to import, and
  // every fork is a fresh isolate that never needs it (forks report mean and
  // sd; the parent turns them into an rme).
  tQuantile ??= createRequire(import.meta.url)('@stdlib/stats-base-dists-t-quantile') as TQuantile;
  return tQuantile(0.975, Math.floor(df));
}

/** Location and spread of one sample set. Units are those of the samples (the harness uses ns). */
export interface SampleStats {
  /** Number of samples. */
  n: number;
  median: number;
  mean: number;
  /** 99th percentile (simple-statistics `quantileSorted`, p = 0.99). */
  p99: number;
  min: number;
  max: number;
  /** Sample standard deviation (n − 1); 0 for one sample. */
  sd: number;
  /** Relative margin of error of the median, percent (`medianRme`). */
  medianRme: number;
}

/**
 * Relative margin of error of the mean at 95%, percent (tinybench's and
 * Benchmark.js's definition): t_{0.975, n−1} · (sd / √n) / mean · 100.
 * @returns 0 for fewer than two samples or a zero mean
 */
export function rme(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  return meanRme(xs.length, ssMean(xs as number[]), sampleStandardDeviation(xs as number[]));
}

/**
 * `rme` from a sample set's size, mean and sample standard deviation:
 * t_{0.975, n−1} · (sd / √n) / |mean| · 100, percent.
 * @returns 0 for fewer than two samples or a zero mean
 */
export function meanRme(n: number, mean: number, sd: number): number {
  if (n < 2 || mean === 0) return 0;
  return (tQuantile95(n - 1) * (sd / Math.sqrt(n)) * 100) / Math.abs(mean);
}

/**
 * Summary statistics of a sample set.
 * @param xs samples (any order, not modified)
 * @throws RangeError for an empty sample set
 */
export function sampleStats(xs: readonly number[]): SampleStats {
  if (xs.length === 0) throw new RangeError('no samples');
  const s = Array.from(xs).sort((a, b) => a - b);
  return {
    n: s.length,
    median: medianSorted(s),
    mean: ssMean(s),
    p99: quantileSorted(s, 0.99),
    min: s[0]!,
    max: s[s.length - 1]!,
    sd: s.length > 1 ? sampleStandardDeviation(s) : 0,
    medianRme: medianRme(s),
  };
}

/**
 * At most `max` values standing for `sorted`: itself when short enough, else
 * the order statistics at evenly spaced ranks (first and last kept). Used to
 * bound the raw samples stored per result line.
 * @param sorted ascending samples
 */
export function thinSorted(sorted: readonly number[], max: number): number[] {
  if (sorted.length <= max) return sorted.slice();
  const out = new Array<number>(max);
  const step = (sorted.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out[i] = sorted[Math.round(i * step)]!;
  return out;
}

/**
 * Distribution-free 95% confidence interval of the median from order
 * statistics (normal approximation to the binomial): the 1-based ranks
 * r = ⌊n/2 − 1.96·√n/2⌋ and s = ⌈n/2 + 1 + 1.96·√n/2⌉, clamped to [1, n]
 * (n = 100 gives ranks 40 and 61).
 * @param sorted ascending samples
 * @throws RangeError for no samples
 */
export function medianCI(sorted: readonly number[]): { low: number; high: number } {
  const n = sorted.length;
  if (n === 0) throw new RangeError('no samples');
  const h = (1.959963984540054 * Math.sqrt(n)) / 2;
  const r = Math.max(1, Math.floor(n / 2 - h));
  const s = Math.min(n, Math.ceil(n / 2 + 1 + h));
  return { low: sorted[r - 1]!, high: sorted[s - 1]! };
}

/**
 * Relative margin of error of the median, percent: half the width of
 * `medianCI` divided by the median. Robust to the rare long samples
 * (preemption, a GC) that inflate the mean-based `rme`.
 * @returns 0 for fewer than two samples or a zero median
 */
export function medianRme(sorted: readonly number[]): number {
  if (sorted.length < 2) return 0;
  const m = medianSorted(sorted as number[]);
  if (m === 0) return 0;
  const ci = medianCI(sorted);
  return ((ci.high - ci.low) / 2 / Math.abs(m)) * 100;
}
