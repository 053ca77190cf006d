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
 * sorted by start (equal starts in insertion order); every reserved context
 * on the I/O list has an insertion number.
 *
 * Modeled cost: the `list_head` (16 B) the design adds to every VMA in the
 * system, plus one 64-byte slab object per kernel-list entry.
 */
import type { MachineView, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** One kernel-list entry (pfns, end exclusive) and its insertion number. */
class KEntry {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly type: number,
    /** Insertion number; changes hands when an equal, earlier entry is erased (`adoptPlace`). */
    public seq: number,
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
  /** Insertion numbers of the pfnmap reservations (only `list()` needs them: equal starts in insertion order). */
  private readonly ctxSeq = new Map<PfnmapTrackCtx, number>();
  private seq = 0;

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
    if (owner !== null) {
      this.ctxSeq.set(owner, this.seq++);
      return;
    }
    const k = this.kernel;
    let lo = 0;
    let hi = k.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (k[mid]!.start <= start) lo = mid + 1;
      else hi = mid;
    }
    const e = new KEntry(start, end, type, this.seq++);
    if (lo === k.length) k.push(e);
    else k.splice(lo, 0, e);
  }

  /**
   * Removes one entry exactly `[start, end)`: the first kernel one (false when
   * there is none), or the pfnmap reservation of `owner` (which leaves with
   * its VMAs; always true).
   */
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    let i = -1;
    const k = this.kernel;
    if (owner === null) {
      for (let j = 0; j < k.length && k[j]!.start <= start; j++) {
        if (k[j]!.start === start && k[j]!.end === end) {
          i = j;
          break;
        }
      }
      if (i < 0) return false;
    }
    // The tree erases the first exact match in order, whoever reserved it:
    // if that is another holder's entry, the holder keeps the erased one's
    // place (equal entries are indistinguishable but for their order).
    const gone = owner !== null ? (this.ctxSeq.get(owner) ?? -1) : k[i]!.seq;
    this.adoptPlace(start, end, gone);
    if (owner !== null) this.ctxSeq.delete(owner);
    else k.splice(i, 1);
    return true;
  }

  /** The exact `[start, end)` match that is first in order (lowest insertion number) takes insertion number `seq`, if lower. */
  private adoptPlace(start: number, end: number, seq: number): void {
    let best = seq;
    let kBest = -1;
    let cBest: PfnmapTrackCtx | null = null;
    const k = this.kernel;
    for (let j = 0; j < k.length && k[j]!.start <= start; j++) {
      const e = k[j]!;
      if (e.start === start && e.end === end && e.seq < best) {
        best = e.seq;
        kBest = j;
        cBest = null;
      }
    }
    for (const [c, cs] of this.ctxSeq) {
      if (c.pfn === start && c.pfn + c.npages === end && cs < best) {
        best = cs;
        cBest = c;
        kBest = -1;
      }
    }
    if (cBest !== null) this.ctxSeq.set(cBest, seq);
    else if (kBest >= 0) k[kBest]!.seq = seq;
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

  /**
   * Appends the kernel entries and each distinct reserved tracking context
   * once, merged in the interval tree's order: by start, equal starts in
   * insertion order. O((k + c) log(k + c)).
   */
  list(out: number[]): void {
    const all: { start: number; end: number; type: number; seq: number }[] = [...this.kernel];
    for (const c of this.ctxs()) all.push({ start: c.pfn, end: c.pfn + c.npages, type: c.type, seq: this.ctxSeq.get(c) ?? -1 });
    all.sort((a, b) => a.start - b.start || a.seq - b.seq);
    for (const e of all) out.push(e.start, e.end, e.type);
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
      if (v.ctx.type >= 0 && !this.ctxSeq.has(v.ctx)) throw new Error('vma-walk: a reserved tracking context has no insertion number');
    }
  }
}
