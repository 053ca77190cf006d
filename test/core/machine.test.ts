/**
 * Conformance: one Linux rule per test (shared/reference/linux-pat.md §1–2),
 * run through the real replay path on Linux's tracker composition.
 */
import { describe, expect, it } from 'vitest';
import { trackerNames } from '../../impls/registry.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const MMIO = 0xc0000000;
const hx = (n: number): string => '0x' + n.toString(16);

describe('memtype_reserve (§1.4)', () => {
  it('an empty range WARNs and fails with EINVAL', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO), req: 'WC' }]);
    expect(at(r, 2)).toMatchObject({ ret: -22, errno: 'EINVAL', messages: ['memtype_reserve failed: [mem 0xc0000000-0xbfffffff], req write-combining'] });
  });

  it('the ISA window is WB and untracked', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0xa0000', end: '0xc0000', req: 'WC' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 3).entries).toEqual([]);
  });

  it('an overlapping request inherits the existing type when it passes a result pointer', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x4000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x2000), end: hx(MMIO + 0x3000), req: 'UC-' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 4).entries).toEqual([
      { start: '0xc0000000', end: '0xc0004000', type: 'WC' },
      { start: '0xc0002000', end: '0xc0003000', type: 'WC' },
    ]);
  });

  it('without a result pointer a different type conflicts, with both messages', async () => {
    const r = await replay([
      M,
      { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x4000), req: 'WC' },
      { op: 'memtype_reserve', mm: 1, start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'UC-', new: false },
    ]);
    expect(at(r, 4)).toEqual({
      line: 4,
      op: 'memtype_reserve',
      ret: -16,
      errno: 'EBUSY',
      messages: [
        'x86/PAT: Xorg:1234 conflicting memory types c0000000-c0001000 uncached-minus<->write-combining',
        'x86/PAT: memtype_reserve failed [mem 0xc0000000-0xc0000fff], track uncached-minus, req uncached-minus',
      ],
    });
  });

  it('every overlapping alias must share the first one\'s type', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'UC-' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x2000), req: 'WB' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -16, type: 'WB' });
    expect((at(r, 4).messages as string[])[0]).toBe('x86/PAT: kernel:0 conflicting memory types c0000000-c0002000 write-combining<->uncached-minus');
  });

  it('a mixed range fails silently with EINVAL (the gap cursor starts below 1 MiB)', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0x9f000', end: '0x101000', req: 'WC' }]);
    expect(at(r, 2)).toMatchObject({ ret: -22, errno: 'EINVAL', type: 'WC' });
    expect(at(r, 2).messages).toBeUndefined();
  });

  it('a trailing hole after RAM is not seen: Linux\'s walk classifies the range as RAM', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0x3ffff000', end: '0x40001000', req: 'WC' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3).entries).toEqual([]);
  });
});

