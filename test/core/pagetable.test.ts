/**
 * Page tables: every level count, dynamic (s390-style) upgrades, the
 * generic walker against a brute-force model, table freeing and memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PageTable, TABLE_BYTES } from '../../core/pagetable.js';

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
