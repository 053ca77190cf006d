/**
 * Locking as a tracker part, on one CPU: every SMP composition
 * `btree+ram+insert+lock` over freshly created shared state gives the
 * oracle's outcome stream op for op on every workload (store invariants
 * checked after every mutation), logs one ordered section per locked call,
 * and names itself; compositions that cannot be shared refuse by name.
 * Then the page-type updates of the two Linux eras: a cmpxchg keeps other
 * flag bits and is never seen half-done; two bit operations are.
 */
import { describe, expect, it } from 'vitest';
import { UC_MINUS, WB, WC, WT } from '../../../core/cachemode.js';
import { Hardware } from '../../../core/hardware.js';
import { Machine } from '../../../core/machine.js';
import { STRIDE, type OpStream } from '../../../core/ops.js';
import { ORACLE } from '../../../impls/registry.js';
import { CsLog, replayOrder } from '../../../impls/smp/cs-log.js';
import { BROKEN_LOCK_SCHEMES, LOCK_SCHEMES, lockPart } from '../../../impls/smp/lock-part.js';
import { LockStats } from '../../../impls/smp/lock-stats.js';
import { PG_ARCH_1, PG_UNCACHED, PGMT_MASK, SharedPageFlags, pgmtBits, pgmtType } from '../../../impls/smp/shared-page-flags.js';
import { createSmpState, isSmpTracker, parseSmpName, smpRefusal, smpTracker, smpTrackerNames } from '../../../impls/smp/smp-tracker.js';
import { getWorkload, workloadNames } from '../../../workloads/registry.js';
import { record } from '../../helpers/record.js';

const streams = new Map<string, OpStream>();
function stream(w: string): OpStream {
  let s = streams.get(w);
  if (s === undefined) {
    const wl = getWorkload(w);
    streams.set(w, (s = wl.generate(wl.defaultSizes[0]!, 7)));
  }
  return s;
}

describe('SMP compositions on one CPU give the oracle\'s outcomes', () => {
  for (const name of smpTrackerNames()) {
    it(name, () => {
      for (const w of workloadNames()) {
        const s = stream(w);
        const maxPfn = Hardware.fromParsed(s.machine).physmap.maxPfn;
        const t = smpTracker(name, createSmpState(maxPfn), { cpu: 0, checkInvariants: true });
        expect(record(s, t).recs, w).toEqual(record(s, ORACLE).recs);
      }
    });
  }
});

describe('naming and refusals', () => {
  it('16 compositions, each named store+ram+insert+lock', () => {
    const names = smpTrackerNames();
    expect(names).toHaveLength(16);
    const t = smpTracker('btree+page-bit-ram-walk+single-page+cmpxchg', createSmpState(1 << 20), { cpu: 0 });
    expect(t.name).toBe('btree+page-bit-ram-walk+single-page+cmpxchg');
    expect(parseSmpName('btree+page-bit+whole-vma+seqlock')).toEqual({ store: 'btree', ram: 'page-bit', insert: 'whole-vma', lock: 'seqlock' });
  });

  it('object stores, the tree RAM policy and unknown parts refuse, saying why', () => {
    expect(() => parseSmpName('interval-tree+page-bit+single-page+spinlock')).toThrow(/cannot be shared between CPUs/);
    expect(() => parseSmpName('btree+tree+single-page+spinlock')).toThrow(/RAM policy "tree" cannot be shared/);
    expect(() => parseSmpName('btree+page-bit+single-page')).toThrow(/expected store\+ram\+insert\+lock/);
    expect(() => parseSmpName('btree+page-bit+single-page+mutex')).toThrow(/unknown locking scheme "mutex"; known: spinlock, cmpxchg, rwlock, seqlock/);
    expect(() => parseSmpName('btree+page-bit+every-page+spinlock')).toThrow(/unknown insert policy/);
  });

  it('the broken-on-purpose scheme runs by exact name only: never in the lineup, so no glob selects it', () => {
    expect(BROKEN_LOCK_SCHEMES).toEqual(['nolock']);
    expect(smpTrackerNames().some((n) => n.endsWith('+nolock'))).toBe(false);
    expect(isSmpTracker('btree+page-bit+single-page+nolock')).toBe(true);
    expect(smpTracker('btree+page-bit+single-page+nolock', createSmpState(1 << 20), { cpu: 0 }).name).toBe('btree+page-bit+single-page+nolock');
    expect(smpRefusal('btree+page-bit+single-page+cmpxchg')).toBeNull();
    expect(smpRefusal('rbtree+page-bit+single-page')).toMatch(/expected store\+ram\+insert\+lock/);
    expect(smpRefusal('rbtree+page-bit+single-page+spinlock')).toMatch(/store "rbtree" cannot be shared between CPUs/);
  });

  it('nolock gives the oracle\'s outcomes on one CPU (it is only wrong when CPUs race)', () => {
    const s = stream('ioremap-churn');
    const maxPfn = Hardware.fromParsed(s.machine).physmap.maxPfn;
    const t = smpTracker('btree+page-bit+single-page+nolock', createSmpState(maxPfn), { cpu: 0, checkInvariants: true });
    expect(record(s, t).recs).toEqual(record(s, ORACLE).recs);
  });

  it('spinlock writes page types with bit operations, the others with cmpxchg', () => {
    expect(LOCK_SCHEMES.map((s) => lockPart(s).pageTypeUpdate)).toEqual(['bitops', 'cmpxchg', 'cmpxchg', 'cmpxchg']);
  });
});

