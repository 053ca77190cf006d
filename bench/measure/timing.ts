/**
 * The harness's one timer: tinybench times a replay function, with a setup
 * run before every sample outside the timed region (a fresh machine and
 * tracker, then a forced minor GC) and a check after it. Warm-up and timed
 * phases both go through `timeReplays`; `warmUp` repeats short timed chunks
 * until consecutive chunks agree (a steady state) or its bound is reached.
 *
 * Times: tinybench reports ms; everything returned here is ns per replay.
 */
import { Bench, type FnReturnedObject } from 'tinybench';
import { sampleStats, thinSorted } from './sample-stats.js';
import type { GcFn } from './memory.js';

/** Statistics of one sample set. Times in ns per replay of the whole stream. */
export interface SampleSummary {
  /** Timed samples (replays). */
  samples: number;
  medianNs: number;
  meanNs: number;
  p99Ns: number;
  minNs: number;
  maxNs: number;
  /** Sample standard deviation, ns. */
  sdNs: number;
  /** Relative margin of error of the median, percent (95%, order statistics) — of these samples only. */
  medianRme: number;
  /** Raw samples, ns, ascending; at most `maxSamples` (evenly spaced order statistics when `thinned`). */
  samplesNs: number[];
  thinned: boolean;
}

/** What one call of `timeReplays` needs besides the functions. */
export interface TimeOptions {
  /** Time budget, ms (setup counts, so wall time stays bounded); 0 = exactly `minSamples` samples. */
  budgetMs: number;
  /** Minimum number of samples. */
  minSamples: number;
  /** First estimate of one sample's cost, ms (tinybench's iteration cost before it has measured one). */
  estimateMs: number;
  /** Raw samples kept in the summary. */
  maxSamples: number;
  /** Forced GC run after every setup (minor); null for none. */
  gc: GcFn | null;
  /** Clock, ms (default `performance.now`); tests inject a fake. */
  now?: () => number;
}

/** A timed phase: its statistics and the `[start, end)` windows of its samples (performance.now ms, for GC attribution). */
export interface TimedPhase {
  stats: SampleSummary;
  windows: number[];
  /** Every sample, ms, in the order taken. */
  samplesMs: number[];
}

/** Raised when tinybench ends without usable samples. */
export class TimingError extends Error {
  override name = 'TimingError';
}

/** Converts samples (ms) to a summary in ns, keeping at most `maxSamples` raw samples. */
export function summarizeSamples(samplesMs: readonly number[], maxSamples: number): SampleSummary {
  const ns = samplesMs.map((x) => x * 1e6).sort((a, b) => a - b);
  const s = sampleStats(ns);
  const kept = thinSorted(ns, maxSamples).map((x) => Math.round(x * 10) / 10);
  return {
    samples: s.n,
    medianNs: s.median,
    meanNs: s.mean,
    p99Ns: s.p99,
    minNs: s.min,
    maxNs: s.max,
    sdNs: s.sd,
    medianRme: s.medianRme,
    samplesNs: kept,
    thinned: kept.length < ns.length,
  };
}

/**
 * Times `replay` with tinybench: `setup` runs before every sample outside
 * the timed region (and is charged to the budget, not the sample), then a
 * forced minor GC; `check` runs after every sample. A `replay` that
 * measures itself returns its time, ms, and that is the sample (an SMP
 * sample: the slowest CPU's replay, timed by the CPUs themselves).
 * @throws whatever `setup`, `replay` or `check` throws; TimingError when no usable sample was kept
 */
export function timeReplays(name: string, o: TimeOptions, setup: () => void, replay: () => void | number, check: () => void): TimedPhase {
  const windows: number[] = [];
  const cost: { overriddenIterationCost: number; overriddenDuration?: number } = { overriddenIterationCost: o.estimateMs } satisfies FnReturnedObject;
  let replayStart = 0;
  let lastReplayMs = o.estimateMs;
  const gc = o.gc;
  const bench = new Bench({
    time: o.budgetMs,
    iterations: o.minSamples,
    warmup: false,
    retainSamples: true,
    throws: true,
    ...(o.now ? { now: o.now } : {}),
  });
  bench.add(
    name,
    () => {
      const ms = replay();
      if (typeof ms === 'number') cost.overriddenDuration = ms;
      return cost;
    },
    {
      // Never called to find out whether it is async (tinybench calls an undeclared one once, outside every setup).
      async: false,
      beforeEach() {
        const a = performance.now();
        setup();
        gc?.({ type: 'minor' });
        cost.overriddenIterationCost = performance.now() - a + lastReplayMs;
        replayStart = performance.now();
      },
      afterEach(mode) {
        const end = performance.now();
        lastReplayMs = end - replayStart;
        if (mode === 'run') windows.push(replayStart, end);
        check();
      },
    },
  );
  bench.runSync();
  const res = bench.tasks[0]!.result;
  if (res.state === 'errored') throw res.error;
  if (res.state !== 'completed' && res.state !== 'aborted-with-statistics') throw new TimingError(`timing ended in state ${res.state}`);
  const samples = res.latency.samples;
  if (!samples || samples.length === 0) throw new TimingError('timing kept no samples');
  if (!(res.latency.p50 > 0)) throw new TimingError('replay below timer resolution');
  return { stats: summarizeSamples(samples, o.maxSamples), windows, samplesMs: [...samples] };
}

