/**
 * Page tables: every level count, dynamic (s390-style) upgrades, the
 * generic walker against a brute-force model, table freeing and memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LEVELS,
  PTRS_PER_TABLE,
  PageTable,
  TABLE_BYTES,
  TableBudget,
  TablePool,
  _PAGE_PRESENT,
  _PAGE_PROTNONE,
  _PAGE_RW,
  _PAGE_SPECIAL,
  _PAGE_USER,
  mkPte,
  pteFlags,
  ptePfn,
} from '../../core/pagetable.js';

/** Walks and returns present (vpn, pte) pairs and hole ranges. */
function walk(pt: PageTable, vs: number, ve: number, assume?: number) {
  const ptes: [number, number][] = [];
  const holes: [number, number][] = [];
  const pmds: number[] = [];
  pt.walkRange(
    vs,
    ve,
    {
      pteEntry: (v, p) => ptes.push([v, p]),
      pteHole: (s, e) => holes.push([s, e]),
      pmdEntry: (v) => pmds.push(v),
    },
    assume,
  );
  return { ptes, holes, pmds };
}

describe('page tables at every level count', () => {
  for (const levels of [2, 3, 4, 5]) {
    it(`${levels} levels: the walker sees exactly the model's PTEs, and holes cover the rest`, () => {
      const maxVpn = 512 ** levels;
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 0, max: maxVpn - 1 }), { maxLength: 60 }),
          fc.integer({ min: 0, max: maxVpn - 1 }),
          fc.integer({ min: 1, max: maxVpn }),
          (vpns, a, len) => {
            const pt = new PageTable(levels);
            const model = new Map<number, number>();
            for (const v of vpns) {
              pt.set(v, (v % 1000) * 4096 + 1);
              model.set(v, (v % 1000) * 4096 + 1);
            }
            const vs = a;
            const ve = Math.min(maxVpn, a + len);
            const { ptes, holes } = walk(pt, vs, ve);
            const expected = [...model].filter(([v]) => v >= vs && v < ve).sort((x, y) => x[0] - y[0]);
            expect(ptes).toEqual(expected);
            // Holes and present PTE pages never overlap and stay inside the range.
            const present = expected.map(([v]) => v);
            for (const [s, e] of holes) {
              expect(s >= vs && e <= ve && s < e).toBe(true);
              const k = present.findIndex((v) => v >= s);
              expect(k < 0 || present[k]! >= e).toBe(true);
            }
          },
        ),
        { numRuns: 30 },
      );
    }, 20_000); // up to ~1.6 s alone (5 levels); more on a loaded machine
  }

  it('calls pmd_entry once per present PMD entry', () => {
    const pt = new PageTable(4);
    pt.set(0, 4097);
    pt.set(5, 4097);
    pt.set(512 * 3 + 1, 4097);
    expect(walk(pt, 0, 512 ** 4).pmds).toEqual([0, 512 * 3]);
  });

  it('frees tables that become empty and models 4 KiB per table page', () => {
    const pt = new PageTable(4);
    expect(pt.tableCount).toBe(1);
    pt.set(123456789, 4097);
    expect(pt.tableCount).toBe(4);
    expect(pt.modeledBytes()).toBe(4 * TABLE_BYTES);
    expect(pt.jsBytes()).toBe(pt.modeledBytes());
    pt.clear(123456789);
    expect(pt.tableCount).toBe(1);
  });
});

describe('dynamic levels (crst_table_upgrade)', () => {
  it('starts small and grows a new top level when a higher address is mapped', () => {
    const pt = new PageTable(2, true);
    pt.set(5, 4097);
    expect(pt.levels).toBe(2);
    pt.set(512 ** 2 + 7, 8193);
    expect(pt.levels).toBe(3);
    pt.set(0x7f0000000, 12289);
    expect(pt.levels).toBe(4);
    expect(pt.get(5)).toBe(4097);
    expect(pt.get(512 ** 2 + 7)).toBe(8193);
    expect(walk(pt, 0, pt.maxVpn).ptes.map(([v]) => v)).toEqual([5, 512 ** 2 + 7, 0x7f0000000]);
  });

  it('a static table refuses addresses beyond its levels', () => {
    const pt = new PageTable(3);
    expect(() => pt.set(512 ** 3, 1)).toThrow(RangeError);
  });

  it('a walker that assumes 4 levels misses (3 levels) or misplaces (5 levels) entries', () => {
    const three = new PageTable(3);
    three.set(512 ** 2 * 2, 4097);
    expect(walk(three, 0, three.maxVpn).ptes).toHaveLength(1);
    expect(walk(three, 0, three.maxVpn, 4).ptes).toHaveLength(0);
    const five = new PageTable(5);
    five.set(512 ** 4 + 3, 4097);
    expect(walk(five, 0, five.maxVpn).ptes).toHaveLength(1);
    expect(walk(five, 0, five.maxVpn, 4).ptes.map(([v]) => v)).not.toContain(512 ** 4 + 3);
  });
});