describe('critical-section log on one CPU', () => {
  for (const scheme of LOCK_SCHEMES) {
    it(`${scheme}: one row per op that locked, versions never go back, replay order is program order`, () => {
      const s = stream('ioremap-churn');
      const maxPfn = Hardware.fromParsed(s.machine).physmap.maxPfn;
      const log = new CsLog(s.count);
      const stats = LockStats.create(1, 1, 0);
      const t = smpTracker(`btree+page-bit+single-page+${scheme}`, createSmpState(maxPfn), { cpu: 0, log, stats });
      // As the SMP runner will: the op index set before each op runs.
      const machine = new Machine(Hardware.fromParsed(s.machine), t);
      machine.attachStream(s, { msg: () => {}, done: () => {} });
      for (let i = 0; i < s.count; i++) {
        t.opIndex = i;
        machine.exec(s.ops, i * STRIDE);
      }
      const rows = log.rows();
      expect(rows.length).toBeGreaterThan(10);
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.op).toBeGreaterThan(rows[i - 1]!.op);
        expect(rows[i]!.first).toBeGreaterThanOrEqual(rows[i - 1]!.last);
      }
      const order = replayOrder([s.count], [rows]);
      expect(order.straddling).toEqual([]);
      expect(order.steps.map((x) => x.op)).toEqual([...Array(s.count).keys()]);
      const c = stats.total(0);
      expect(c.acquired + c.reads).toBeGreaterThan(0);
      expect(c.contended).toBe(0);
    });
  }
});

describe('page->flags words', () => {
  it('type bits round-trip: WB none, WC PG_arch_1, UC- PG_uncached, WT both', () => {
    for (const t of [WB, WC, UC_MINUS, WT]) expect(pgmtType(pgmtBits(t))).toBe(t);
    expect(pgmtBits(WC)).toBe(PG_ARCH_1);
    expect(pgmtBits(UC_MINUS)).toBe(PG_UNCACHED);
    expect(pgmtBits(WT)).toBe(PGMT_MASK);
  });

  it('cmpxchg and bit operations keep the other flag bits; instances attached to one handle share the words; a block per section, on first non-WB type', () => {
    const f = new SharedPageFlags({ maxPfn: 1 << 20 });
    const pfn = 123_456;
    expect(f.memtype(pfn)).toBe(WB);
    expect(f.blocks).toBe(0);
    f.setMemtypeCmpxchg(pfn, WB);
    expect(f.blocks).toBe(0);
    f.setBits(pfn, 0b101);
    f.setMemtypeCmpxchg(pfn, UC_MINUS);
    expect(f.memtype(pfn)).toBe(UC_MINUS);
    f.setMemtypeCmpxchg(pfn, WC);
    expect(f.word(pfn)).toBe(0b101 | PG_ARCH_1);
    f.setMemtypeBitops(pfn, UC_MINUS);
    expect(f.memtype(pfn)).toBe(UC_MINUS);
    expect(f.word(pfn) & 0b101).toBe(0b101);
    expect(f.blocks).toBe(1);
    expect(() => f.setMemtypeCmpxchg(1 << 21, WC)).toThrow(RangeError);
    // Another instance attached to the same words sees the same page.
    const g = new SharedPageFlags(f.handle);
    expect(g.memtype(pfn)).toBe(UC_MINUS);
    g.setMemtypeCmpxchg(pfn + (1 << 15), WT);
    expect(f.memtype(pfn + (1 << 15))).toBe(WT);
    expect(f.blocks).toBe(2);
    expect(f.nonWbPages()).toEqual([
      { pfn, type: UC_MINUS },
      { pfn: pfn + (1 << 15), type: WT },
    ]);
    f.setMemtypeCmpxchg(pfn, WB);
    g.setMemtypeBitops(pfn + (1 << 15), WB);
    expect(g.nonWbPages()).toEqual([]);
  });
});
