/**
 * RAM policies and insert policies on their own: `page-bit`'s section
 * shortcut gives Linux's walk answer on every real map; `tree` keeps the
 * page-flag semantics (single owner, free resets to WB with trim/split) over
 * every store kind, invariants checked after every mutation; `whole-vma`
 * does one lookup per VMA page and answers like `single-page`.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WB } from '../../core/cachemode.js';
import { EBUSY } from '../../core/errno.js';
import { Hardware } from '../../core/hardware.js';
import { PageFlags } from '../../core/pageflags.js';
import { ISA_END_PFN, PAGES_PER_SECTION, type PhysMap } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { BtreeStore } from '../../impls/btree.js';
import { ListStore } from '../../impls/list.js';
import { loadTrackerModules } from '../../impls/modules.js';
import { PageBitRamWalkPolicy } from '../../impls/page-bit-ram-walk.js';
import { PageBitPolicy } from '../../impls/page-bit.js';
import type { RamPolicy } from '../../impls/parts.js';
import { makeInsertPolicy, makeRamPolicy, partNames } from '../../impls/registry.js';
import { SinglePagePolicy } from '../../impls/single-page.js';
import { TreeRamPolicy } from '../../impls/tree-ram.js';
import { WholeVmaPolicy } from '../../impls/whole-vma.js';
import { listProfiles, resolveMachine } from '../../workloads/profiles.js';
import { rng } from './store-harness.js';

// A RAM policy that keeps its own store runs over module-loaded stores too.
await loadTrackerModules([fileURLToPath(new URL('../../examples/sorted-array-store.ts', import.meta.url))]);

const physmaps = new Map<string, PhysMap>();
function physmapOf(profile: string): PhysMap {
  let pm = physmaps.get(profile);
  if (!pm) {
    pm = Hardware.fromSpec(resolveMachine({ profile })).physmap;
    physmaps.set(profile, pm);
  }
  return pm;
}

function viewOf(pm: PhysMap): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { physmap: pm, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 0 };
}

/** Interesting pfns of a map: chunk edges, section edges near RAM, the ISA end, and beyond the last RAM. */
function edges(pm: PhysMap): number[] {
  const out = new Set<number>([0, 1, ISA_END_PFN - 1, ISA_END_PFN, ISA_END_PFN + 1, pm.maxPfn - 1, pm.maxPfn, pm.maxPfn + 1, 2 ** 35]);
  for (let i = 0; i < pm.chunkCount; i++) {
    for (const p of [pm.chunkStartPfn(i), pm.chunkEndPfn(i)]) {
      for (const d of [-2, -1, 0, 1]) out.add(p + d);
      const sec = Math.floor(p / PAGES_PER_SECTION) * PAGES_PER_SECTION;
      for (const q of [sec, sec + PAGES_PER_SECTION]) for (const d of [-1, 0, 1]) out.add(q + d);
    }
  }
  return [...out].filter((p) => p >= 0).sort((a, b) => a - b);
}

describe('page-bit: the pfn_valid() section shortcut gives the walk answer', () => {
  for (const { name } of listProfiles()) {
    it(`${name}: single pages and ranges around every chunk and section edge`, () => {
      const pm = physmapOf(name);
      const pb = new PageBitPolicy();
      const rw = new PageBitRamWalkPolicy();
      const view = viewOf(pm);
      pb.attach(view, new ListStore());
      rw.attach(view, new ListStore());
      const ps = edges(pm);
      for (const p of ps) {
        expect(pb.pagerangeIsRam(p, p + 1), `page ${p}`).toBe(pm.pagerangeIsRam(p, p + 1));
        expect(rw.pagerangeIsRam(p, p + 1)).toBe(pm.pagerangeIsRam(p, p + 1));
      }
      const r = rng(ps.length);
      for (let k = 0; k < 3000; k++) {
        const a = ps[Math.floor(r() * ps.length)]!;
        const b = r() < 0.5 ? ps[Math.floor(r() * ps.length)]! : a + 1 + Math.floor(r() * 2 * PAGES_PER_SECTION);
        const s = Math.min(a, b);
        const e = Math.max(a, b) + (a === b ? 1 : 0);
        expect(pb.pagerangeIsRam(s, e), `[${s},${e})`).toBe(pm.pagerangeIsRam(s, e));
      }
      // Inside pure RAM sections the shortcut answers; probe some of their pages too.
      for (let i = 0; i < pm.chunkCount; i++) {
        const s = pm.chunkStartPfn(i);
        const e = pm.chunkEndPfn(i);
        for (let k = 0; k < 20; k++) {
          const p = s + Math.floor(r() * (e - s));
          expect(pb.pagerangeIsRam(p, p + 1)).toBe(1 - (p < ISA_END_PFN ? 1 : 0));
        }
      }
    });
  }
});