describe('zap and fill (zap_pte_range, remap_pte_range)', () => {
  it('clearRange removes exactly the range, reports each old PTE, and frees emptied tables', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 512 ** 3 - 1 }), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 512 ** 3 - 1 }),
        fc.integer({ min: 1, max: 512 ** 2 }),
        (vpns, a, len) => {
          const pt = new PageTable(4);
          for (const v of vpns) pt.set(v, v * 4096 + 1);
          const seen: number[] = [];
          pt.clearRange(a, a + len, (v) => seen.push(v));
          const inRange = vpns.filter((v) => v >= a && v < a + len).sort((x, y) => x - y);
          expect(seen).toEqual(inRange);
          const left = walk(pt, 0, pt.maxVpn).ptes.map(([v]) => v);
          expect(left).toEqual(vpns.filter((v) => v < a || v >= a + len).sort((x, y) => x - y));
          pt.clearRange(0, pt.maxVpn);
          expect(pt.tableCount).toBe(1);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('fillRange writes consecutive pfns across leaf tables and refuses, untouched, when a PTE is present', () => {
    const pt = new PageTable(4);
    expect(pt.fillRange(500, 30, 7 * 4096 + 1)).toBe('ok');
    expect(pt.get(500)).toBe(7 * 4096 + 1);
    expect(pt.get(529)).toBe(36 * 4096 + 1);
    expect(pt.tableCount).toBe(5);
    expect(pt.fillRange(520, 20, 99 * 4096 + 1)).toBe('present');
    expect(pt.get(535)).toBe(0);
  });
});

describe('PTE values and table pages', () => {
  it('pfn_pte / pte_pfn / pte_flags: pfn × 4096 + the low 12 flag bits, exact for 40-bit pfns', () => {
    expect(mkPte(0xc0000, 0x19b)).toBe(0xc0000 * 4096 + 0x19b);
    for (const [pfn, flags] of [[0, 1], [1, 0xfff], [2 ** 40 - 1, 0x201], [0x123456789, 0x80]] as const) {
      expect(ptePfn(mkPte(pfn, flags))).toBe(pfn);
      expect(pteFlags(mkPte(pfn, flags))).toBe(flags);
    }
    expect([_PAGE_PRESENT, _PAGE_RW, _PAGE_USER, _PAGE_PROTNONE, _PAGE_SPECIAL]).toEqual([0x1, 0x2, 0x4, 0x100, 0x200]);
    expect([PTRS_PER_TABLE, TABLE_BYTES, MAX_LEVELS]).toEqual([512, 4096, 5]);
  });

  it('TablePool: hands out zeroed 512-entry tables, takes back up to its cap, and reuses them; drain forgets them', () => {
    const pool = new TablePool(1);
    const a = pool.take();
    const b = pool.take();
    expect(a).toHaveLength(512);
    expect(a.every((x) => x === 0)).toBe(true);
    pool.give(a);
    pool.give(b); // beyond the cap: dropped
    expect(pool.take()).toBe(a);
    const c = pool.take();
    expect(c).not.toBe(b);
    pool.give(c);
    pool.drain();
    expect(pool.take()).not.toBe(c);
  });

  it('free_pgtables: a process exit gives every table back zeroed and returns its pages to the machine budget', () => {
    const pool = new TablePool();
    const budget = new TableBudget(100);
    const pt = new PageTable(4, false, pool, budget);
    pt.set(0x7f0000000, 4097);
    pt.set(3, 8193);
    expect(budget.live).toBe(pt.tableCount);
    expect(pt.tableCount).toBe(7); // the root, and a PUD, PMD and PTE table under each of two top entries
    pt.release();
    expect(budget.live).toBe(0);
    expect(pt.tableCount).toBe(0);
    for (let i = 0; i < 7; i++) expect(pool.take().every((x) => x === 0)).toBe(true);
    expect(new TableBudget().limit).toBe(1 << 18);
  });

  it('the machine budget: a table that would exceed it is not allocated — set() fails changing nothing, fillRange() says nomem', () => {
    const budget = new TableBudget(8);
    const a = new PageTable(4, false, TablePool.shared, budget);
    const b = new PageTable(4, false, TablePool.shared, budget);
    expect(a.set(0, 4097)).toBe(true); // 4 tables
    expect(budget.live).toBe(5); // with b's root
    expect(b.set(512 ** 3, 4097)).toBe(false);
    expect(b.get(512 ** 3)).toBe(0);
    expect(budget.live).toBe(5);
    expect(a.set(1, 8193)).toBe(true); // its leaf table exists
    expect(a.fillRange(512 ** 2, 1, 4097)).toBe('nomem');
    a.release();
    b.release();
    expect(budget.live).toBe(0);
  });

  it('the leaf cache never outlives its table: a freed leaf is not written through, the next set builds a new one', () => {
    const pt = new PageTable(4);
    pt.set(1000, 4097);
    expect(pt.get(1000)).toBe(4097);
    pt.clear(1000);
    expect(pt.tableCount).toBe(1);
    pt.set(1001, 8193);
    expect(pt.tableCount).toBe(4);
    expect(pt.get(1001)).toBe(8193);
    expect(pt.get(1000)).toBe(0);
    expect(pt.clear(5)).toBe(0); // nothing there
    expect(pt.clear(1001)).toBe(8193);
  });
});

