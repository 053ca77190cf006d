/**
 * core/cachemode.ts — `enum page_cache_mode`, `cattr_name()`, the PAT
 * layouts `pat_bp_init()`/`init_cache_modes()` program, the PTE encoding
 * (`__cachemode2pte_tbl`, `__pte2cachemode_tbl`) and
 * `is_new_memtype_allowed()`: the module's tables tested directly, entry by
 * entry, against Linux's values.
 */
import { describe, expect, it } from 'vitest';
import {
  CACHE_MODES,
  CATTR_NAME,
  PAT_MODES,
  PatTable,
  SHORT_NAME,
  UC,
  UC_MINUS,
  WB,
  WC,
  WP,
  WT,
  _PAGE_CACHE_MASK,
  _PAGE_PAT,
  _PAGE_PCD,
  _PAGE_PWT,
  cattrName,
  isNewMemtypeAllowed,
  parseCacheMode,
} from '../../core/cachemode.js';

/** PTE cache bits of PAT slot `i` (PAT·4 + PCD·2 + PWT). */
const slotBits = (i: number): number => (i & 1 ? 0x8 : 0) | (i & 2 ? 0x10 : 0) | (i & 4 ? 0x80 : 0);

describe('enum page_cache_mode and its names', () => {
  it('enum page_cache_mode: WB 0, WC 1, UC- 2, UC 3, WT 4, WP 5 (arch/x86/include/asm/pgtable_types.h)', () => {
    expect([WB, WC, UC_MINUS, UC, WT, WP]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(CACHE_MODES).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('cattr_name: the long names the kernel prints, "broken" for anything else', () => {
    expect(CATTR_NAME).toEqual(['write-back', 'write-combining', 'uncached-minus', 'uncached', 'write-through', 'write-protected']);
    expect([0, 1, 2, 3, 4, 5].map(cattrName)).toEqual([...CATTR_NAME]);
    expect(cattrName(-1)).toBe('broken');
    expect(cattrName(6)).toBe('broken');
    expect(cattrName(8)).toBe('broken');
  });

  it('trace short names: WB WC UC- UC WT WP, parsed in any case, and the long names too', () => {
    expect(SHORT_NAME).toEqual(['WB', 'WC', 'UC-', 'UC', 'WT', 'WP']);
    expect(parseCacheMode('uc-')).toBe(UC_MINUS);
    expect(parseCacheMode(' WP ')).toBe(WP);
    expect(parseCacheMode('Write-Combining')).toBe(WC);
    expect(parseCacheMode('uncached')).toBe(UC);
    expect(parseCacheMode('wt')).toBe(WT);
    expect(parseCacheMode('wb')).toBe(WB);
    expect(parseCacheMode('uc')).toBe(UC);
    expect(parseCacheMode('write-protected')).toBe(WP);
    expect(parseCacheMode('')).toBe(-1);
    expect(parseCacheMode('broken')).toBe(-1);
    expect(parseCacheMode('UCMINUS')).toBe(-1);
  });
});

describe('PAT layouts and the PTE encoding', () => {
  it('PTE cache bits: PWT bit 3, PCD bit 4, PAT bit 7 (4 KiB PTE)', () => {
    expect([_PAGE_PWT, _PAGE_PCD, _PAGE_PAT, _PAGE_CACHE_MASK]).toEqual([0x8, 0x10, 0x80, 0x98]);
  });

  it('pat_bp_init: the full layout is WB WC UC- UC WB WP UC- WT (WT in slot 7, so an erratum ignoring the PAT bit gets UC)', () => {
    expect(new PatTable('full').slots).toEqual([WB, WC, UC_MINUS, UC, WB, WP, UC_MINUS, WT]);
  });

  it('pat_bp_init: errata CPUs use only the low four slots, WB WC UC- UC, repeated', () => {
    expect(new PatTable('legacy4').slots).toEqual([WB, WC, UC_MINUS, UC, WB, WC, UC_MINUS, UC]);
  });

  it('init_cache_modes: without PAT (none, disabled) the power-on table WB WT UC- UC, repeated', () => {
    expect(new PatTable('none').slots).toEqual([WB, WT, UC_MINUS, UC, WB, WT, UC_MINUS, UC]);
    expect(new PatTable('disabled').slots).toEqual([WB, WT, UC_MINUS, UC, WB, WT, UC_MINUS, UC]);
    expect(PAT_MODES).toEqual(['full', 'legacy4', 'none', 'disabled']);
  });

  it('__pte2cachemode_tbl: every PTE slot index reads back its slot\'s type, whatever other PTE bits are set', () => {
    for (const mode of PAT_MODES) {
      const t = new PatTable(mode);
      for (let i = 0; i < 8; i++) {
        expect(t.pte2cachemode(slotBits(i)), `${mode} slot ${i}`).toBe(t.slots[i]);
        expect(t.pte2cachemode(slotBits(i) | 0x1 | 0x2 | 0x4 | 0x200), `${mode} slot ${i} with P/RW/U/special`).toBe(t.slots[i]);
      }
    }
  });

  it('update_cache_mode_entry: each type is encoded by its lowest slot (init_cache_modes fills slots 7 down to 0)', () => {
    const full = new PatTable('full');
    expect([WB, WC, UC_MINUS, UC, WT, WP].map((m) => full.cachemode2protval(m))).toEqual([0, 0x8, 0x10, 0x18, 0x98, 0x88]);
    const l4 = new PatTable('legacy4');
    expect([WB, WC, UC_MINUS, UC].map((m) => l4.cachemode2protval(m))).toEqual([0, 0x8, 0x10, 0x18]);
    const none = new PatTable('none');
    expect([WB, WT, UC_MINUS, UC].map((m) => none.cachemode2protval(m))).toEqual([0, 0x8, 0x10, 0x18]);
  });

  it('__cachemode2pte_tbl defaults: a type the layout lacks is encoded as UC- (PCD) — WT and WP on legacy4, WC and WP without PAT', () => {
    const l4 = new PatTable('legacy4');
    expect(l4.cachemode2protval(WT)).toBe(_PAGE_PCD);
    expect(l4.cachemode2protval(WP)).toBe(_PAGE_PCD);
    for (const mode of ['none', 'disabled'] as const) {
      const t = new PatTable(mode);
      expect(t.cachemode2protval(WC), mode).toBe(_PAGE_PCD);
      expect(t.cachemode2protval(WP), mode).toBe(_PAGE_PCD);
    }
  });
});

describe('is_new_memtype_allowed()', () => {
  it('is_new_memtype_allowed: refused exactly for UC-→WB, WC→WB, WT→WB and WT→WC; every other (request, granted) pair is allowed', () => {
    const refused = new Set(['2,0', '1,0', '4,0', '4,1']);
    for (const req of CACHE_MODES) {
      for (const got of CACHE_MODES) expect(isNewMemtypeAllowed(req, got), `${SHORT_NAME[req]} → ${SHORT_NAME[got]}`).toBe(!refused.has(`${req},${got}`));
    }
  });
});
