/**
 * core/set-memory.ts — arch/x86/mm/pat/set_memory.c: `set_memory_uc/wc/wt()`
 * reserve the RAM pages' memtype and retype the direct map;
 * `set_memory_wb()` retypes it back and frees. Seen through the page type,
 * the alias check (user mappings against the direct map) and later
 * reservations.
 */
import { describe, expect, it } from 'vitest';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'drm', pid: 400 };
const setMemory = (addr: number, npages: number, type: string) => ({ op: 'set_memory', addr: hx(addr), npages, type });
const map = (addr: number, pfnAddr: number, dev = 'resource_wc') => ({ op: 'mmap', mm: 1, addr: hx(addr), len: '0x1000', prot: 'rw', dev, offset: hx(pfnAddr) });

describe('set_memory_*() arguments', () => {
  it('set_memory: an unaligned address or no pages is EINVAL, nothing reserved', async () => {
    const r = await replay([M, setMemory(0x200800, 1, 'WC'), setMemory(0x200000, 0, 'WC'), { op: 'page_memtype', addr: '0x200000' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'set_memory', ret: -22, errno: 'EINVAL' });
    expect(at(r, 3)).toEqual({ line: 3, op: 'set_memory', ret: -22, errno: 'EINVAL' });
    expect(at(r, 4).type).toBe('WB');
  });

  it('set_memory: only RAM (the direct map) — a range reaching past RAM is EINVAL; the last RAM page itself is fine', async () => {
    const r = await replay([
      M,
      setMemory(0x3ffff000, 2, 'WC'),
      { op: 'page_memtype', addr: '0x3ffff000' },
      setMemory(0x3ffff000, 1, 'WC'),
      { op: 'page_memtype', addr: '0x3ffff000' },
    ]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'set_memory', ret: -22, errno: 'EINVAL' });
    expect(at(r, 3).type).toBe('WB');
    expect(at(r, 4)).toEqual({ line: 4, op: 'set_memory', ret: 0 });
    expect(at(r, 5).type).toBe('WC');
  });
});

describe('set_memory_uc/wc/wt()', () => {
  it('set_memory_wc: the pages become WC and the direct map with them (a WC user mapping is no alias)', async () => {
    const r = await replay([M, spawn, setMemory(0x200000, 2, 'WC'), map(A, 0x201000), { op: 'pte', mm: 1, addr: hx(A) }, { op: 'check' }]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'set_memory', ret: 0 });
    expect(at(r, 4)).toEqual({ line: 4, op: 'mmap', ret: 0 });
    expect(at(r, 5)).toMatchObject({ type: 'WC' });
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('set_memory_uc: "for now UC MINUS" — the pages and the direct map are UC-, which the CPU tells from UC under a WC MTRR', async () => {
    const wcRam = { ...M, mtrr: { default: 'WB', variable: [{ base: 0x200000, size: 0x200000, type: 'WC' }] } };
    const r = await replay([wcRam, spawn, setMemory(0x200000, 1, 'UC'), { op: 'page_memtype', addr: '0x200000' }, map(A, 0x200000, 'resource'), { op: 'check' }]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'set_memory', ret: 0 });
    expect(at(r, 4).type).toBe('UC-');
    expect(at(r, 6).aliases).toEqual([]);
  });

  it('set_memory_wt: a second non-WB type on the same RAM page is refused (reserve_ram_pages_type EBUSY), the first type stays', async () => {
    const r = await replay([M, setMemory(0x200000, 1, 'WT'), setMemory(0x200000, 1, 'WC'), { op: 'page_memtype', addr: '0x200000' }]);
    expect(at(r, 2)).toEqual({ line: 2, op: 'set_memory', ret: 0 });
    expect(at(r, 3)).toMatchObject({ ret: -16, errno: 'EBUSY', messages: ['x86/PAT: reserve_ram_pages_type failed [mem 0x00200000-0x00200fff], track 0x4, req 0x1'] });
    expect(at(r, 4).type).toBe('WT');
  });
});

describe('set_memory_wb()', () => {
  it('set_memory_wb: frees the type and retypes exactly its pages — a WC neighbour keeps its WC direct map', async () => {
    const r = await replay([
      M,
      spawn,
      setMemory(0x200000, 2, 'WC'),
      setMemory(0x200000, 1, 'WB'),
      { op: 'page_memtype', addr: '0x200000' },
      { op: 'page_memtype', addr: '0x201000' },
      map(A, 0x201000),
      map(A + 0x1000, 0x200000, 'resource'),
      { op: 'check' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'set_memory', ret: 0 });
    expect(at(r, 5).type).toBe('WB');
    expect(at(r, 6).type).toBe('WC');
    expect(at(r, 9).aliases).toEqual([]);
  });
});
