import { describe, it, expect } from 'vitest';
import { createPool } from '../../bench/pool.js';
import { trackerNames } from '../../impls/registry.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';

describe('pool', () => {
  it('runs a group on a worker thread and returns plain data (one message per group)', async () => {
    // Under vitest the sources are .ts: point the pool at the .ts worker and let tsx load it.
    const pool = createPool({ maxThreads: 1, filename: new URL('../../bench/worker.ts', import.meta.url), execArgv: ['--import', 'tsx'] });
    try {
      expect(pool.threads).toBe(1);
      const timing = { timeMs: 5, iterations: 2, warmup: false, warmupTimeMs: 1, warmupIterations: 1 };
      const bad = await pool.run({ workload: 'no-such-workload', size: 4, seed: 1, trackers: ['null'], timing });
      expect(bad.error).toMatch(/unknown workload "no-such-workload"/);
      expect(bad.cells).toEqual([expect.objectContaining({ tracker: 'null', baseline: true, valid: null, opsPerSec: null })]);
      // The real registries, hardware and machine, end to end on a small group.
      const workload = workloadNames()[0]!;
      const tracker = trackerNames()[0]!;
      const size = getWorkload(workload).defaultSizes[0]!;
      const r = await pool.run({ workload, size, seed: 1, trackers: ['null', tracker], timing });
      expect(r.error).toBeNull();
      expect(r.ops).toBeGreaterThan(0);
      expect(r.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
      for (const c of r.cells) {
        expect(c.error).toBeNull();
        expect(c.digest).toMatch(/^[0-9a-f]{16}$/);
        expect(c.opsPerSec).toBeGreaterThan(0);
        expect(c.jsBytes).toBeGreaterThanOrEqual(0);
      }
      expect(r.cells[1]!.valid).toBe(r.cells[1]!.digest === r.oracleDigest);
    } finally {
      await pool.destroy();
    }
  }, 20_000);

  it('rejects a bad thread count', () => {
    expect(() => createPool({ maxThreads: 0 })).toThrow(RangeError);
  });
});