describe('memtype_reserve / memtype_free take byte ranges (no alignment check)', () => {
  it('memtype_reserve: unaligned byte ranges are reserved as they are; the tree compares byte intervals', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x800), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x800), end: hx(MMIO + 0x1000), req: 'UC-', new: false },
      { op: 'memtype_reserve', start: hx(MMIO + 0x7ff), end: hx(MMIO + 0x801), req: 'UC-', new: false },
      { op: 'lookup_memtype', addr: hx(MMIO) },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toEqual({ line: 3, op: 'memtype_reserve', ret: 0 }); // bytes 0x800.. do not overlap ..0x7ff
    expect(at(r, 4)).toMatchObject({
      ret: -16,
      messages: [
        'x86/PAT: kernel:0 conflicting memory types c00007ff-c0000801 uncached-minus<->write-combining',
        'x86/PAT: memtype_reserve failed [mem 0xc00007ff-0xc0000800], track uncached-minus, req uncached-minus',
      ],
    });
    expect(at(r, 5).type).toBe('WC'); // the lowest-starting entry overlapping the page
    expect(at(r, 6).entries).toEqual([
      { start: '0xc0000000', end: '0xc0000800', type: 'WC' },
      { start: '0xc0000800', end: '0xc0001000', type: 'UC-' },
    ]);
  });

  it('memtype_free: exact byte match; an unaligned mismatch is "freeing invalid memtype" with its bytes', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO + 0x10), end: hx(MMIO + 0x20), req: 'UC-' },
      { op: 'memtype_free', start: hx(MMIO + 0x10), end: hx(MMIO + 0x21) },
      { op: 'memtype_free', start: hx(MMIO + 0x10), end: hx(MMIO + 0x20) },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: -22, messages: ['x86/PAT: kernel:0 freeing invalid memtype [mem 0xc0000010-0xc0000020]'] });
    expect(at(r, 4)).toEqual({ line: 4, op: 'memtype_free', ret: 0 });
    expect(at(r, 5).entries).toEqual([]);
  });

  it('reserve_ram_pages_type: RAM pages start >> PAGE_SHIFT .. (end >> PAGE_SHIFT) - 1 are typed; a sub-page range types none', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x200800', end: '0x201800', req: 'WC' },
      { op: 'page_memtype', addr: '0x200000' },
      { op: 'page_memtype', addr: '0x201000' },
      { op: 'memtype_reserve', start: '0x300100', end: '0x300200', req: 'WC' },
      { op: 'page_memtype', addr: '0x300000' },
      { op: 'memtype_free', start: '0x200800', end: '0x201800' },
      { op: 'page_memtype', addr: '0x200000' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3).type).toBe('WC');
    expect(at(r, 4).type).toBe('WB');
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 6).type).toBe('WB');
    expect(at(r, 8).type).toBe('WB');
  });

  it('memtype_reserve: sanitize_phys(end - 1) + 1 makes an end of 0 the top of the 52-bit space', async () => {
    const r = await replay([M, { op: 'memtype_reserve', start: '0x40000000', end: 0, req: 'UC-' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3).entries).toEqual([{ start: '0x40000000', end: '0x10000000000000', type: 'UC-' }]);
  });
});

describe('memtype_copy_nth_element (pat_memtype_list order)', () => {
  const lines = [
    M,
    { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 },
    { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x4000), req: 'UC-' },
    { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'resource', offset: hx(MMIO) },
    { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x3000), req: 'UC-' },
    { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'UC-' },
    { op: 'memtype_list' },
    { op: 'memtype_free', start: hx(MMIO), end: hx(MMIO + 0x4000) },
    { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x4000), req: 'UC-' },
    { op: 'memtype_list' },
  ];

  it('memtype_copy_nth_element: entries with equal starts are listed in insertion order (equal keys go right), not by end — on every tracker', async () => {
    for (const tracker of [...trackerNames(), 'oracle']) {
      const r = await replay(lines, { tracker });
      expect(at(r, 7).entries, tracker).toEqual([
        { start: '0xc0000000', end: '0xc0004000', type: 'UC-' },
        { start: '0xc0000000', end: '0xc0002000', type: 'UC-' },
        { start: '0xc0000000', end: '0xc0003000', type: 'UC-' },
        { start: '0xc0001000', end: '0xc0002000', type: 'UC-' },
      ]);
      // The freed entry's successor with the same range goes last.
      expect(at(r, 10).entries, tracker).toEqual([
        { start: '0xc0000000', end: '0xc0002000', type: 'UC-' },
        { start: '0xc0000000', end: '0xc0003000', type: 'UC-' },
        { start: '0xc0000000', end: '0xc0004000', type: 'UC-' },
        { start: '0xc0001000', end: '0xc0002000', type: 'UC-' },
      ]);
    }
  });
});