/** A per-page model of the page-flag semantics (what the oracle keeps). */
class PageModel {
  types = new Map<number, number>();
  reserve(s: number, e: number, req: number): [number, number] {
    for (let p = s; p < e; p++) {
      const t = this.types.get(p) ?? WB;
      if (t !== WB) return [-EBUSY, t];
    }
    for (let p = s; p < e; p++) {
      if (req === WB) this.types.delete(p);
      else this.types.set(p, req);
    }
    return [0, req];
  }
  free(s: number, e: number): void {
    for (let p = s; p < e; p++) this.types.delete(p);
  }
  get(p: number): number {
    return this.types.get(p) ?? WB;
  }
}

/**
 * Every registered RAM policy; one that keeps a store of its own (`store`
 * set, like `tree`) over every registered store kind.
 */
const POLICIES: Record<string, () => RamPolicy> = Object.fromEntries(
  partNames('ram').flatMap((r): [string, () => RamPolicy][] =>
    makeRamPolicy(r).store === undefined ? [[r, () => makeRamPolicy(r)]] : partNames('store').map((s) => [`${r} over ${s}`, () => makeRamPolicy(r, s)]),
  ),
);

interface RamOp {
  free: boolean;
  start: number;
  len: number;
  type: number;
}
const WINDOW = 64;
const ramOpArb: fc.Arbitrary<RamOp> = fc.record({
  free: fc.boolean(),
  start: fc.nat(WINDOW - 1),
  len: fc.integer({ min: 1, max: 24 }),
  type: fc.constantFrom(0, 1, 2, 4),
});

function runRam(make: () => RamPolicy, ops: readonly RamOp[], base: number): void {
  const pm = physmapOf('kvm-guest-24g');
  const pol = make();
  pol.attach(viewOf(pm), new ListStore());
  const model = new PageModel();
  for (const op of ops) {
    const s = base + op.start;
    const e = s + op.len;
    if (op.free) {
      expect(pol.free(s, e)).toBe(0);
      model.free(s, e);
    } else {
      const [ret, t] = model.reserve(s, e, op.type);
      expect(pol.reserve(s, e, op.type)).toBe(ret);
      expect(pol.newType).toBe(t);
    }
    pol.checkInvariants();
    for (let p = base - 2; p < base + WINDOW + 26; p++) expect(pol.getPageMemtype(p)).toBe(model.get(p));
  }
}

