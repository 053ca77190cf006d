/**
 * bench/measure/fork.ts in-process, over the fakes (test/helpers/fakes.ts):
 * one tracker on one stream — the digest against the oracle's, warm-up,
 * timed phase, empty replay (null forks only), memory (when asked).
 */
import { describe, it, expect } from 'vitest';
import { describeError, FIGURE_SAMPLES, LONG_REPLAY_MS, measureFork, minSamplesFor, timesInTurn, WARMUP_CHUNK_MS, type ForkDeps } from '../../../bench/measure/fork.js';
import { shareStream } from '../../../bench/measure/prepare.js';
import { giveTurn, newTurnFlag, untilWaiting } from '../../../bench/measure/turns.js';
import { FakeClock, FakeMachine, fakeDeps, forkTask, tinyStream } from '../../helpers/fakes.js';

const STREAM = shareStream(tinyStream(200));

/** Fake deps whose clock advances `nsPerOp` per replayed op and nowhere else. */
function clockedDeps(clock: FakeClock, nsPerOp: number): ForkDeps {
  const deps = fakeDeps();
  return {
    ...deps,
    now: clock.now,
    machineFactory: () => (t) => {
      const m = new FakeMachine(t);
      const run = m.run.bind(m);
      m.run = (stream, sink, end) => {
        run(stream, sink, end);
        clock.advance(((end ?? stream.count) * nsPerOp) / 1e6);
      };
      return m;
    },
  };
}

