import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  benjaminiHochberg,
  incompleteBeta,
  tTwoSidedP,
  welchTTest,
  bootstrapRatioCI,
  createRng,
  fitComplexity,
  harmonicMean,
  hashSeed,
  mannWhitneyU,
  medianCI,
  medianRme,
  poolMoments,
  rme,
  rmeFromMoments,
  sampleStats,
  seededShuffle,
  thinSorted,
  tQuantile95,
  type ComplexityClass,
} from '../../bench/stats.js';

/** Standard normal variates from a seeded uniform source (Box–Muller). */
function normals(seed: number): () => number {
  const u = createRng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

describe('seeded randomness', () => {
  it('createRng: same seed, same sequence; in [0, 1); roughly uniform', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs[0]).not.toBe(c());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('seededShuffle is a stable permutation; hashSeed depends on every part', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const p = seededShuffle(items, 7);
    expect([...p].sort()).toEqual(items);
    expect(seededShuffle(items, 7)).toEqual(p);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(hashSeed(1, 'w/8/1', 0)).toBe(hashSeed(1, 'w/8/1', 0));
    expect(hashSeed(1, 'w/8/1', 0)).not.toBe(hashSeed(1, 'w/8/1', 1));
    // Different rounds give different orders (for at least one of a few rounds).
    const orders = new Set([0, 1, 2, 3].map((r) => seededShuffle(items, hashSeed(1, 'g', r)).join()));
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('location, spread, rme', () => {
  it("Student's t quantiles match the tables", () => {
    expect(tQuantile95(1)).toBeCloseTo(12.7062, 3);
    expect(tQuantile95(10)).toBeCloseTo(2.2281, 3);
    expect(tQuantile95(30)).toBeCloseTo(2.0423, 3);
    expect(tQuantile95(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile95(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile95(1e9)).toBeCloseTo(1.96, 3);
    expect(() => tQuantile95(0)).toThrow(RangeError);
  });

  it('rme of [1..5] is t(4)·sd/√n/mean = 65.44%', () => {
    // mean 3, sd √2.5 = 1.5811, sem 0.7071, t 2.7764 → 1.9632 / 3
    expect(rme([1, 2, 3, 4, 5])).toBeCloseTo(65.44, 1);
    expect(rme([7])).toBe(0);
    const s = sampleStats([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, median: 3, mean: 3, min: 1, max: 5 });
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 10);
    expect(s.p99).toBeCloseTo(4.96, 10); // simple-statistics' interpolated quantile
  });

  it('pooled moments equal the moments of the union (exact pooling of rounds)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 20 }), { minLength: 1, maxLength: 5 }), (parts) => {
        const all = parts.flat();
        const direct = sampleStats(all);
        const pooled = poolMoments(parts.map((p) => ({ n: p.length, mean: sampleStats(p).mean, sd: sampleStats(p).sd })));
        expect(pooled.n).toBe(all.length);
        expect(pooled.mean).toBeCloseTo(direct.mean, 6);
        expect(pooled.sd).toBeCloseTo(direct.sd, 4);
        expect(rmeFromMoments(pooled)).toBeCloseTo(direct.rme, 4);
      }),
      { numRuns: 100 },
    );
  });

  it('the median CI uses ranks 40 and 61 for n = 100; medianRme ignores a far outlier', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(medianCI(xs)).toEqual({ low: 40, high: 61 });
    const steady = Array.from({ length: 200 }, (_, i) => 1000 + (i % 10));
    const spiky = [...steady.slice(0, 199), 1e6].sort((a, b) => a - b);
    expect(medianRme(spiky)).toBeLessThan(1);
    expect(rme(spiky)).toBeGreaterThan(50);
  });

  it('harmonic mean for rates', () => {
    expect(harmonicMean([1, 2, 4])).toBeCloseTo(3 / 1.75, 12);
    // Two equal-work runs at 100 and 300 ops/s average 150 ops/s, not 200.
    expect(harmonicMean([100, 300])).toBeCloseTo(150, 12);
  });

  it('thinSorted keeps the ends and the length bound', () => {
    const xs = Array.from({ length: 1001 }, (_, i) => i);
    const t = thinSorted(xs, 11);
    expect(t).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(thinSorted([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });
});

describe('Mann–Whitney U', () => {
  it('matches the hand-computed examples', () => {
    // x entirely below y: U_x = 0, U_y = 9; σ² = 9/12 · 7 = 5.25; z = −(4.5 − 0.5)/√5.25.
    const a = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(a.uX).toBe(0);
    expect(a.uY).toBe(9);
    expect(a.z).toBeCloseTo(-1.745743, 5);
    expect(a.p).toBeCloseTo(0.080856, 5);
    // With ties: pairs x > y: (3,2) = 1, (2,2) twice = 2 × ½, (3,3) = ½ → U_x = 2.5.
    const b = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
    expect(b.uX).toBe(2.5);
    expect(b.uY).toBe(13.5);
    expect(b.z).toBeCloseTo(-1.488351, 5);
    expect(b.p).toBeCloseTo(0.136658, 5);
    const c = mannWhitneyU([3.1, 4.2, 5.0, 6.3, 7.7, 8.1], [1.2, 2.2, 3.0, 4.4, 5.5]);
    expect(c.uX).toBe(25);
    expect(c.p).toBeCloseTo(0.082837, 5);
  });

  it('identical samples give p = 1; shifted large samples give tiny p', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5]).p).toBe(1);
    const z = normals(3);
    const x = Array.from({ length: 300 }, () => 100 + z());
    const y = Array.from({ length: 300 }, () => 101 + z());
    expect(mannWhitneyU(x, y).p).toBeLessThan(1e-6);
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
  });

  it('false positives under the null hypothesis stay near alpha', () => {
    const z = normals(11);
    let hits = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const x = Array.from({ length: 30 }, () => z());
      const y = Array.from({ length: 30 }, () => z());
      if (mannWhitneyU(x, y).p < 0.05) hits++;
    }
    expect(hits / trials).toBeGreaterThan(0.02);
    expect(hits / trials).toBeLessThan(0.08);
  });
});

