/**
 * Every registered range store — the built-in ones and the tutorial's
 * module-loaded one — against the brute-force model (store-harness.ts), with invariants checked
 * after every mutation; then each store's own structural tests: balance or
 * fill under ascending inserts and erases, long runs of duplicates, and
 * `checkInvariants` catching deliberate corruption.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BTREE_LAYOUT, BTREE_NODE_BYTES, BTREE_SLOTS, BtreeStore } from '../../impls/btree.js';
import { ListStore } from '../../impls/list.js';
import { loadTrackerModules } from '../../impls/modules.js';
import type { RangeStore } from '../../impls/parts.js';
import { RbtreeStore, type HybridNode } from '../../impls/rbtree.js';
import { makeStore, partNames } from '../../impls/registry.js';
import { VmaWalkStore } from '../../impls/vma-walk.js';
import { PageFlags } from '../../core/pageflags.js';
import { PhysMap } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { Model, SPACES, opArb, rng, runOps, seededOps, type HarnessOptions } from './store-harness.js';

// Module-loaded stores are tested like built-in ones.
await loadTrackerModules([fileURLToPath(new URL('../../examples/sorted-array-store.ts', import.meta.url))]);

/** A machine view with RAM at 1 MiB–1 GiB, an empty I/O VMA list and `vmaCount` VMAs. */
function emptyView(vmaCount = 0): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  const physmap = new PhysMap([{ start: 0x100000, end: 0x40000000, name: 'System RAM', depth: 0 }]);
  return { physmap, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount };
}

interface StoreCase {
  make: () => RangeStore;
  /** Exact order semantics even when overlapping entries differ in type. */
  exact: boolean;
  /** `list()` gives entries in order (else compared as a multiset). */
  ordered: boolean;
  modeled?: (n: number) => number;
}

/**
 * What this file knows about particular stores beyond the RangeStore
 * contract; any other registered store is held to the contract alone
 * (inherit-or-skip inserts, `list()` as a multiset, no modeled-bytes formula).
 */
const KNOWN: Record<string, Partial<StoreCase>> = {
  list: { exact: true, ordered: true, modeled: (n) => 64 * n + 32 },
  rbtree: { exact: false, ordered: true, modeled: (n) => 64 * n + 24 },
  'interval-tree': { exact: true, ordered: true, modeled: (n) => 64 * n + 16 },
  btree: { exact: true, ordered: true },
  'vma-walk': { exact: false, ordered: true, modeled: (n) => 16 * 7 + 64 * n },
  'sorted-array': { exact: true, ordered: true },
};

/** Every registered store (attached to a view with 7 VMAs). */
const STORES: Record<string, StoreCase> = {
  ...Object.fromEntries(
    partNames('store').map((name): [string, StoreCase] => [
      name,
      {
        make: () => {
          const s = makeStore(name);
          s.attach(emptyView(7));
          return s;
        },
        exact: false,
        ordered: false,
        ...KNOWN[name],
      },
    ]),
  ),
};

describe('the store table', () => {
  it('covers every registered store, the module-loaded one included', () => {
    expect(Object.keys(STORES)).toEqual(partNames('store'));
    expect(partNames('store')).toContain('sorted-array');
  });
});

