/**
 * core/fork.ts — `dup_mmap()`: every VMA duplicated (`vm_area_dup()` shares
 * the tracking context), page tables copied where `vma_needs_copy()` says
 * so, private writable PTEs write-protected in both; with bug
 * `split-untrack`, the ≤ 6.15 `track_pfn_copy()`.
 */
import { describe, expect, it } from 'vitest';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const MMIO = 0xc0000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'Xorg', pid: 1234 };
const fork = { op: 'fork', mm: 1, child: 2, pid: 1300 };

describe('dup_mmap()', () => {
  it('dup_mmap: the child has every VMA of the parent, with its flags, and runs as the parent\'s comm with its own pid', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x1000', prot: 'r', flags: 'private', dev: 'anon' },
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WC' },
      fork,
      { op: 'fault', mm: 2, addr: hx(A), write: true },
      { op: 'fault', mm: 2, addr: hx(A + 0x10000), write: true },
      { op: 'memtype_free', mm: 2, start: hx(MMIO + 0x1000), end: hx(MMIO + 0x2000) },
    ]);
    expect(at(r, 6)).toEqual({ line: 6, op: 'fork', ret: 0 });
    expect(at(r, 7)).toMatchObject({ ret: 0 });
    expect(at(r, 8)).toMatchObject({ ret: -14, fault: 'SIGSEGV' });
    expect(at(r, 9).messages).toEqual(['x86/PAT: Xorg:1300 freeing invalid memtype [mem 0xc0001000-0xc0001fff]']);
  });

  it('vma_needs_copy: VM_PFNMAP page tables are copied — the child sees the parent\'s special PTEs — and the reservation is shared, not taken again', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'resource_wc', offset: hx(MMIO) },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x2000', prot: 'rw', dev: 'pfnmap', cache: 'UC-' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + 0x11000), pfn: hx(MMIO / 0x1000 + 0x10) },
      fork,
      { op: 'pte', mm: 2, addr: hx(A + 0x1000) },
      { op: 'pte', mm: 2, addr: hx(A + 0x11000) },
      { op: 'pte', mm: 2, addr: hx(A + 0x10000) },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 7)).toEqual({ line: 7, op: 'pte', ret: 0, present: true, pfn: MMIO / 0x1000 + 1, type: 'WC', special: true });
    expect(at(r, 8)).toEqual({ line: 8, op: 'pte', ret: 0, present: true, pfn: MMIO / 0x1000 + 0x10, type: 'UC-', special: true });
    expect(at(r, 9)).toEqual({ line: 9, op: 'pte', ret: 0, present: false });
    expect(at(r, 10).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WC' }]);
  });

  it('vma_needs_copy: VM_MIXEDMAP page tables are copied too', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'mixedmap', cache: 'UC-' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: hx(MMIO / 0x1000) },
      fork,
      { op: 'pte', mm: 2, addr: hx(A) },
    ]);
    expect(at(r, 6)).toMatchObject({ present: true, pfn: MMIO / 0x1000, type: 'UC-', special: true });
  });

  it('copy_present_pte: a private writable page is write-protected in parent and child — the parent\'s next write copies it too', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      fork,
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'fault', mm: 2, addr: hx(A), write: true },
      { op: 'pte', mm: 2, addr: hx(A) },
    ]);
    const before = at(r, 5).pfn;
    expect(at(r, 8).pfn).not.toBe(before); // the parent copied
    expect(at(r, 9).pfn).toBe(before);
    expect(at(r, 11).pfn).toBe(before); // the child, now its only user, reuses it (do_wp_page)
  });

  it('copy_present_pte: a shared writable mapping stays writable after fork — a write fault changes nothing', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'shared', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      fork,
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'fault', mm: 2, addr: hx(A) },
      { op: 'pte', mm: 2, addr: hx(A) },
    ]);
    expect(at(r, 8).pfn).toBe(at(r, 5).pfn);
    expect(at(r, 10).pfn).toBe(at(r, 5).pfn);
  });

  it('fork: a child id already in use is a trace error', async () => {
    const r = await replay([M, spawn, { op: 'spawn', mm: 2, comm: 'b', pid: 2 }, fork]);
    expect(r.code).toBe(2);
    // The column is the "child" field's (OpError's field), where the duplicate id is.
    expect(r.stderr).toMatch(new RegExp(`^trace error: 4:${JSON.stringify(fork).indexOf('"child"') + 1}: mm already exists: 2`));
  });
});

describe('track_pfn_copy() (≤ 6.15, bug split-untrack)', () => {
  it('track_pfn_copy: reserves the whole VMA again from its first PTE; the child\'s exit frees that copy', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'resource', offset: hx(MMIO) },
      fork,
      { op: 'memtype_list' },
      { op: 'exit', mm: 2 },
      { op: 'memtype_list' },
    ];
    const r = await replay(lines, { bug: ['split-untrack'] });
    expect(at(r, 4)).toEqual({ line: 4, op: 'fork', ret: 0 });
    expect(at(r, 5).entries).toEqual([
      { start: '0xc0000000', end: '0xc0002000', type: 'UC-' },
      { start: '0xc0000000', end: '0xc0002000', type: 'UC-' },
    ]);
    expect(at(r, 7).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'UC-' }]);
  });

  it('track_pfn_copy: a COW mapping whose first page was copied has no pfn to start from — fork fails with EINVAL and the child is gone', async () => {
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'mem', offset: hx(MMIO) },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      fork,
      { op: 'spawn', mm: 2, comm: 'again', pid: 1301 },
      { op: 'memtype_list' },
    ];
    const bad = await replay(lines, { bug: ['split-untrack'] });
    expect(at(bad, 5)).toEqual({ line: 5, op: 'fork', ret: -22, errno: 'EINVAL' });
    expect(at(bad, 6)).toEqual({ line: 6, op: 'spawn', ret: 0 });
    expect(at(bad, 7).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WB' }]);
    const good = await replay(lines);
    expect(at(good, 5)).toEqual({ line: 5, op: 'fork', ret: 0 });
  });

  it('track_pfn_copy: strict — when the PTE\'s type is not the tracked one (WT on legacy4 is a UC- PTE), fork fails', async () => {
    const lines = [
      { ...M, pat: 'legacy4' },
      spawn,
      { op: 'memtype_reserve', start: hx(MMIO), end: hx(MMIO + 0x1000), req: 'WT' },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'resource', offset: hx(MMIO) },
      { op: 'pte', mm: 1, addr: hx(A) },
      fork,
    ];
    const bad = await replay(lines, { bug: ['split-untrack'] });
    expect(at(bad, 4)).toEqual({ line: 4, op: 'mmap', ret: 0 });
    expect(at(bad, 5)).toMatchObject({ type: 'UC-' });
    expect(at(bad, 6)).toEqual({
      line: 6,
      op: 'fork',
      ret: -22,
      errno: 'EINVAL',
      messages: ['x86/PAT: Xorg:1234 map pfn expected mapping type uncached-minus for [mem 0xc0000000-0xc0000fff], got write-through'],
    });
  });
});