describe('RAM policies keep the page-flag semantics (single owner, free resets to WB)', () => {
  const base = 0x100000 + 77; // inside RAM on every map used here
  for (const [name, make] of Object.entries(POLICIES)) {
    it(`${name}: fixed seed and fast-check, invariants after every mutation`, () => {
      const r = rng(9);
      const fixed: RamOp[] = [];
      for (let i = 0; i < 400; i++) {
        fixed.push({ free: r() < 0.4, start: Math.floor(r() * WINDOW), len: 1 + Math.floor(r() * 24), type: [0, 1, 2, 4][Math.floor(r() * 4)]! });
      }
      runRam(make, fixed, base);
      fc.assert(
        fc.property(fc.array(ramOpArb, { maxLength: 40 }), (ops) => runRam(make, ops, base)),
        { seed: 77, numRuns: 40 },
      );
    });
  }

  it('tree: free trims, splits and erases; the RAM store never holds WB or overlaps', () => {
    const pol = new TreeRamPolicy(new BtreeStore());
    pol.attach(viewOf(physmapOf('kvm-guest-24g')), new ListStore());
    expect(pol.reserve(1000, 1100, 1)).toBe(0);
    expect(pol.reserve(1100, 1200, 2)).toBe(0);
    expect(pol.reserve(1050, 1051, 4)).toBe(-EBUSY);
    expect(pol.newType).toBe(1);
    expect(pol.reserve(1099, 1101, 4)).toBe(-EBUSY);
    expect(pol.newType).toBe(1); // the lowest busy page's type
    pol.free(1040, 1060); // split [1000,1100)
    pol.free(1190, 1300); // trim [1100,1200)
    pol.checkInvariants();
    const out: number[] = [];
    pol.store.list(out);
    expect(out).toEqual([1000, 1040, 1, 1060, 1100, 1, 1100, 1190, 2]);
    expect(pol.reserve(1040, 1060, WB)).toBe(0); // WB request: nothing stored
    expect(pol.store.size).toBe(3);
    expect(pol.modeledBytes()).toBe(pol.store.modeledBytes());
    pol.free(0, 5000);
    expect(pol.store.size).toBe(0);
  });

  it('tree: checkInvariants catches overlapping or WB ranges in the RAM store', () => {
    const pol = new TreeRamPolicy(new ListStore());
    pol.attach(viewOf(physmapOf('kvm-guest-24g')), new ListStore());
    pol.store.insert(10, 20, 1, null);
    pol.store.insert(15, 25, 1, null);
    expect(() => pol.checkInvariants()).toThrow(/overlap/);
    pol.free(0, 100);
    pol.store.insert(10, 20, WB, null);
    expect(() => pol.checkInvariants()).toThrow(/WB/);
  });
});

describe('insert policies', () => {
  const vma = { vm_start: 0x7f0000000000, vm_end: 0x7f0000000000 + 37 * 4096, vm_pgoff: 0x100000 } as unknown as VmaView;

  it('every registered insert policy answers lookup(pfn), whatever else it looks up', () => {
    for (const name of partNames('insert')) {
      const pol = makeInsertPolicy(name);
      expect(pol.name).toBe(name);
      for (const pfn of [0, 5, 0x100000, 2 ** 35 + 3]) {
        const seen: number[] = [];
        expect(pol.cachemode(vma, pfn, (p) => (seen.push(p), (p * 7) % 5)), name).toBe((pfn * 7) % 5);
        expect(seen.at(-1), name).toBe(pfn);
      }
    }
  });

  it('single-page: one lookup, of the inserted pfn', () => {
    const seen: number[] = [];
    const t = new SinglePagePolicy().cachemode(vma, 5, (p) => (seen.push(p), p % 3));
    expect(t).toBe(2);
    expect(seen).toEqual([5]);
  });

  it('whole-vma: one lookup per VMA page at vm_pgoff + i, then the answer for the pfn', () => {
    const pol = new WholeVmaPolicy();
    const seen: number[] = [];
    const t = pol.cachemode(vma, 5, (p) => (seen.push(p), p % 3));
    expect(t).toBe(2);
    expect(seen.length).toBe(37 + 1);
    expect(seen.slice(0, 37)).toEqual(Array.from({ length: 37 }, (_, i) => 0x100000 + i));
    expect(seen[37]).toBe(5);
    expect(pol.revalidated).toBe(37);
    expect(pol.mismatches).toBe(36 - 12); // pages whose p % 3 differs from the first page's
  });
});
