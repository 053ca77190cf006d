/**
 * core/memtype.ts — arch/x86/mm/pat/memtype.c: one Linux rule per test,
 * named after the function that holds it, checked through replay on
 * Linux's composition. Each of these would fail if the rule changed
 * (mutation testing, issue 16).
 */
import { describe, expect, it } from 'vitest';
import { UC, UC_MINUS, WB, WC, WP, WT } from '../../core/cachemode.js';
import { Hardware, parseMachineSpec } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { OpStreamBuilder } from '../../core/ops.js';
import { createTracker } from '../../impls/registry.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';
import { RecordingSink } from '../helpers/record.js';

const M = SMALL_MACHINE;
const MMIO = 0xc0000000;
const A = 0x7f0000000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 };

describe('is_ISA_range() (x86_platform.is_untracked_pat_range)', () => {
  it('is_ISA_range: [start, end) inside [0xa0000, 0x100000) with end exclusive — a range ending at 0x100000 is untracked WB', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0xc0000', end: '0x100000', req: 'WC' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'memtype_reserve', ret: 0, type: 'WB' });
    expect(at(r, 3).entries).toEqual([]);
  });

  it('is_ISA_range: a range starting below 0xa0000 is tracked, even when it ends inside the window', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0x9f000', end: '0xa1000', req: 'WC' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3).entries).toEqual([{ start: '0x9f000', end: '0xa1000', type: 'WC' }]);
  });

  it('is_ISA_range: memtype_free of a window range is a no-op returning 0, with nothing to find', async () => {
    const r = await replay([M, { op: 'memtype_free', start: '0xa0000', end: '0x100000' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'memtype_free', ret: 0 });
  });

  it('is_ISA_range: lookup_memtype() of a page in the window is WB whatever the tree holds around it', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x9f000', end: '0xa1000', req: 'WC' },
      { op: 'lookup_memtype', addr: '0xa0000' },
      { op: 'lookup_memtype', addr: '0x9f000' },
      { op: 'lookup_memtype', addr: '0xff000' },
    ]);
    expect(at(r, 3).type).toBe('WB');
    expect(at(r, 4).type).toBe('WC');
    expect(at(r, 5).type).toBe('WB');
  });
});

describe('memtype_free()', () => {
  it('memtype_free: with PAT disabled it returns 0 at once — nothing was tracked, nothing is "freeing invalid memtype"', async () => {
    const r = await replay([
      { ...M, pat: 'disabled' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_free', start: hx(MMIO), end: hx(MMIO + 0x1000) },
      { op: 'memtype_free', start: hx(MMIO), end: hx(MMIO + 0x1000) },
      { op: 'memtype_free', start: '0x9f000', end: '0x101000' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'memtype_free', ret: 0 });
    expect(at(r, 4)).toEqual({ line: 4, op: 'memtype_free', ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'memtype_free', ret: 0 });
  });

  it('memtype_free: a range mixing RAM and non-RAM fails with EINVAL, silently', async () => {
    const r = await replay([M, { op: 'memtype_free', start: '0x9f000', end: '0x101000' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'memtype_free', ret: -22, errno: 'EINVAL' });
  });
});

describe('reserve_ram_pages_type()', () => {
  it('reserve_ram_pages_type: a UC request on RAM is recorded and granted as UC- (the page flags have no UC)', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x200000', end: '0x202000', req: 'UC' },
      { op: 'page_memtype', addr: '0x201000' },
      { op: 'lookup_memtype', addr: '0x200000' },
    ]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'memtype_reserve', ret: 0, type: 'UC-' });
    expect(at(r, 3).type).toBe('UC-');
    expect(at(r, 4).type).toBe('UC-');
  });
});

describe('memtype_reserve(): pat_pagerange_is_ram()', () => {
  it('memtype_reserve: a range mixing RAM and non-RAM is EINVAL (not EBUSY), nothing reserved, no message', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x3ffff000', end: '0x40001000', req: 'WC', new: false },
      { op: 'memtype_reserve', start: '0xfff000', end: '0x1001000', req: 'WC', new: false },
      { op: 'memtype_reserve', start: '0xfe000', end: '0x101000', req: 'UC-' },
      { op: 'memtype_list' },
    ]);
    // A trailing hole is not seen (RAM); a leading one is.
    expect(at(r, 2)).toEqual({ line: 2, op: 'memtype_reserve', ret: 0 });
    expect(at(r, 4)).toEqual({ line: 4, op: 'memtype_reserve', ret: -22, errno: 'EINVAL', type: 'UC-' });
    expect(at(r, 5).entries).toEqual([]);
  });
});

