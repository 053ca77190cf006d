import { describe, it, expect } from 'vitest';
import { createPool } from '../../bench/pool.js';
import type { GroupTask } from '../../bench/cell.js';
import { LINUX_TRACKER } from '../../impls/registry.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';

const timing = { timeMs: 5, iterations: 2, warmup: false, warmupTimeMs: 1, warmupIterations: 1, harnessTimeMs: 1 };

function task(workload: string, size: number, trackers: string[]): GroupTask {
  return { groupId: `${workload}/${size}/1`, workload, size, seed: 1, machineLabel: 'default', trackers, rounds: 2, orderSeed: 1, timing, maxSamples: 20 };
}

describe('pool', () => {
  it('runs a group on a worker thread and returns plain data (one message per group)', async () => {
    // From sources the pool finds bench/worker.ts and loads it through tsx.
    const pool = createPool({ maxThreads: 1 });
    try {
      expect(pool.threads).toBe(1);
      const bad = await pool.run(task('no-such-workload', 4, ['null']));
      expect(bad.error).toMatch(/unknown workload "no-such-workload"/);
      expect(bad.cells).toEqual([expect.objectContaining({ tracker: 'null', validity: 'errored' })]);
      // The real registries, hardware and machine, end to end on a small group.
      const workload = workloadNames()[0]!;
      const size = getWorkload(workload).defaultSizes[0]!;
      const r = await pool.run(task(workload, size, ['null', LINUX_TRACKER]));
      expect(r.error).toBeNull();
      expect(r.ops).toBeGreaterThan(0);
      expect(r.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
      expect(r.gc).not.toBe('none');
      expect(r.orders).toHaveLength(2);
      for (const c of r.cells) {
        expect(c.error).toBeNull();
        expect(c.digest).toMatch(/^[0-9a-f]{16}$/);
        expect(c.rounds).toHaveLength(2);
        for (const x of c.rounds) expect(x.stats!.medianNs).toBeGreaterThan(0);
        expect(c.jsBytes).toBeGreaterThanOrEqual(0);
        expect(c.modeledBytes).toBeGreaterThan(0);
      }
      expect(r.cells[1]!.validity).toBe(r.cells[1]!.digest === r.oracleDigest ? 'valid' : 'invalid');
    } finally {
      await pool.destroy();
    }
  }, 20_000);

  it('rejects a bad thread count', () => {
    expect(() => createPool({ maxThreads: 0 })).toThrow(RangeError);
  });
});
