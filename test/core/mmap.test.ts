/**
 * core/mmap.ts — mm/mmap.c and mm/vma.c: `mmap(2)` at a fixed address
 * (`do_mmap()`, `__mmap_region()`) with the device `->mmap` handlers,
 * `munmap(2)` (`do_vmi_munmap()`), VMA split, merge and free, `exit_mmap()`.
 * One rule per test, named after the function that holds it.
 */
import { describe, expect, it } from 'vitest';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const P = 0x1000;
const MMIO = 0xc0000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'a.out', pid: 300 };
const anon = (addr: number, len: number | string, prot = 'rw') => ({ op: 'mmap', mm: 1, addr: typeof addr === 'number' ? hx(addr) : addr, len: typeof len === 'number' ? hx(len) : len, prot, flags: 'private', dev: 'anon' });
const write = (addr: number, mm = 1) => ({ op: 'fault', mm, addr: hx(addr), write: true });
const munmap = (addr: number, len: number) => ({ op: 'munmap', mm: 1, addr: hx(addr), len: hx(len) });
const SEGV = { ret: -14, fault: 'SIGSEGV' };

describe('mmap(2) arguments (sys_mmap, do_mmap, __get_unmapped_area)', () => {
  it('sys_mmap: an unaligned file offset is EINVAL', async () => {
    const r = await replay([M, spawn, { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', dev: 'resource', offset: hx(MMIO + 8) }, { op: 'memtype_list' }]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 4).entries).toEqual([]);
  });

  it('do_mmap: a zero length is EINVAL', async () => {
    const r = await replay([M, spawn, anon(A, 0)]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: -22, errno: 'EINVAL' });
  });

  it('do_mmap: the length is rounded up to a page (PAGE_ALIGN)', async () => {
    const r = await replay([M, spawn, anon(A, P + 1), write(A + P), write(A + 2 * P)]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: 0 });
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toMatchObject(SEGV);
  });

  it('__get_unmapped_area: a fixed range beyond the user address space is ENOMEM; an unaligned address is EINVAL', async () => {
    const r = await replay([M, spawn, anon(0xfffffffff000, 2 * P), anon(A + 8, P), anon(0xffffffffe000, P)]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mmap', ret: -12, errno: 'ENOMEM' });
    expect(at(r, 4)).toEqual({ line: 4, op: 'mmap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'mmap', ret: 0 }); // the last page below 2^48
  });
});

describe('munmap(2) arguments (do_vmi_munmap)', () => {
  it('do_vmi_munmap: an unaligned start or a zero length is EINVAL, and nothing is unmapped', async () => {
    const r = await replay([M, spawn, anon(A, P), munmap(A + 8, P), munmap(A, 0), write(A)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'munmap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 5)).toEqual({ line: 5, op: 'munmap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 6)).toMatchObject({ ret: 0 });
  });

  it('do_vmi_munmap: a range beyond the user address space is EINVAL', async () => {
    const r = await replay([M, spawn, munmap(0xfffffffff000, 2 * P), munmap(0xfffffffff000, P)]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'munmap', ret: -22, errno: 'EINVAL' });
    expect(at(r, 4)).toEqual({ line: 4, op: 'munmap', ret: 0 });
  });

  it('do_vmi_munmap: the length is rounded up to a page; unmapping where nothing is mapped succeeds', async () => {
    const r = await replay([M, spawn, anon(A, 3 * P), munmap(A, P + 1), write(A + P), write(A + 2 * P), munmap(A + 0x100000, P)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'munmap', ret: 0 });
    expect(at(r, 5)).toMatchObject(SEGV);
    expect(at(r, 6)).toMatchObject({ ret: 0 });
    expect(at(r, 7)).toEqual({ line: 7, op: 'munmap', ret: 0 });
  });
});