describe('RAM pages (§1.5)', () => {
  it('single owner: a second WC reservation of a RAM page fails with the page type', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x200000', end: '0x202000', req: 'WC' },
      { op: 'memtype_reserve', start: '0x201000', end: '0x202000', req: 'WC' },
      { op: 'page_memtype', addr: '0x201000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toMatchObject({
      ret: -16,
      type: 'WC',
      messages: ['x86/PAT: reserve_ram_pages_type failed [mem 0x00201000-0x00201fff], track 0x1, req 0x1'],
    });
    expect(at(r, 4)).toMatchObject({ type: 'WC' });
    expect(at(r, 5).entries).toEqual([]);
  });

  it('WP is refused (type UC-) and UC is demoted to UC-', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: '0x200000', end: '0x201000', req: 'WP' },
      { op: 'memtype_reserve', start: '0x200000', end: '0x201000', req: 'UC' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: -22, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'UC-' });
  });

  it('free resets to WB without checking', async () => {
    const r = await replay([
      M,
      { op: 'memtype_free', start: '0x300000', end: '0x301000' },
      { op: 'memtype_reserve', start: '0x300000', end: '0x301000', req: 'WT' },
      { op: 'memtype_free', start: '0x300000', end: '0x301000' },
      { op: 'lookup_memtype', addr: '0x300000' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'WB' });
  });
});

describe('memtype_free and lookup_memtype (§1.8, §1.9)', () => {
  it('exact match only: a partial free is invalid', async () => {
    const r = await replay([
      M,
      { op: 'spawn', mm: 7, comm: 'test', pid: 177 },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x2000), req: 'UC-' },
      { op: 'memtype_free', mm: 7, start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000) },
      { op: 'memtype_free', start: hx(MMIO), end: hx(MMIO + 0x2000) },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -22, messages: ['x86/PAT: test:177 freeing invalid memtype [mem 0xc0001000-0xc0001fff]'] });
    expect(at(r, 5)).toMatchObject({ ret: 0 });
  });

  it('an untracked MMIO page looks up as UC-, RAM as WB, the ISA window as WB', async () => {
    const r = await replay([M, { op: 'lookup_memtype', addr: hx(MMIO) }, { op: 'lookup_memtype', addr: '0x500000' }, { op: 'lookup_memtype', addr: '0xb8000' }]);
    expect(at(r, 2).type).toBe('UC-');
    expect(at(r, 3).type).toBe('WB');
    expect(at(r, 4).type).toBe('WB');
  });
});

