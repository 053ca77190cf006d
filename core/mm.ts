/**
 * `struct mm_struct`: a process's VMAs (sorted, non-overlapping) and its page
 * tables, with the `comm` and `pid` the kernel prints.
 */
import { PageTable, type TableBudget, type TablePool } from './pagetable.js';
import type { Vma } from './vma.js';

export class MmStruct {
  /** VMAs sorted by `vm_start`. */
  readonly vmas: Vma[] = [];
  readonly pgd: PageTable;
  private lastHit: Vma | null = null;

  constructor(
    readonly id: number,
    public comm: string,
    public pid: number,
    levels: number,
    dynamicLevels: boolean,
    pool: TablePool,
    budget: TableBudget,
  ) {
    this.pgd = new PageTable(levels, dynamicLevels, pool, budget);
  }

  /** `find_vma()` proper: the VMA containing `addr` (bytes), or null. */
  findVma(addr: number): Vma | null {
    const h = this.lastHit;
    if (h !== null && h.vm_start <= addr && addr < h.vm_end) return h;
    const v = this.vmas;
    const i = this.firstIndexEndingAfter(addr);
    const r = i < v.length && v[i]!.vm_start <= addr ? v[i]! : null;
    if (r !== null) this.lastHit = r;
    return r;
  }

  /** Index of the first VMA ending above `addr`. */
  firstIndexEndingAfter(addr: number): number {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid]!.vm_end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts a VMA that overlaps none. */
  insertVma(vma: Vma): void {
    this.vmas.splice(this.firstIndexEndingAfter(vma.vm_start), 0, vma);
  }

  /** Forgets every VMA (exit, after they were torn down). */
  clearVmas(): void {
    this.vmas.length = 0;
    this.lastHit = null;
  }

  /** Removes the VMA at index `i`. */
  removeAt(i: number): void {
    if (this.vmas[i] === this.lastHit) this.lastHit = null;
    this.vmas.splice(i, 1);
  }
}
