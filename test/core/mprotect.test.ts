/**
 * core/mprotect.ts — mm/mprotect.c (`do_mprotect_pkey()`,
 * `mprotect_fixup()`, `change_protection()`): one rule per test, seen
 * through faults (the VMA's flags), PTEs after COW (the PTE's write bit) and
 * the alias check (a PROT_NONE PTE maps nothing).
 */
import { describe, expect, it } from 'vitest';
import { Hardware, parseMachineSpec } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { Dev, MAP_PRIVATE, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE } from '../../core/ops.js';
import { _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW, pteFlags } from '../../core/pagetable.js';
import { createTracker } from '../../impls/registry.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';
import { RecordingSink } from '../helpers/record.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const P = 0x1000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'a.out', pid: 300 };
const anon = (addr: number, len: number, prot = 'rw') => ({ op: 'mmap', mm: 1, addr: hx(addr), len: hx(len), prot, flags: 'private', dev: 'anon' });
const write = (addr: number, mm = 1) => ({ op: 'fault', mm, addr: hx(addr), write: true });
const read = (addr: number, mm = 1) => ({ op: 'fault', mm, addr: hx(addr) });
const mprotect = (addr: number, len: number, prot: string) => ({ op: 'mprotect', mm: 1, addr: hx(addr), len: hx(len), prot });
const SEGV = { ret: -14, fault: 'SIGSEGV' };

describe('do_mprotect_pkey(): arguments', () => {
  it('do_mprotect_pkey: an unaligned start is EINVAL, and nothing changes', async () => {
    const r = await replay([M, spawn, anon(A, P), mprotect(A + 8, P, 'r'), write(A)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: -22, errno: 'EINVAL' });
    expect(at(r, 5)).toMatchObject({ ret: 0 });
  });

  it('do_mprotect_pkey: a zero length succeeds at once, even where nothing is mapped', async () => {
    const r = await replay([M, spawn, { op: 'mprotect', mm: 1, addr: hx(A), len: 0, prot: 'r' }]);
    expect(at(r, 3)).toEqual({ line: 3, op: 'mprotect', ret: 0 });
  });

  it('do_mprotect_pkey: the length is rounded up to a page (PAGE_ALIGN)', async () => {
    const r = await replay([M, spawn, anon(A, 3 * P), mprotect(A, P + 1, 'r'), write(A + P), write(A + 2 * P)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: 0 });
    expect(at(r, 5)).toMatchObject(SEGV);
    expect(at(r, 6)).toMatchObject({ ret: 0 });
  });

  it('do_mprotect_pkey: no VMA at the start is ENOMEM, and the VMA after the hole is left alone', async () => {
    const r = await replay([M, spawn, anon(A + P, P), mprotect(A, 2 * P, 'r'), write(A + P)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: -12, errno: 'ENOMEM' });
    expect(at(r, 5)).toMatchObject({ ret: 0 });
  });

  it('do_mprotect_pkey: a hole inside the range is ENOMEM after the VMAs before it were changed', async () => {
    const r = await replay([M, spawn, anon(A, P), anon(A + 2 * P, P), mprotect(A, 3 * P, 'r'), write(A), write(A + 2 * P)]);
    expect(at(r, 5)).toEqual({ line: 5, op: 'mprotect', ret: -12, errno: 'ENOMEM' });
    expect(at(r, 6)).toMatchObject(SEGV);
    expect(at(r, 7)).toMatchObject({ ret: 0 });
  });

  it('do_mprotect_pkey: a range running past the last VMA is ENOMEM, the VMA itself changed', async () => {
    const r = await replay([M, spawn, anon(A, P), mprotect(A, 2 * P, 'r'), write(A)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: -12, errno: 'ENOMEM' });
    expect(at(r, 5)).toMatchObject(SEGV);
  });
});

