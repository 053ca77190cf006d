/**
 * PAT modes × MTRRs: PTE encodings, fallbacks, the effective-type table and
 * the alias checker judging effective (not PAT) types.
 */
import { describe, expect, it } from 'vitest';
import { PatTable, UC, UC_MINUS, WB, WC, WP, WT } from '../../core/cachemode.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

describe('PAT tables (pat_init, init_cache_modes)', () => {
  it('full mode encodes every type in its own slot (WT in slot 7)', () => {
    const t = new PatTable('full');
    for (const cm of [WB, WC, UC_MINUS, UC, WT, WP]) expect(t.pte2cachemode(t.cachemode2protval(cm))).toBe(cm);
    expect(t.cachemode2protval(WT)).toBe(0x80 | 0x10 | 0x08);
  });

  it('legacy4 and none fall back to UC- for what they lack', () => {
    const l4 = new PatTable('legacy4');
    expect(l4.pte2cachemode(l4.cachemode2protval(WT))).toBe(UC_MINUS);
    expect(l4.pte2cachemode(l4.cachemode2protval(WC))).toBe(WC);
    const none = new PatTable('none');
    expect(none.pte2cachemode(none.cachemode2protval(WC))).toBe(UC_MINUS);
    expect(none.pte2cachemode(none.cachemode2protval(WT))).toBe(WT);
  });

  it('replayed PTEs carry the fallback type under pat "none"', async () => {
    const r = await replay([
      { ...SMALL_MACHINE, pat: 'none' },
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource_wc', offset: '0xc0000000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 4)).toMatchObject({ type: 'UC-' });
    expect(at(r, 5).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'WC' }]);
  });
});

describe('effective types (SDM Table 11-7) and the alias checker', () => {
  const mtrr = {
    default: 'UC',
    variable: [
      { base: 0, size: 0x40000000, type: 'WB' },
      { base: 0xd0000000, size: 0x10000000, type: 'WC' },
    ],
  };

  it('answers mtrr_type and effective_type queries', async () => {
    const r = await replay([
      { ...SMALL_MACHINE, mtrr },
      { op: 'mtrr_type', addr: '0xd0000000' },
      { op: 'effective_type', addr: '0xd0000000', type: 'UC-' },
      { op: 'effective_type', addr: '0xc0000000', type: 'WC' },
      { op: 'effective_type', addr: '0x200000', type: 'UC-' },
    ]);
    expect(at(r, 2)).toMatchObject({ type: 'WC' });
    expect(at(r, 3)).toMatchObject({ type: 'WC' });
    expect(at(r, 4)).toMatchObject({ type: 'WC' });
    expect(at(r, 5)).toMatchObject({ type: 'UC' });
  });

  it('UC- beside WC over an MTRR WC range is no alias; over MTRR UC it is', async () => {
    const lines = (base: string) => [
      { ...SMALL_MACHINE, mtrr },
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'memtype_reserve', start: base, end: base.replace(/0000$/, '1000'), req: 'WC' },
      // WB over non-WB MTRRs is tracked UC-; with a WC alias present it inherits WC.
      { op: 'ioremap', handle: 'k', addr: base, size: '0x1000', type: 'UC-' },
      { op: 'check' },
    ];
    const wc = await replay(lines('0xd0000000'));
    expect(at(wc, 4)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(wc, 5).aliases).toEqual([]);
  });

  it('a WB request over non-WB MTRRs is tracked as UC- (pat_x_mtrr_type)', async () => {
    const r = await replay([{ ...SMALL_MACHINE, mtrr }, { op: 'memtype_reserve', start: '0xc0000000', end: '0xc0001000', req: 'WB' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
  });
});

describe('MTRRs absent or disabled (v6.16: mtrr_type_lookup answers UC)', () => {
  const { mtrr: _omit, ...NO_MTRR } = SMALL_MACHINE;

  it('pat_x_mtrr_type: WB request on non-RAM with MTRRs disabled gives UC-', async () => {
    const r = await replay([
      NO_MTRR,
      { op: 'spawn', mm: 1, comm: 'dmidecode', pid: 7 },
      { op: 'memtype_reserve', start: '0xc0000000', end: '0xc0001000', req: 'WB' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', prot: 'r', dev: 'mem', offset: '0xd0000000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
      { op: 'memtype_reserve', start: '0x200000', end: '0x201000', req: 'WB' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 5)).toMatchObject({ present: true, type: 'UC-' });
    expect(at(r, 6).entries).toEqual([
      { start: '0xc0000000', end: '0xc0001000', type: 'UC-' },
      { start: '0xd0000000', end: '0xd0001000', type: 'UC-' },
    ]);
    // RAM keeps the requested type: reserve_ram_pages_type() ignores the MTRR hint.
    expect(at(r, 7)).toMatchObject({ ret: 0, type: 'WB' });
  });

  it('mtrr_type_lookup: a machine line without "mtrr" has MTRRs disabled, and the CPU uses UC for all memory', async () => {
    const r = await replay([
      NO_MTRR,
      { op: 'mtrr_type', addr: '0x200000' },
      { op: 'effective_type', addr: '0x200000', type: 'WB' },
      { op: 'effective_type', addr: '0x200000', type: 'WC' },
    ]);
    expect(at(r, 2).type).toBe('UC');
    expect(at(r, 3).type).toBe('UC');
    expect(at(r, 4).type).toBe('WC');
  });

  it('pat_x_mtrr_type: {"default":"WB"} alone enables MTRRs, so a WB request on non-RAM stays WB', async () => {
    const r = await replay([{ ...NO_MTRR, mtrr: { default: 'WB' } }, { op: 'memtype_reserve', start: '0xc0000000', end: '0xc0001000', req: 'WB' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WB' });
  });
});

describe('the alias checker judges PTE types (cachemode2protval on the active PAT layout)', () => {
  it('cachemode2protval: on legacy4 set_memory_wt() builds a UC- direct-map PTE, so a UC- user PTE of the page is no alias', async () => {
    const r = await replay([
      { ...SMALL_MACHINE, pat: 'legacy4' },
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'set_memory', addr: '0x200000', npages: 1, type: 'WT' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'pfnmap' },
      { op: 'vm_insert_pfn', mm: 1, addr: '0x7f0000000000', pfn: '0x200' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'check' },
    ]);
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 6)).toMatchObject({ type: 'UC-' });
    expect(at(r, 7).aliases).toEqual([]);
  });

  it('cachemode2protval: on legacy4 an ioremap_wt is a UC- PTE, agreeing with a UC- user mapping that inherited WT', async () => {
    const r = await replay([
      { ...SMALL_MACHINE, pat: 'legacy4' },
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'ioremap', handle: 'k', addr: '0xc0000000', size: '0x1000', type: 'WT' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'mem', o_dsync: true, offset: '0xc0000000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'check' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WT' });
    expect(at(r, 5)).toMatchObject({ type: 'UC-' });
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('__ioremap_caller: a WP type inherited by ioremap takes the default branch, a UC PTE, beside a WP user PTE', async () => {
    const r = await replay([
      SMALL_MACHINE,
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'memtype_reserve', start: '0xc0000000', end: '0xc0001000', req: 'WP' },
      { op: 'ioremap', handle: 'k', addr: '0xc0000000', size: '0x1000' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource', offset: '0xc0000000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'check' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WP' });
    expect(at(r, 6)).toMatchObject({ type: 'WP' });
    expect(at(r, 7).aliases).toEqual([{ pfn: 0xc0000, types: ['UC', 'WP'] }]);
  });
});
