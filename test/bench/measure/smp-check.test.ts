/**
 * bench/measure/smp-check.ts on one thread: the CPUs' streams interleaved
 * at random on Machines sharing one SMP tracker state, each CPU logging its
 * critical sections, give a run that passes every check; each check fails
 * on its own kind of damage — a wrong digest, a memtype list or a page type
 * the oracle does not have, an alias that only the union of the CPUs'
 * mappings shows, an inconsistent machine, a log that goes backwards.
 */
import { describe, expect, it } from 'vitest';
import { UC_MINUS, WC } from '../../../core/cachemode.js';
import { Hardware } from '../../../core/hardware.js';
import { Machine } from '../../../core/machine.js';
import { STRIDE, type OpStream } from '../../../core/ops.js';
import { DigestSink } from '../../../core/outcome.js';
import { CsLog } from '../../../impls/smp/cs-log.js';
import { SharedBtreeStore } from '../../../impls/smp/shared-btree.js';
import { SharedPageFlags } from '../../../impls/smp/shared-page-flags.js';
import { createSmpState, smpTracker } from '../../../impls/smp/smp-tracker.js';
import { checkSmpRun, replayInOrder } from '../../../bench/measure/smp-check.js';
import { prepareSmpGroup, sortedTriples, unionAliases } from '../../../bench/measure/smp-prepare.js';
import type { SmpReference } from '../../../bench/measure/smp-types.js';
import type { SmpObserved } from '../../../bench/measure/smp-check.js';
import { rng } from '../../impls/store-harness.js';

/** One thread playing `streams.length` CPUs in a seeded random interleaving, as the checked run records it. */
function interleaved(workload: string, size: number, cpus: number, scheme: string, seed: number): { streams: OpStream[]; ref: SmpReference; obs: SmpObserved } {
  const p = prepareSmpGroup({ workload, size, seed: 1, cpus, bugs: [] });
  if (!p.ok) throw new Error(p.error);
  const streams = p.streams;
  const hw = Hardware.fromParsed(streams[0]!.machine);
  const state = createSmpState(hw.physmap.maxPfn);
  const logs = streams.map((s) => new CsLog(s.count));
  const sinks = streams.map(() => new DigestSink());
  const trackers = streams.map((_, cpu) => smpTracker(`btree+page-bit-ram-walk+single-page+${scheme}`, state, { cpu, log: logs[cpu]! }));
  const machines = streams.map((s, cpu) => {
    const m = new Machine(hw, trackers[cpu]!);
    m.attachStream(s, sinks[cpu]!);
    return m;
  });
  const next = streams.map(() => 0);
  const r = rng(seed);
  const shared = (): { list: number[]; ram: number[] } => {
    const list: number[] = [];
    new SharedBtreeStore(state.store).list(list);
    return { list: sortedTriples(list), ram: new SharedPageFlags(state.pageFlags).nonWbPages().flatMap((x) => [x.pfn, x.type]) };
  };
  const runTo = (limit: (cpu: number) => number): void => {
    for (;;) {
      const open = streams.map((_, cpu) => cpu).filter((cpu) => next[cpu]! < limit(cpu));
      if (open.length === 0) return;
      const cpu = open[Math.floor(r() * open.length)]!;
      const i = next[cpu]!++;
      trackers[cpu]!.opIndex = i;
      const m = machines[cpu]!;
      sinks[cpu]!.done(i, m.exec(streams[cpu]!.ops, i * STRIDE), m.outType, m.query);
    }
  };
  runTo((cpu) => Math.min(streams[cpu]!.peak, streams[cpu]!.count));
  const peakShared = shared();
  const peakMappings = machines.map((m) => m.aliasMappings());
  runTo((cpu) => streams[cpu]!.count);
  return {
    streams,
    ref: p.reference,
    obs: {
      digests: sinks.map((s) => s.digest()),
      logs: logs.map((l) => l.rows()),
      peakShared,
      endShared: shared(),
      peakMappings,
      endMappings: machines.map((m) => m.aliasMappings()),
      endProblems: machines.map((m) => m.checkConsistency()),
    },
  };
}

describe('checkSmpRun', () => {
  for (const scheme of ['spinlock', 'cmpxchg', 'rwlock', 'seqlock']) {
    it(`${scheme}: a random interleaving of probe-smp and ttm-fault-smp on 3 CPUs passes every check, its order replayed on the oracle`, () => {
      for (const [w, size] of [
        ['probe-smp', 8],
        ['ttm-fault-smp', 3],
      ] as const) {
        const { streams, ref, obs } = interleaved(w, size, 3, scheme, 7);
        const v = checkSmpRun(streams, ref, obs);
        expect(v.problems, w).toEqual([]);
        expect(v.csOrder).toBe('replayed');
        expect(v.straddling).toBe(0);
        // The peak held every CPU's reservations at once.
        expect(obs.peakShared!.list.length / 3).toBe(ref.peak.list.length / 3);
        expect(ref.peak.list.length).toBeGreaterThan(0);
      }
    });
  }

  it('replaying in critical-section order gives each CPU the digest it had', () => {
    const { streams, obs } = interleaved('probe-smp', 8, 2, 'spinlock', 3);
    expect(replayInOrder(streams, obs.logs!, []).digests).toEqual(obs.digests);
  });

  it('each kind of damage is reported, one line each', () => {
    const { streams, ref, obs } = interleaved('probe-smp', 8, 2, 'spinlock', 5);
    const problems = (o: Partial<SmpObserved>): string[] => checkSmpRun(streams, ref, { ...obs, ...o }).problems;
    expect(problems({ digests: [obs.digests[0]!, '0000000000000000'] })).toEqual(expect.arrayContaining([expect.stringMatching(/^cpu 1: outcome digest 0000000000000000 differs from the oracle's/)]));
    expect(problems({ endShared: { list: [1, 2, WC], ram: [] } })).toEqual([expect.stringMatching(/^at the end: the memtype list \(1 entries: 1:2:\d\) differs from the oracle's \(0: \)/)]);
    expect(problems({ peakShared: { ...obs.peakShared!, ram: [4096, UC_MINUS] } })).toEqual([expect.stringMatching(/^at the peak: RAM pages not WB/)]);
    expect(problems({ endProblems: [[], ['context at pfn 7: kref 1, held by 0 VMAs']] })).toEqual(['cpu 1 at the end: context at pfn 7: kref 1, held by 0 VMAs']);
    const backwards = obs.logs!.map((rows) => rows.map((x) => ({ ...x })));
    backwards[0]![1]!.first = -5;
    expect(problems({ logs: backwards })).toEqual([expect.stringMatching(/^critical-section order: critical-section log: cpu 0 op \d+ saw version -5/)]);
  });

  it("an alias only the union of the CPUs' mappings shows: one page ioremapped WC on one CPU and UC- on another", () => {
    const { streams, ref, obs } = interleaved('probe-smp', 8, 2, 'spinlock', 5);
    const hw = Hardware.fromParsed(streams[0]!.machine);
    const bar = ref.peak.list[0]!;
    const one = (type: number) => ({ user: [], kernel: [{ start: bar, end: bar + 1, type }], direct: new Map<number, number>() });
    expect(unionAliases(hw, [one(WC)])).toEqual([]);
    expect(unionAliases(hw, [one(WC), one(UC_MINUS)])).toEqual([bar]);
    expect(checkSmpRun(streams, ref, { ...obs, endMappings: [one(WC), one(UC_MINUS)] }).problems).toEqual([
      `at the end: the alias check over every CPU's mappings finds 1 page(s) the oracle's does not (pfn ${bar})`,
    ]);
  });
});
