import { describe, it, expect } from 'vitest';
import { measureGroup, type TimingOptions } from '../../bench/cell.js';
import { fakeDeps } from './fakes.js';

const FAST: TimingOptions = { timeMs: 20, iterations: 3, warmup: true, warmupTimeMs: 5, warmupIterations: 1 };

describe('measureGroup', () => {
  it('measures every tracker against the oracle digest', () => {
    const r = measureGroup({ workload: 'w', size: 16, seed: 1, trackers: ['null', 'good', 'bad', 'boom'], timing: FAST }, fakeDeps(200));
    expect(r.error).toBeNull();
    expect(r.ops).toBe(200);
    expect(r.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
    const [nul, good, bad, boom] = r.cells;
    expect(nul).toMatchObject({ tracker: 'null', baseline: true, valid: null, error: null, modeledBytes: 4096 });
    expect(good).toMatchObject({ tracker: 'good', baseline: false, valid: true, error: null, digest: r.oracleDigest, modeledBytes: 128 + 4096 });
    expect(good!.samples).toBeGreaterThanOrEqual(3);
    expect(good!.opsPerSec).toBeGreaterThan(0);
    expect(good!.nsPerOp! * good!.opsPerSec!).toBeCloseTo(1e9, -3);
    expect(good!.jsBytes).toBeGreaterThanOrEqual(0);
    expect(good!.rme).toBeGreaterThanOrEqual(0);
    // An invalid cell is kept, measured and marked.
    expect(bad).toMatchObject({ tracker: 'bad', valid: false, error: null });
    expect(bad!.digest).not.toBe(r.oracleDigest);
    expect(bad!.opsPerSec).toBeGreaterThan(0);
    // A throwing tracker becomes an errored, invalid cell.
    expect(boom).toMatchObject({ tracker: 'boom', valid: false, opsPerSec: null });
    expect(boom!.error).toContain('tracker exploded');
  });

  it('builds the stream once; machine construction is outside the timed replay but inside the time budget', () => {
    const deps = fakeDeps(50);
    let streams = 0;
    let trackers = 0;
    const inner = deps.buildStream;
    deps.buildStream = (...a) => (streams++, inner(...a));
    const innerT = deps.newTracker;
    deps.newTracker = (n) => {
      trackers++;
      const until = performance.now() + 2; // a slow constructor: 2 ms
      while (performance.now() < until);
      return innerT(n);
    };
    const t0 = performance.now();
    const r = measureGroup({ workload: 'w', size: 1, seed: 1, trackers: ['good'], timing: FAST }, deps);
    const wall = performance.now() - t0;
    const cell = r.cells[0]!;
    expect(streams).toBe(1);
    // oracle + untimed reference replay + ≥ 1 warm-up + every timed sample
    expect(trackers).toBeGreaterThanOrEqual(2 + 1 + cell.samples);
    // The median replay of 50 ops is far below the 2 ms construction.
    expect((cell.nsPerOp! * 50) / 1e6).toBeLessThan(1);
    // Construction is charged to the budget: ~ (20 + 5) ms / 2 ms iterations, not thousands.
    expect(cell.samples).toBeLessThan(40);
    expect(wall).toBeLessThan(1000);
  });

  it('a workload failure marks every cell of the group errored', () => {
    const r = measureGroup({ workload: 'broken', size: 1, seed: 1, trackers: ['null', 'good'], timing: FAST }, fakeDeps());
    expect(r.error).toContain('cannot build');
    expect(r.cells.map((c) => [c.tracker, c.valid, c.error !== null])).toEqual([
      ['null', null, true],
      ['good', false, true],
    ]);
  });
});