describe('measureFork: the digest against the oracle', () => {
  it('a tracker that agrees with the oracle is valid, and timed', async () => {
    const r = await measureFork(forkTask(STREAM, 'good'), fakeDeps());
    expect(r).toMatchObject({ tracker: 'good', fork: 0, validity: 'valid', error: null, gc: 'none' });
    expect(r.digest).toBe(forkTask(STREAM, 'good').oracleDigest);
    expect(r.stats!.samples).toBeGreaterThanOrEqual(3);
    expect(r.stats!.medianNs).toBeGreaterThan(0);
    expect(r.warmup!.replays).toBeGreaterThanOrEqual(2);
    expect(r.wallMs).toBeGreaterThan(0);
  });

  it('a tracker that differs is invalid — still timed, the digests named', async () => {
    const task = forkTask(STREAM, 'bad');
    const r = await measureFork(task, fakeDeps());
    expect(r.validity).toBe('invalid');
    expect(r.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(r.digest).not.toBe(task.oracleDigest);
    expect(r.error).toBe(`outcome digest ${r.digest} differs from the oracle's ${task.oracleDigest}`);
    expect(r.stats).not.toBeNull();
  });

  it('a throwing tracker is errored, never a rejection: no digest, no timing', async () => {
    const r = await measureFork(forkTask(STREAM, 'boom', { measureMemory: true }), fakeDeps());
    expect(r).toMatchObject({ validity: 'errored', digest: null, stats: null, warmup: null, modeledBytes: null, jsBytes: null });
    expect(r.error).toBe('Error: tracker exploded');
    // A tracker that cannot even be constructed, too.
    const u = await measureFork(forkTask(STREAM, 'no-such-tracker'), fakeDeps());
    expect(u.validity).toBe('errored');
    expect(u.error).toContain('unknown fake tracker no-such-tracker');
  });

  it('the null tracker is unchecked, whatever its digest', async () => {
    const task = forkTask(STREAM, 'null');
    const r = await measureFork(task, fakeDeps());
    expect(r.validity).toBe('unchecked');
    expect(r.digest).not.toBe(task.oracleDigest);
    expect(r.error).toBeNull();
    expect(r.stats).not.toBeNull();
  });

  it('a timed replay whose digest drifts from the first makes the fork invalid', async () => {
    // `flaky` answers right in its first instance (the digest replay), wrong in later ones.
    const task = forkTask(STREAM, 'flaky');
    const r = await measureFork(task, fakeDeps());
    expect(r.digest).toBe(task.oracleDigest);
    expect(r.validity).toBe('invalid');
    expect(r.error).toMatch(new RegExp(`^non-deterministic: a timed replay gave digest [0-9a-f]{16}, the first gave ${r.digest}$`));
    // A deterministic tracker is not flagged by the same check.
    expect((await measureFork(forkTask(STREAM, 'good'), fakeDeps())).validity).toBe('valid');
  });
});

describe('measureFork: what is measured where', () => {
  it('memory only when asked (fork 0): modeled bytes = tracker + page tables at the peak; JS bytes measured', async () => {
    const deps = fakeDeps();
    const with0 = await measureFork(forkTask(STREAM, 'good', { measureMemory: true }), deps);
    expect(with0.modeledBytes).toBe(128 + 4096);
    expect(with0.jsBytes).toBeGreaterThanOrEqual(0);
    const bad = await measureFork(forkTask(STREAM, 'bad', { measureMemory: true }), deps);
    expect(bad.modeledBytes).toBe(256 + 4096);
    const without = await measureFork(forkTask(STREAM, 'good', { fork: 1 }), deps);
    expect(without).toMatchObject({ fork: 1, modeledBytes: null, jsBytes: null });
  });

  it('the empty replay only when asked (null forks): the harness cost', async () => {
    const nul = await measureFork(forkTask(STREAM, 'null', { measureHarness: true }), fakeDeps());
    expect(nul.emptyReplayNs).toBeGreaterThan(0);
    const good = await measureFork(forkTask(STREAM, 'good'), fakeDeps());
    expect(good.emptyReplayNs).toBeNull();
  });

  it('bumps the shared progress counter once per replay (digest, warm-up and timed replays)', async () => {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const r = await measureFork(forkTask(STREAM, 'good', { progress, measureHarness: true, measureMemory: true }), fakeDeps());
    expect(Atomics.load(progress, 0)).toBe(r.warmup!.replays + r.stats!.samples);
  });

  it('with a fake clock, samples are exactly the replay time: construction and forced GC stay outside', async () => {
    const clock = new FakeClock();
    const deps = clockedDeps(clock, 1000); // 200 ops × 1000 ns = 0.2 ms per replay
    const gcCalls: unknown[] = [];
    deps.gc = (o) => {
      gcCalls.push(o);
      clock.advance(5);
    };
    const inner = deps.newTracker;
    deps.newTracker = (n) => {
      clock.advance(3);
      return inner(n);
    };
    const r = await measureFork(forkTask(STREAM, 'good', { timing: { timeMs: 4, minSamples: 3, warmupMinMs: 1, warmupMaxMs: 5, harnessTimeMs: 1 } }), deps);
    expect(r.validity).toBe('valid');
    expect(r.stats!.medianNs).toBeCloseTo(200_000, 3);
    expect(r.stats!.minNs).toBeCloseTo(200_000, 3);
    expect(r.stats!.maxNs).toBeCloseTo(200_000, 3);
    expect(r.stats!.sdNs).toBeCloseTo(0, 6);
    // A minor GC before every warm-up and timed sample.
    expect(gcCalls.filter((o) => (o as { type?: string } | undefined)?.type === 'minor').length).toBeGreaterThanOrEqual(r.warmup!.replays - 1 + r.stats!.samples);
  });

  it('warms up in chunks of about WARMUP_CHUNK_MS until two agree (fake clock: every replay 0.2 ms)', async () => {
    const clock = new FakeClock();
    const r = await measureFork(forkTask(STREAM, 'good', { timing: { timeMs: 4, minSamples: 3, warmupMinMs: 1, warmupMaxMs: 50, harnessTimeMs: 1 } }), clockedDeps(clock, 1000));
    const n = Math.round(WARMUP_CHUNK_MS / 0.2);
    // The digest replay, then two equal chunks: the second agrees with the first.
    expect(r.warmup).toEqual({ replays: 1 + 2 * n, ms: expect.closeTo(0.2 + 2 * n * 0.2, 6), firstMs: expect.closeTo(0.2, 9), steady: true, lastMedianNs: expect.closeTo(200_000, 3) });
    // Bounded: with warmupMaxMs below one chunk, one chunk and not steady.
    const short = await measureFork(forkTask(STREAM, 'good', { timing: { timeMs: 4, minSamples: 3, warmupMinMs: 1, warmupMaxMs: 2, harnessTimeMs: 1 } }), clockedDeps(new FakeClock(), 1000));
    expect(short.warmup).toMatchObject({ replays: 1 + n, steady: false });
  });

  // Regression (fixed in 02c6ef2): the digest replay's clock started before the tracker and the
  // machine were constructed, so `warmup.firstMs` and `warmup.ms` included construction.
  it('a first replay of LONG_REPLAY_MS or more is the fork\'s one sample: not warmed up, not repeated (fake clock: 2 s replays)', async () => {
    const clock = new FakeClock();
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const r = await measureFork(forkTask(STREAM, 'good', { progress }), clockedDeps(clock, 1e7)); // 200 ops × 10 ms
    expect(r.validity).toBe('valid');
    expect(r.warmup).toMatchObject({ replays: 1, firstMs: 2000 });
    expect(r.stats).toMatchObject({ samples: 1, minNs: 2e9 });
    expect(Atomics.load(progress, 0)).toBe(1);
  });

  it('warm-up firstMs is the first replay alone, construction outside (as in every timed sample)', async () => {
    const clock = new FakeClock();
    const deps = clockedDeps(clock, 1000);
    const inner = deps.newTracker;
    deps.newTracker = (n) => {
      clock.advance(3); // a slow constructor
      return inner(n);
    };
    const r = await measureFork(forkTask(STREAM, 'good'), deps);
    expect(r.warmup!.firstMs).toBeCloseTo(0.2, 9);
  });

  it('the result is plain data (survives structured cloning unchanged)', async () => {
    const r = await measureFork(forkTask(STREAM, 'null', { measureHarness: true, measureMemory: true }), fakeDeps());
    expect(structuredClone(r)).toEqual(r);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
  });
});

describe('measureFork: taking turns (bench/measure/turns.ts)', () => {
  it('with a turn flag, the fork runs only in its turns: warm-up, one per timing slice, the end — slices + 2 in all', async () => {
    const turn = newTurnFlag();
    const slices = 3;
    let done = false;
    const p = measureFork(forkTask(STREAM, 'good', { turn, timing: { ...forkTask(STREAM, 'good').timing, slices } }), fakeDeps()).then((r) => {
      done = true;
      return r;
    });
    await untilWaiting(turn, p);
    for (let i = 0; i < slices + 1; i++) await giveTurn(turn, p);
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // the end (harness, memory, the result) waits for its turn
    await giveTurn(turn, p);
    const r = await p;
    expect(r.validity).toBe('valid');
    // Every slice times its share of minSamples, at least one sample.
    expect(r.stats!.samples).toBeGreaterThanOrEqual(Math.max(slices, forkTask(STREAM, 'good').timing.minSamples));
  });
});

describe('fork helpers', () => {
  it('minSamplesFor: fewer samples for replays that would exceed twice the budget, but FIGURE_SAMPLES while they fit in LONG_REPLAY_MS, at least one', () => {
    const t = { timeMs: 100, minSamples: 10, warmupMinMs: 1, warmupMaxMs: 2, harnessTimeMs: 1 };
    expect(minSamplesFor(t, 1)).toBe(10);
    expect(minSamplesFor(t, 40)).toBe(5);
    // A 150 ms replay fits twice the budget once: still FIGURE_SAMPLES, a fork's fastest of one replay is no figure.
    expect(minSamplesFor(t, 150)).toBe(FIGURE_SAMPLES);
    expect(minSamplesFor(t, LONG_REPLAY_MS / FIGURE_SAMPLES)).toBe(FIGURE_SAMPLES);
    expect(minSamplesFor(t, LONG_REPLAY_MS / 2)).toBe(2);
    expect(minSamplesFor(t, 5000)).toBe(1);
    // Never more than the config's own minimum.
    expect(minSamplesFor({ ...t, minSamples: 2 }, 150)).toBe(2);
    expect(minSamplesFor(t, 0)).toBe(10);
    expect(minSamplesFor(t, Number.NaN)).toBe(10);
  });

  it('timesInTurn: a fork with fewer slices than turns spreads them evenly, every turn timed when as many', () => {
    const at = (slices: number, turns: number) => Array.from({ length: turns }, (_, i) => i).filter((i) => timesInTurn(i, slices, turns));
    expect(at(3, 8)).toEqual([2, 5, 7]);
    expect(at(1, 8)).toEqual([7]);
    expect(at(8, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(at(1, 1)).toEqual([0]);
    for (let n = 1; n <= 8; n++) expect(at(n, 8)).toHaveLength(n);
  });

  it('describeError names the error class', () => {
    expect(describeError(new RangeError('x'))).toBe('RangeError: x');
    expect(describeError('plain')).toBe('plain');
  });
});
