/**
 * `fork(2)`'s copy of the address space: `dup_mmap()` (kernel/fork.c up to
 * v6.15; mm/mmap.c since the v6.16 move of VMA duplication into mm/) —
 * each VMA duplicated with `vm_area_dup()`, which shares its tracking
 * context; page tables copied by `copy_page_range()` where
 * `vma_needs_copy()` asks for it. With bug `split-untrack`, the ≤ 6.15
 * `track_pfn_copy()` reserves every tracked VMA again.
 */
import { EINVAL, ENOMEM } from './errno.js';
import { OpError } from './errors.js';
import type { Machine } from './machine.js';
import { copyPageRange } from './memory.js';
import { MmStruct } from './mm.js';
import { exitMmap, vmaPfnmapTrackCtxDup } from './mmap.js';
import { _PAGE_SPECIAL, pteFlags, ptePfn } from './pagetable.js';
import { PAGE_SIZE } from './physmap.js';
import { VM_MIXEDMAP, VM_PFNMAP, type Vma } from './vma.js';

/**
 * `fork(2)` → `dup_mmap()`: every VMA duplicated, tracking contexts shared
 * by reference (≤ 6.15: `track_pfn_copy()` reserves again, strictly);
 * page tables copied where `vma_needs_copy()` says so — `VM_PFNMAP`/
 * `VM_MIXEDMAP` VMAs and VMAs with an `anon_vma` — private writable PTEs
 * write-protected in both (COW).
 */
export function fork(m: Machine, parent: MmStruct, child: number, pid: number): number {
  if (m.mms.has(child)) throw new OpError('mm already exists:', 'child', child);
  const mm = new MmStruct(child, parent.comm, pid, m.hw.pageTableLevels, m.hw.dynamicLevels, m.tablePool, m.tableBudget);
  m.mms.set(child, mm);
  for (const vma of parent.vmas) {
    const copy = vma.dup();
    if (vma.ctx !== null) {
      if (m.bugs.splitUntrack && trackPfnCopy(m, parent, vma) !== 0) {
        exitMmap(m, mm);
        m.mms.delete(child);
        return -EINVAL;
      }
      vmaPfnmapTrackCtxDup(m, vma, copy);
    }
    mm.vmas.push(copy);
    // vma_needs_copy(): page tables of VM_PFNMAP/VM_MIXEDMAP VMAs and of VMAs
    // with an anon_vma; the rest (shared anonymous memory, private memory only
    // read through the zero page) refault in the child.
    if ((vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP) || vma.anonVma) && !copyPageRange(m, parent, mm, vma)) {
      exitMmap(m, mm);
      m.mms.delete(child);
      return -ENOMEM;
    }
  }
  return 0;
}

/** ≤ 6.15 `track_pfn_copy()`: reserve the whole VMA again from the first PTE's pfn and type, strictly. */
function trackPfnCopy(m: Machine, parent: MmStruct, vma: Vma): number {
  const first = parent.pgd.get(vma.vm_start / PAGE_SIZE);
  // Stryker disable next-line ConditionalExpression: equivalent — `first === 0` → false: an empty PTE (0) has no _PAGE_SPECIAL bit either, so the second test refuses it
  // Stryker disable next-line UnaryOperator: equivalent — fork() only tests for non-zero and returns its own -EINVAL
  if (first === 0 || (pteFlags(first) & _PAGE_SPECIAL) === 0) return -EINVAL;
  const pfn = ptePfn(first);
  const want = m.hw.pat.pte2cachemode(pteFlags(first));
  return m.mt.reservePfnRange(pfn, pfn + (vma.vm_end - vma.vm_start) / PAGE_SIZE, want, null, true);
}

