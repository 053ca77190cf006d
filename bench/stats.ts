/**
 * Pure statistics for the harness: what simple-statistics has is used from
 * it (median, quantiles, mean, standard deviation, harmonic mean, the
 * Wilcoxon rank sum, the error function, Fisher–Yates shuffle); what it
 * lacks lives here, small and tested against known values:
 *
 * - a seeded PRNG (`createRng`, xoshiro128**) and seed derivation (`hashSeed`),
 * - Student's t quantile for 95% intervals (`tQuantile95`) and the relative
 *   margin of error (`rme`),
 * - the Mann–Whitney U test with tie correction (`mannWhitneyU`), Welch's
 *   t-test with its p-value through the incomplete beta function
 *   (`welchTTest`),
 * - a percentile-bootstrap confidence interval of a ratio of medians
 *   (`bootstrapRatioCI`),
 * - a complexity class fitted across sizes (`fitComplexity`, Google
 *   Benchmark's least-squares fit without intercept).
 *
 * No I/O, no clock, no global state: same inputs, same outputs.
 */
import {
  errorFunction,
  harmonicMean as ssHarmonicMean,
  mean as ssMean,
  medianSorted,
  quantileSorted,
  sampleStandardDeviation,
  shuffle,
  wilcoxonRankSum,
} from 'simple-statistics';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * A seeded PRNG (xoshiro128**, seeded through splitmix32).
 * @param seed any number; only its low 32 bits matter
 * @returns a function giving uniform numbers in [0, 1), the same sequence for the same seed
 */
export function createRng(seed: number): Rng {
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const r = (Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0) / 4294967296;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}

/**
 * Derives a 32-bit seed from parts (FNV-1a over their text), so that a
 * group's round order depends only on the run seed and the group's identity.
 */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0000');
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A seeded random permutation of `items` (a new array; Fisher–Yates via simple-statistics). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  return shuffle([...items], createRng(seed));
}

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (t_{0.975, df}). */
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098,
  2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/**
 * Student's t quantile t_{0.975, df}: the half-width factor of a two-sided
 * 95% interval. A table for df ≤ 30, the Cornish–Fisher expansion beyond
 * (error < 1e-4), 1.96 as df → ∞.
 * @throws RangeError for df < 1
 */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  const k = Math.floor(df);
  if (k <= 30) return T975[k - 1]!;
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * k) + (5 * z5 + 16 * z3 + 3 * z) / (96 * k * k) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * k * k * k);
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
  /** Relative margin of error of the mean, percent: t_{0.975,n−1} · sd / √n / mean · 100; 0 for one sample. */
  rme: number;
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
  const m = ssMean(xs as number[]);
  if (m === 0) return 0;
  const sem = sampleStandardDeviation(xs as number[]) / Math.sqrt(xs.length);
  return (tQuantile95(xs.length - 1) * sem * 100) / Math.abs(m);
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
    rme: rme(s),
    medianRme: medianRme(s),
  };
}

/** Harmonic mean (simple-statistics): the mean for rates such as ops/s. @throws for an empty list or a non-positive value */
export function harmonicMean(xs: readonly number[]): number {
  return ssHarmonicMean(xs as number[]);
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

/** Standard normal CDF Φ(z), through the error function. */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/** Result of a Mann–Whitney U test. */
export interface MannWhitney {
  /** U of the first sample: the number of (x, y) pairs with x > y, ties counting ½. */
  uX: number;
  /** U of the second sample (uX + uY = nX · nY). */
  uY: number;
  /** The normal approximation's z (tie- and continuity-corrected), signed: > 0 when x tends to be larger. */
  z: number;
  /** Two-sided p-value from the normal approximation. 1 when every value is tied. */
  p: number;
}

/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum) of two independent
 * samples, normal approximation with tie and continuity corrections — the
 * test asv uses on raw benchmark samples. The rank sum comes from
 * simple-statistics; the tie correction and p-value from here.
 * @throws RangeError when either sample is empty
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitney {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new RangeError('Mann–Whitney U needs two non-empty samples');
  const r1 = wilcoxonRankSum(x as number[], y as number[]);
  const uX = r1 - (nx * (nx + 1)) / 2;
  const uY = nx * ny - uX;
  const n = nx + ny;
  // Tie correction: Σ (t³ − t) over groups of tied values.
  const all = Float64Array.from([...x, ...y]).sort();
  let ties = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && all[j] === all[i]) j++;
    const t = j - i;
    ties += t * t * t - t;
    i = j;
  }
  const variance = ((nx * ny) / 12) * (n + 1 - ties / (n * (n - 1) || 1));
  if (!(variance > 0)) return { uX, uY, z: 0, p: 1 };
  const diff = uX - (nx * ny) / 2;
  const z = (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance);
  const p = Math.min(1, 2 * (1 - normalCdf(Math.abs(z))));
  return { uX, uY, z, p };
}

