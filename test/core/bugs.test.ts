/**
 * Historical bug switches: each scenario runs with and without the bug; the
 * correct run is the oracle's, and the buggy one is caught either by a
 * different outcome stream or by the alias checker.
 */
import { describe, expect, it } from 'vitest';
import { BUGS } from '../../core/bugs.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'X', pid: 42 };

/** Runs `lines` correctly (oracle) and with `bug`. */
async function both(bug: string, lines: object[]) {
  return { good: await replay(lines, { tracker: 'oracle' }), bad: await replay(lines, { tracker: 'oracle', bug: [bug] }) };
}

describe('bug switches', () => {
  it('every switch has a description and an unknown one is refused', async () => {
    expect(Object.keys(BUGS)).toEqual(['pfnmap-linear-pgoff', 'pfnmap-no-ram', 'mixed-no-check', 'walker-fixed-levels', 'split-untrack']);
    await expect(replay([M], { bug: ['nope'] })).rejects.toThrow(/unknown bug switch "nope"; valid: pfnmap-linear-pgoff/);
  });

  it('pfnmap-linear-pgoff: every fault at a fake offset reserves the whole VMA again (2.6.29)', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x4000', prot: 'rw', dev: 'pfnmap', offset: '0x100000000', cache: 'WC' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: '0x300' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + 0x1000), pfn: '0x301' },
      { op: 'memtype_list' },
      { op: 'check' },
    ];
    const { good, bad } = await both('pfnmap-linear-pgoff', lines);
    expect(at(good, 6).entries).toEqual([]);
    expect(at(good, 4)).toMatchObject({ type: 'WB' });
    expect(at(good, 7).aliases).toEqual([]);
    // Two bogus reservations at vm_pgoff, and RAM mapped WC beside the WB direct map.
    expect(at(bad, 6).entries).toEqual([
      { start: '0x100000000', end: '0x100004000', type: 'WC' },
      { start: '0x100000000', end: '0x100004000', type: 'WC' },
    ]);
    expect(at(bad, 7).aliases).toEqual([
      { pfn: 0x300, types: ['WB', 'WC'] },
      { pfn: 0x301, types: ['WB', 'WC'] },
    ]);
  });

  it('pfnmap-no-ram: a WC map of RAM keeps WC and aliases the direct map (2.6.29)', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'resource_wc', offset: '0x200000' },
      { op: 'check' },
    ];
    const { good, bad } = await both('pfnmap-no-ram', lines);
    expect((at(good, 3).messages as string[])[0]).toMatch(/map pfn RAM range req write-combining .* got write-back/);
    expect(at(good, 4).aliases).toEqual([]);
    expect(at(bad, 3).messages).toBeUndefined();
    expect(at(bad, 4).aliases).toEqual([{ pfn: 0x200, types: ['WB', 'WC'] }]);
  });

  it('mixed-no-check: vm_insert_mixed trusts vm_page_prot (before 4.9)', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'mixedmap', cache: 'WC' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x200' },
      { op: 'check' },
    ];
    const { good, bad } = await both('mixed-no-check', lines);
    expect(at(good, 4).type).toBe('WB');
    expect(at(bad, 4).type).toBe('WC');
    expect(at(bad, 5).aliases).toEqual([{ pfn: 0x200, types: ['WB', 'WC'] }]);
  });

  it('walker-fixed-levels: munmap on a 3-level dynamic table leaves stale PTEs that alias', async () => {
    const lines = [
      { ...M, page_table_levels: 3, dynamic_levels: true },
      spawn,
      // 2 GiB: top-level index 2 of a 3-level table; the buggy walker only steps index 0.
      { op: 'mmap', mm: 1, addr: '0x80000000', len: '0x1000', prot: 'rw', dev: 'resource_wc', offset: '0xc0000000' },
      { op: 'munmap', mm: 1, addr: '0x80000000', len: '0x1000' },
      { op: 'pte', mm: 1, addr: '0x80000000' },
      { op: 'ioremap', handle: 'regs', addr: '0xc0000000', size: '0x1000', type: 'UC' },
      { op: 'check' },
    ];
    const { good, bad } = await both('walker-fixed-levels', lines);
    expect(at(good, 5)).toMatchObject({ present: false });
    expect(at(good, 7).aliases).toEqual([]);
    expect(at(bad, 5)).toMatchObject({ present: true, type: 'WC' });
    expect(at(bad, 7).aliases).toEqual([{ pfn: 0xc0000, types: ['UC', 'WC'] }]);
  });

  it('split-untrack: after a split each piece frees its own range (≤ 6.15, Nam Cao\'s report)', async () => {
    const lines = [
      M,
      { op: 'spawn', mm: 1, comm: 'test', pid: 177 },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'resource', offset: '0xfd000000' },
      { op: 'mprotect', mm: 1, addr: hx(A), len: '0x1000', prot: 'r' },
      { op: 'munmap', mm: 1, addr: hx(A), len: '0x2000' },
      { op: 'memtype_list' },
    ];
    const { good, bad } = await both('split-untrack', lines);
    expect(at(good, 5).messages).toBeUndefined();
    expect(at(good, 6).entries).toEqual([]);
    expect(at(bad, 5).messages).toEqual(['x86/PAT: test:177 freeing invalid memtype [mem 0xfd000000-0xfd000fff]']);
    expect(at(bad, 6).entries).toEqual([{ start: '0xfd000000', end: '0xfd001000', type: 'UC-' }]);
  });

  it('split-untrack: fork reserves again (a duplicate entry) instead of sharing', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'resource', offset: '0xfd000000' },
      { op: 'fork', mm: 1, child: 2, pid: 43 },
      { op: 'memtype_list' },
    ];
    const { good, bad } = await both('split-untrack', lines);
    expect((at(good, 5).entries as unknown[]).length).toBe(1);
    expect((at(bad, 5).entries as unknown[]).length).toBe(2);
  });
});
