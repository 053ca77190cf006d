/**
 * The page allocator for anonymous and COW pages: RAM pfns handed out from
 * the top of the largest RAM chunk downward (workloads that name RAM pages
 * themselves use the bottom), with a free list and a reference count per
 * page (`page_ref_count()`; fork shares anonymous pages copy-on-write).
 * A zero page (`ZERO_PAGE`) is set aside first for read faults.
 */
import type { PhysMap } from './physmap.js';

export class PageAllocator {
  private next: number;
  private readonly lowest: number;
  private readonly freeList: number[] = [];
  private readonly refs = new Map<number, number>();
  /** The shared zero page, or -1 when the map has no RAM. */
  readonly zeroPfn: number;

  constructor(physmap: PhysMap) {
    let bestStart = 0;
    let bestEnd = 0;
    for (let i = 0; i < physmap.chunkCount; i++) {
      const s = Math.max(physmap.chunkStartPfn(i), 0x100);
      const e = physmap.chunkEndPfn(i);
      if (e - s > bestEnd - bestStart) {
        bestStart = s;
        bestEnd = e;
      }
    }
    this.lowest = bestStart;
    this.next = bestEnd;
    this.zeroPfn = this.next > this.lowest ? --this.next : -1;
  }

  /** A free page with one reference, or -1 when RAM is exhausted (`VM_FAULT_OOM`). */
  alloc(): number {
    let pfn = this.freeList.pop();
    if (pfn === undefined) {
      if (this.next <= this.lowest) return -1;
      pfn = --this.next;
    }
    this.refs.set(pfn, 1);
    return pfn;
  }

  /** `get_page()`. */
  get(pfn: number): void {
    this.refs.set(pfn, (this.refs.get(pfn) ?? 0) + 1);
  }

  /** `put_page()`: frees the page when the last reference goes. */
  put(pfn: number): void {
    const r = (this.refs.get(pfn) ?? 1) - 1;
    if (r > 0) this.refs.set(pfn, r);
    else {
      this.refs.delete(pfn);
      this.freeList.push(pfn);
    }
  }

  /** References held on an allocated page (0 when free or not ours). */
  refCount(pfn: number): number {
    return this.refs.get(pfn) ?? 0;
  }

  /** Is `pfn` an allocated anonymous page? */
  owns(pfn: number): boolean {
    return this.refs.has(pfn);
  }
}