describe('ioremap (§1.10, §1.12)', () => {
  it('refuses RAM once with a WARN', async () => {
    const r = await replay([
      M,
      { op: 'ioremap', handle: 'a', addr: '0x200000', size: '0x1000' },
      { op: 'ioremap', handle: 'b', addr: '0x200000', size: '0x1000' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: -22, messages: ['ioremap on RAM at 0x0000000000200000 - 0x0000000000200fff'] });
    expect(at(r, 3).messages).toBeUndefined();
  });

  it('a WC request over a WB reservation is not an allowed substitute', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WB' },
      { op: 'ioremap', handle: 'fb', addr: hx(MMIO), size: '0x1000', type: 'WC' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: -22, messages: ['ioremap error for 0xc0000000-0xc0001000, requested 0x1, got 0x0'] });
    expect(at(r, 4).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'WB' }]);
  });

  it('__ioremap_check_ram: RAM below 1 MiB is PageReserved, so its ioremap succeeds: UC-, a tree entry, the direct map retyped', async () => {
    const r = await replay([
      M,
      { op: 'ioremap', handle: 'bios', addr: '0x1000', size: '0x2000' },
      { op: 'memtype_list' },
      { op: 'lookup_memtype', addr: '0x1000' },
      { op: 'check' },
      { op: 'iounmap', handle: 'bios' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'ioremap', ret: 0, type: 'UC-' });
    expect(at(r, 3).entries).toEqual([{ start: '0x1000', end: '0x3000', type: 'UC-' }]);
    expect(at(r, 4).type).toBe('UC-');
    expect(at(r, 5).aliases).toEqual([]);
    expect(at(r, 7).entries).toEqual([]);
  });

  it('__ioremap_check_ram: only RAM pages wholly inside the unaligned range count; a sub-page piece of RAM maps', async () => {
    const r = await replay([
      M,
      { op: 'ioremap', handle: 'piece', addr: '0x200800', size: '0x100' },
      { op: 'page_memtype', addr: '0x200000' },
      { op: 'memtype_list' },
      { op: 'ioremap', handle: 'page', addr: '0x300000', size: '0x1000' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3).type).toBe('UC-'); // reserve_ram_pages_type() of the aligned page
    expect(at(r, 4).entries).toEqual([]);
    expect(at(r, 5)).toMatchObject({ ret: -22, messages: ['ioremap on RAM at 0x0000000000300000 - 0x0000000000300fff'] });
  });

  it('__ioremap_caller: phys_addr_valid() checks the start address only', async () => {
    const r = await replay([
      M,
      { op: 'ioremap', handle: 'top', addr: '0x3ffffffff000', size: '0x2000' },
      { op: 'ioremap', handle: 'beyond', addr: '0x400000000000', size: '0x1000' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: -22, messages: ['ioremap: invalid physical address 400000000000'] });
  });

  it('aligns an unaligned request to pages, as __ioremap_caller does', async () => {
    const r = await replay([M, { op: 'ioremap', handle: 'x', addr: hx(MMIO + 0x10), size: '0x1000' }, { op: 'memtype_list' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'UC-' }]);
  });
});

describe('pfnmap tracking (§2, v6.16 series)', () => {
  const setup = [M, { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 }];

  it('a whole-VMA resource_wc mmap reserves WC and installs special WC PTEs', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'resource_wc', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: '0x7f0000001000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: 0 });
    expect(at(r, 4)).toMatchObject({ present: true, pfn: MMIO / 4096 + 1, type: 'WC', special: true });
    expect(at(r, 5).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('a WC map over a WB reservation fails: "map pfn expected mapping type"', async () => {
    const r = await replay([
      ...setup,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WB' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource_wc', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
    ]);
    expect(at(r, 4)).toMatchObject({
      ret: -22,
      messages: ['x86/PAT: Xorg:1234 map pfn expected mapping type write-combining for [mem 0xc0000000-0xc0000fff], got write-back'],
    });
    expect(at(r, 5)).toEqual({ line: 5, op: 'pte', ret: 0, present: false });
  });

  it('/dev/mem turns a remap failure into EAGAIN', async () => {
    const r = await replay([
      ...setup,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'UC-' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'mem', offset: hx(MMIO) },
    ]);
    expect(at(r, 5)).toMatchObject({ ret: -11, errno: 'EAGAIN' });
    expect((at(r, 5).messages as string[]).length).toBe(2);
  });

  it('/dev/mem refuses pfns beyond the physical address width (valid_mmap_phys_addr_range)', async () => {
    const r = await replay([...setup, { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'mem', offset: '0x400000000000' }]);
    expect(at(r, 3)).toMatchObject({ ret: -22, errno: 'EINVAL' });
  });

  it('devmem_is_allowed (CONFIG_STRICT_DEVMEM): /dev/mem of RAM at or above 1 MiB is refused with EPERM before any PAT call', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', prot: 'r', dev: 'mem', offset: '0x200000' },
      { op: 'mmap', mm: 1, addr: '0x7f0000010000', len: '0x2000', prot: 'r', dev: 'mem', offset: '0x3ffff000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: -1, errno: 'EPERM' });
    expect(at(r, 4)).toEqual({ line: 4, op: 'mmap', ret: -1, errno: 'EPERM' }); // its first page is RAM
    expect(at(r, 5)).toEqual({ line: 5, op: 'pte', ret: 0, present: false });
    expect(at(r, 6).entries).toEqual([]);
  });

  it('devmem_is_allowed: RAM below 1 MiB and non-RAM are allowed', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', prot: 'r', dev: 'mem', offset: '0x0' },
      { op: 'mmap', mm: 1, addr: '0x7f0000010000', len: '0x1000', prot: 'r', dev: 'mem', offset: '0x40000000' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: 0 });
    expect(at(r, 4)).toMatchObject({ ret: 0 });
  });

  it('phys_mem_access_prot_allowed: without CONFIG_STRICT_DEVMEM ("strict_devmem": false) RAM is refused with EINVAL while PAT is on', async () => {
    const lines = (pat: string) => [
      { ...M, strict_devmem: false, pat },
      { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', prot: 'r', dev: 'mem', offset: '0x200000' },
    ];
    expect(at(await replay(lines('full')), 3)).toEqual({ line: 3, op: 'mmap', ret: -22, errno: 'EINVAL' });
    expect(at(await replay(lines('disabled')), 3)).toMatchObject({ ret: 0 });
  });

  it('/dev/mem WB over an existing WC alias inherits WC', async () => {
    const r = await replay([
      ...setup,
      { op: 'ioremap', handle: 'fb', addr: hx(MMIO), size: '0x10000', type: 'WC' },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', prot: 'r', dev: 'mem', offset: hx(MMIO + 0x1000) },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'check' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toMatchObject({ type: 'WC' });
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('a RAM remap is not reserved and maps with the page\'s type', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource_wc', offset: '0x200000' },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toMatchObject({
      ret: 0,
      messages: ['x86/PAT: Xorg:1234 map pfn RAM range req write-combining for [mem 0x00200000-0x00200fff], got write-back'],
    });
    expect(at(r, 4)).toMatchObject({ type: 'WB' });
    expect(at(r, 5).entries).toEqual([]);
  });

  it('split by partial munmap keeps the whole range tracked until the last piece goes', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'resource', offset: '0xfd000000' },
      { op: 'munmap', mm: 1, addr: '0x7f0000000000', len: '0x1000' },
      { op: 'memtype_list' },
      { op: 'munmap', mm: 1, addr: '0x7f0000001000', len: '0x1000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'munmap', ret: 0 });
    expect(at(r, 5).entries).toEqual([{ start: '0xfd000000', end: '0xfd002000', type: 'UC-' }]);
    expect(at(r, 6)).toEqual({ line: 6, op: 'munmap', ret: 0 });
    expect(at(r, 7).entries).toEqual([]);
  });

  it('fork shares the tracking context: one reservation until the last process exits', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource', offset: hx(MMIO) },
      { op: 'fork', mm: 1, child: 2, pid: 1300 },
      { op: 'exit', mm: 1 },
      { op: 'memtype_list' },
      { op: 'pte', mm: 2, addr: '0x7f0000000000' },
      { op: 'exit', mm: 2 },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 6).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'UC-' }]);
    expect(at(r, 7)).toMatchObject({ present: true, type: 'UC-' });
    expect(at(r, 9).entries).toEqual([]);
  });

  it('__mmap_region: a MAP_FIXED mmap over a mapping still meets the old reservation; the old one is untracked after', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'resource_wc', offset: hx(MMIO) },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x2000', dev: 'resource', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
    ]);
    // remap_pfn_range() asks UC-, inherits the old VMA's WC (an allowed substitute) and maps WC.
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toMatchObject({ present: true, type: 'WC' });
    expect(at(r, 6).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('__mmap_region: when the new ->mmap fails (here on the old WB reservation) the range is left unmapped (vms_abort_munmap_vmas)', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', prot: 'r', dev: 'mem', offset: hx(MMIO) },
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x1000', dev: 'resource', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: '0x7f0000000000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: 0 });
    expect(at(r, 4)).toMatchObject({
      ret: -22,
      messages: ['x86/PAT: Xorg:1234 map pfn expected mapping type uncached-minus for [mem 0xc0000000-0xc0000fff], got write-back'],
    });
    expect(at(r, 5)).toEqual({ line: 5, op: 'pte', ret: 0, present: false });
    expect(at(r, 6).entries).toEqual([]);
  });

  it('vm_insert_pfn_prot ignores the requested cache and uses lookup_memtype', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x4000', dev: 'pfnmap', offset: '0x100000000', cache: 'WC' },
      { op: 'vm_insert_pfn_prot', mm: 1, addr: '0x7f0000000000', pfn: hx(MMIO / 4096), cache: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'WC' },
      { op: 'vm_insert_pfn', mm: 1, addr: '0x7f0000001000', pfn: hx(MMIO / 4096 + 1) },
      { op: 'vm_insert_pfn', mm: 1, addr: '0x7f0000002000', pfn: '0x200' },
      { op: 'vm_insert_pfn', mm: 1, addr: '0x7f0000010000', pfn: '0x200' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 6)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 7)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 8)).toMatchObject({ ret: -14, fault: 'SIGBUS' });
  });

  it('a partial remap needs one memtype over the range', async () => {
    const r = await replay([
      ...setup,
      { op: 'mmap', mm: 1, addr: '0x7f0000000000', len: '0x4000', dev: 'pfnmap', cache: 'UC-' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'remap_pfn_range', mm: 1, addr: '0x7f0000000000', pfn: hx(MMIO / 4096), size: '0x2000', cache: 'UC-' },
      { op: 'remap_pfn_range', mm: 1, addr: '0x7f0000000000', pfn: hx(MMIO / 4096), size: '0x1000', cache: 'UC-' },
    ]);
    expect(at(r, 5)).toMatchObject({ ret: -22 });
    expect(at(r, 6)).toMatchObject({ ret: 0, type: 'WC' });
  });

  it('PAT disabled tracks nothing', async () => {
    const r = await replay([
      { ...M, pat: 'disabled' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'UC', new: false },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toMatchObject({ ret: 0 });
    expect(at(r, 4).entries).toEqual([]);
  });
});

