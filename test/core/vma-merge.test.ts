/**
 * core/mmap.ts `vmaMerge()` — mm/vma.c `vma_merge()` for the VMAs the
 * machine merges (anonymous mmap, mprotect) — and mm/memory.c rules seen
 * only in the page tables: the write bit `copy_present_pte()` keeps or
 * takes, the read fault that must not copy, the anon_vma a COW copy gives
 * its VMA (so fork copies its page tables), remap_pfn_range's ENOMEM.
 * In-process: the VMA list and the PTE bits are read off the machine.
 */
import { describe, expect, it } from 'vitest';
import { Hardware, parseMachineSpec } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { Dev, MAP_PRIVATE, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE } from '../../core/ops.js';
import { _PAGE_RW, pteFlags, ptePfn } from '../../core/pagetable.js';
import { createTracker } from '../../impls/registry.js';
import { SMALL_MACHINE } from '../helpers/replay.js';
import { RecordingSink } from '../helpers/record.js';

const A = 0x7f0000000000;
const P = 0x1000;
const RW = PROT_READ | PROT_WRITE;
const MMIO = 0xc0000000;

/** Runs `ops` (mm 0 spawned first) on a small machine; returns the machine and each op's return value. */
function run(ops: (b: OpStreamBuilder) => void, maxTablePages?: number): { m: Machine; rets: number[] } {
  const machine = parseMachineSpec({ e820: SMALL_MACHINE.e820, mtrr: { default: 'WB' } });
  const b = new OpStreamBuilder(machine);
  b.spawn(0, 'a.out', 500);
  ops(b);
  const m = new Machine(Hardware.fromParsed(machine), createTracker('oracle'), maxTablePages === undefined ? {} : { maxTablePages });
  const sink = new RecordingSink();
  m.run(b.build(), sink);
  return { m, rets: sink.recs.map((r) => r[1] as number) };
}
/** The VMAs of mm `id` as [start, end) offsets from A, in pages. */
const vmas = (m: Machine, id = 0): [number, number][] => m.mms.get(id)!.vmas.map((v) => [(v.vm_start - A) / P, (v.vm_end - A) / P]);
const pte = (m: Machine, addr: number, id = 0): number => m.mms.get(id)!.pgd.get(addr / P);

describe('vma_merge()', () => {
  it('vma_merge: an anonymous private mapping right after another with the same flags extends it — one VMA', () => {
    const { m } = run((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + P, 2 * P, RW, MAP_PRIVATE, Dev.Anon);
    });
    expect(vmas(m)).toEqual([[0, 3]]);
  });

  it('vma_merge: a mapping just before another merges with the one after it; one filling a hole merges with both sides', () => {
    const before = run((b) => {
      b.mmap(0, A + P, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
    });
    expect(vmas(before.m)).toEqual([[0, 2]]);
    const hole = run((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + 2 * P, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + 4 * P, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + P, P, RW, MAP_PRIVATE, Dev.Anon);
    });
    expect(vmas(hole.m)).toEqual([
      [0, 3],
      [4, 5],
    ]);
  });

  it('vma_merge: no merge across a gap, nor between different protections; mprotect back to the same flags merges again', () => {
    const { m } = run((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + 2 * P, P, RW, MAP_PRIVATE, Dev.Anon);
      b.mmap(0, A + 3 * P, P, PROT_READ, MAP_PRIVATE, Dev.Anon);
    });
    expect(vmas(m)).toEqual([
      [0, 1],
      [2, 3],
      [3, 4],
    ]);
    const back = run((b) => {
      b.mmap(0, A, 3 * P, RW, MAP_PRIVATE, Dev.Anon);
      b.mprotect(0, A + P, P, PROT_READ);
      b.mprotect(0, A + P, P, RW);
    });
    expect(vmas(back.m)).toEqual([[0, 3]]);
  });

  it('vma_merge: VM_SPECIAL VMAs never merge — adjacent pfnmap mappings stay apart through mprotect', () => {
    const { m } = run((b) => {
      // Contiguous offsets: everything but VM_SPECIAL would let them merge.
      b.mmap(0, A, P, RW, MAP_SHARED, Dev.Pfnmap, 0);
      b.mmap(0, A + P, P, RW, MAP_SHARED, Dev.Pfnmap, P);
      b.mprotect(0, A, 2 * P, PROT_READ);
    });
    expect(vmas(m)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('vma_merge: the merged VMA keeps an anon_vma either side had — fork then copies the faulted page\'s table', () => {
    const { m } = run((b) => {
      b.mmap(0, A + P, P, RW, MAP_PRIVATE, Dev.Anon);
      b.fault(0, A + P, true);
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.fork(0, 1, 501);
    });
    expect(vmas(m)).toEqual([[0, 2]]);
    expect(pte(m, A + P, 1)).not.toBe(0);
    expect(ptePfn(pte(m, A + P, 1))).toBe(ptePfn(pte(m, A + P, 0)));
  });
});

describe('mm/memory.c in the page tables', () => {
  it('copy_present_pte: only a COW mapping\'s writable PTEs are write-protected — a shared pfnmap keeps its write bit in parent and child', () => {
    const { m } = run((b) => {
      b.mmap(0, A, P, RW, MAP_SHARED, Dev.Resource, MMIO);
      b.fork(0, 1, 501);
    });
    expect(pteFlags(pte(m, A, 0)) & _PAGE_RW).toBe(_PAGE_RW);
    expect(pteFlags(pte(m, A, 1)) & _PAGE_RW).toBe(_PAGE_RW);
  });

  it('handle_mm_fault: a read fault on a present write-protected PTE changes nothing — after fork the child reads the shared page, no copy', () => {
    const { m } = run((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.fault(0, A, true);
      b.fork(0, 1, 501);
      b.fault(1, A, false);
    });
    expect(ptePfn(pte(m, A, 1))).toBe(ptePfn(pte(m, A, 0)));
    expect(pteFlags(pte(m, A, 1)) & _PAGE_RW).toBe(0);
  });

  it('wp_page_copy: the COW copy of the zero page gives the VMA an anon_vma — fork copies that page table', () => {
    const { m } = run((b) => {
      b.mmap(0, A, P, RW, MAP_PRIVATE, Dev.Anon);
      b.fault(0, A, false);
      b.fault(0, A, true);
      b.fork(0, 1, 501);
    });
    expect(pte(m, A, 1)).not.toBe(0);
    expect(ptePfn(pte(m, A, 1))).toBe(ptePfn(pte(m, A, 0)));
  });

  it('remap_pfn_range: page tables that cannot be allocated fail the remap with ENOMEM, and the mmap with it', () => {
    const { rets } = run((b) => b.mmap(0, 0x40000000, 0x40000000, RW, MAP_SHARED, Dev.Resource, 0x100000000), 8);
    expect(rets[1]).toBe(-12);
  });
});