describe('levels (x86 4/5-level, s390 crst_table_upgrade)', () => {
  it('a static table maps 512^levels pages; a dynamic one grows up to 5 levels and refuses beyond', () => {
    expect(new PageTable(4).maxVpn).toBe(512 ** 4);
    expect(new PageTable(4).limitVpn).toBe(512 ** 4);
    const dyn = new PageTable(2, true);
    expect(dyn.maxVpn).toBe(512 ** 2);
    expect(dyn.limitVpn).toBe(512 ** 5);
    dyn.set(512 ** 5 - 1, 4097);
    expect(dyn.levels).toBe(5);
    expect(dyn.get(512 ** 5 - 1)).toBe(4097);
    expect(() => dyn.set(512 ** 5, 4097)).toThrow(/vpn 35184372088832 beyond a 5-level table/);
    expect(dyn.get(512 ** 5)).toBe(0);
  });
});

describe('walk_page_range()', () => {
  it('walk_page_range: holes are reported with the depth of the missing table; pmd_entry also on a 2-level table', () => {
    const pt = new PageTable(2);
    pt.set(513, 4097);
    const holes: [number, number, number][] = [];
    const pmds: number[] = [];
    pt.walkRange(0, 3 * 512, { pteHole: (s, e, d) => holes.push([s, e, d]), pmdEntry: (v) => pmds.push(v) });
    expect(pmds).toEqual([512]);
    // A missing table is one hole at its depth; in a present PTE table each empty entry is its own.
    expect(holes[0]).toEqual([0, 512, 0]);
    expect(holes.at(-1)).toEqual([1024, 1536, 0]);
    const leaf = holes.slice(1, -1);
    expect(leaf).toHaveLength(511);
    expect(leaf.every(([s, e, d]) => e === s + 1 && d === 1 && s >= 512 && s < 1024 && s !== 513)).toBe(true);
    const four = new PageTable(4);
    four.set(512 ** 2 + 5, 4097);
    const h4: [number, number, number][] = [];
    four.walkRange(512 ** 2, 512 ** 2 + 1024, { pteHole: (s, e, d) => h4.push([s, e, d]) });
    expect(h4.filter(([, , d]) => d < 3)).toEqual([[512 ** 2 + 512, 512 ** 2 + 1024, 2]]);
    expect(h4.filter(([, , d]) => d === 3)).toHaveLength(511);
  });

  it('walk_page_range: an empty or inverted range visits nothing; a range past the top is cut at it', () => {
    const pt = new PageTable(2);
    pt.set(512 ** 2 - 1, 4097);
    const seen: number[] = [];
    pt.walkRange(5, 5, { pteEntry: (v) => seen.push(v), pteHole: () => seen.push(-1) });
    pt.walkRange(9, 3, { pteEntry: (v) => seen.push(v), pteHole: () => seen.push(-1) });
    expect(seen).toEqual([]);
    pt.forEach(512 ** 2 - 2, 512 ** 3, (v) => seen.push(v));
    expect(seen).toEqual([512 ** 2 - 1]);
  });

  it('zap_pte_range with a walker that assumes 4 levels on a 5-level table visits entries at addresses it misplaces, and clears only what is really there', () => {
    const pt = new PageTable(5);
    pt.set(3, 4097);
    pt.set(512 ** 4 + 3, 8193);
    const seen: number[] = [];
    pt.clearRange(0, 512 ** 4, (v) => seen.push(v), 4);
    expect(seen).toEqual([3, 512 ** 3 + 3]); // top slot 1 stepped as if it spanned 512^3 pages
    expect(pt.get(3)).toBe(0);
    expect(pt.get(512 ** 4 + 3)).toBe(8193); // still mapped: the stale PTE of bug walker-fixed-levels
  });
});
