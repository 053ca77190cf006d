/**
 * The SMP workloads (workloads/smp/): one stream per CPU, pure and seeded,
 * sized and refused as documented; each CPU's stream alone replays on
 * today's single-CPU machine without a trace error and alias-free; the
 * CPUs touch disjoint pfns; and the streams of all CPUs interleaved (at
 * random, one thread) on Machines sharing one SMP tracker state give every
 * CPU the oracle's outcomes for its stream alone — the per-CPU digest
 * property an SMP run is checked by.
 */
import { describe, expect, it } from 'vitest';
import { UC_MINUS, WB, WC } from '../../core/cachemode.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { F_A, F_B, F_C, Op, STRIDE, type OpStream } from '../../core/ops.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import { ORACLE, createTracker } from '../../impls/registry.js';
import { createSmpState, smpTracker } from '../../impls/smp/smp-tracker.js';
import { getSmpWorkload, smpWorkloadNames } from '../../workloads/smp/registry.js';
import { record, RecordingSink } from '../helpers/record.js';
import { rng } from '../impls/store-harness.js';

const NAMES = ['xpmem-insert', 'ttm-fault-smp', 'probe-smp'];
/** Small sizes for tests. */
const SMALL: Record<string, number> = { 'xpmem-insert': 64, 'ttm-fault-smp': 6, 'probe-smp': 6 };

/** Pfn ranges a stream touches: vm_insert_pfn pages, memtype_reserve and ioremap ranges. */
function pfnsOf(s: OpStream): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0, o = 0; i < s.count; i++, o += STRIDE) {
    const op = s.ops[o];
    if (op === Op.VmInsertPfn || op === Op.VmInsertPfnProt) out.push([s.ops[o + F_B]!, s.ops[o + F_B]! + 1]);
    else if (op === Op.MemtypeReserve) out.push([s.ops[o + F_A]! / PAGE_SIZE, s.ops[o + F_B]! / PAGE_SIZE]);
    else if (op === Op.Ioremap) out.push([s.ops[o + F_B]! / PAGE_SIZE, (s.ops[o + F_B]! + s.ops[o + F_C]!) / PAGE_SIZE]);
  }
  return out;
}

/** Merged, sorted pfn intervals of a stream. */
function footprint(s: OpStream): [number, number][] {
  const xs = pfnsOf(s).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of xs) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

describe('SMP workload registry', () => {
  it('lists the three SMP workloads and refuses unknown names', () => {
    expect(smpWorkloadNames()).toEqual(NAMES);
    expect(() => getSmpWorkload('nope')).toThrow(/unknown SMP workload "nope"; valid SMP workloads: xpmem-insert, ttm-fault-smp, probe-smp/);
  });
});

