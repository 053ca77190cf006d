/**
 * core/memory.ts — mm/memory.c: `remap_pfn_range()` (v6.16
 * `remap_pfn_range_track()`/`_notrack()`), `vmf_insert_pfn_prot()`,
 * `vmf_insert_mixed()`, `insert_pfn()`, the fault path, zap and the tracking
 * context's release. One rule per test, named after its function
 * (faults.test.ts has the older scenarios).
 */
import { describe, expect, it } from 'vitest';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const P = 0x1000;
const MMIO = 0xc0000000;
const PFN = MMIO / P;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'drv', pid: 700 };
const pfnmap = (addr: number, len: number, cache = 'UC-', flags = 'shared', prot = 'rw') => ({ op: 'mmap', mm: 1, addr: hx(addr), len: hx(len), prot, flags, dev: 'pfnmap', cache });
const remap = (addr: number, pfn: number, size: number, cache = 'UC-') => ({ op: 'remap_pfn_range', mm: 1, addr: hx(addr), pfn: hx(pfn), size: hx(size), cache });
const pte = (addr: number, mm = 1) => ({ op: 'pte', mm, addr: hx(addr) });
const BUG = 'kernel BUG at mm/memory.c!';

describe('remap_pfn_range()', () => {
  it('remap_pfn_range: an unaligned address or size, a zero size, or a range outside one VMA is EINVAL', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, 2 * P),
      remap(A + 8, PFN, P),
      remap(A, PFN, P + 8),
      remap(A, PFN, 0),
      remap(A, PFN, 3 * P),
      remap(A + 0x100000, PFN, P),
      { op: 'memtype_list' },
    ]);
    for (const line of [4, 5, 6, 7, 8]) expect(at(r, line), `line ${line}`).toEqual({ line, op: 'remap_pfn_range', ret: -22, errno: 'EINVAL' });
    expect(at(r, 9).entries).toEqual([]);
  });

  it('remap_pfn_range_track: a whole-VMA remap reserves, and its special PTEs map consecutive pfns with the granted type', async () => {
    const r = await replay([M, spawn, pfnmap(A, 2 * P), remap(A, PFN, 2 * P, 'WC'), pte(A), pte(A + P), { op: 'memtype_list' }]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'remap_pfn_range', ret: 0, type: 'WC' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'pte', ret: 0, present: true, pfn: PFN, type: 'WC', special: true });
    expect(at(r, 6)).toMatchObject({ pfn: PFN + 1, type: 'WC', special: true });
    expect(at(r, 7).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('remap_pfn_range_track: a VMA already tracked refuses a second whole remap with EINVAL, reserving nothing more', async () => {
    const r = await replay([M, spawn, pfnmap(A, P), remap(A, PFN, P), { op: 'munmap', mm: 1, addr: hx(A), len: hx(P) }, pfnmap(A, P), remap(A, PFN, P), remap(A, PFN + 1, P), { op: 'memtype_list' }]);
    expect(at(r, 7)).toMatchObject({ ret: 0 });
    expect(at(r, 8)).toEqual({ line: 8, op: 'remap_pfn_range', ret: -22, errno: 'EINVAL' });
    expect(at(r, 9).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'UC-' }]);
  });

  it('remap_pfn_range_track: when the page tables refuse (a present PTE) the tracking context is dropped, and with it the reservation', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, 2 * P),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + P), pfn: hx(PFN + 0x100) },
      remap(A, PFN, 2 * P, 'WC'),
      { op: 'memtype_list' },
      pte(A),
    ]);
    expect(at(r, 5)).toEqual({ line: 5, op: 'remap_pfn_range', ret: -22, errno: 'EINVAL', messages: [BUG] });
    expect(at(r, 6).entries).toEqual([]);
    expect(at(r, 7)).toEqual({ line: 7, op: 'pte', ret: 0, present: false });
  });

  it('pfnmap_setup_cachemode: a partial remap reserves nothing and maps with the one memtype every page has', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, 4 * P),
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 2 * P), req: 'WC' },
      remap(A + P, PFN, 2 * P, 'UC-'),
      pte(A + 2 * P),
      remap(A + 3 * P, PFN + 1, 2 * P, 'UC-'),
      { op: 'memtype_list' },
    ]);
    expect(at(r, 5)).toEqual({ line: 5, op: 'remap_pfn_range', ret: 0, type: 'WC' });
    expect(at(r, 6)).toMatchObject({ pfn: PFN + 1, type: 'WC' });
    expect(at(r, 7)).toEqual({ line: 7, op: 'remap_pfn_range', ret: -22, errno: 'EINVAL' }); // WC then UC-
    expect(at(r, 8).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('pfnmap_setup_cachemode: with PAT disabled a partial remap maps with the requested type', async () => {
    const r = await replay([{ ...M, pat: 'disabled' }, spawn, pfnmap(A, 4 * P), remap(A + P, PFN, P, 'UC'), pte(A + P)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'remap_pfn_range', ret: 0, type: 'UC' });
    expect(at(r, 5)).toMatchObject({ type: 'UC' });
  });

  it('remap_pfn_range_internal: VM_IO | VM_PFNMAP are set — an anonymous VMA remapped takes vmf_insert_pfn afterwards', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', flags: 'shared', dev: 'anon' },
      remap(A, PFN, P),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + P), pfn: hx(PFN + 1) },
      pte(A + P),
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'vm_insert_pfn', ret: 0, type: 'UC-' });
    expect(at(r, 6)).toMatchObject({ present: true, special: true });
  });

  it('remap_pfn_range_internal: a COW mapping remapped whole gets vm_pgoff = pfn (≤ 6.15 untrack then frees from it)', async () => {
    const lines = [
      M,
      spawn,
      pfnmap(A, 2 * P, 'UC-', 'private'),
      remap(A, PFN, 2 * P),
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'munmap', mm: 1, addr: hx(A), len: hx(2 * P) },
      { op: 'memtype_list' },
    ];
    const r = await replay(lines, { bug: ['split-untrack'] });
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 6)).toEqual({ line: 6, op: 'munmap', ret: 0 });
    expect(at(r, 7).entries).toEqual([]);
  });

  it('remap_pfn_range: past the page-table budget a partial remap is ENOMEM before it looks at any page', async () => {
    const r = await replay([M, spawn, pfnmap(A, 0x10000000000), remap(A + P, PFN, 0x8000000000)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'remap_pfn_range', ret: -12, errno: 'ENOMEM' });
  });
});

