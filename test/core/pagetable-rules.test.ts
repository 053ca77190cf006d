/**
 * Page-table rules Stryker's surviving mutants in core/pagetable.ts asked
 * for (issue 16): the table pool, the machine's table budget, entry counts
 * and table freeing (`free_pgtables()`), the leaf cache, the range ends of
 * `walk_page_range()`, `zap_pte_range()` and `remap_pte_range()`, level
 * upgrades (`crst_table_upgrade()`) and process exit.
 */
import { describe, expect, it } from 'vitest';
import { PageTable, TableBudget, TablePool } from '../../core/pagetable.js';

const A = 7 * 4096 + 1;
const B = 9 * 4096 + 1;
const C = 11 * 4096 + 1;
const P = 100 * 4096 + 1;

/** The vpns of the present PTEs a walk of [vs, ve) visits. */
function present(pt: PageTable, vs: number, ve: number, assume?: number): number[] {
  const out: number[] = [];
  pt.walkRange(vs, ve, { pteEntry: (v) => out.push(v) }, assume);
  return out;
}

describe('table pages: the pool and the machine budget', () => {
  it('TablePool: after drain() it hands out fresh zeroed 512-entry tables', () => {
    const pool = new TablePool();
    const a = pool.take();
    pool.give(a);
    pool.drain();
    const t = pool.take();
    expect(t).toBeInstanceOf(Float64Array);
    expect(t).toHaveLength(512);
    expect(t).not.toBe(a);
    expect(t.every((x) => x === 0)).toBe(true);
  });

  it('the machine budget: set() goes ahead while live tables + MAX_LEVELS (5) fit in the limit, and fails beyond', () => {
    const fits = new TableBudget(6);
    const pt = new PageTable(4, false, new TablePool(), fits);
    expect(fits.live).toBe(1);
    expect(pt.set(0, A)).toBe(true); // 1 + 5 <= 6
    expect(fits.live).toBe(4);
    const short = new TableBudget(5);
    const pt2 = new PageTable(4, false, new TablePool(), short);
    expect(pt2.set(0, A)).toBe(false); // 1 + 5 > 5
    expect(pt2.get(0)).toBe(0);
    expect(short.live).toBe(1);
  });

  it('remap_pte_range: fillRange reserves ceil(n / 512) * 2 + MAX_LEVELS tables before writing', () => {
    // 513 PTEs: ceil(513 / 512) * 2 + 5 = 9 tables besides the root.
    const fits = new TableBudget(10);
    const pt = new PageTable(4, false, new TablePool(), fits);
    expect(pt.fillRange(0, 513, P)).toBe('ok');
    expect(pt.tableCount).toBe(5); // root, PUD, PMD and two PTE tables
    expect(fits.live).toBe(5);
    expect(pt.get(512)).toBe(P + 512 * 4096);
    pt.clearRange(0, 513);
    expect([pt.tableCount, fits.live]).toEqual([1, 1]);
    const short = new TableBudget(9);
    const pt2 = new PageTable(4, false, new TablePool(), short);
    expect(pt2.fillRange(0, 513, P)).toBe('nomem');
    expect(pt2.get(0)).toBe(0);
    expect(short.live).toBe(1);
  });
});

describe('entries and table freeing (free_pgtables)', () => {
  it('set() over a present PTE replaces it without counting a second entry: clearing it frees the tables', () => {
    const pt = new PageTable(4);
    pt.set(5, A);
    pt.set(5, B);
    expect(pt.get(5)).toBe(B);
    expect(pt.clear(5)).toBe(B);
    expect(pt.tableCount).toBe(1);
  });

  it('clear() of an empty slot in a present table returns 0 and frees nothing', () => {
    const pt = new PageTable(4);
    pt.set(1000, A);
    expect(pt.clear(1001)).toBe(0);
    expect(pt.get(1000)).toBe(A);
    expect(pt.tableCount).toBe(4);
  });

  it('free_pgtables: a table goes with its last entry only — the sibling PTE table keeps the PMD, PUD and the machine budget follows', () => {
    const budget = new TableBudget();
    const pt = new PageTable(4, false, new TablePool(), budget);
    pt.set(3, A);
    pt.set(1024, B); // another PTE table under the same PMD
    expect([pt.tableCount, budget.live]).toEqual([5, 5]);
    expect(pt.clear(3)).toBe(A);
    expect([pt.tableCount, budget.live]).toEqual([4, 4]);
    expect(pt.get(1024)).toBe(B);
    expect(pt.clear(1024)).toBe(B);
    expect([pt.tableCount, budget.live]).toEqual([1, 1]);
  });

  it('fillRange\'s PTEs count as their tables\' entries: clearing them one by one frees the tables', () => {
    const pt = new PageTable(4);
    expect(pt.fillRange(500, 30, P)).toBe('ok');
    for (let v = 500; v < 530; v++) expect(pt.clear(v)).toBe(P + (v - 500) * 4096);
    expect(pt.tableCount).toBe(1);
  });

  it('remap_pte_range: only a present PTE inside [vpn, vpn + n) refuses the fill — its neighbours on both sides do not', () => {
    const pt = new PageTable(4);
    pt.set(9, A);
    pt.set(20, B);
    expect(pt.fillRange(10, 10, P)).toBe('ok');
    expect([pt.get(9), pt.get(10), pt.get(19), pt.get(20)]).toEqual([A, P, P + 9 * 4096, B]);
    pt.set(1000, C);
    expect(pt.fillRange(1012, 12, P)).toBe('ok'); // up to the end of an existing PTE table
    expect(pt.get(1023)).toBe(P + 11 * 4096);
  });

  it('process exit after tables were freed: release() gives back only live tables, all zeroed', () => {
    const pool = new TablePool();
    const budget = new TableBudget();
    const pt = new PageTable(4, false, pool, budget);
    pt.set(0, A);
    pt.set(512 ** 3, B);
    expect(pt.tableCount).toBe(7);
    pt.clear(512 ** 3); // frees its PUD, PMD and PTE table to the pool
    expect(pt.tableCount).toBe(4);
    pt.release();
    expect(budget.live).toBe(0);
    for (let i = 0; i < 7; i++) {
      const t = pool.take();
      expect(t).toBeInstanceOf(Float64Array);
      expect(t.every((x) => x === 0)).toBe(true);
    }
  });
});

