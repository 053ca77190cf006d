/**
 * Statistics across forks, for summaries and comparisons. Well-kept
 * libraries where they have the function — simple-statistics (median,
 * quantiles, mean, standard deviation, harmonic mean), @stdlib (Welch's
 * t-test, Benjamini–Hochberg) — and here what they lack, small and tested
 * against known values:
 *
 * - the two-level bootstrap of a cell measured in several forks
 *   (`bootstrapForks`): forks, then samples within a fork — the fork, a fresh
 *   isolate, is the unit of replication, so intervals resample forks, never
 *   pooled samples as if they were independent — and ratios of two cells
 *   (`ratioCI`),
 * - a complexity class fitted across sizes (`fitComplexity`, Google
 *   Benchmark's least-squares fit without intercept).
 *
 * Resampling draws from the project's one PRNG (workloads/rng.ts), seeded
 * by the caller. No I/O, no clock, no global state: same inputs, same outputs.
 * Statistics of one fork's samples are in bench/measure/sample-stats.ts.
 */
import padjust from '@stdlib/stats-padjust';
import ttest2 from '@stdlib/stats-ttest2';
import { harmonicMean as ssHarmonicMean, mean as ssMean, medianSorted, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { Rng } from '../../workloads/rng.js';
import { thinSorted } from '../measure/sample-stats.js';

/** Harmonic mean (simple-statistics): the mean for rates such as ops/s. @throws for an empty list or a non-positive value */
export function harmonicMean(xs: readonly number[]): number {
  return ssHarmonicMean(xs as number[]);
}

/** An interval. */
export interface Interval {
  low: number;
  high: number;
}

/** A ratio with its confidence interval. */
export interface RatioCI extends Interval {
  /** The ratio of the two point estimates. */
  ratio: number;
  /** Confidence level, e.g. 0.95. */
  confidence: number;
}

/** Options of the fork bootstrap. */
export interface BootstrapOptions {
  /** Outer (fork-level) resamples. Default 1000. */
  resamples?: number;
  /** Inner resamples of each fork's figure, drawn once and reused. Default 200. */
  innerResamples?: number;
  /** Samples per fork used by the inner level (evenly spaced order statistics beyond). Default 200. */
  maxSamplesPerFork?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

/**
 * A fork's figure from its samples, ns: its fastest replay. Timing noise on
 * a deterministic replay only ever adds time — an interrupt, a GC, and on
 * shared hosts phases of 0.1–several s in which memory-bound code runs
 * ~1.5× slower in every isolate at once — so the fastest replay is the
 * fork's most reproducible figure (Chen & Revels, "Robust benchmarking in
 * noisy environments", 2016, BenchmarkTools.jl), while the forks between
 * them still carry what differs from isolate to isolate (the JIT's
 * choices). Measured on this project's 2-core host: two runs of the same
 * matrix agree within 10% on 92–100% of cells by this figure, on 29–77% by
 * the fork's median (README, "How far the figures reproduce").
 * @throws RangeError for no samples
 */
export function forkFigure(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('a fork figure needs samples');
  return Math.min(...samples);
}

/** The fork figure (minimum) of a resample (with replacement) of ascending `sorted`: the lowest rank drawn. */
function resampledFigure(sorted: readonly number[], rng: Rng): number {
  const n = sorted.length;
  let lowest = n - 1;
  for (let i = 0; i < n; i++) lowest = Math.min(lowest, rng.int(n));
  return sorted[lowest]!;
}

/** The two-level bootstrap of one cell: its point estimate and the resampled distribution of it. */
export interface ForkBootstrap {
  /** The median of the fork figures (`forkFigure`). */
  point: number;
  /** One value of the statistic per outer resample, in draw order (not sorted). */
  draws: Float64Array;
}

/** Checked bootstrap options with their defaults. */
function bootstrapSettings(options: BootstrapOptions): { resamples: number; inner: number; maxPerFork: number; rng: Rng } {
  const resamples = options.resamples ?? 1000;
  const inner = options.innerResamples ?? 200;
  if (!Number.isSafeInteger(resamples) || resamples < 10 || !Number.isSafeInteger(inner) || inner < 1) throw new RangeError('bootstrap resamples must be integers (outer ≥ 10, inner ≥ 1)');
  return { resamples, inner, maxPerFork: options.maxSamplesPerFork ?? 200, rng: new Rng(options.seed ?? 1) };
}

/** A fork's samples ascending, thinned to `max` order statistics. */
function sortedFork(samples: readonly number[], max: number): number[] {
  return thinSorted([...samples].sort((a, b) => a - b), max);
}

/** `inner` resampled figures of each fork (ascending samples), drawn in fork order. */
function innerFigures(sorted: readonly (readonly number[])[], inner: number, rng: Rng): Float64Array[] {
  return sorted.map((f) => {
    const d = new Float64Array(inner);
    for (let i = 0; i < inner; i++) d[i] = resampledFigure(f, rng);
    return d;
  });
}

/** Median of the first `k` values of `pick` (sorted in place). */
function medianOfPick(pick: Float64Array, k: number): number {
  pick.sort();
  return k % 2 === 1 ? pick[k >> 1]! : (pick[(k >> 1) - 1]! + pick[k >> 1]!) / 2;
}

/**
 * Two-level bootstrap of "the median of the fork figures" (`forkFigure`)
 * of a cell measured in several forks (Davison & Hinkley's hierarchical
 * bootstrap: resample the units, then within each unit). Each outer
 * resample draws K forks with replacement and, for each, one resampled
 * figure of its samples (drawn from `innerResamples` precomputed per fork), then takes the
 * median of those K values. With one fork the interval reflects only that
 * fork's samples; a cell needs several forks for an honest interval.
 * @param forks each fork's samples (any order; forks without samples are skipped)
 * @throws RangeError when no fork has samples
 */
export function bootstrapForks(forks: readonly (readonly number[])[], options: BootstrapOptions = {}): ForkBootstrap {
  const { resamples, inner, maxPerFork, rng } = bootstrapSettings(options);
  const sorted = forks.filter((f) => f.length > 0).map((f) => sortedFork(f, maxPerFork));
  const k = sorted.length;
  if (k === 0) throw new RangeError('bootstrap needs a fork with samples');
  const figures = sorted.map((f) => f[0]!);
  const innerDraws = innerFigures(sorted, inner, rng);
  const pick = new Float64Array(k);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < k; j++) pick[j] = innerDraws[rng.int(k)]![rng.int(inner)]!;
    draws[r] = medianOfPick(pick, k);
  }
  return { point: medianOf(figures), draws };
}