describe('pat_x_mtrr_type()', () => {
  const mtrr = {
    ...M,
    mtrr: {
      default: 'UC',
      variable: [
        { base: 0, size: 0x80000000, type: 'WB' },
        { base: 0xd0000000, size: 0x10000000, type: 'WC' },
      ],
    },
  };

  it('pat_x_mtrr_type: a WB request over a non-WB MTRR (UC, WC) is tracked and granted as UC-', async () => {
    const r = await replay([
      mtrr,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WB' },
      { op: 'memtype_reserve', start: '0xd0000000', end: '0xd0001000', req: 'WB' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 4).entries).toEqual([
      { start: '0xc0000000', end: '0xc0001000', type: 'UC-' },
      { start: '0xd0000000', end: '0xd0001000', type: 'UC-' },
    ]);
  });

  it('pat_x_mtrr_type: a WB request over WB MTRRs stays WB; a range reaching past them into UC is UC-', async () => {
    const r = await replay([
      mtrr,
      { op: 'memtype_reserve', start: '0x7ffe0000', end: '0x7ffe1000', req: 'WB' },
      { op: 'memtype_reserve', start: '0x7ffff000', end: '0x80001000', req: 'WB' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 4).entries).toEqual([
      { start: '0x7ffe0000', end: '0x7ffe1000', type: 'WB' },
      { start: '0x7ffff000', end: '0x80001000', type: 'UC-' },
    ]);
  });

  it('pat_x_mtrr_type: only WB requests consult the MTRRs — WC, UC-, WT over an UC MTRR are tracked as asked', async () => {
    const r = await replay([
      mtrr,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'WT' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x2000), end: hx(MMIO + 0x3000), req: 'UC' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WT' });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC' });
  });

  it('pat_x_mtrr_type (≥ 6.5): with MTRRs disabled, a WB request on non-RAM is UC-, on RAM it stays WB', async () => {
    const { mtrr: _drop, ...noMtrr } = M;
    const r = await replay([
      noMtrr,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WB' },
      { op: 'memtype_reserve', start: '0x200000', end: '0x201000', req: 'WB' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WB' });
  });
});

describe('is_new_memtype_allowed()', () => {
  it('is_new_memtype_allowed: a WT request cannot take an existing WC entry (ioremap_wt fails, the WC entry stays alone)', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x2000), req: 'WC' },
      { op: 'ioremap', handle: 'wt', addr: hx(MMIO), size: '0x1000', type: 'WT' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'ioremap', ret: -22, errno: 'EINVAL', messages: ['ioremap error for 0xc0000000-0xc0001000, requested 0x4, got 0x1'] });
    expect(at(r, 4).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('is_new_memtype_allowed: a WT remap_pfn_range over WC fails with "map pfn expected mapping type"', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', dev: 'pfnmap', cache: 'WT' },
      { op: 'remap_pfn_range', mm: 1, addr: hx(A), pfn: hx(MMIO / 4096), size: '0x1000', cache: 'WT' },
    ]);
    expect(at(r, 5)).toEqual({
      line: 5,
      op: 'remap_pfn_range',
      ret: -22,
      errno: 'EINVAL',
      messages: ['x86/PAT: Xorg:1234 map pfn expected mapping type write-through for [mem 0xc0000000-0xc0000fff], got write-combining'],
    });
  });

  it('is_new_memtype_allowed: a UC- request may take WC, and a WC request UC-', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'ioremap', handle: 'uc', addr: hx(MMIO), size: '0x1000', type: 'UC-' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'UC-' },
      { op: 'ioremap', handle: 'wc', addr: hx(MMIO + 0x1000), size: '0x1000', type: 'WC' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'ioremap', ret: 0, type: 'WC' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'ioremap', ret: 0, type: 'UC-' });
  });
});

describe('free_pfn_range() (pfnmap_untrack())', () => {
  it('free_pfn_range: untracking a RAM range frees nothing — a set_memory_wc() page keeps its WC type after its mapping goes', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'set_memory', addr: '0x200000', npages: 1, type: 'WC' },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', dev: 'resource_wc', offset: '0x200000' },
      { op: 'munmap', mm: 1, addr: hx(A), len: '0x1000' },
      { op: 'page_memtype', addr: '0x200000' },
      { op: 'memtype_reserve', start: '0x200000', end: '0x201000', req: 'WC' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mmap', ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'munmap', ret: 0 });
    expect(at(r, 6).type).toBe('WC');
    expect(at(r, 7)).toMatchObject({ ret: -16, type: 'WC' });
  });
});