describe('trace errors (spec "Errors in the trace itself")', () => {
  it('reports LINE:COLUMN on stderr, keeps earlier outcomes, exits 2', async () => {
    const r = await replay([M, { op: 'lookup_memtype', addr: '0x1000' }, '{"op":"mmap","mm":9,"addr":"0x1000","len":"0x1000","dev":"mem"}']);
    expect(r.code).toBe(2);
    expect(r.out).toHaveLength(1);
    expect(r.stderr).toBe('trace error: 3:14: unknown mm 9\n');
  });

  it('malformed JSON gives its column; --keep-going records and continues', async () => {
    const r = await replay([M, '{"op":"lookup_memtype", "addr": 0x10}', { op: 'bogus' }, { op: 'lookup_memtype', addr: 4096 }], { keepGoing: true });
    expect(r.code).toBe(2);
    expect(r.out[0]).toMatchObject({ line: 2 });
    expect(String(r.out[0]!.error)).toMatch(/malformed JSON/);
    expect(r.out[1]).toEqual({ line: 3, error: 'unknown op "bogus"' });
    expect(r.out[2]).toMatchObject({ line: 4, op: 'lookup_memtype', ret: 0 });
  });

  it('unaligned mapping addresses fail with EINVAL, not a trace error', async () => {
    const r = await replay([M, { op: 'spawn', mm: 1, comm: 'a', pid: 1 }, { op: 'mmap', mm: 1, addr: '0x7f0000000800', len: '0x1000', dev: 'resource', offset: hx(MMIO) }]);
    expect(at(r, 3)).toMatchObject({ ret: -22, errno: 'EINVAL' });
  });

  it('an address beyond the physical address space is a trace error at its field', async () => {
    const r = await replay([M, '{"op":"lookup_memtype","addr":"0x10000000001000"}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace error: 2:24: "addr" 0x10000000001000 is beyond the 52-bit physical address space/);
  });
});