/**
 * Two-level bootstrap of the median over forks of a paired difference
 * a_k − b_k, where fork k of `a` and fork k of `b` were measured side by side
 * (the same block of the group's schedule): the point is the median of the
 * differences of the fork figures; each outer resample draws K fork indices
 * with replacement — both sides of a pair together — and, for each, one
 * resampled figure of each side. Used for a cell's tracker-only cost (the
 * cell minus the `null` tracker in the same block).
 * @param a each fork's samples, indexed by fork
 * @param b the other cell's, indexed by the same forks (pairs where either side has no samples are skipped)
 * @throws RangeError when no pair has samples on both sides
 */
export function bootstrapPairedDifference(a: readonly (readonly number[] | undefined)[], b: readonly (readonly number[] | undefined)[], options: BootstrapOptions = {}): ForkBootstrap {
  const { resamples, inner, maxPerFork, rng } = bootstrapSettings(options);
  const ka: number[][] = [];
  const kb: number[][] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.length === 0 || y.length === 0) continue;
    ka.push(sortedFork(x, maxPerFork));
    kb.push(sortedFork(y, maxPerFork));
  }
  const k = ka.length;
  if (k === 0) throw new RangeError('a paired bootstrap needs a fork with samples on both sides');
  const point = medianOf(ka.map((f, i) => f[0]! - kb[i]![0]!));
  const da = innerFigures(ka, inner, rng);
  const db = innerFigures(kb, inner, rng);
  const pick = new Float64Array(k);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let j = 0; j < k; j++) {
      const i = rng.int(k);
      pick[j] = da[i]![rng.int(inner)]! - db[i]![rng.int(inner)]!;
    }
    draws[r] = medianOfPick(pick, k);
  }
  return { point, draws };
}

/** Median of an unsorted list. */
function medianOf(xs: readonly number[]): number {
  return medianSorted([...xs].sort((a, b) => a - b));
}

/** The (1−c)/2 and (1+c)/2 quantiles of `draws` (percentile interval). */
export function percentileInterval(draws: Float64Array, confidence = 0.95): Interval {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const q = Array.from(draws).sort((a, b) => a - b);
  return { low: quantileSorted(q, (1 - confidence) / 2), high: quantileSorted(q, (1 + confidence) / 2) };
}

/**
 * Percentile interval of num ÷ den from two independent fork bootstraps
 * (same number of resamples): resample r of the ratio is
 * num.draws[r] / den.draws[r].
 * @throws RangeError when the resample counts differ or the denominator is not positive
 */