describe('memtype_kernel_map_sync()', () => {
  it('memtype_kernel_map_sync: a UC- remap of low RAM (below 1 MiB: tracked in the tree) retypes its direct map — no alias', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'r', dev: 'mem', offset: '0x1000', o_dsync: true },
      { op: 'memtype_list' },
      { op: 'check' },
      { op: 'munmap', mm: 1, addr: hx(A), len: '0x2000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: 0 });
    expect(at(r, 4).entries).toEqual([{ start: '0x1000', end: '0x3000', type: 'UC-' }]);
    expect(at(r, 5).aliases).toEqual([]);
    expect(at(r, 7).entries).toEqual([]);
  });

  it('memtype_kernel_map_sync: the type follows the granted type — a WC ioremap of low RAM makes its direct map WC', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'ioremap', handle: 'lowwc', addr: '0x5000', size: '0x1000', type: 'WC' },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'r', dev: 'mem', offset: '0x5000' },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'check' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'ioremap', ret: 0, type: 'WC' });
    expect(at(r, 4)).toEqual({ line: 4, op: 'mmap', ret: 0 }); // WB inherits WC
    expect(at(r, 5)).toMatchObject({ type: 'WC' });
    expect(at(r, 6).aliases).toEqual([]);
  });
});

describe('lookup_memtype()', () => {
  it('is_ISA_range: the page at 1 MiB is the first outside the window — lookup_memtype() gives its tracked type, not WB', async () => {
    const r = await replay([M, { op: 'set_memory', addr: '0x100000', npages: 1, type: 'WC' }, { op: 'lookup_memtype', addr: '0x100000' }, { op: 'lookup_memtype', addr: '0xff000' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'set_memory', ret: 0 });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WB' });
  });

  it('lookup_memtype: a tracked WB entry of non-RAM answers WB; only a page with no entry answers UC-', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WB' },
      { op: 'lookup_memtype', addr: hx(MMIO) },
      { op: 'lookup_memtype', addr: hx(MMIO + 0x1000) },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC-' });
  });
});

describe('memtype_reserve(): what it writes through new', () => {
  it('memtype_reserve: start >= end is EINVAL before anything is written through new — the outcome has no type', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO), req: 'WC' }]);
    expect(at(r, 2)).toEqual({
      line: 2,
      op: 'memtype_reserve',
      ret: -22,
      errno: 'EINVAL',
      messages: ['memtype_reserve failed: [mem 0xc0001000-0xbfffffff], req write-combining'],
    });
  });
});

describe('memtype_erase(): exact match (v6.16) and END_MATCH (≤ 6.15)', () => {
  const P = 0x1000;
  const split3 = [
    M,
    spawn,
    { op: 'mmap', mm: 1, addr: hx(A), len: hx(3 * P), prot: 'rw', dev: 'resource', offset: hx(MMIO) },
    { op: 'mprotect', mm: 1, addr: hx(A + P), len: hx(P), prot: 'r' },
    { op: 'munmap', mm: 1, addr: hx(A + P), len: hx(P) },
    { op: 'memtype_list' },
  ];

  it('memtype_erase (≤ 6.15): END_MATCH takes only an entry ending exactly at end — untracking the middle of a split VMA is "freeing invalid memtype" and the entry stays whole', async () => {
    const r = await replay(split3, { bug: ['split-untrack'] });
    expect(at(r, 5)).toEqual({
      line: 5,
      op: 'munmap',
      ret: 0,
      messages: ['x86/PAT: Xorg:1234 freeing invalid memtype [mem 0xc0001000-0xc0001fff]'],
    });
    expect(at(r, 6).entries).toEqual([{ start: '0xc0000000', end: '0xc0003000', type: 'UC-' }]);
  });

  it('memtype_erase (≤ 6.15): END_MATCH shrinks the entry to [start of entry, start) — unmapping the last piece of a split VMA keeps the front reserved', async () => {
    const r = await replay(
      [
        M,
        spawn,
        { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', dev: 'resource', offset: hx(MMIO) },
        { op: 'mprotect', mm: 1, addr: hx(A + P), len: hx(P), prot: 'r' },
        { op: 'munmap', mm: 1, addr: hx(A + P), len: hx(P) },
        { op: 'memtype_list' },
      ],
      { bug: ['split-untrack'] },
    );
    expect(at(r, 5)).toEqual({ line: 5, op: 'munmap', ret: 0 });
    expect(at(r, 6).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'UC-' }]);
  });

  it('memtype_erase (≤ 6.15): END_MATCH needs an entry starting below start — an entry inside the freed range that ends at end is not shrunk', async () => {
    const r = await replay(
      [
        M,
        spawn,
        { op: 'memtype_reserve', start: hx(MMIO + P), end: hx(MMIO + 2 * P), req: 'UC-' },
        { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', dev: 'resource', offset: hx(MMIO) },
        { op: 'memtype_free', start: hx(MMIO), end: hx(MMIO + 2 * P) },
        { op: 'munmap', mm: 1, addr: hx(A), len: hx(2 * P) },
        { op: 'memtype_list' },
      ],
      { bug: ['split-untrack'] },
    );
    expect(at(r, 5)).toEqual({ line: 5, op: 'memtype_free', ret: 0 });
    expect(at(r, 6)).toEqual({
      line: 6,
      op: 'munmap',
      ret: 0,
      messages: ['x86/PAT: Xorg:1234 freeing invalid memtype [mem 0xc0000000-0xc0001fff]'],
    });
    expect(at(r, 7).entries).toEqual([{ start: '0xc0001000', end: '0xc0002000', type: 'UC-' }]);
  });

  it('memtype_erase (v6.16): exact match only — when a driver freed the VMA\'s range behind its back, untrack is "freeing invalid memtype" and the covering entry is not shrunk', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 2 * P), req: 'UC-' },
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(P), prot: 'rw', dev: 'resource', offset: hx(MMIO + P) },
      { op: 'memtype_free', start: hx(MMIO + P), end: hx(MMIO + 2 * P) },
      { op: 'munmap', mm: 1, addr: hx(A), len: hx(P) },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 5)).toEqual({ line: 5, op: 'memtype_free', ret: 0 });
    expect(at(r, 6)).toEqual({
      line: 6,
      op: 'munmap',
      ret: 0,
      messages: ['x86/PAT: Xorg:1234 freeing invalid memtype [mem 0xc0001000-0xc0001fff]'],
    });
    expect(at(r, 7).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'UC-' }]);
  });
});