/** A ratio with its confidence interval. */
export interface RatioCI {
  /** median(numerator) / median(denominator). */
  ratio: number;
  /** Lower bound of the interval. */
  low: number;
  /** Upper bound of the interval. */
  high: number;
  /** Confidence level, e.g. 0.95. */
  confidence: number;
}

/** Options of `bootstrapRatioCI`. */
export interface BootstrapOptions {
  /** Bootstrap resamples. Default 1000. */
  resamples?: number;
  /** Confidence level in (0, 1). Default 0.95. */
  confidence?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
}

/**
 * Median of a resample (with replacement) of ascending `sorted`, drawn with
 * `rng`, in O(n) through rank counts (`counts` is scratch of length n).
 */
function resampledMedian(sorted: readonly number[], rng: Rng, counts: Uint32Array): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(rng() * n)]!++;
  // Ranks (0-based) of the median in the resample: lo and hi (equal for odd n).
  const lo = (n - 1) >> 1;
  const hi = n >> 1;
  let seen = 0;
  let vlo = NaN;
  for (let k = 0; k < n; k++) {
    seen += counts[k]!;
    if (Number.isNaN(vlo) && seen > lo) vlo = sorted[k]!;
    if (seen > hi) return (vlo + sorted[k]!) / 2;
  }
  return sorted[n - 1]!;
}

/**
 * Percentile-bootstrap confidence interval of median(num) / median(den):
 * each resample draws both samples with replacement (independently) and
 * takes the ratio of their medians; the interval is the (1−c)/2 and
 * (1+c)/2 quantiles of those ratios. Seeded: same inputs, same interval.
 * @param num samples of the numerator (e.g. a tracker's replay times, ns)
 * @param den samples of the denominator (e.g. the baseline's)
 * @throws RangeError for an empty sample set, a non-positive median of `den`, or bad options
 */