describe('mprotect_fixup(): VMA split and flags', () => {
  it('mprotect_fixup: a range inside one VMA splits it at both ends; only the middle changes', async () => {
    const r = await replay([M, spawn, anon(A, 3 * P), mprotect(A + P, P, 'r'), write(A), write(A + P), write(A + 2 * P), read(A + P)]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: 0 });
    expect(at(r, 5)).toMatchObject({ ret: 0 });
    expect(at(r, 6)).toMatchObject(SEGV);
    expect(at(r, 7)).toMatchObject({ ret: 0 });
    expect(at(r, 8)).toMatchObject({ ret: 0 });
  });

  it('mprotect_fixup: a range over several VMAs changes each of them', async () => {
    const r = await replay([M, spawn, anon(A, P), anon(A + P, P, 'r'), mprotect(A, 2 * P, 'rw'), write(A), write(A + P)]);
    expect(at(r, 5)).toEqual({ line: 5, op: 'mprotect', ret: 0 });
    expect(at(r, 6)).toMatchObject({ ret: 0 });
    expect(at(r, 7)).toMatchObject({ ret: 0 });
  });

  it('mprotect_fixup: PROT_NONE takes every access away; PROT_EXEC alone still reads (x86 has no execute-only pages)', async () => {
    const r = await replay([M, spawn, anon(A, 2 * P), mprotect(A, P, 'none'), read(A), mprotect(A + P, P, 'x'), read(A + P), write(A + P)]);
    expect(at(r, 5)).toMatchObject(SEGV);
    expect(at(r, 7)).toMatchObject({ ret: 0 });
    expect(at(r, 8)).toMatchObject(SEGV);
  });
});

describe('change_protection()', () => {
  it('change_protection: a private mapping made writable again keeps its PTEs write-protected, so a shared COW page is still copied', async () => {
    const r = await replay([
      M,
      spawn,
      anon(A, P),
      write(A),
      { op: 'fork', mm: 1, child: 2, pid: 301 },
      mprotect(A, P, 'r'),
      mprotect(A, P, 'rw'),
      write(A),
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'pte', mm: 2, addr: hx(A) },
    ]);
    expect(at(r, 8)).toMatchObject({ ret: 0 });
    expect(at(r, 9).pfn).not.toBe(at(r, 10).pfn);
  });

  it('change_protection: PROT_NONE PTEs are not present to the CPU (no alias), and come back with PROT_READ', async () => {
    // pfnmap-no-ram (2.6.29) maps RAM WC beside the WB direct map: an alias only while the PTE is present.
    const lines = [
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: hx(2 * P), prot: 'rw', dev: 'resource_wc', offset: '0x200000' },
      { op: 'check' },
      mprotect(A, P, 'none'),
      { op: 'check' },
      mprotect(A, P, 'r'),
      { op: 'check' },
    ];
    const r = await replay(lines, { bug: ['pfnmap-no-ram'] });
    expect(at(r, 4).aliases).toEqual([
      { pfn: 0x200, types: ['WB', 'WC'] },
      { pfn: 0x201, types: ['WB', 'WC'] },
    ]);
    expect(at(r, 6).aliases).toEqual([{ pfn: 0x201, types: ['WB', 'WC'] }]);
    expect(at(r, 8).aliases).toEqual([
      { pfn: 0x200, types: ['WB', 'WC'] },
      { pfn: 0x201, types: ['WB', 'WC'] },
    ]);
  });

  it('change_protection: on a 3-level dynamic table the PTEs of every top-level slot are rewritten', async () => {
    const lines = [
      { ...M, page_table_levels: 3, dynamic_levels: true },
      spawn,
      { op: 'mmap', mm: 1, addr: '0x80000000', len: hx(P), prot: 'rw', dev: 'resource_wc', offset: '0x200000' },
      mprotect(0x80000000, P, 'none'),
      { op: 'check' },
    ];
    const r = await replay(lines, { bug: ['pfnmap-no-ram'] });
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: 0 });
    expect(at(r, 5).aliases).toEqual([]);
  });
});