describe("Welch's t-test and its p-value", () => {
  it('the incomplete beta and t p-values match known values', () => {
    expect(incompleteBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(tTwoSidedP(2.7764, 4)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(2.2281, 10)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(12.7062, 1)).toBeCloseTo(0.05, 4);
    expect(tTwoSidedP(1, 1)).toBeCloseTo(0.5, 10);
    expect(tTwoSidedP(0, 3)).toBe(1);
    expect(tTwoSidedP(1.96, 1e6)).toBeCloseTo(0.05, 3);
  });

  it('matches a hand-computed example', () => {
    // x: mean 2.5, s² 5/3; y: mean 5, s² 2.5. se = √(5/12 + 1/2) = 0.95743; t = 2.5/se = 2.61116;
    // df = (0.91667)² / ((5/12)²/3 + (1/2)²/4) = 6.98077; two-sided p ≈ 0.0349.
    const w = welchTTest([1, 2, 3, 4], [3, 4, 5, 6, 7]);
    expect(w.diff).toBe(2.5);
    expect(w.se).toBeCloseTo(0.957427, 5);
    expect(w.t).toBeCloseTo(2.611165, 5);
    expect(w.df).toBeCloseTo(6.980769, 5);
    expect(w.p).toBeCloseTo(0.03494, 4);
    expect(welchTTest([1, 1], [1, 1]).p).toBe(1);
    expect(welchTTest([1, 1], [2, 2]).p).toBe(0);
    expect(() => welchTTest([1], [1, 2])).toThrow(RangeError);
  });

  it('Benjamini–Hochberg q-values', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    expect(q[0]).toBeCloseTo(0.02, 12);
    expect(q[1]).toBeCloseTo(0.04, 12);
    expect(q[2]).toBeCloseTo(0.04, 12);
    expect(q[3]).toBeCloseTo(0.02, 12);
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

describe('bootstrap ratio CI', () => {
  it('is deterministic for a seed and brackets the point estimate', () => {
    const a = [10, 11, 12, 13, 14, 15, 16];
    const b = [20, 21, 22, 23, 24, 25, 26];
    const ci = bootstrapRatioCI(a, b, { seed: 5 });
    expect(ci).toEqual(bootstrapRatioCI(a, b, { seed: 5 }));
    expect(ci.ratio).toBeCloseTo(13 / 23, 12);
    expect(ci.low).toBeLessThanOrEqual(ci.ratio);
    expect(ci.high).toBeGreaterThanOrEqual(ci.ratio);
    expect(ci.confidence).toBe(0.95);
    expect(() => bootstrapRatioCI([], b)).toThrow(RangeError);
    expect(() => bootstrapRatioCI(a, [0, 0, 0])).toThrow(RangeError);
  });

  it('covers the true ratio of medians about 95% of the time (synthetic lognormal data, fixed seed)', () => {
    const z = normals(2024);
    const trueRatio = 1.3;
    const trials = 200;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      // Lognormal with median 1000 (denominator) and 1300 (numerator), σ = 0.2.
      const den = Array.from({ length: 60 }, () => 1000 * Math.exp(0.2 * z()));
      const num = Array.from({ length: 60 }, () => 1000 * trueRatio * Math.exp(0.2 * z()));
      const ci = bootstrapRatioCI(num, den, { seed: t + 1, resamples: 500 });
      if (ci.low <= trueRatio && trueRatio <= ci.high) covered++;
    }
    const coverage = covered / trials;
    expect(coverage).toBeGreaterThan(0.88);
    expect(coverage).toBeLessThanOrEqual(0.995);
  });
});

describe('complexity fit', () => {
  const sizes = [16, 64, 256, 1024, 4096];
  const cases: [ComplexityClass, (n: number) => number][] = [
    ['O(1)', () => 50],
    ['O(log n)', (n) => 7 * Math.log2(n)],
    ['O(n)', (n) => 3 * n],
    ['O(n log n)', (n) => 0.5 * n * Math.log2(n)],
    ['O(n²)', (n) => 0.01 * n * n],
  ];
  for (const [cls, f] of cases) {
    it(`picks ${cls} on a synthetic series with ±3% noise`, () => {
      const u = createRng(hashSeed(cls));
      const ys = sizes.map((n) => f(n) * (1 + 0.06 * (u() - 0.5)));
      const fit = fitComplexity(sizes, ys)!;
      expect(fit.class).toBe(cls);
      expect(fit.rms).toBeLessThan(0.05);
      for (const other of Object.keys(fit.all) as ComplexityClass[]) expect(fit.all[other]).toBeGreaterThanOrEqual(fit.rms);
    });
  }

  it('needs three distinct sizes; rejects bad input', () => {
    expect(fitComplexity([16, 64], [1, 2])).toBeNull();
    expect(fitComplexity([16, 16, 64], [1, 1, 2])).toBeNull();
    expect(() => fitComplexity([16, 64, 256], [1, 2])).toThrow(RangeError);
    expect(() => fitComplexity([1, 64, 256], [1, 2, 3])).toThrow(RangeError);
  });

  it('an exact O(n) series has zero fit error and its coefficient', () => {
    const fit = fitComplexity([10, 100, 1000], [20, 200, 2000])!;
    expect(fit.class).toBe('O(n)');
    expect(fit.coefficient).toBeCloseTo(2, 12);
    expect(fit.rms).toBeCloseTo(0, 12);
  });
});