/** Bounds of a warm-up. Times in ms. */
export interface WarmupOptions {
  /** Warm up at least this long (JIT tiers arrive after some ms of execution even when early chunks agree). */
  minMs: number;
  /** Stop here even when not steady. */
  maxMs: number;
  /** Target length of one chunk; a chunk is at least `minChunk` replays. */
  chunkMs: number;
  /** Fewest replays per chunk (a chunk's median then ignores a single slow replay: a GC, a compile job finishing). */
  minChunk: number;
  /** Steady when two consecutive chunk medians differ by at most this fraction, and the last is within it of the fastest chunk yet. */
  tolerance: number;
  /** A first replay at least this long is not repeated (it has warmed itself); default `maxMs`. */
  longMs?: number;
}

/** What a warm-up did: recorded with every fork. */
export interface Warmup {
  /** Replays run, the first (digest) replay included. */
  replays: number;
  /** Wall time, ms, the first replay included. */
  ms: number;
  /** The first replay's time, ms: cold code, lazy compilation of everything it touches. */
  firstMs: number;
  /** True when two consecutive chunks agreed within the tolerance before the bound. */
  steady: boolean;
  /** Median of the last chunk, ns per replay. */
  lastMedianNs: number;
}

/**
 * Warms a fork up to a steady state after its first replay: chunks of
 * replays (each ≈ `chunkMs`, at least `minChunk` replays) timed by
 * `runChunk(n)` — which returns the chunk's median ms; one replay when
 * `minChunk` replays would not fit in `maxMs` — until, after at
 * least `minMs`, two consecutive chunk medians agree within `tolerance` and
 * the last is within `tolerance` of the fastest chunk seen (so a plateau of
 * not-yet-optimized code that an earlier chunk already beat does not count
 * as steady), or `maxMs` has passed. At least one chunk runs, unless the
 * first replay alone took `longMs` (default `maxMs`) or more; the bounds do
 * not count the first replay.
 * @param firstReplayMs wall time of the replay already run (the cold digest replay)
 * @param elapsed wall clock, ms (the sampled time of the chunks plus their setup)
 */
export function warmUp(o: WarmupOptions, firstReplayMs: number, runChunk: (replays: number) => number, elapsed: () => number): Warmup {
  // A first replay that long has warmed itself (V8 optimized its loops
  // on-stack while it ran): repeating it would only spend the bound again.
  // Shorter ones are repeated at least once: the cold first replay (lazy
  // compilation of all it touches) can be 40× a warm one.
  if (firstReplayMs >= (o.longMs ?? o.maxMs)) return { replays: 1, ms: firstReplayMs, firstMs: firstReplayMs, steady: false, lastMedianNs: firstReplayMs * 1e6 };
  const t0 = elapsed();
  let replays = 1;
  // The cold first replay overstates a replay's cost: the first chunk is short.
  let estimate = Math.max(firstReplayMs, 1e-3);
  let previous = NaN;
  let best = Infinity;
  for (;;) {
    // A replay too long to repeat `minChunk` times within the bound is
    // warmed one replay at a time (a 4 s replay would otherwise spend 12 s).
    const n = estimate * o.minChunk > o.maxMs ? 1 : Math.max(o.minChunk, Math.min(1000, Math.round(o.chunkMs / estimate)));
    const medianMs = runChunk(n);
    replays += n;
    estimate = Math.max(medianMs, 1e-3);
    best = Math.min(best, medianMs);
    const spent = elapsed() - t0;
    const steady = spent >= o.minMs && Math.abs(medianMs / previous - 1) <= o.tolerance && medianMs <= best * (1 + o.tolerance);
    if (steady || spent >= o.maxMs) return { replays, ms: firstReplayMs + spent, firstMs: firstReplayMs, steady, lastMedianNs: medianMs * 1e6 };
    previous = medianMs;
  }
}
