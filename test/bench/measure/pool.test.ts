import { describe, it, expect } from 'vitest';
import { prepareGroup } from '../../../bench/measure/prepare.js';
import { createPool } from '../../../bench/measure/pool.js';

describe('preparation pool', () => {
  it('prepares a group on a worker thread: the stream in a SharedArrayBuffer and the oracle digest, as plain data', async () => {
    // From sources the pool finds bench/measure/worker.ts and loads it through tsx.
    const pool = createPool({ maxThreads: 1 });
    try {
      expect(pool.threads).toBe(1);
      const bad = await pool.prepare({ workload: 'no-such-workload', size: 4, seed: 1, bugs: [] });
      expect(bad).toEqual({ ok: false, error: expect.stringMatching(/^workload: .*unknown workload "no-such-workload"/), ops: null, peakOps: null });
      // The real registries, hardware and oracle, end to end on a small group.
      const task = { workload: 'ttm-fault', size: 16, seed: 1, bugs: [] };
      const r = await pool.prepare(task);
      if (!r.ok) throw new Error(r.error);
      // The worker's buffer itself came back (shared, not copied), with what an in-process preparation gives.
      expect(r.stream.ops.buffer).toBeInstanceOf(SharedArrayBuffer);
      const local = prepareGroup(task);
      if (!local.ok) throw new Error(local.error);
      expect(r.oracleDigest).toBe(local.oracleDigest);
      expect(r.stream.count).toBe(local.stream.count);
      expect(Array.from(r.stream.ops)).toEqual(Array.from(local.stream.ops));
    } finally {
      await pool.destroy();
    }
  }, 20_000);

  it('rejects a bad thread count', () => {
    expect(() => createPool({ maxThreads: 0 })).toThrow(RangeError);
    expect(() => createPool({ maxThreads: 1.5 })).toThrow(RangeError);
  });
});