export function ratioCI(num: ForkBootstrap, den: ForkBootstrap, confidence = 0.95): RatioCI {
  if (num.draws.length !== den.draws.length) throw new RangeError('ratioCI needs bootstraps of the same size');
  if (!(den.point > 0)) throw new RangeError('the denominator must be positive');
  const r = new Float64Array(num.draws.length);
  for (let i = 0; i < r.length; i++) r[i] = num.draws[i]! / (den.draws[i]! > 0 ? den.draws[i]! : Number.MIN_VALUE);
  return { ratio: num.point / den.point, ...percentileInterval(r, confidence), confidence };
}

/** The complexity classes a size sweep is fitted to. */
export const COMPLEXITY_CLASSES = ['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n²)'] as const;
/** One of `COMPLEXITY_CLASSES`. */
export type ComplexityClass = (typeof COMPLEXITY_CLASSES)[number];

const CLASS_FN: Record<ComplexityClass, (n: number) => number> = {
  'O(1)': () => 1,
  'O(log n)': (n) => Math.log2(n),
  'O(n)': (n) => n,
  'O(n log n)': (n) => n * Math.log2(n),
  'O(n²)': (n) => n * n,
};

/** A fitted complexity class. */
export interface ComplexityFit {
  /** The class with the smallest fit error. */
  class: ComplexityClass;
  /** Coefficient c of y ≈ c · f(n), in the unit of y. */
  coefficient: number;
  /** Fit error: root-mean-square residual divided by the mean of y (0 = perfect; Google Benchmark's "RMS"). */
  rms: number;
  /** Fit error of every class, same definition. */
  all: Record<ComplexityClass, number>;
}

/**
 * Fits y ≈ c · f(n) for each class by least squares without intercept
 * (c = Σ y f / Σ f²) and returns the class with the least normalized RMS
 * residual, as Google Benchmark's `Complexity(oAuto)` does. Ties go to the
 * simpler class.
 * @param ns sizes, ≥ 1 (at n = 1 the log classes predict 0: the size-1 point still counts, against every class)
 * @param ys measured values at those sizes (e.g. ns per operation)
 * @returns null with fewer than 3 distinct sizes (no class can be told apart)
 * @throws RangeError when the arrays differ in length or hold non-finite values
 */
export function fitComplexity(ns: readonly number[], ys: readonly number[]): ComplexityFit | null {
  if (ns.length !== ys.length) throw new RangeError('sizes and values differ in length');
  if (ns.some((n) => !Number.isFinite(n) || n < 1) || ys.some((y) => !Number.isFinite(y))) {
    throw new RangeError('sizes must be finite and ≥ 1, values finite');
  }
  if (new Set(ns).size < 3) return null;
  const meanY = ssMean(ys as number[]);
  const all = {} as Record<ComplexityClass, number>;
  let best: ComplexityFit | null = null;
  for (const cls of COMPLEXITY_CLASSES) {
    const f = ns.map(CLASS_FN[cls]);
    let sfy = 0;
    let sff = 0;
    for (let i = 0; i < f.length; i++) {
      sfy += f[i]! * ys[i]!;
      sff += f[i]! * f[i]!;
    }
    const c = sfy / sff;
    let ss = 0;
    for (let i = 0; i < f.length; i++) ss += (ys[i]! - c * f[i]!) ** 2;
    const rms = meanY !== 0 ? Math.sqrt(ss / f.length) / Math.abs(meanY) : Math.sqrt(ss / f.length);
    all[cls] = rms;
    if (best === null || rms < best.rms - 1e-12) best = { class: cls, coefficient: c, rms, all };
  }
  return best;
}

/** Result of Welch's t-test. */
export interface WelchT {
  /** (mean(y) − mean(x)) / standard error. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** mean(y) − mean(x). */
  diff: number;
}

/**
 * Welch's unequal-variance t-test of mean(y) − mean(x) (mmtests' test;
 * @stdlib/stats-ttest2). The harness applies it to log fork figures: the
 * forks are the independent units.
 * @returns p = 1 when both samples have zero variance and equal means (0 when the means differ)
 * @throws RangeError when either sample has fewer than two values
 */
export function welchTTest(x: readonly number[], y: readonly number[]): WelchT {
  if (x.length < 2 || y.length < 2) throw new RangeError("Welch's t-test needs at least two values per sample");
  const diff = ssMean(y as number[]) - ssMean(x as number[]);
  const sd = sampleStandardDeviation(x as number[]) + sampleStandardDeviation(y as number[]);
  if (!(sd > 0)) return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: x.length + y.length - 2, p: diff === 0 ? 1 : 0, diff };
  const r = ttest2(y as number[], x as number[]);
  return { t: r.statistic, df: r.df, p: r.pValue, diff };
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the input order
 * (@stdlib/stats-padjust `bh`). Rejecting every q < α keeps the expected
 * share of false discoveries among many cells below α.
 */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  return ps.length === 0 ? [] : (padjust(ps as number[], 'bh') as number[]);
}
