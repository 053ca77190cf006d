/**
 * The projection model (bench/summarise/project.ts) against closed forms: one
 * CPU, no lock, saturation, the exact M/M/1//N solution by mean-value
 * analysis, the asymptotic bounds, the ticket-lock collapse, and the
 * hand-off that reproduces Holt's 256-CPU ratio in the saturated limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HANDOFF_NS, HOLT, handoffForRatio, mva, project, solveLock } from '../../../bench/summarise/project.js';

const CPUS = [1, 2, 4, 32, 64, 128, 256, 512];

describe('project: closed forms', () => {
  it('one CPU: 1 / (critical + non-critical time), whatever the hand-off; no waiting', () => {
    for (const h of [0, 134, 5000]) {
      const [p] = project({ csNs: 40, nonCsNs: 960, acquisitionsPerOp: 2 }, [1], { handoffNs: h, perWaiterNs: 10 });
      expect(p!.opsPerSec).toBeCloseTo(1e6, 3);
      expect(p!.speedup).toBe(1);
      expect(p!.waitShare).toBeCloseTo(0, 12);
      expect(p!.lockBusy).toBeCloseTo(0.04, 12);
    }
  });

  it('no lock on the path (cmpxchg on page flags): throughput scales linearly', () => {
    const pts = project({ csNs: 0, nonCsNs: 2480, acquisitionsPerOp: 0 }, CPUS);
    for (const p of pts) {
      expect(p.speedup).toBeCloseTo(p.cpus, 9);
      expect(p.opsPerSec).toBeCloseTo((p.cpus / 2480) * 1e9, 3);
      expect(p.waitShare).toBe(0);
    }
  });

  it('saturation: with no non-critical work, throughput is one section plus one hand-off (plus waiters) at a time', () => {
    const [p] = project({ csNs: 50, nonCsNs: 0, acquisitionsPerOp: 1 }, [8], { handoffNs: 150, perWaiterNs: 10 });
    expect(p!.opsPerSec).toBeCloseTo(1e9 / (50 + 150 + 10 * 7), 3);
    expect(p!.lockBusy).toBe(1);
    expect(p!.meanAtLock).toBe(8);
  });

  it('many CPUs saturate the lock: X(512) → 1 / (section + hand-off)', () => {
    const [p] = project({ csNs: 100, nonCsNs: 1000, acquisitionsPerOp: 1 }, [512], { handoffNs: 134 });
    expect(p!.opsPerSec / (1e9 / 234)).toBeCloseTo(1, 9);
    // Each CPU waits for the 511 others: (N·S − S) / (Z + N·S).
    expect(p!.waitShare).toBeCloseTo((512 * 234 - 234) / (1000 + 512 * 234), 3);
  });

  it('with constant service the chain is the M/M/1//N queue that exact MVA solves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.double({ min: 1, max: 1e5, noNaN: true }), fc.double({ min: 1, max: 1e4, noNaN: true }), (n, z, s) => {
        expect(solveLock(n, z, () => s).x / mva(n, z, s)).toBeCloseTo(1, 9);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('stays within the asymptotic bounds: X ≤ min(N / (Z + S), 1 / S)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 1e4, noNaN: true }), (cs, z, h) => {
        for (const p of project({ csNs: cs, nonCsNs: z, acquisitionsPerOp: 1 }, CPUS, { handoffNs: h })) {
          const sMin = cs + (h * (p.cpus - 1)) / p.cpus;
          const bound = Math.min(p.cpus / (z + sMin), 1 / sMin) * 1e9;
          expect(p.opsPerSec).toBeLessThanOrEqual(bound * (1 + 1e-9));
          expect(p.lockBusy).toBeLessThanOrEqual(1 + 1e-12);
          expect(p.waitShare).toBeGreaterThanOrEqual(-1e-12);
        }
      }),
      { seed: 4, numRuns: 150 },
    );
  });

  it('without a hand-off, adding CPUs never loses throughput', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0, max: 1e5, noNaN: true }), (cs, z) => {
        const pts = project({ csNs: cs, nonCsNs: z, acquisitionsPerOp: 1 }, CPUS, { handoffNs: 0 });
        for (let i = 1; i < pts.length; i++) expect(pts[i]!.opsPerSec).toBeGreaterThanOrEqual(pts[i - 1]!.opsPerSec * (1 - 1e-9));
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  it('a hand-off that grows with the waiters makes throughput fall as CPUs are added (the ticket-lock collapse)', () => {
    const cost = { csNs: 50, nonCsNs: 2000, acquisitionsPerOp: 1 };
    const flat = project(cost, [32, 256], { handoffNs: 134 });
    expect(flat[1]!.opsPerSec / flat[0]!.opsPerSec).toBeCloseTo(1, 2);
    const collapse = project(cost, [32, 256], { handoffNs: 134, perWaiterNs: 20 });
    expect(collapse[1]!.opsPerSec).toBeLessThan(collapse[0]!.opsPerSec / 2);
  });

  it('rejects negative costs, an op of no time and CPU counts below 1', () => {
    expect(() => project({ csNs: -1, nonCsNs: 1, acquisitionsPerOp: 1 }, [1])).toThrow(RangeError);
    expect(() => project({ csNs: 0, nonCsNs: 0, acquisitionsPerOp: 0 }, [1])).toThrow(RangeError);
    expect(() => project({ csNs: 1, nonCsNs: 1, acquisitionsPerOp: 1 }, [0])).toThrow(RangeError);
    expect(() => project({ csNs: 1, nonCsNs: 1, acquisitionsPerOp: 1 }, [2.5])).toThrow(RangeError);
  });
});

describe("Holt's experiment", () => {
  const perPage = (HOLT.cmpxchgSeconds * 1e9) / HOLT.pagesPerCpu; // ns per vm_insert_pfn with cmpxchg: ≈ 2480
  const cost = { csNs: 50, nonCsNs: perPage - 50, acquisitionsPerOp: 1 };
  const ratio256 = HOLT.spinlockSeconds[256]! / HOLT.cmpxchgSeconds;

  it('the hand-off that gives the 256-CPU ratio is the saturated closed form N·(cs + h) / (cs + Z) = ratio', () => {
    expect(perPage).toBeCloseTo(2479.6, 1);
    const h = handoffForRatio(cost, 256, ratio256);
    expect(h).toBeCloseTo((ratio256 * perPage) / 256 - 50, 0);
    expect(h).toBeGreaterThan(6000);
    expect(h).toBeLessThan(7000);
  });

  it('the default (2-socket) hand-off gives a far smaller ratio: Holt’s machine moved the line much more slowly', () => {
    const spin = project(cost, [256], { handoffNs: DEFAULT_HANDOFF_NS })[0]!;
    const ratio = (256 / perPage) * 1e9 / spin.opsPerSec;
    expect(ratio).toBeGreaterThan(15);
    expect(ratio).toBeLessThan(25);
  });

  it('returns 0 when no hand-off is needed and NaN when none is enough', () => {
    expect(handoffForRatio(cost, 256, 1)).toBe(0);
    expect(handoffForRatio(cost, 2, 1e9)).toBeNaN();
  });
});
