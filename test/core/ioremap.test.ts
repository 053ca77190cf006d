/**
 * core/ioremap.ts — arch/x86/mm/ioremap.c `__ioremap_caller()` and
 * `iounmap()`: their checks in Linux's order, the reservation they hold and
 * the PTE type they build (which the alias check sees).
 */
import { describe, expect, it } from 'vitest';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const MMIO = 0xc0000000;
const A = 0x7f0000000000;
const hx = (n: number): string => '0x' + n.toString(16);
const ioremap = (handle: string, addr: number, size: number, type?: string) => ({ op: 'ioremap', handle, addr: hx(addr), size: hx(size), ...(type ? { type } : {}) });

describe('__ioremap_caller(): arguments and RAM', () => {
  it('__ioremap_caller: a zero size is NULL (EINVAL), silently, and reserves nothing', async () => {
    const r = await replay([M, ioremap('z', MMIO, 0), { op: 'memtype_list' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'ioremap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 3).entries).toEqual([]);
  });

  it('__ioremap_caller: phys_addr_valid() — the last address the CPU has is fine, its first beyond is "invalid physical address"', async () => {
    const r = await replay([M, ioremap('top', 2 ** 46 - 0x1000, 0x1000), ioremap('beyond', 2 ** 46, 0x1000)]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toEqual({ line: 3, op: 'ioremap', ret: -22, errno: 'EINVAL', messages: ['ioremap: invalid physical address 400000000000'] });
  });

  it('__ioremap_check_ram: a range holding a RAM page at or above 1 MiB is refused, with "ioremap on RAM" naming the requested bytes', async () => {
    const r = await replay([M, ioremap('ram', 0xfff000, 0x2800), { op: 'memtype_list' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'ioremap', ret: -22, errno: 'EINVAL', messages: ['ioremap on RAM at 0x0000000000fff000 - 0x00000000010017ff'] });
    expect(at(r, 3).entries).toEqual([]);
  });

  it('__ioremap_check_ram: a range ending just below RAM, or RAM only below 1 MiB, maps', async () => {
    const r = await replay([M, ioremap('below', 0xff000, 0x1000), ioremap('low', 0x9e000, 0x2000), ioremap('lowram', 0x9d000, 0x1000)]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WB' }); // the ISA window: untracked, WB
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC-' });
  });
});

describe('__ioremap_caller(): the reservation and the PTE', () => {
  it('__ioremap_caller: a conflicting reservation fails with "ioremap memtype_reserve failed -16" after memtype_reserve\'s own messages', async () => {
    const r = await replay([
      M,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      { op: 'memtype_reserve', start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000), req: 'UC-' },
      ioremap('both', MMIO, 0x2000),
    ]);
    expect(at(r, 4)).toEqual({
      line: 4,
      op: 'ioremap',
      ret: -16,
      errno: 'EBUSY',
      messages: [
        'x86/PAT: kernel:0 conflicting memory types c0000000-c0002000 write-combining<->uncached-minus',
        'x86/PAT: memtype_reserve failed [mem 0xc0000000-0xc0001fff], track uncached-minus, req uncached-minus',
        'ioremap memtype_reserve failed -16',
      ],
    });
  });

  it('is_new_memtype_allowed: the ISA window is exempt — an ioremap there takes the untracked WB', async () => {
    const r = await replay([M, ioremap('vga', 0xa0000, 0x20000, 'WC'), { op: 'memtype_list' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'ioremap', ret: 0, type: 'WB' });
    expect(at(r, 3).entries).toEqual([]);
  });

  it('__ioremap_caller: the PTE takes the granted type — WB, WC, WT and UC as they are, WP as UC', async () => {
    const wp = { op: 'memtype_reserve', start: hx(MMIO + 0x4000), end: hx(MMIO + 0x5000), req: 'WP' };
    const wb = { op: 'memtype_reserve', start: hx(MMIO + 0x5000), end: hx(MMIO + 0x6000), req: 'WB' };
    const r = await replay([
      M,
      ioremap('wc', MMIO, 0x1000, 'WC'),
      ioremap('wt', MMIO + 0x1000, 0x1000, 'WT'),
      ioremap('uc', MMIO + 0x2000, 0x1000, 'UC'),
      wp,
      ioremap('wp', MMIO + 0x4000, 0x1000, 'UC'),
      wb,
      ioremap('wb', MMIO + 0x5000, 0x1000, 'UC'),
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'r', dev: 'mem', offset: hx(MMIO + 0x4000) },
      { op: 'mmap', mm: 1, addr: hx(A + 0x1000), len: '0x1000', prot: 'r', dev: 'mem', offset: hx(MMIO + 0x5000) },
      { op: 'check' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WT' });
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC' });
    expect(at(r, 6)).toMatchObject({ ret: 0, type: 'WP' });
    expect(at(r, 8)).toMatchObject({ ret: 0, type: 'WB' }); // UC may take WB (is_new_memtype_allowed)
    // A WP user PTE beside the UC kernel PTE is an alias; the WB one beside WB is not.
    expect(at(r, 12).aliases).toEqual([{ pfn: (MMIO + 0x4000) / 0x1000, types: ['UC', 'WP'] }]);
  });
});

describe('iounmap()', () => {
  it('iounmap: frees the reservation; a NULL ioremap (a failed one) is ignored; the handle can be mapped again', async () => {
    const r = await replay([
      M,
      ioremap('a', MMIO, 0x1000),
      ioremap('b', MMIO, 0, 'WC'),
      { op: 'iounmap', handle: 'a' },
      { op: 'iounmap', handle: 'b' },
      { op: 'memtype_list' },
      ioremap('a', MMIO, 0x1000, 'WC'),
      { op: 'memtype_list' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'iounmap', ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'iounmap', ret: 0 });
    expect(at(r, 6).entries).toEqual([]);
    expect(at(r, 7)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 8).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'WC' }]);
  });

  it('ioremap handles: mapping a live handle again or unmapping an unknown one is a trace error naming the handle', async () => {
    const again = await replay([M, ioremap('fb', MMIO, 0x1000), ioremap('fb', MMIO, 0x1000)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^trace error: 3:\d+: handle "fb" is already mapped/);
    const unknown = await replay([M, { op: 'iounmap', handle: 'nope' }]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^trace error: 2:\d+: unknown handle "nope"/);
  });
});

describe('__ioremap_caller(): bounds, RAM pages and PTE types, one rule each', () => {
  it('__ioremap_caller: last_addr = phys_addr + size - 1 — a one-byte ioremap is valid and maps (and reserves) its whole page', async () => {
    const r = await replay([M, ioremap('reg', MMIO + 0x10, 1, 'UC-'), { op: 'memtype_list' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'ioremap', ret: 0, type: 'UC-' });
    expect(at(r, 3).entries).toEqual([{ start: '0xc0000000', end: '0xc0001000', type: 'UC-' }]);
  });

  it('__ioremap_check_ram: only RAM pages wholly inside the range count — a page-sized ioremap straddling two RAM pages is not "ioremap on RAM"', async () => {
    const r = await replay([M, ioremap('odd', 0x200800, 0x1000, 'UC-')]);
    expect(at(r, 2)).toMatchObject({ ret: 0 });
    expect(at(r, 2).messages).toBeUndefined();
  });

  it('__ioremap_caller: a WT ioremap gets a WT PTE (cachemode2protval(WT)) — a user mapping that inherits WT beside it is no alias', async () => {
    const r = await replay([
      M,
      ioremap('wt', MMIO, 0x1000, 'WT'),
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'r', dev: 'mem', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'check' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'WT' });
    expect(at(r, 5)).toMatchObject({ type: 'WT' });
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('__ioremap_caller: a UC- ioremap gets a UC- PTE, not UC — under a WC MTRR (UC- + WC = WC, UC stays UC) a UC- user mapping beside it is no alias', async () => {
    const wcMmio = { ...M, mtrr: { default: 'WB', variable: [{ base: MMIO, size: 0x100000, type: 'WC' }] } };
    const r = await replay([
      wcMmio,
      ioremap('ucm', MMIO, 0x1000, 'UC-'),
      { op: 'spawn', mm: 1, comm: 'X', pid: 1 },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'r', dev: 'resource', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'check' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 5)).toMatchObject({ type: 'UC-' });
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('ioremap handles: the trace error points at the "handle" field', async () => {
    const second = ioremap('fb', MMIO, 0x1000);
    const again = await replay([M, ioremap('fb', MMIO, 0x1000), second]);
    expect(again.stderr).toMatch(new RegExp(`^trace error: 3:${JSON.stringify(second).indexOf('"handle"') + 1}: handle "fb" is already mapped`));
    const un = { op: 'iounmap', handle: 'nope' };
    const unknown = await replay([M, un]);
    expect(unknown.stderr).toMatch(new RegExp(`^trace error: 2:${JSON.stringify(un).indexOf('"handle"') + 1}: unknown handle "nope"`));
  });
});