for (const [name, sc] of Object.entries(STORES)) {
  describe(`${name}: model-based, invariants after every mutation`, () => {
    const regimes: [string, HarnessOptions][] = [['contract', { contract: true, ordered: sc.ordered, modeled: sc.modeled }]];
    if (sc.exact) regimes.push(['free types', { contract: false, ordered: sc.ordered, modeled: sc.modeled }]);
    for (const [regime, opt] of regimes) {
      for (const [label, c] of Object.entries(SPACES)) {
        it(`${regime}, ${label} space: fixed seeds 1, 42, 0xdecade × 2000 ops`, () => {
          for (const seed of [1, 42, 0xdecade]) runOps(sc.make, seededOps(seed, 2000, c.space, c.maxLen, c.base, c.grain), opt);
        });
        it(`${regime}, ${label} space: fast-check (fixed seed and own seed)`, () => {
          const prop = fc.property(fc.array(opArb(c.space, c.maxLen, c.base, c.grain), { maxLength: 100 }), (ops) => runOps(sc.make, ops, opt));
          fc.assert(prop, { seed: 20240501, numRuns: 60 });
          fc.assert(prop, { numRuns: 40 });
        });
      }
    }

    it('is empty at first and answers -1', () => {
      const s = sc.make();
      expect(s.name).toBe(name);
      expect(s.size).toBe(0);
      expect(s.lookup(0)).toBe(-1);
      s.scan(0, 100);
      expect([s.first, s.other]).toEqual([-1, -1]);
      expect(s.overlap(0, 100)).toBe(false);
      expect(s.erase(0, 1, null)).toBe(false);
      s.checkInvariants();
    });

    it('keeps pfns beyond 2^32 exact (64-bit BARs)', () => {
      const s = sc.make();
      const base = 2 ** 35 + 3;
      s.insert(base, base + 5, 1, null);
      s.insert(base + 2 ** 32, base + 2 ** 32 + 1, 2, null);
      expect(s.lookup(base + 4)).toBe(1);
      expect(s.lookup(base + 5)).toBe(-1);
      expect(s.lookup(base + 2 ** 32)).toBe(2);
      expect(s.lookup(base + 2 ** 32 - 1)).toBe(-1);
      expect(s.overlap(base + 4, base + 2 ** 33)).toBe(true);
      expect([s.hitStart, s.hitEnd]).toEqual([base, base + 5]);
      expect(s.erase(base + 2 ** 32, base + 2 ** 32 + 1, null)).toBe(true);
      s.checkInvariants();
    });

    it('scan: lowest start first, stops at the first differing type; half-open bounds', () => {
      const s = sc.make();
      s.insert(10, 20, 2, null);
      s.insert(0, 10, 1, null);
      s.insert(20, 30, 3, null);
      s.insert(12, 14, 2, null);
      s.scan(5, 25);
      expect([s.first, s.other]).toEqual([1, 2]);
      s.scan(10, 20);
      expect([s.first, s.other]).toEqual([2, -1]);
      s.scan(10, 21);
      expect([s.first, s.other]).toEqual([2, 3]);
      s.scan(30, 40);
      expect([s.first, s.other]).toEqual([-1, -1]);
      expect(s.lookup(9)).toBe(1);
      expect(s.lookup(10)).toBe(2);
      expect(s.lookup(29)).toBe(3);
      expect(s.lookup(30)).toBe(-1);
    });

    it('handles 600 duplicates and nested ranges (duplicates instead of refcounts), erasing interleaved', () => {
      const s = sc.make();
      const model = new Model();
      for (let i = 0; i < 500; i++) {
        s.insert(100, 200, 3, null);
        model.insert(100, 200, 3);
        if (i % 5 === 0) {
          s.insert(120, 130, 3, null);
          model.insert(120, 130, 3);
        }
        if (i % 25 === 0) s.checkInvariants();
      }
      s.insert(210, 220, 4, null);
      model.insert(210, 220, 4);
      s.checkInvariants();
      expect(s.size).toBe(601);
      s.scan(0, 1000);
      expect([s.first, s.other]).toEqual([3, 4]);
      expect(s.lookup(125)).toBe(3);
      let left = 600;
      while (left > 0) {
        const inner = left % 6 === 0 && s.erase(120, 130, null);
        if (inner) model.erase(120, 130);
        else expect(s.erase(100, 200, null)).toBe(model.erase(100, 200));
        left--;
        if (left % 10 === 0) s.checkInvariants();
        expect(s.size).toBe(model.entries.length);
        expect(s.lookup(125)).toBe(model.lookup(125));
      }
      while (model.entries.length > 0) {
        const e = model.entries[0]!;
        expect(s.erase(e.start, e.end, null)).toBe(true);
        model.erase(e.start, e.end);
        s.checkInvariants();
      }
      expect(s.size).toBe(0);
      expect(s.lookup(150)).toBe(-1);
    });

    it('survives 4,000 ascending inserts then ascending erases, and descending ones', () => {
      const n = 4000;
      for (const dir of [1, -1]) {
        const s = sc.make();
        for (let k = 0; k < n; k++) {
          const i = dir > 0 ? k : n - 1 - k;
          s.insert(2 * i, 2 * i + 1, i % 6, null);
          if (k % 97 === 0) s.checkInvariants();
        }
        s.checkInvariants();
        for (let i = 0; i < n; i += 7) {
          expect(s.lookup(2 * i)).toBe(i % 6);
          expect(s.lookup(2 * i + 1)).toBe(-1);
        }
        for (let k = 0; k < n; k++) {
          const i = dir > 0 ? k : n - 1 - k;
          expect(s.erase(2 * i, 2 * i + 1, null)).toBe(true);
          if (k % 97 === 0) s.checkInvariants();
        }
        s.checkInvariants();
        expect(s.size).toBe(0);
      }
    });
  });
}

