import { describe, it, expect } from 'vitest';
import { measureGroup, minSamplesFor, warmupFor, type CellDeps, type GroupTask } from '../../bench/cell.js';
import type { TimingOptions } from '../../bench/matrix.js';
import { FakeClock, FakeMachine, fakeDeps } from './fakes.js';

const FAST: TimingOptions = { timeMs: 15, iterations: 3, warmup: true, warmupTimeMs: 2, warmupIterations: 1, harnessTimeMs: 2 };

function task(trackers: string[], over: Partial<GroupTask> = {}): GroupTask {
  return { groupId: 'w/16/1', workload: 'w', size: 16, seed: 1, machineLabel: 'fake', trackers, rounds: 1, orderSeed: 1, timing: FAST, maxSamples: 50, ...over };
}

/** Deps whose clock advances `nsPerOp` per replayed op and nowhere else (construction, GC and checks are free). */
function clockedDeps(clock: FakeClock, nsPerOp: (tracker: string) => number, ops = 100): CellDeps {
  const deps = fakeDeps(ops);
  return {
    ...deps,
    now: clock.now,
    machineFactory: () => (t) => {
      const m = new FakeMachine(t);
      const run = m.run.bind(m);
      m.run = (stream, sink, end) => {
        run(stream, sink, end);
        clock.advance(((end ?? stream.count) * nsPerOp(t.name)) / 1e6);
      };
      return m;
    },
  };
}

describe('measureGroup', () => {
  it('measures every tracker against the oracle digest; keeps invalid and errored cells', async () => {
    const r = await measureGroup(task(['null', 'good', 'bad', 'boom'], { rounds: 2 }), fakeDeps(200));
    expect(r.error).toBeNull();
    expect(r.ops).toBe(200);
    expect(r.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
    const [nul, good, bad, boom] = r.cells;
    expect(nul).toMatchObject({ tracker: 'null', validity: 'unchecked', error: null, modeledBytes: 4096 });
    expect(good).toMatchObject({ tracker: 'good', validity: 'valid', error: null, digest: r.oracleDigest, modeledBytes: 128 + 4096 });
    expect(good!.rounds.map((x) => x.round)).toEqual([0, 1]);
    for (const x of good!.rounds) {
      expect(x.stats!.samples).toBeGreaterThanOrEqual(3);
      expect(x.stats!.medianNs).toBeGreaterThan(0);
      expect(x.stats!.samplesNs.length).toBeLessThanOrEqual(50);
      expect(x.stats!.rme).toBeGreaterThanOrEqual(0);
    }
    expect(good!.jsBytes).toBeGreaterThanOrEqual(0);
    // An invalid cell is kept, measured and marked.
    expect(bad).toMatchObject({ tracker: 'bad', validity: 'invalid', error: null });
    expect(bad!.digest).not.toBe(r.oracleDigest);
    expect(bad!.rounds[0]!.stats).not.toBeNull();
    // A throwing tracker becomes an errored cell, one round entry per round.
    expect(boom).toMatchObject({ tracker: 'boom', validity: 'errored' });
    expect(boom!.error).toContain('tracker exploded');
    expect(boom!.rounds.map((x) => x.stats)).toEqual([null, null]);
    // The harness's own cost was measured every round.
    expect(r.harnessNs).toHaveLength(2);
    for (const h of r.harnessNs) expect(h).toBeGreaterThan(0);
  });

  it('interleaves the trackers in a seeded random order per round', async () => {
    const trackers = ['null', 'good', 'bad', 'base'];
    const a = await measureGroup(task(trackers, { rounds: 4 }), fakeDeps(20));
    const b = await measureGroup(task(trackers, { rounds: 4 }), fakeDeps(20));
    expect(a.orders).toHaveLength(4);
    for (const o of a.orders) expect([...o].sort()).toEqual([...trackers].sort());
    expect(a.orders).toEqual(b.orders);
    expect(new Set(a.orders.map((o) => o.join())).size).toBeGreaterThan(1);
    // Each round records the position the cell ran at.
    for (const c of a.cells) for (const x of c.rounds) expect(a.orders[x.round]![x.position]).toBe(c.tracker);
  });

  it('with an injected clock, samples are exactly the replay time: construction and forced GC stay outside', async () => {
    const clock = new FakeClock();
    const deps = clockedDeps(clock, (t) => (t === 'good' ? 1000 : 250), 100);
    const gcCalls: unknown[] = [];
    deps.gc = (o) => {
      gcCalls.push(o);
      clock.advance(5); // a forced GC outside the timed region must not show in the samples
    };
    const inner = deps.newTracker;
    deps.newTracker = (n) => {
      clock.advance(3); // a slow constructor, outside the timed region
      return inner(n);
    };
    const r = await measureGroup(task(['null', 'good'], { rounds: 3 }), deps);
    const good = r.cells.find((c) => c.tracker === 'good')!;
    const nul = r.cells.find((c) => c.tracker === 'null')!;
    for (const x of good.rounds) {
      expect(x.stats!.medianNs).toBeCloseTo(100 * 1000, 3); // 100 ops × 1000 ns
      expect(x.stats!.minNs).toBeCloseTo(100 * 1000, 3);
      expect(x.stats!.maxNs).toBeCloseTo(100 * 1000, 3);
      expect(x.stats!.rme).toBeCloseTo(0, 6);
    }
    for (const x of nul.rounds) expect(x.stats!.medianNs).toBeCloseTo(100 * 250, 3);
    // A minor GC before every timed (and warm-up) sample, full GCs only for the JS-bytes readings.
    expect(gcCalls.filter((o) => (o as { type?: string } | undefined)?.type === 'minor').length).toBeGreaterThanOrEqual(3 * 2 * 3);
  });

  it('a failing workload marks every cell of the group errored', async () => {
    const r = await measureGroup(task(['null', 'good'], { workload: 'broken', rounds: 2 }), fakeDeps());
    expect(r.error).toContain('cannot build');
    expect(r.cells.map((c) => [c.tracker, c.validity, c.error !== null, c.rounds.length])).toEqual([
      ['null', 'errored', true, 2],
      ['good', 'errored', true, 2],
    ]);
  });

  it('minimum samples and warm-up shrink for long replays', () => {
    const t = { ...FAST, timeMs: 100, iterations: 10, warmupTimeMs: 20, warmupIterations: 2 };
    expect(minSamplesFor(t, 1)).toBe(10);
    expect(minSamplesFor(t, 40)).toBe(5);
    expect(minSamplesFor(t, 5000)).toBe(1);
    expect(minSamplesFor(t, 0)).toBe(10);
    expect(warmupFor(t, 5, 2)).toBe(t);
    expect(warmupFor(t, 50, 0)).toMatchObject({ warmup: true, warmupIterations: 1 });
    expect(warmupFor(t, 50, 1)).toMatchObject({ warmup: false });
    expect(warmupFor(t, 500, 0)).toMatchObject({ warmup: false });
  });
});