describe('do_mprotect_pkey(): the walk after a merge', () => {
  it('do_mprotect_pkey: when mprotect_fixup() merges a VMA with the next one, the walk goes on from the merged VMA\'s end (vma_iter_end) — no ENOMEM', async () => {
    const r = await replay([
      M,
      spawn,
      anon(A, 3 * P),
      mprotect(A + P, P, 'r'),
      mprotect(A + P, 2 * P, 'rw'),
      write(A + P),
      write(A + 2 * P),
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'mprotect', ret: 0 });
    expect(at(r, 6)).toMatchObject({ ret: 0 });
    expect(at(r, 7)).toMatchObject({ ret: 0 });
  });

  it('do_mprotect_pkey: a merge with the previous VMA keeps the walk on the next one — a range over three VMAs changes them all', async () => {
    const r = await replay([
      M,
      spawn,
      anon(A, 4 * P),
      mprotect(A + P, P, 'r'),
      mprotect(A + 3 * P, P, 'r'),
      mprotect(A + P, 3 * P, 'rw'),
      write(A + 3 * P),
    ]);
    expect(at(r, 6)).toEqual({ line: 6, op: 'mprotect', ret: 0 });
    expect(at(r, 7)).toMatchObject({ ret: 0 });
  });
});

describe('change_protection(): the PTE bits (pte_modify() with the new vm_page_prot)', () => {
  /** Runs `ops` on a small machine and returns the flags of the PTE mapping `addr` in mm 0. */
  const pteAfter = (ops: (b: OpStreamBuilder) => void, addr: number): number => {
    const machine = parseMachineSpec({ e820: M.e820, mtrr: { default: 'WB' } });
    const b = new OpStreamBuilder(machine);
    b.spawn(0, 'a.out', 300);
    ops(b);
    const m = new Machine(Hardware.fromParsed(machine), createTracker('oracle'));
    m.run(b.build(), new RecordingSink());
    return pteFlags(m.mms.get(0)!.pgd.get(addr / P));
  };
  const RW = PROT_READ | PROT_WRITE;

  it('change_protection: PROT_READ clears the write bit of a shared writable PTE; PROT_READ|PROT_WRITE sets it again (PAGE_SHARED)', () => {
    const shared = (b: OpStreamBuilder): void => {
      b.mmap(0, A, P, RW, MAP_SHARED, Dev.Anon);
      b.fault(0, A, true);
    };
    expect(pteAfter(shared, A) & _PAGE_RW).toBe(_PAGE_RW);
    const ro = pteAfter((b) => {
      shared(b);
      b.mprotect(0, A, P, PROT_READ);
    }, A);
    expect(ro & (_PAGE_RW | _PAGE_PRESENT)).toBe(_PAGE_PRESENT);
    const back = pteAfter((b) => {
      shared(b);
      b.mprotect(0, A, P, PROT_READ);
      b.mprotect(0, A, P, RW);
    }, A);
    expect(back & (_PAGE_RW | _PAGE_PRESENT)).toBe(_PAGE_RW | _PAGE_PRESENT);
  });

  it('change_protection: PROT_NONE makes a writable PTE PROTNONE, not present and not writable', () => {
    const f = pteAfter((b) => {
      b.mmap(0, A, P, RW, MAP_SHARED, Dev.Anon);
      b.fault(0, A, true);
      b.mprotect(0, A, P, 0);
    }, A);
    expect(f & (_PAGE_RW | _PAGE_PRESENT | _PAGE_PROTNONE)).toBe(_PAGE_PROTNONE);
  });

  it('change_protection: a private page written before keeps its write bit through mprotect(PROT_READ|PROT_WRITE) (an exclusive anonymous page: can_change_pte_writable)', () => {
    const f = pteAfter((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.fault(0, A, true);
      b.mprotect(0, A, P, RW);
    }, A);
    expect(f & (_PAGE_RW | _PAGE_PRESENT)).toBe(_PAGE_RW | _PAGE_PRESENT);
  });
});