// ------------------------------------------------------------------ list

describe('list: cached_entry', () => {
  it('resumes the insertion walk at the cached entry only for starts at or after cached_start', () => {
    const s = new ListStore();
    s.insert(10, 11, 0, null);
    s.insert(20, 21, 0, null);
    expect(s.cached.start).toBe(10); // the predecessor of the last insert
    expect(s.cachedStart).toBe(20);
    s.insert(5, 6, 0, null); // before the cache: walks from the head
    expect(s.cached).toBe(s.head);
    s.insert(30, 31, 0, null);
    expect(s.cached.start).toBe(20);
    expect(s.erase(30, 31, null)).toBe(true); // same start as cached_start: cache reset
    expect(s.cached).toBe(s.head);
    expect(s.cachedStart).toBe(Infinity);
    s.checkInvariants();
  });

  it('checkInvariants catches corruption', () => {
    const build = (): ListStore => {
      const s = new ListStore();
      for (let i = 0; i < 20; i++) s.insert(3 * i, 3 * i + 2, i % 3, null);
      s.checkInvariants();
      return s;
    };
    let s = build();
    s.head.next.next.start = 1000;
    s.head.next.next.end = 1002;
    expect(() => s.checkInvariants()).toThrow(/order by start/);
    s = build();
    s.head.next.next.prev = s.head;
    expect(() => s.checkInvariants()).toThrow(/links inconsistent/);
    s = build();
    (s as unknown as { count: number }).count = 21;
    expect(() => s.checkInvariants()).toThrow(/node count 20 != size 21/);
    s = build();
    s.cachedStart = -5;
    expect(() => s.checkInvariants()).toThrow(/cached_entry start/);
    s = build();
    const n = s.head.next.next;
    n.prev.next = n.next;
    n.next.prev = n.prev;
    s.cached = n;
    s.cachedStart = Infinity;
    (s as unknown as { count: number }).count = 19;
    expect(() => s.checkInvariants()).toThrow(/cached_entry is not on the list/);
  });
});

// ------------------------------------------------------------------ rbtree

describe('rbtree: list + plain rbtree (2.6.32)', () => {
  function height(n: HybridNode | null): number {
    return n === null ? 0 : 1 + Math.max(height(n.left), height(n.right));
  }

  it('stays balanced: height ≤ 2·log2(n+1) after 10,000 ascending inserts', () => {
    const s = new RbtreeStore();
    for (let i = 0; i < 10_000; i++) s.insert(i, i + 1, 0, null);
    s.checkInvariants();
    expect(height(s.root)).toBeLessThanOrEqual(2 * Math.log2(10_001));
  });

  it('finds a covering entry far back on the list (exact where 2.6.32 was not)', () => {
    const s = new RbtreeStore();
    s.insert(0, 1000, 2, null);
    for (let i = 1; i < 100; i++) s.insert(5 * i, 5 * i + 1, 2, null);
    // The greatest start ≤ 997 is [495,496), which does not cover it; [0,1000) does.
    expect(s.lookup(997)).toBe(2);
    expect(s.lookup(1000)).toBe(-1);
    s.scan(998, 2000);
    expect([s.first, s.other]).toEqual([2, -1]);
  });

  it('checkInvariants catches corruption', () => {
    const build = (): RbtreeStore => {
      const s = new RbtreeStore();
      const r = rng(5);
      for (let i = 0; i < 100; i++) {
        const st = Math.floor(r() * 1000);
        s.insert(st, st + 3, 0, null);
      }
      s.checkInvariants();
      return s;
    };
    let s = build();
    s.root!.red = true;
    expect(() => s.checkInvariants()).toThrow(/root is red/);
    s = build();
    let n = s.root!;
    while (n.left !== null) n = n.left;
    n.start = 5000; // leftmost now out of order
    expect(() => s.checkInvariants()).toThrow(/order by start/);
    s = build();
    const a = s.head.next;
    const b = a.next;
    // Swap two list neighbors: the tree still says a before b.
    a.next = b.next;
    b.next.prev = a;
    b.prev = s.head;
    s.head.next = b;
    b.next = a;
    a.prev = b;
    expect(() => s.checkInvariants()).toThrow(/list and tree differ/);
    s = build();
    s.root!.left!.parent = s.root!.right;
    expect(() => s.checkInvariants()).toThrow(/parent pointers/);
    s = new RbtreeStore();
    for (let i = 1; i <= 3; i++) s.insert(i, i + 1, 0, null);
    s.root!.left!.red = false;
    expect(() => s.checkInvariants()).toThrow(/black height/);
  });
});