describe('levels (crst_table_upgrade) and the leaf cache', () => {
  it('crst_table_upgrade: the first vpn past the top adds a level, it does not wrap onto vpn 0', () => {
    const pt = new PageTable(2, true);
    pt.set(512 ** 2, A);
    expect(pt.levels).toBe(3);
    expect(pt.get(512 ** 2)).toBe(A);
    expect(pt.get(0)).toBe(0);
    expect(present(pt, 0, pt.maxVpn)).toEqual([512 ** 2]);
  });

  it('a static table: lookups at or past its top find nothing, also when vpn 0 is mapped', () => {
    const pt = new PageTable(3);
    pt.set(0, A);
    expect(pt.get(512 ** 3)).toBe(0);
    expect(pt.clear(512 ** 3)).toBe(0);
    expect(pt.get(0)).toBe(A);
  });

  it('crst_table_upgrade: the old top table, emptied and freed, is reused as a PTE table and works as any other', () => {
    const pt = new PageTable(2, true);
    pt.set(512 ** 2 + 7, A); // upgrade to 3 levels; the old top table is now a PMD
    pt.set(5, B); // a PTE table under the old top table
    expect(pt.clear(5)).toBe(B); // frees that PTE table, then the old top table itself
    expect(pt.tableCount).toBe(3);
    const v = 512 ** 2 + 512 * 5; // a new PTE table: it takes the freed table's place
    expect(pt.set(v, C)).toBe(true);
    expect(pt.get(v)).toBe(C);
    expect(pt.fillRange(v, 2, P)).toBe('present');
    expect(pt.get(v + 1)).toBe(0);
    expect(pt.clear(v)).toBe(C);
    expect(pt.tableCount).toBe(3);
    expect(pt.get(512 ** 2 + 7)).toBe(A);
  });
});

describe('range ends of walk_page_range() and zap_pte_range()', () => {
  it('walk_page_range: [vs, ve) — a PTE at ve or before vs is not visited, nor cleared', () => {
    const pt = new PageTable(3);
    pt.set(3, A);
    pt.set(10, B);
    pt.set(512, C);
    expect(present(pt, 5, 512)).toEqual([10]);
    expect(present(pt, 0, 10)).toEqual([3]);
    const holes: [number, number][] = [];
    pt.walkRange(5, 512, { pteHole: (s, e) => holes.push([s, e]) });
    expect(holes.every(([s, e]) => s >= 5 && e <= 512 && s < e)).toBe(true);
    expect(holes).toHaveLength(512 - 5 - 1);
    pt.clearRange(5, 512);
    expect([pt.get(3), pt.get(10), pt.get(512)]).toEqual([A, 0, C]);
  });

  it('walk_page_range and zap_pte_range: a range ending below the top is not widened to it', () => {
    const pt = new PageTable(2);
    pt.set(10, A);
    pt.set(600, B);
    expect(present(pt, 0, 512)).toEqual([10]);
    pt.clearRange(0, 512);
    expect([pt.get(10), pt.get(600)]).toEqual([0, B]);
  });

  it('zap_pte_range: an empty or inverted range frees nothing — not even the empty old top table an upgrade left', () => {
    const pt = new PageTable(2, true);
    pt.set(512 ** 2 + 7, A); // the old top table (a PMD now) has no entry
    expect(pt.tableCount).toBe(4);
    pt.clearRange(5, 5);
    pt.clearRange(9, 3);
    expect(pt.tableCount).toBe(4);
    pt.clearRange(0, 10); // a real zap through it frees it
    expect(pt.tableCount).toBe(3);
    expect(pt.get(512 ** 2 + 7)).toBe(A);
  });

  it('walk_page_range with the fixed-levels walker (bug walker-fixed-levels): the range is cut at the real top first', () => {
    const three = new PageTable(3);
    three.set(512 ** 2 * 2, A);
    // Assuming 4 levels the top table's slots span 512^3 pages: only slot 0 lies below the 3-level top.
    expect(present(three, 0, 512 ** 4, 4)).toEqual([]);
    expect(present(three, 0, 512 ** 4)).toEqual([512 ** 2 * 2]);
  });

  it('zap_pte_range with the fixed-levels walker and no callback clears what it finds', () => {
    const pt = new PageTable(5);
    pt.set(3, A);
    pt.set(512 ** 4 + 3, B);
    pt.clearRange(0, 512 ** 4, undefined, 4);
    expect(pt.get(3)).toBe(0);
    expect(pt.get(512 ** 4 + 3)).toBe(B);
  });
});