export function bootstrapRatioCI(num: readonly number[], den: readonly number[], options: BootstrapOptions = {}): RatioCI {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (num.length === 0 || den.length === 0) throw new RangeError('bootstrap needs two non-empty samples');
  if (!Number.isSafeInteger(resamples) || resamples < 10) throw new RangeError(`resamples must be an integer ≥ 10, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const a = Array.from(num).sort((p, q) => p - q);
  const b = Array.from(den).sort((p, q) => p - q);
  const mb = medianSorted(b);
  if (!(mb > 0)) throw new RangeError('the denominator median must be positive');
  const ratio = medianSorted(a) / mb;
  const rng = createRng(options.seed ?? 1);
  const ca = new Uint32Array(a.length);
  const cb = new Uint32Array(b.length);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const d = resampledMedian(b, rng, cb);
    ratios[r] = resampledMedian(a, rng, ca) / (d > 0 ? d : Number.MIN_VALUE);
  }
  ratios.sort();
  const q = Array.from(ratios);
  return {
    ratio,
    low: quantileSorted(q, (1 - confidence) / 2),
    high: quantileSorted(q, (1 + confidence) / 2),
    confidence,
  };
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
 * @param ns sizes (≥ 2, so that log n > 0)
 * @param ys measured values at those sizes (e.g. ns per operation)
 * @returns null with fewer than 3 distinct sizes (no class can be told apart)
 * @throws RangeError when the arrays differ in length or hold non-finite values
 */
export function fitComplexity(ns: readonly number[], ys: readonly number[]): ComplexityFit | null {
  if (ns.length !== ys.length) throw new RangeError('sizes and values differ in length');
  if (ns.some((n) => !Number.isFinite(n) || n < 2) || ys.some((y) => !Number.isFinite(y))) {
    throw new RangeError('sizes must be finite and ≥ 2, values finite');
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

/** Count, mean and sample standard deviation of one sample set. */
export interface Moments {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
}

/**
 * Moments of the union of several sample sets from their own moments
 * (exact: Σ (nᵢ − 1) sdᵢ² + nᵢ (meanᵢ − mean)² over N − 1), so that rounds
 * whose raw samples were thinned still pool exactly.
 * @returns n 0 and NaN mean for no samples
 */
export function poolMoments(parts: readonly Moments[]): Moments {
  const n = parts.reduce((a, p) => a + p.n, 0);
  if (n === 0) return { n: 0, mean: NaN, sd: NaN };
  const mean = parts.reduce((a, p) => a + p.n * p.mean, 0) / n;
  if (n < 2) return { n, mean, sd: 0 };
  const ss = parts.reduce((a, p) => a + (p.n - 1) * p.sd * p.sd + p.n * (p.mean - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

/** Relative margin of error (percent, 95%, Student's t) from moments; 0 for n < 2 or a zero mean. */
export function rmeFromMoments(m: Moments): number {
  if (m.n < 2 || m.mean === 0) return 0;
  return (tQuantile95(m.n - 1) * (m.sd / Math.sqrt(m.n)) * 100) / Math.abs(m.mean);
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

/**
 * Regularized incomplete beta function I_x(a, b) by its continued fraction
 * (Lentz's method, as in Numerical Recipes `betai`/`betacf`); accurate to
 * ~1e-12 for the arguments Student's t needs.
 * @throws RangeError for x outside [0, 1] or non-positive a, b
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0)) throw new RangeError(`incompleteBeta: bad arguments x=${x} a=${a} b=${b}`);
  if (x === 0 || x === 1) return x;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  // Use the continued fraction where it converges fast; the symmetry relation otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return (Math.exp(lnFront) * f) / a;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
function lnGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = g[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += g[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Two-sided p-value of Student's t statistic `t` with `df` (> 0, not necessarily integer) degrees of freedom. */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
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
  /** Standard error of `diff`. */
  se: number;
}

/**
 * Welch's unequal-variance t-test of mean(y) − mean(x) (mmtests' test).
 * The harness applies it to log round medians: the rounds are the units
 * that see run-to-run drift, which raw samples of one run do not.
 * @returns p = 1 when both samples have zero variance and equal means (0 when the means differ)
 * @throws RangeError when either sample has fewer than two values
 */
export function welchTTest(x: readonly number[], y: readonly number[]): WelchT {
  if (x.length < 2 || y.length < 2) throw new RangeError("Welch's t-test needs at least two values per sample");
  const mx = ssMean(x as number[]);
  const my = ssMean(y as number[]);
  const vx = sampleStandardDeviation(x as number[]) ** 2 / x.length;
  const vy = sampleStandardDeviation(y as number[]) ** 2 / y.length;
  const se = Math.sqrt(vx + vy);
  const diff = my - mx;
  if (!(se > 0)) return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: x.length + y.length - 2, p: diff === 0 ? 1 : 0, diff, se: 0 };
  const df = (vx + vy) ** 2 / (vx * vx / (x.length - 1) + vy * vy / (y.length - 1));
  const t = diff / se;
  return { t, df, p: tTwoSidedP(t, df), diff, se };
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the input order:
 * q₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎ · m / j, capped at 1. Rejecting every q < α
 * keeps the expected share of false discoveries among many cells below α.
 */
export function benjaminiHochberg(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [p, i] = order[k]!;
    running = Math.min(running, (p * m) / (k + 1));
    q[i] = Math.min(1, running);
  }
  return q;
}