// ------------------------------------------------------------------ btree

describe('btree: 16-slot B+tree with per-child max end', () => {
  it('keeps every non-root node between half and full, and adds levels only on root splits', () => {
    const s = new BtreeStore();
    const r = rng(11);
    for (let i = 0; i < 20_000; i++) {
      const st = Math.floor(r() * 1e6);
      s.insert(st, st + 1 + Math.floor(r() * 40), i % 6, null);
    }
    s.checkInvariants();
    // 20,000 entries with ≥ 8 per node: at most 1 + log8(2500) + 1 levels.
    expect(s.height).toBeLessThanOrEqual(6);
    expect(s.height).toBeGreaterThanOrEqual(4);
    const fill = s.size / (s.nodeCount * BTREE_SLOTS);
    expect(fill).toBeGreaterThan(0.5);
    expect(s.modeledBytes()).toBe(BTREE_NODE_BYTES * s.nodeCount + 16);
  });

  it('erase walks duplicates across leaves to the exact match', () => {
    const s = new BtreeStore();
    for (let i = 0; i < 200; i++) s.insert(50, 60, 1, null);
    s.insert(50, 61, 1, null); // the 201st entry with start 50, many leaves later
    for (let i = 0; i < 200; i++) s.insert(50, 60, 1, null);
    s.checkInvariants();
    expect(s.height).toBeGreaterThan(1);
    expect(s.erase(50, 61, null)).toBe(true);
    expect(s.erase(50, 61, null)).toBe(false);
    expect(s.erase(50, 62, null)).toBe(false);
    s.checkInvariants();
    expect(s.size).toBe(400);
  });

  it('checkInvariants catches corruption', () => {
    const { F_STRIDE, I_STRIDE, KEY, VAL, CNT } = BTREE_LAYOUT;
    const build = (): BtreeStore => {
      const s = new BtreeStore();
      const r = rng(3);
      for (let i = 0; i < 500; i++) {
        const st = Math.floor(r() * 10_000);
        s.insert(st, st + 1 + Math.floor(r() * 30), i % 6, null);
      }
      s.checkInvariants();
      expect(s.height).toBeGreaterThanOrEqual(3);
      return s;
    };
    const leaf = (s: BtreeStore): number => {
      let n = s.root;
      for (let l = s.height - 1; l > 0; l--) n = s.i32[n * I_STRIDE + VAL]!;
      return n;
    };
    let s = build();
    s.f[s.root * F_STRIDE] += 1; // root slot 0's max end
    expect(() => s.checkInvariants()).toThrow(/max end/);
    s = build();
    s.f[s.root * F_STRIDE + KEY + 1] -= 1; // root slot 1's pivot
    expect(() => s.checkInvariants()).toThrow(/pivot/);
    s = build();
    let n = leaf(s);
    s.f[n * F_STRIDE + KEY + 2] = s.f[n * F_STRIDE + KEY + 1]! - 1;
    expect(() => s.checkInvariants()).toThrow(/order by start|pivot/);
    s = build();
    n = leaf(s);
    s.f[n * F_STRIDE + 3] = s.f[n * F_STRIDE + KEY + 3]!; // end = start: empty entry
    expect(() => s.checkInvariants()).toThrow(/empty range|max end/);
    s = build();
    n = leaf(s);
    s.i32[n * I_STRIDE + CNT] = 3;
    expect(() => s.checkInvariants()).toThrow(/fill/);
    s = build();
    n = leaf(s);
    s.i32[n * I_STRIDE + CNT] = BTREE_SLOTS + 1;
    expect(() => s.checkInvariants()).toThrow(/> 16/);
    s = build();
    s.i32[s.root * I_STRIDE + VAL + 1] = s.i32[s.root * I_STRIDE + VAL]!;
    expect(() => s.checkInvariants()).toThrow(/reachable twice/);
    s = build();
    s.height++; // leaves now at the wrong depth: a leaf's slots are read as children
    expect(() => s.checkInvariants()).toThrow(/btree:/);
    s = build();
    (s as unknown as { count: number }).count++;
    expect(() => s.checkInvariants()).toThrow(/entry count/);
  });
});

// ------------------------------------------------------------------ vma-walk