for (const name of NAMES) {
  describe(name, () => {
    const w = getSmpWorkload(name);
    const size = SMALL[name]!;

    it('documents itself; ascending default sizes within maxSize', () => {
      expect(w.description.length).toBeGreaterThan(30);
      expect([...w.defaultSizes].sort((a, b) => a - b)).toEqual([...w.defaultSizes]);
      for (const s of w.defaultSizes) expect(s).toBeLessThanOrEqual(w.maxSize);
    });

    it('one stream per CPU, pure: same arguments, identical streams; another seed, another set', () => {
      const a = w.generate(size, 3, 7);
      const b = w.generate(size, 3, 7);
      expect(a).toHaveLength(3);
      for (let c = 0; c < 3; c++) {
        expect(Buffer.from(b[c]!.ops.buffer).equals(Buffer.from(a[c]!.ops.buffer))).toBe(true);
        expect(b[c]!.strings).toEqual(a[c]!.strings);
        expect(a[c]!.peak).toBeGreaterThan(0);
      }
      const other = w.generate(size, 3, 8);
      expect(other.every((s, c) => Buffer.from(s.ops.buffer).equals(Buffer.from(a[c]!.ops.buffer)))).toBe(false);
    });

    it('refuses sizes and CPU counts out of range', () => {
      expect(() => w.generate(0, 1, 1)).toThrow(/size 0 is out of range/);
      expect(() => w.generate(w.maxSize + 1, 1, 1)).toThrow(/out of range/);
      expect(() => w.generate(size, 0, 1)).toThrow(/0 CPUs is out of range/);
      expect(() => w.generate(size, 1.5, 1)).toThrow(/CPUs is out of range/);
    });

    it('CPUs touch disjoint pfns', () => {
      const streams = w.generate(size, 4, 7);
      const all = streams.flatMap((s, cpu) => footprint(s).map(([a, b]) => ({ a, b, cpu })));
      all.sort((x, y) => x.a - y.a);
      for (let i = 1; i < all.length; i++) if (all[i]!.cpu !== all[i - 1]!.cpu) expect(all[i]!.a).toBeGreaterThanOrEqual(all[i - 1]!.b);
      expect(new Set(all.map((x) => x.cpu)).size).toBe(4);
    });

    it("each CPU's stream alone replays on the single-CPU machine: no trace error, alias-free at the peak and the end", () => {
      for (const s of w.generate(size, 3, 7)) {
        const atPeak = new Machine(Hardware.fromParsed(s.machine), createTracker(ORACLE));
        atPeak.run(s, new RecordingSink(), s.peak);
        expect(atPeak.check()).toEqual([]);
        const { machine, recs } = record(s, ORACLE);
        expect(recs).toHaveLength(s.count);
        expect(machine.check()).toEqual([]);
      }
    });

    it('does what it claims: every insert or ioremap succeeds with the expected cache mode', () => {
      const want: Record<string, [number, number]> = { 'xpmem-insert': [Op.VmInsertPfn, WB], 'ttm-fault-smp': [Op.VmInsertPfnProt, WC], 'probe-smp': [Op.Ioremap, -2] };
      const [op, type] = want[name]!;
      for (const s of w.generate(size, 2, 7)) {
        const { recs } = record(s, ORACLE);
        let n = 0;
        for (let i = 0; i < s.count; i++) {
          if (s.ops[i * STRIDE] !== op) continue;
          n++;
          expect(recs[i]![1]).toBe(0);
          if (type >= 0) expect(recs[i]![2]).toBe(type);
          else expect([UC_MINUS, WC]).toContain(recs[i]![2]);
        }
        expect(n / s.count).toBeGreaterThan(name === 'probe-smp' ? 0.4 : 0.9);
      }
    });

    it("interleaved at random on Machines sharing one SMP tracker state, every CPU gets the oracle's outcomes for its stream alone", () => {
      const cpus = 3;
      const streams = w.generate(size, cpus, 11);
      const hw = Hardware.fromParsed(streams[0]!.machine);
      for (const lock of ['spinlock', 'cmpxchg', 'rwlock', 'seqlock']) {
        const state = createSmpState(hw.physmap.maxPfn);
        const sinks = streams.map(() => new RecordingSink());
        const machines = streams.map((s, cpu) => {
          const m = new Machine(Hardware.fromParsed(s.machine), smpTracker(`btree+page-bit-ram-walk+single-page+${lock}`, state, { cpu, checkInvariants: true }));
          m.attachStream(s, sinks[cpu]!);
          return m;
        });
        const next = streams.map(() => 0);
        const r = rng(5);
        for (let left = streams.reduce((n, s) => n + s.count, 0); left > 0; left--) {
          let cpu = Math.floor(r() * cpus);
          while (next[cpu]! >= streams[cpu]!.count) cpu = (cpu + 1) % cpus;
          const i = next[cpu]!++;
          const ret = machines[cpu]!.exec(streams[cpu]!.ops, i * STRIDE);
          sinks[cpu]!.done(i, ret, machines[cpu]!.outType, machines[cpu]!.query);
        }
        for (let cpu = 0; cpu < cpus; cpu++) expect(sinks[cpu]!.recs, `${lock}, cpu ${cpu}`).toEqual(record(streams[cpu]!, ORACLE).recs);
      }
    });
  });
}