describe('vmf_insert_pfn_prot() and insert_pfn()', () => {
  it('vmf_insert_pfn_prot: BUG_ON unless exactly one of VM_PFNMAP and VM_MIXEDMAP (here: an anonymous VMA)', async () => {
    const r = await replay([M, spawn, { op: 'mmap', mm: 1, addr: hx(A), len: hx(P), prot: 'rw', flags: 'shared', dev: 'anon' }, { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN) }]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'vm_insert_pfn', ret: -14, errno: 'EFAULT', fault: 'SIGBUS', messages: [BUG] });
  });

  it('vmf_insert_pfn_prot: BUG_ON(VM_MIXEDMAP && pfn_valid(pfn)) — a struct-page pfn must go through vmf_insert_mixed', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', dev: 'mixedmap' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: '0x200' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + P), pfn: hx(PFN) },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -14, fault: 'SIGBUS', messages: [BUG] });
    expect(at(r, 5)).toEqual({ line: 5, op: 'vm_insert_pfn', ret: 0, type: 'UC-' });
  });

  it('vmf_insert_pfn_prot: an address with no VMA is SIGBUS without a BUG; an unaligned one is EINVAL', async () => {
    const r = await replay([M, spawn, { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN) }, pfnmap(A, P), { op: 'vm_insert_pfn', mm: 1, addr: hx(A + 8), pfn: hx(PFN) }]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'vm_insert_pfn', ret: -14, errno: 'EFAULT', fault: 'SIGBUS' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'vm_insert_pfn', ret: -22, errno: 'EINVAL' });
  });

  it('pfnmap_setup_cachemode_pfn: with PAT disabled the PTE keeps the requested type (vm_page_prot or the _prot argument)', async () => {
    const r = await replay([
      { ...M, pat: 'disabled' },
      spawn,
      pfnmap(A, 2 * P, 'WT'),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN) },
      { op: 'vm_insert_pfn_prot', mm: 1, addr: hx(A + P), pfn: hx(PFN + 1), cache: 'UC' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WT' });
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'UC' });
  });

  it('insert_pfn: a PTE already there is left alone — the op reports the type it has', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, P),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN) },
      { op: 'memtype_reserve', start: hx(MMIO + 0x10000), end: hx(MMIO + 0x11000), req: 'WC' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN + 0x10) },
      pte(A),
    ]);
    expect(at(r, 6)).toEqual({ line: 6, op: 'vm_insert_pfn', ret: 0, type: 'UC-' });
    expect(at(r, 7)).toMatchObject({ pfn: PFN, type: 'UC-' });
  });

  it('insert_pfn: a PROT_NONE VMA gets a PTE the CPU cannot use (no alias), a shared writable one a writable PTE', async () => {
    const lines = [
      M,
      spawn,
      pfnmap(A, P, 'WC', 'shared', 'none'),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: '0x200' },
      { op: 'check' },
    ];
    const r = await replay(lines, { bug: ['pfnmap-no-ram'] });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 5).aliases).toEqual([]);
  });
});

