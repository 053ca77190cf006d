/**
 * bench/measure/timing.ts: the one timer (tinybench, setup and check outside
 * the timed region), sample summaries, and the warm-up to a steady state.
 * Clocks are fakes wherever a figure is asserted exactly.
 */
import { describe, it, expect } from 'vitest';
import { summarizeSamples, timeReplays, TimingError, warmUp, type TimeOptions, type WarmupOptions } from '../../../bench/measure/timing.js';
import { FakeClock } from '../../helpers/fakes.js';

/** Busy-waits `ms` of real time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe('summarizeSamples', () => {
  it('converts ms to ns, sorts, and keeps every sample when few', () => {
    const s = summarizeSamples([3, 1, 2], 10);
    expect(s).toMatchObject({ samples: 3, medianNs: 2e6, meanNs: 2e6, minNs: 1e6, maxNs: 3e6, thinned: false });
    expect(s.samplesNs).toEqual([1e6, 2e6, 3e6]);
    expect(s.sdNs).toBeCloseTo(1e6, 3);
  });

  it('thins to evenly spaced order statistics (ends kept), statistics still over all samples', () => {
    const ms = Array.from({ length: 101 }, (_, i) => (100 - i) / 1000); // 0.1 ms … 0 ms, descending
    const s = summarizeSamples(ms, 11);
    expect(s.samples).toBe(101);
    expect(s.thinned).toBe(true);
    expect(s.samplesNs).toHaveLength(11);
    expect(s.samplesNs[0]).toBe(0);
    expect(s.samplesNs[10]).toBe(100_000);
    expect(s.samplesNs).toEqual([...s.samplesNs].sort((a, b) => a - b));
    expect(s.medianNs).toBeCloseTo(50_000, 6);
  });
});

describe('timeReplays', () => {
  const opts = (over: Partial<TimeOptions> = {}): TimeOptions => ({ budgetMs: 0, minSamples: 5, estimateMs: 1, maxSamples: 100, gc: null, ...over });

  it('a sample is exactly the replay: setup, forced GC and check stay outside (fake clock)', () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    const gcs: unknown[] = [];
    const r = timeReplays(
      't',
      opts({
        now: clock.now,
        gc: (o) => {
          gcs.push(o);
          clock.advance(11); // a slow forced GC
        },
      }),
      () => {
        calls.push('setup');
        clock.advance(7); // a slow constructor
      },
      () => {
        calls.push('replay');
        clock.advance(2);
      },
      () => {
        calls.push('check');
        clock.advance(3);
      },
    );
    expect(r.stats.samples).toBe(5); // budget 0: exactly minSamples
    expect(r.stats.samplesNs).toEqual([2e6, 2e6, 2e6, 2e6, 2e6]);
    expect(r.stats.sdNs).toBe(0);
    // (tinybench calls the task once, untimed, when it is added, to tell sync from async: a
    // replay without setup, which measureFork's replay survives by throwing on its null machine.)
    expect(calls.slice(-15)).toEqual(Array.from({ length: 5 }, () => ['setup', 'replay', 'check']).flat());
    expect(calls.filter((c) => c === 'setup')).toHaveLength(5);
    expect(calls.filter((c) => c === 'check')).toHaveLength(5);
    expect(gcs).toEqual(Array.from({ length: 5 }, () => ({ type: 'minor' })));
    // One [start, end) window per sample, in order.
    expect(r.windows).toHaveLength(10);
    for (let i = 1; i < r.windows.length; i++) expect(r.windows[i]!).toBeGreaterThanOrEqual(r.windows[i - 1]!);
  });

  it('the budget is wall time with setup charged to it: slow setup means fewer samples', () => {
    // Replays of ~0 ms after a 2 ms setup: a 30 ms budget holds at most ~16 of them.
    const slowSetup = timeReplays('s', opts({ budgetMs: 30, minSamples: 3, estimateMs: 0.01 }), () => spin(2), () => spin(0.01), () => {});
    expect(slowSetup.stats.samples).toBeGreaterThanOrEqual(3);
    expect(slowSetup.stats.samples).toBeLessThanOrEqual(17);
    // Replays of ≥ 1 ms: at most ~31 in 30 ms, at least minSamples however slow.
    const slowReplay = timeReplays('r', opts({ budgetMs: 30, minSamples: 3, estimateMs: 1 }), () => {}, () => spin(1), () => {});
    expect(slowReplay.stats.samples).toBeGreaterThanOrEqual(3);
    expect(slowReplay.stats.samples).toBeLessThanOrEqual(32);
    expect(slowReplay.stats.minNs).toBeGreaterThanOrEqual(1e6);
  });

  it('keeps at most maxSamples raw samples', () => {
    const clock = new FakeClock();
    const r = timeReplays('t', opts({ minSamples: 40, maxSamples: 8, now: clock.now }), () => {}, () => clock.advance(1), () => {});
    expect(r.stats.samples).toBe(40);
    expect(r.stats.samplesNs).toHaveLength(8);
    expect(r.stats.thinned).toBe(true);
  });

  it('rethrows what the replay or the check throws; a replay below the timer resolution is a TimingError', () => {
    expect(() =>
      timeReplays('t', opts(), () => {}, () => {
        throw new Error('replay exploded');
      }, () => {}),
    ).toThrow('replay exploded');
    expect(() =>
      timeReplays('t', opts(), () => {}, () => {}, () => {
        throw new Error('digest drifted');
      }),
    ).toThrow('digest drifted');
    const frozen = new FakeClock();
    expect(() => timeReplays('t', opts({ now: frozen.now }), () => {}, () => {}, () => {})).toThrow(TimingError);
  });
});

describe('warmUp', () => {
  /**
   * Runs `warmUp` on a simulated fork: chunk i's median is `median(i)` ms and
   * the clock advances by its replays × median.
   */
  function simulate(median: (chunk: number) => number, over: Partial<WarmupOptions> = {}, firstMs = 1) {
    const o: WarmupOptions = { minMs: 0, maxMs: 1000, chunkMs: 10, minChunk: 1, tolerance: 0.05, ...over };
    let t = 0;
    const sizes: number[] = [];
    const w = warmUp(
      o,
      firstMs,
      (n) => {
        const m = median(sizes.length);
        sizes.push(n);
        t += n * m;
        return m;
      },
      () => t,
    );
    return { w, sizes, t };
  }

  it('sizes chunks to chunkMs from the last median (the first from the cold first replay), bounded by minChunk and 1000', () => {
    const { w, sizes } = simulate((i) => [1, 0.5, 0.5][i]!, {}, 2);
    expect(sizes).toEqual([5, 10, 20]);
    expect(w).toEqual({ replays: 1 + 5 + 10 + 20, ms: 2 + 5 * 1 + 10 * 0.5 + 20 * 0.5, firstMs: 2, steady: true, lastMedianNs: 0.5e6 });
    expect(simulate(() => 1, { minChunk: 3 }, 100).sizes[0]).toBe(3);
    expect(simulate(() => 1, {}, 1e-9).sizes[0]).toBe(1000);
  });

  it('warms a replay too long for minChunk replays within maxMs one replay at a time, and not at all after a first replay longer than maxMs', () => {
    // 100 ms replays, a 150 ms bound: one replay, not three.
    const long = simulate(() => 100, { minChunk: 3, maxMs: 150 }, 120);
    expect(long.sizes).toEqual([1, 1]);
    expect(long.w.steady).toBe(true);
    expect(long.t).toBe(200);
    // A first replay as long as the bound is the whole warm-up (a 4 s replay would otherwise spend 12 s more).
    const huge = simulate(() => 4000, { minChunk: 3, maxMs: 150 }, 5000);
    expect(huge.sizes).toEqual([]);
    expect(huge.w).toEqual({ replays: 1, ms: 5000, firstMs: 5000, steady: false, lastMedianNs: 5e9 });
    // 40 ms replays fit three times in 150 ms: chunks keep their minimum.
    expect(simulate(() => 40, { minChunk: 3, maxMs: 150 }, 45).sizes[0]).toBe(3);
  });

  it('with longMs, a cold first replay past maxMs but short of longMs is still followed by one replay (xorg-fb/512: cold 95 ms, warm 2 ms)', () => {
    const cold = simulate(() => 2, { minChunk: 3, maxMs: 90, longMs: 1500 }, 95);
    expect(cold.sizes[0]).toBe(1);
    expect(cold.w.replays).toBeGreaterThan(1);
    expect(cold.w.lastMedianNs).toBe(2e6);
    // …and one of longMs or more is not repeated.
    expect(simulate(() => 4000, { minChunk: 3, maxMs: 90, longMs: 1500 }, 1500).sizes).toEqual([]);
  });

  it('stops when two consecutive chunks agree within the tolerance', () => {
    const medians = [4, 2, 1.5, 1.02, 1.0, 1.0];
    const { w, sizes } = simulate((i) => medians[i]!);
    expect(sizes).toHaveLength(5); // 1.02 → 1.0 is within 5%
    expect(w.steady).toBe(true);
    expect(w.lastMedianNs).toBe(1e6);
  });

  it('is not steady before minMs even when chunks agree', () => {
    // 10 ms per chunk: chunks 2 and 3 agree but end at 20 and 30 ms.
    const { w, sizes, t } = simulate(() => 1, { minMs: 35 });
    expect(sizes).toHaveLength(4);
    expect(t).toBe(40);
    expect(w.steady).toBe(true);
  });

  it('a plateau slower than a chunk already seen is not steady', () => {
    const medians = [1.0, 1.6, 1.6, 1.02, 1.0];
    const { w, sizes } = simulate((i) => medians[i]!);
    expect(sizes).toHaveLength(5);
    expect(w.steady).toBe(true);
    expect(w.lastMedianNs).toBe(1e6);
  });

  it('stops at maxMs, not steady, when chunks never agree; at least one chunk runs', () => {
    const { w, sizes, t } = simulate((i) => (i % 2 === 0 ? 1 : 1.5), { maxMs: 50 });
    expect(w.steady).toBe(false);
    expect(t).toBeGreaterThanOrEqual(50);
    expect(t - sizes.at(-1)! * (sizes.length % 2 === 1 ? 1 : 1.5)).toBeLessThan(50);
    expect(w.ms).toBe(1 + t);
    const once = simulate(() => 1, { maxMs: 0.5 }, 0.1);
    expect(once.sizes).toHaveLength(1);
    expect(once.w.steady).toBe(false);
  });
});
