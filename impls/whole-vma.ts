/**
 * Insert policy `whole-vma` (Linux 2.6.29, `track_pfn_vma_new()` in
 * arch/x86/mm/pat.c): on every `vm_insert_pfn()` into a VMA that looked
 * "linear" (`VM_PFNMAP` with a non-zero `vm_pgoff`), the whole VMA was
 * revalidated from `vm_pgoff` — the assumption that the VMA maps pfns
 * `vm_pgoff + i` linearly, which fault-time drivers with fake mmap offsets
 * (TTM) broke (Hellström, 2009; fixed by 4bb9c5c02153 in 2.6.29.1).
 *
 * Here the revalidation is modeled as its cost without its side effects:
 * one `lookup_memtype()` per page of the VMA at pfn `vm_pgoff + i`, then the
 * answer for the inserted page, `lookup(pfn)`, exactly as `single-page` —
 * so the outcome stream is Linux's while the per-insert cost grows with the
 * VMA's size (O(VMA pages × lookup)).
 */
import { PAGE_SIZE } from '../core/physmap.js';
import type { VmaView } from '../core/tracker.js';
import type { InsertPolicy } from './parts.js';

/** Whole-VMA revalidation on every insert. */
export class WholeVmaPolicy implements InsertPolicy {
  /** Part name. */
  readonly name = 'whole-vma';
  /** Pages revalidated by all inserts so far (keeps the loop observable; tests read it). */
  revalidated = 0;
  /** Revalidated pages whose type differed from the VMA's first page (what 2.6.29 would have refused). */
  mismatches = 0;

  /**
   * Looks up every page `vm_pgoff + i` of `vma`, i < VMA pages, then
   * returns `lookup(pfn)`. O(VMA pages) lookups.
   */
  cachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    const pages = (vma.vm_end - vma.vm_start) / PAGE_SIZE;
    const base = vma.vm_pgoff;
    const t0 = lookup(base);
    let bad = 0;
    for (let i = 1; i < pages; i++) if (lookup(base + i) !== t0) bad++;
    this.revalidated += pages;
    this.mismatches += bad;
    return lookup(pfn);
  }
}