describe('memtype_kernel_map_sync() → ioremap_change_attr(): the direct map per granted type', () => {
  /** The direct map's type of each low-RAM page 0x10..0x13 after `ops` (WB when it has no entry). */
  const directAfter = (ops: (b: OpStreamBuilder) => void): { types: number[]; entries: number } => {
    const machine = parseMachineSpec({ e820: M.e820, mtrr: { default: 'WB' } });
    const b = new OpStreamBuilder(machine);
    ops(b);
    const m = new Machine(Hardware.fromParsed(machine), createTracker('oracle'));
    m.run(b.build(), new RecordingSink());
    return { types: [0x10, 0x11, 0x12, 0x13].map((p) => m.directMap.get(p) ?? WB), entries: m.directMap.size };
  };

  it('ioremap_change_attr: WC and WT are set as they are; UC, UC- and anything else (WP) go through _set_memory_uc() as UC-', () => {
    const cases: [number, number][] = [
      [WC, WC],
      [WT, WT],
      [UC, UC_MINUS],
      [UC_MINUS, UC_MINUS],
      [WP, UC_MINUS],
    ];
    for (const [req, direct] of cases) {
      const r = directAfter((b) => b.ioremap('low', 0x11000, 0x1000, req));
      expect({ req, types: r.types }).toEqual({ req, types: [WB, direct, WB, WB] });
    }
  });

  it('ioremap_change_attr: exactly the pages of the range — not the page after its end', () => {
    const r = directAfter((b) => b.ioremap('low', 0x11000, 0x2000, WC));
    expect(r.types).toEqual([WB, WC, WC, WB]);
    expect(r.entries).toBe(2);
  });

  it('memtype_kernel_map_sync: only RAM pages (page_is_ram) have a direct-map type here — a range from low RAM into the reserved page below 640 KiB types the RAM page alone', () => {
    // [0x9e000, 0xa0000): 0x9e000 is usable RAM, 0x9f000 e820-reserved (the model keeps the direct map of RAM only).
    const r = directAfter((b) => b.ioremap('edge', 0x9e000, 0x2000, WC));
    expect(r.entries).toBe(1);
  });

  it('ioremap_change_attr: a WB mapping is _set_memory_wb() — the direct map a WC ioremap left behind (iounmap does not restore it) is WB again', () => {
    const wc = (b: OpStreamBuilder): void => {
      b.ioremap('low', 0x11000, 0x1000, WC);
      b.iounmap('low');
    };
    expect(directAfter(wc).types).toEqual([WB, WC, WB, WB]);
    const r = directAfter((b) => {
      wc(b);
      b.ioremap('again', 0x11000, 0x1000, WB);
    });
    expect(r.types).toEqual([WB, WB, WB, WB]);
    expect(r.entries).toBe(0);
  });
});
