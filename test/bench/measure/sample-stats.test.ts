import { describe, expect, it } from 'vitest';
import { meanRme, medianCI, medianRme, rme, sampleStats, thinSorted, tQuantile95 } from '../../../bench/measure/sample-stats.js';

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
    // The same from n, mean and sd (how the parent turns a fork's summary into its rme).
    expect(meanRme(5, 3, Math.sqrt(2.5))).toBeCloseTo(65.44, 1);
    expect(meanRme(1, 3, 0)).toBe(0);
    expect(rme([7])).toBe(0);
    const s = sampleStats([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, median: 3, mean: 3, min: 1, max: 5 });
    expect(s.sd).toBeCloseTo(Math.sqrt(2.5), 10);
    expect(s.p99).toBeCloseTo(4.96, 10); // simple-statistics' interpolated quantile
  });

  it('the median CI uses ranks 40 and 61 for n = 100; medianRme ignores a far outlier', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(medianCI(xs)).toEqual({ low: 40, high: 61 });
    const steady = Array.from({ length: 200 }, (_, i) => 1000 + (i % 10));
    const spiky = [...steady.slice(0, 199), 1e6].sort((a, b) => a - b);
    expect(medianRme(spiky)).toBeLessThan(1);
    expect(rme(spiky)).toBeGreaterThan(50);
  });

  it('thinSorted keeps the ends and the length bound', () => {
    const xs = Array.from({ length: 1001 }, (_, i) => i);
    const t = thinSorted(xs, 11);
    expect(t).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(thinSorted([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });
});
