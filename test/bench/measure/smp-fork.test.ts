/**
 * SMP cells through the real cell path: a group prepared once (one stream
 * per CPU, the oracle's reference), each fork a coordinator that starts
 * fresh CPU worker threads (bench/measure/smp-fork.ts, in-process here; the
 * CPUs are real threads). Then correctness under concurrency: every real
 * locking scheme under fast-check-chosen interleavings (random yields
 * inside the critical sections) passes every check, and the scheme broken
 * on purpose (no lock at all) is caught at cell level. Short budgets: the
 * figures are not the point, the shape of the results is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForkTask, ForkTiming } from '../../../bench/measure/fork.js';
import { measureGroup, type GroupTask } from '../../../bench/measure/group.js';
import { prepareGroup } from '../../../bench/measure/prepare.js';
import { checkSmpCell, measureSmpFork } from '../../../bench/measure/smp-fork.js';
import { prepareSmpGroup, smpStreams, type PreparedSmpGroup } from '../../../bench/measure/smp-prepare.js';
import worker from '../../../bench/measure/worker.js';
import { LOCK_SCHEMES } from '../../../impls/smp/lock-part.js';

const TIMING: ForkTiming = { timeMs: 15, minSamples: 2, warmupMinMs: 5, warmupMaxMs: 15, harnessTimeMs: 5 };
const SMALL: Record<string, number> = { 'xpmem-insert': 64, 'ttm-fault-smp': 4, 'probe-smp': 8 };

function prepared(workload: string, cpus: number, size = SMALL[workload]!): Extract<PreparedSmpGroup, { ok: true }> {
  const p = prepareSmpGroup({ workload, size, seed: 1, cpus, bugs: [] });
  if (!p.ok) throw new Error(p.error);
  return p;
}

function forkTask(tracker: string, p: Extract<PreparedSmpGroup, { ok: true }>, over: Partial<ForkTask> = {}): ForkTask {
  return {
    groupId: 'g',
    tracker,
    fork: 0,
    stream: p.streams[0]!,
    oracleDigest: p.reference.digests.join('.'),
    bugs: [],
    timing: TIMING,
    maxSamples: 50,
    measureMemory: true,
    measureHarness: tracker === 'null',
    modules: [],
    verified: true,
    smp: { cpus: p.streams.length, streams: p.streams, reference: p.reference },
    ...over,
  };
}

describe('an SMP group is prepared once', () => {
  it("one shared stream per CPU, the oracle's digest of each CPU's stream alone, its state at the peak and the end", () => {
    const p = prepared('probe-smp', 3);
    expect(p.streams).toHaveLength(3);
    for (const s of p.streams) expect(s.ops.buffer).toBeInstanceOf(SharedArrayBuffer);
    p.streams.forEach((s, cpu) => {
      const alone = prepareGroup({ workload: 'x', size: 1, seed: 1, bugs: [] }, () => s);
      expect(alone.ok && alone.oracleDigest).toBe(p.reference.digests[cpu]);
    });
    // probe-smp's peak: every CPU's devices probed; its end: all removed.
    expect(p.peakReservations).toBeGreaterThan(3 * SMALL['probe-smp']!);
    expect(p.reference.end).toEqual({ list: [], ram: [], aliases: [] });
    expect(p.reference.peak.aliases).toEqual([]);
  });

  it('a single-CPU workload runs at one CPU, on its one stream; on two it refuses, naming the SMP workloads', () => {
    const p = prepared('ttm-fault', 1, 16);
    const today = prepareGroup({ workload: 'ttm-fault', size: 16, seed: 1, bugs: [] });
    expect(today.ok && today.oracleDigest).toBe(p.reference.digests[0]);
    expect(() => smpStreams('ttm-fault', 16, 2, 1)).toThrow(/ttm-fault is a single-CPU workload .*xpmem-insert, ttm-fault-smp, probe-smp/);
    const bad = prepareSmpGroup({ workload: 'xpmem-insert', size: 1 << 20, seed: 1, cpus: 8, bugs: [] });
    expect(bad.ok).toBe(false);
  });

  it('the preparing worker hands a group its CPUs\' streams and the joined per-CPU digests', () => {
    const r = worker({ workload: 'ttm-fault-smp', size: 4, seed: 1, bugs: [], cpus: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.smp?.streams).toHaveLength(2);
    expect(r.oracleDigest).toBe(r.smp!.reference.digests.join('.'));
    expect(r.stream).toBe(r.smp!.streams[0]);
  });
});

describe('an SMP fork', () => {
  it("times each SMP workload at 2 CPUs: valid, per-CPU digests, the slowest CPU's time, per-CPU medians and the lock's counts", async () => {
    for (const [w, tracker] of [
      ['xpmem-insert', 'btree+page-bit-ram-walk+single-page+spinlock'],
      ['ttm-fault-smp', 'btree+page-bit+single-page+seqlock'],
      ['probe-smp', 'btree+page-bit-ram-walk+whole-vma+rwlock'],
    ] as const) {
      const p = prepared(w, 2);
      const r = await measureSmpFork(forkTask(tracker, p));
      expect(r.error, w).toBeNull();
      expect(r.validity, w).toBe('valid');
      expect(r.digest).toBe(p.reference.digests.join('.'));
      expect(r.stats!.samples).toBeGreaterThanOrEqual(2);
      const smp = r.smp!;
      expect(smp.cpus).toBe(2);
      expect(smp.cpuOps).toEqual(p.streams.map((s) => s.count));
      expect(smp.samples).toBe(r.stats!.samples);
      // The sample is the slowest CPU's replay: no CPU's median above the cell's largest sample.
      for (const ns of smp.cpuMedianNs) expect(ns).toBeLessThanOrEqual(r.stats!.maxNs + 1e-6);
      expect(smp.busyNs).toBeGreaterThan(0);
      expect(smp.lock.acquired + smp.lock.reads, w).toBeGreaterThan(0);
      expect(smp.csOrder).toMatch(/replayed|straddling/);
      expect(r.modeledBytes).toBeGreaterThan(0);
      expect(r.jsBytes).toBeNull();
    }
  }, 60_000);

  it('cmpxchg takes no lock on xpmem-insert (RAM page types by cmpxchg); spinlock takes memtype_lock on every insert', async () => {
    const p = prepared('xpmem-insert', 2);
    const cmpxchg = await measureSmpFork(forkTask('btree+page-bit-ram-walk+single-page+cmpxchg', p, { measureMemory: false }));
    const spin = await measureSmpFork(forkTask('btree+page-bit-ram-walk+single-page+spinlock', p, { measureMemory: false }));
    expect(cmpxchg.smp!.lock.acquired).toBe(0);
    const inserts = 2 * SMALL['xpmem-insert']! * 2;
    expect(spin.smp!.lock.acquired / spin.smp!.samples).toBeGreaterThanOrEqual(inserts);
  }, 60_000);

  it('the null tracker at 2 CPUs shares nothing: unchecked, no lock, the empty replay timed', async () => {
    const r = await measureSmpFork(forkTask('null', prepared('ttm-fault-smp', 2)));
    expect(r.validity).toBe('unchecked');
    expect(r.smp!.lock.acquired).toBe(0);
    expect(r.smp!.csOrder).toBe('unlogged');
    expect(r.emptyReplayNs).toBeGreaterThan(0);
  }, 30_000);

  it('a tracker that cannot be shared errors at 2 CPUs, saying why; at one CPU any tracker runs on its CPU thread', async () => {
    const r = await measureSmpFork(forkTask('interval-tree+page-bit+single-page', prepared('ttm-fault-smp', 2)));
    expect(r.validity).toBe('errored');
    expect(r.error).toMatch(/interval-tree\+page-bit\+single-page cannot run on 2 CPUs: .*expected store\+ram\+insert\+lock/);
    const one = await measureSmpFork(forkTask('interval-tree+page-bit+single-page', prepared('ttm-fault', 1, 16), { measureMemory: false }));
    expect(one.error).toBeNull();
    expect(one.validity).toBe('valid');
  }, 30_000);
});

const perturbArb = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) }), {
  minLength: 1,
  maxLength: 12,
});

describe('correctness under concurrency', () => {
  for (const scheme of LOCK_SCHEMES) {
    it(`${scheme}: fast-check-chosen interleavings (yields inside the critical sections) pass every check`, async () => {
      const tracker = `btree+page-bit-ram-walk+single-page+${scheme}`;
      const groups = [prepared('probe-smp', 2), prepared('ttm-fault-smp', 2)];
      await fc.assert(
        fc.asyncProperty(fc.nat(groups.length - 1), perturbArb, async (g, perturb) => {
          const p = groups[g]!;
          const t = forkTask(tracker, p);
          const { verdict } = await checkSmpCell({ ...t, smp: { ...t.smp!, perturb, spinlock: 'ticket' } });
          expect(verdict.problems).toEqual([]);
        }),
        { numRuns: 3, seed: 1501 },
      );
    }, 60_000);
  }

  it('the scheme broken on purpose (no lock: tree lookups, inserts and erases of every CPU at once) is caught at cell level', async () => {
    const cell: GroupTask = {
      groupId: 'probe-smp/64/1/2cpu',
      workload: 'probe-smp',
      size: 64,
      seed: 1,
      machineLabel: 'kvm-guest-24g',
      trackers: ['btree+page-bit+single-page+nolock'],
      forks: 1,
      orderSeed: 1,
      timing: TIMING,
      maxSamples: 50,
      modules: [],
      unverified: [],
      refused: {},
      cpus: 2,
    };
    const deps = { prepare: async (t: Parameters<typeof worker>[0]) => worker(t), runFork: (t: ForkTask) => measureSmpFork(t) };
    // On a loaded host the two CPU threads may seldom run at once: a few attempts, more CPUs in the later ones.
    const seen: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const r = await measureGroup({ ...cell, cpus: attempt < 2 ? 2 : 4, seed: attempt + 1 }, deps);
      const c = r.cells[0]!;
      seen.push(`${c.validity}: ${c.error}`);
      if (c.validity === 'invalid' || c.validity === 'errored') break;
    }
    expect(seen[seen.length - 1]).toMatch(/^(invalid|errored): /);
  }, 90_000);
});