describe('vmf_insert_mixed()', () => {
  it('vm_mixed_ok: only VM_MIXEDMAP VMAs; an unaligned address is EINVAL; no VMA is SIGBUS', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, P),
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x200' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A + 8), pfn: '0x200' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A + 0x100000), pfn: '0x200' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'vm_insert_mixed', ret: -14, errno: 'EFAULT', fault: 'SIGBUS' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'vm_insert_mixed', ret: -22, errno: 'EINVAL' });
    expect(at(r, 6)).toMatchObject({ ret: -14, fault: 'SIGBUS' });
  });

  it('vmf_insert_mixed: with PAT disabled the PTE keeps vm_page_prot', async () => {
    const r = await replay([{ ...M, pat: 'disabled' }, spawn, { op: 'mmap', mm: 1, addr: hx(A), len: hx(P), prot: 'rw', dev: 'mixedmap', cache: 'WT' }, { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x200' }]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WT' });
  });
});

describe('handle_mm_fault()', () => {
  it('do_anonymous_page: the zero page and new pages take vm_page_prot\'s cache type', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A) },
      { op: 'fault', mm: 1, addr: hx(A + P), write: true },
      { op: 'fault', mm: 1, addr: hx(A) },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'fault', ret: 0, type: 'WB' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'fault', ret: 0, type: 'WB' });
    expect(at(r, 6)).toEqual({ line: 6, op: 'fault', ret: 0, type: 'WB' });
  });

  it('do_wp_page: a write to the zero page copies it into a new page; the read-only zero page was special', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(P), prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A) },
      pte(A),
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      pte(A),
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      pte(A),
    ]);
    expect(at(r, 5)).toMatchObject({ special: true });
    expect(at(r, 7)).toMatchObject({ special: false, type: 'WB' });
    expect(at(r, 7).pfn).not.toBe(at(r, 5).pfn);
    expect(at(r, 9).pfn).toBe(at(r, 7).pfn); // now writable: no second copy
  });

  it('wp_pfn_shared: a write to a shared pfnmap PTE made read-only (mprotect) makes it writable in place, once allowed', async () => {
    const r = await replay([
      M,
      spawn,
      pfnmap(A, P),
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: hx(PFN) },
      { op: 'mprotect', mm: 1, addr: hx(A), len: hx(P), prot: 'r' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'mprotect', mm: 1, addr: hx(A), len: hx(P), prot: 'rw' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      pte(A),
    ]);
    expect(at(r, 6)).toMatchObject({ ret: -14, fault: 'SIGSEGV' });
    expect(at(r, 8)).toEqual({ line: 8, op: 'fault', ret: 0, type: 'UC-' });
    expect(at(r, 9)).toMatchObject({ pfn: PFN, special: true });
  });

  it('zap_pte_range: munmap drops the page references, so the last sharer of a COW page reuses it', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(P), prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'fork', mm: 1, child: 2, pid: 701 },
      { op: 'munmap', mm: 2, addr: hx(A), len: hx(P) },
      pte(A),
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      pte(A),
    ]);
    expect(at(r, 9).pfn).toBe(at(r, 7).pfn);
  });

  it('shmem_fault: the page is the file\'s page at vm_pgoff + the offset in the VMA — the same page through two pieces of a split VMA', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', flags: 'shared', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A + P), write: true },
      pte(A + P),
      { op: 'mprotect', mm: 1, addr: hx(A + P), len: hx(P), prot: 'r' },
      { op: 'fork', mm: 1, child: 2, pid: 701 },
      { op: 'fault', mm: 2, addr: hx(A + P) },
      pte(A + P, 2),
      { op: 'fault', mm: 2, addr: hx(A) },
      pte(A, 2),
    ]);
    expect(at(r, 9).pfn).toBe(at(r, 5).pfn);
    expect(at(r, 11).pfn).not.toBe(at(r, 5).pfn);
  });
});

describe('pfnmap_track_ctx_release()', () => {
  it('pfnmap_track_ctx_release: the reservation goes with the last VMA holding the context — split, fork and exit in any order', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(3 * P), prot: 'rw', dev: 'resource', offset: hx(MMIO) },
      { op: 'mprotect', mm: 1, addr: hx(A + P), len: hx(P), prot: 'r' },
      { op: 'fork', mm: 1, child: 2, pid: 701 },
      { op: 'munmap', mm: 1, addr: hx(A), len: hx(3 * P) },
      { op: 'memtype_list' },
      { op: 'munmap', mm: 2, addr: hx(A + P), len: hx(P) },
      { op: 'memtype_list' },
      { op: 'exit', mm: 2 },
      { op: 'memtype_list' },
    ]);
    const entry = [{ start: '0xc0000000', end: '0xc0003000', type: 'UC-' }];
    expect(at(r, 7).entries).toEqual(entry);
    expect(at(r, 9).entries).toEqual(entry);
    expect(at(r, 11).entries).toEqual([]);
  });
});
