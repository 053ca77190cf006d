/**
 * Range store `vma-walk` (Biederman-style, 2005): no tree. Pfnmap
 * reservations are not stored at all — they are found by walking the VMAs
 * linked on the I/O address-space list (each VMA's tracking context names
 * its pfn range and type). Kernel mappings that have no VMA (`ioremap`,
 * bare `memtype_reserve`) live on a side list kept sorted by start, like
 * the 2.6.25 memtype list. Every query walks the whole VMA list and the
 * kernel list up to the query's end: O(VMAs + kernel entries).
 *
 * Invariant (checked by `checkInvariants`): every VMA on the I/O list holds
 * a tracking context with references; kernel entries are non-empty and
 * sorted by start (equal starts in insertion order).
 *
 * Modeled cost: the `list_head` (16 B) the design adds to every VMA in the
 * system, plus one 64-byte slab object per kernel-list entry.
 */
import type { MachineView, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** One kernel-list entry (pfns, end exclusive). */
class KEntry {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly type: number,
  ) {}
}

/**
 * The VMA walk as a `RangeStore`: pfnmap reservations are read from the
 * tracking contexts of the VMAs on the I/O list, kernel ones from a side
 * list. Every query is O(VMAs + kernel entries) and allocates nothing.
 */
export class VmaWalkStore implements RangeStore {
  /** Part name. */
  readonly name = 'vma-walk';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  private view!: MachineView;
  private kernel: KEntry[] = [];

  /** Keeps the view: its I/O VMA list is half of the store. */
  attach(view: MachineView): void {
    this.view = view;
  }

  get size(): number {
    return this.kernel.length + this.ctxs().size;
  }

  /**
   * Lowest start among overlapping entries whose type is not `skip`: returns
   * its type (or -1) and leaves its range in `hitStart`/`hitEnd`. Equal
   * starts overlap each other, so they share a type and ties do not matter.
   */
  private lowest(start: number, end: number, skip: number): number {
    let best = Infinity;
    let bestEnd = 0;
    let type = -1;
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) {
      const c = v.ctx!;
      if (c.type < 0 || c.type === skip) continue;
      if (c.pfn < end && start < c.pfn + c.npages && c.pfn < best) {
        best = c.pfn;
        bestEnd = c.pfn + c.npages;
        type = c.type;
      }
    }
    // Sorted by start: stop at the first start ≥ end (or ≥ the best so far);
    // the first overlap of a wanted type is the lowest kernel one.
    const k = this.kernel;
    for (let i = 0; i < k.length; i++) {
      const e = k[i]!;
      if (e.start >= end || e.start >= best) break;
      if (e.type !== skip && start < e.end) {
        best = e.start;
        bestEnd = e.end;
        type = e.type;
        break;
      }
    }
    this.hitStart = best;
    this.hitEnd = bestEnd;
    return type;
  }

  /** Overlap scan: two walks of both lists (the lowest overlap, then the lowest of another type). */
  scan(start: number, end: number): void {
    this.first = this.lowest(start, end, -1);
    this.other = this.first < 0 ? -1 : this.lowest(start, end, this.first);
  }

  /** The lowest-starting entry overlapping `[start, end)` (see `RangeStore.overlap`). */
  overlap(start: number, end: number): boolean {
    this.first = this.lowest(start, end, -1);
    return this.first >= 0;
  }

  /** Stores kernel reservations (`owner` null) on the side list; a pfnmap one is carried by its VMAs. */
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    // A pfnmap reservation is carried by its VMAs; only kernel ones are stored,
    // after every entry with a start ≤ `start` (binary search, then a splice).
    if (owner !== null) return;
    const k = this.kernel;
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (k[mid]!.start <= start) lo = mid + 1;
      else hi = mid;
    }
    if (lo === k.length) k.push(new KEntry(start, end, type));
    else k.splice(lo, 0, new KEntry(start, end, type));
  }

  /** Removes the first kernel entry exactly `[start, end)`; a pfnmap reservation leaves with its VMAs (always true). */
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    if (owner !== null) return true;
    const k = this.kernel;
    for (let i = 0; i < k.length && k[i]!.start <= start; i++) {
      if (k[i]!.start === start && k[i]!.end === end) {
        k.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Type of the lowest-starting entry covering `pfn`, or -1: one walk of both lists. */
  lookup(pfn: number): number {
    return this.lowest(pfn, pfn + 1, -1);
  }

  /** Distinct reserved tracking contexts reachable from the I/O list. */
  private ctxs(): Set<PfnmapTrackCtx> {
    const s = new Set<PfnmapTrackCtx>();
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) if (v.ctx!.type >= 0) s.add(v.ctx!);
    return s;
  }

  /** Appends kernel entries, then each distinct reserved tracking context once. */
  list(out: number[]): void {
    for (const e of this.kernel) out.push(e.start, e.end, e.type);
    for (const c of this.ctxs()) out.push(c.pfn, c.pfn + c.npages, c.type);
  }

  /**
   * Modeled kernel bytes: the 16-byte `list_head` the design adds to every
   * VMA in the system (not only the listed ones) + one 64-byte slab object
   * per kernel-list entry.
   */
  modeledBytes(): number {
    return 16 * this.view.vmaCount + 64 * this.kernel.length;
  }

  /** Every listed VMA holds a live tracking context; kernel entries are non-empty ranges. */
  checkInvariants(): void {
    let prev = -Infinity;
    for (const e of this.kernel) {
      if (!(e.end > e.start)) throw new Error(`vma-walk: empty kernel entry [${e.start},${e.end})`);
      if (e.start < prev) throw new Error(`vma-walk: kernel list order by start broken at [${e.start},${e.end})`);
      prev = e.start;
    }
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) {
      if (v.ctx === null) throw new Error('vma-walk: a VMA on the I/O list has no tracking context');
      if (v.ctx.refs < 1) throw new Error('vma-walk: a listed tracking context has no references');
    }
  }
}
