import { describe, it, expect } from 'vitest';
import { Rng } from '../../../workloads/rng.js';
import { benjaminiHochberg, bootstrapForks, fitComplexity, forkFigure, harmonicMean, percentileInterval, ratioCI, welchTTest, type ComplexityClass } from '../../../bench/summarise/stats.js';
import { hashSeed } from '../../../workloads/rng.js';

/** Standard normal variates from a seeded uniform source (Box–Muller). */
function normals(seed: number): () => number {
  const u = new Rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u.next())) * Math.cos(2 * Math.PI * u.next());
}

describe('harmonic mean', () => {
  it('harmonic mean for rates', () => {
    expect(harmonicMean([1, 2, 4])).toBeCloseTo(3 / 1.75, 12);
    // Two equal-work runs at 100 and 300 ops/s average 150 ops/s, not 200.
    expect(harmonicMean([100, 300])).toBeCloseTo(150, 12);
  });
});

describe("Welch's t-test and Benjamini–Hochberg (@stdlib), against R", () => {
  it("matches R's t.test(y, x) (Welch) on known samples", () => {
    // R: t.test(c(3,4,5,6,7), c(1,2,3,4)) → t = 2.6112, df = 6.9808, p-value = 0.03494
    // (scipy.stats.ttest_ind(equal_var=False) agrees: 2.611164839, 6.980769231, 0.034938782).
    const w = welchTTest([1, 2, 3, 4], [3, 4, 5, 6, 7]);
    expect(w.diff).toBe(2.5);
    expect(w.t).toBeCloseTo(2.611164839, 6);
    expect(w.df).toBeCloseTo(6.980769231, 6);
    expect(w.p).toBeCloseTo(0.034938782, 6);
    // R: t.test(c(22.4,23.1,21.8,24.0,22.9), c(19.1,20.3,18.7,21.0)) → t = 4.747, df = 5.5898, p = 0.003824
    const v = welchTTest([19.1, 20.3, 18.7, 21.0], [22.4, 23.1, 21.8, 24.0, 22.9]);
    expect(v.t).toBeCloseTo(4.746996066, 6);
    expect(v.df).toBeCloseTo(5.589792031, 6);
    expect(v.p).toBeCloseTo(0.003824000, 7);
    // On log fork medians, as compare uses it: 5 forks at ~100 against 5 at ~105.
    const l = welchTTest([100, 101, 99, 102, 100.5].map(Math.log), [104, 106, 103, 107, 105].map(Math.log));
    expect(l.t).toBeCloseTo(5.226082873, 5);
    expect(l.df).toBeCloseTo(7.363999939, 5);
    expect(l.p).toBeCloseTo(0.001037517, 7);
  });

  it('is antisymmetric in its samples; degenerate and too-small samples', () => {
    const x = [1, 2, 3, 4];
    const y = [3, 4, 5, 6, 7];
    const a = welchTTest(x, y);
    const b = welchTTest(y, x);
    expect(b.t).toBeCloseTo(-a.t, 12);
    expect(b.diff).toBe(-a.diff);
    expect(b.p).toBeCloseTo(a.p, 12);
    expect(welchTTest([1, 1], [1, 1]).p).toBe(1);
    expect(welchTTest([1, 1], [2, 2]).p).toBe(0);
    expect(() => welchTTest([1], [1, 2])).toThrow(RangeError);
  });

  it("Benjamini–Hochberg q-values equal R's p.adjust(p, 'BH')", () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    expect(q[0]).toBeCloseTo(0.02, 12);
    expect(q[1]).toBeCloseTo(0.04, 12);
    expect(q[2]).toBeCloseTo(0.04, 12);
    expect(q[3]).toBeCloseTo(0.02, 12);
    // p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205), "BH")
    const r = benjaminiHochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]);
    const want = [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.08457143, 0.205];
    r.forEach((x, i) => expect(x, `q[${i}]`).toBeCloseTo(want[i]!, 7));
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

describe('two-level bootstrap over forks', () => {
  /** `k` forks of `n` samples: fork i centred on `centre(i)`, ±`noise` relative noise within a fork. */
  function forks(k: number, centre: (i: number) => number, noise = 0.01, n = 30, seed = 1): number[][] {
    const z = normals(seed);
    return Array.from({ length: k }, (_, i) => Array.from({ length: n }, () => centre(i) * (1 + noise * z())));
  }

  it('the point is the median of the fork figures — each fork\'s fastest sample — not of the pooled samples; forks without samples are skipped', () => {
    expect(bootstrapForks([[1, 2, 3], [10, 11, 12], [5, 6, 7]]).point).toBe(5);
    expect(bootstrapForks([[1], [3]]).point).toBe(2);
    // One long fork cannot outvote two short ones: pooled, the median would be 100.
    expect(bootstrapForks([[1, 1, 1], Array.from({ length: 9 }, () => 100), [2, 2, 2]]).point).toBe(2);
    expect(bootstrapForks([[], [4, 5, 6]]).point).toBe(4);
    expect(bootstrapForks([[5]], { resamples: 10 }).draws).toHaveLength(10);
    expect(() => bootstrapForks([])).toThrow(RangeError);
    expect(() => bootstrapForks([[], []])).toThrow(RangeError);
    expect(() => bootstrapForks([[1]], { resamples: 5 })).toThrow(RangeError);
    expect(() => bootstrapForks([[1]], { innerResamples: 0 })).toThrow(RangeError);
  });

  it('forkFigure is the fastest sample: a slow phase of the host (half the samples ×1.5) leaves it where it was, the median not', () => {
    expect(forkFigure([3, 1, 2])).toBe(1);
    expect(() => forkFigure([])).toThrow(RangeError);
    const quiet = Array.from({ length: 40 }, (_, i) => 100 + (i % 5));
    const slowPhase = quiet.map((x, i) => (i >= 15 && i < 35 ? x * 1.5 : x));
    expect(forkFigure(slowPhase)).toBe(forkFigure(quiet));
    expect(bootstrapForks([slowPhase, quiet, slowPhase]).point).toBe(100);
    // The same forks by their medians would move by a third.
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    expect(med(slowPhase) / med(quiet)).toBeGreaterThan(1.3);
  });

  it('identical forks give a tight interval; forks at 100 and 130 give one spanning most of [100, 130]', () => {
    const same = forks(5, () => 100, 0.005);
    const tight = percentileInterval(bootstrapForks(same).draws);
    // Each fork's fastest of 30 samples at ±0.5%: about 1% below the centre, the forks within a few tenths of each other.
    expect(tight.low).toBeGreaterThan(98);
    expect(tight.high).toBeLessThan(100);
    expect(tight.high - tight.low).toBeLessThan(1);
    // The same samples per fork, but the forks disagree: the forks dominate the interval.
    const split = bootstrapForks(forks(4, (i) => (i < 2 ? 100 : 130), 0.005));
    const wide = percentileInterval(split.draws);
    expect(split.point).toBeGreaterThan(110);
    expect(split.point).toBeLessThan(120);
    expect(wide.low).toBeLessThan(103);
    expect(wide.high).toBeGreaterThan(127);
    // More samples per fork do not narrow it.
    const many = percentileInterval(bootstrapForks(forks(4, (i) => (i < 2 ? 100 : 130), 0.005, 200)).draws);
    expect(many.high - many.low).toBeGreaterThan(0.8 * (wide.high - wide.low));
  });

  it('is deterministic for a seed', () => {
    const f = forks(3, (i) => 100 + i, 0.02);
    expect(bootstrapForks(f, { seed: 5 })).toEqual(bootstrapForks(f, { seed: 5 }));
    expect(bootstrapForks(f, { seed: 5 }).draws).not.toEqual(bootstrapForks(f, { seed: 6 }).draws);
    expect(percentileInterval(new Float64Array([3, 1, 2, 4, 5]), 0.5)).toEqual({ low: 2, high: 4 });
    expect(() => percentileInterval(new Float64Array([1]), 1)).toThrow(RangeError);
  });

  it('ratioCI: a cell against itself contains 1; a 30% slower cell excludes 1 and contains 1.3', () => {
    const a = forks(5, (i) => 100 * (1 + 0.01 * i), 0.01);
    const self = ratioCI(bootstrapForks(a, { seed: 1 }), bootstrapForks(a, { seed: 2 }));
    expect(self.ratio).toBe(1);
    expect(self.low).toBeLessThanOrEqual(1);
    expect(self.high).toBeGreaterThanOrEqual(1);
    expect(self.confidence).toBe(0.95);
    const slow = ratioCI(bootstrapForks(a.map((f) => f.map((x) => 1.3 * x)), { seed: 3 }), bootstrapForks(a, { seed: 4 }));
    expect(slow.ratio).toBeCloseTo(1.3, 12);
    expect(slow.low).toBeGreaterThan(1);
    expect(slow.low).toBeLessThanOrEqual(1.3);
    expect(slow.high).toBeGreaterThanOrEqual(1.3);
    expect(() => ratioCI(bootstrapForks(a, { resamples: 100 }), bootstrapForks(a))).toThrow(RangeError);
    expect(() => ratioCI(bootstrapForks(a), bootstrapForks([[0, 0, 0]]))).toThrow(RangeError);
  });

  it('covers the true ratio ~95% of the time when forks differ (the JIT lottery), where pooled samples would not', () => {
    // Each fork's level is lognormal around the cell's (σ 5%), samples within a fork σ 2%.
    const z = normals(7);
    const cell = (m: number): number[][] =>
      Array.from({ length: 5 }, () => {
        const level = m * Math.exp(0.05 * z());
        return Array.from({ length: 30 }, () => level * Math.exp(0.02 * z()));
      });
    const trials = 100;
    let forked = 0;
    let pooled = 0;
    for (let t = 0; t < trials; t++) {
      const num = cell(130);
      const den = cell(100);
      const r = ratioCI(bootstrapForks(num, { seed: 2 * t + 1 }), bootstrapForks(den, { seed: 2 * t + 2 }));
      if (r.low <= 1.3 && 1.3 <= r.high) forked++;
      // The same samples as if one isolate had produced them all.
      const p = ratioCI(bootstrapForks([num.flat()], { seed: 2 * t + 1 }), bootstrapForks([den.flat()], { seed: 2 * t + 2 }));
      if (p.low <= 1.3 && 1.3 <= p.high) pooled++;
    }
    expect(forked / trials).toBeGreaterThan(0.85);
    expect(pooled / trials).toBeLessThan(0.6);
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
      const u = new Rng(hashSeed(cls));
      const ys = sizes.map((n) => f(n) * (1 + 0.06 * (u.next() - 0.5)));
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
    expect(() => fitComplexity([0, 64, 256], [1, 2, 3])).toThrow(RangeError);
    expect(() => fitComplexity([16, 64, 256], [1, Number.NaN, 3])).toThrow(RangeError);
  });

  it('takes size 1 (ttm-bo-pages\' smallest): the log classes predict 0 there, and a linear series is still O(n)', () => {
    expect(fitComplexity([1, 16, 256], [3, 48, 768])!.class).toBe('O(n)');
    expect(fitComplexity([1, 16, 256], [50, 51, 50])!.class).toBe('O(1)');
  });

  it('an exact O(n) series has zero fit error and its coefficient', () => {
    const fit = fitComplexity([10, 100, 1000], [20, 200, 2000])!;
    expect(fit.class).toBe('O(n)');
    expect(fit.coefficient).toBeCloseTo(2, 12);
    expect(fit.rms).toBeCloseTo(0, 12);
  });
});