describe('vma-walk: I/O VMAs and kernel entries together', () => {
  interface FakeVma {
    ctx: { refs: number; pfn: number; npages: number; type: number };
    ioNext: FakeVma;
    ioPrev: FakeVma;
  }
  interface VOp {
    kind: 'vma' | 'unvma' | 'kernel' | 'unkernel' | 'query';
    start: number;
    len: number;
    type: number;
    pick: number;
  }
  const vopArb: fc.Arbitrary<VOp> = fc.record({
    kind: fc.constantFrom('vma', 'unvma', 'kernel', 'unkernel', 'query', 'query'),
    start: fc.nat(40),
    len: fc.integer({ min: 1, max: 8 }),
    type: fc.nat(5),
    pick: fc.nat(),
  });

  function runVma(ops: readonly VOp[]): void {
    const head = {} as FakeVma;
    head.ioNext = head.ioPrev = head;
    const s = new VmaWalkStore();
    s.attach({ ioVmas: head as unknown as VmaView, vmaCount: 5 } as unknown as MachineView);
    const model = new Model();
    const vmas: FakeVma[] = [];
    const kernels: [number, number][] = [];
    for (const op of ops) {
      const e = op.start + op.len;
      if (op.kind === 'vma' || op.kind === 'kernel') {
        // The contract, as the conflict rule keeps it: inherit, or skip a two-type overlap.
        const [first, other] = model.scan(op.start, e);
        if (other >= 0) continue;
        const type = first >= 0 ? first : op.type;
        model.insert(op.start, e, type);
        if (op.kind === 'kernel') {
          s.insert(op.start, e, type, null);
          kernels.push([op.start, e]);
        } else {
          const v = { ctx: { refs: 1, pfn: op.start, npages: op.len, type } } as FakeVma;
          v.ioNext = head.ioNext;
          v.ioPrev = head;
          head.ioNext.ioPrev = v;
          head.ioNext = v;
          vmas.push(v);
          s.insert(op.start, e, type, v.ctx);
        }
      } else if (op.kind === 'unvma') {
        if (vmas.length === 0) continue;
        const v = vmas.splice(op.pick % vmas.length, 1)[0]!;
        v.ioPrev.ioNext = v.ioNext;
        v.ioNext.ioPrev = v.ioPrev;
        expect(s.erase(v.ctx.pfn, v.ctx.pfn + v.ctx.npages, v.ctx)).toBe(true);
        model.erase(v.ctx.pfn, v.ctx.pfn + v.ctx.npages);
      } else if (op.kind === 'unkernel') {
        // Half the time an existing kernel entry, else a random range (freeing invalid memtype).
        const [a, b] = kernels.length > 0 && op.pick % 2 === 0 ? kernels[op.pick % kernels.length]! : [op.start, e];
        const k = kernels.findIndex(([x, y]) => x === a && y === b);
        expect(s.erase(a, b, null)).toBe(k >= 0);
        if (k >= 0) {
          kernels.splice(k, 1);
          model.erase(a, b);
        }
      }
      s.checkInvariants();
      s.scan(op.start, e);
      expect([s.first, s.other]).toEqual(model.scan(op.start, e));
      expect(s.lookup(op.start)).toBe(model.lookup(op.start));
      const ov = model.overlapping(op.start, e);
      expect(s.overlap(op.start, e)).toBe(ov.length > 0);
      if (ov.length > 0) {
        expect(s.first).toBe(ov[0]!.type);
        expect(s.hitStart).toBe(ov[0]!.start);
        expect(ov.some((x) => x.start === s.hitStart && x.end === s.hitEnd)).toBe(true);
      }
    }
  }

  it('matches the model over VMA-carried and kernel reservations (fixed seed and fast-check)', () => {
    fc.assert(fc.property(fc.array(vopArb, { maxLength: 80 }), runVma), { seed: 4242, numRuns: 300 });
    fc.assert(fc.property(fc.array(vopArb, { maxLength: 80 }), runVma), { numRuns: 100 });
  });
});

describe('vma-walk: kernel list', () => {
  it('checkInvariants catches an empty kernel entry', () => {
    const s = new VmaWalkStore();
    s.attach(emptyView());
    s.insert(5, 6, 0, null);
    s.checkInvariants();
    (s as unknown as { kernel: { start: number; end: number }[] }).kernel[0]!.end = 5;
    expect(() => s.checkInvariants()).toThrow(/empty kernel entry/);
  });
});
