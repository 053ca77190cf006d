/**
 * Tutorial: a range store of your own, benchmarked against Linux's.
 *
 * Linux keeps every non-RAM reservation — a `struct memtype {start, end,
 * type}` — in an interval tree (arch/x86/mm/pat/memtype_interval.c). This
 * store keeps them in parallel typed arrays sorted by start instead, plus a
 * running maximum of the ends, so that finding the first reservation that
 * overlaps a range is one binary search. Lookups are O(log n) and allocate
 * nothing; an insert or erase moves the tail of the arrays, O(n).
 *
 *   memtype-bench verify --tracker-module examples/sorted-array-store.ts
 *   memtype-bench run --tracker-module examples/sorted-array-store.ts \
 *     --tracker 'sorted-array+page-bit-ram-walk+single-page'
 *
 * Only types come from memtype-bench, so this file has no runtime import of
 * it: the harness loads it (through tsx) in each isolate that needs it.
 */
import type { MachineView, PfnmapTrackCtx, RangeStore, TrackerModule } from 'memtype-bench';

/**
 * Reservations as half-open pfn ranges `[start, end)` in index order: sorted
 * by start, equal starts in insertion order (the `RangeStore` contract's
 * order, that of Linux's in-order walk; a store must report the
 * *lowest-starting* overlap first). `memtype_reserve()` takes byte ranges, so
 * a bound may be a fractional pfn (byte address ÷ 4096, exact in a double):
 * compare them as numbers, never round them.
 */
export class SortedArrayStore implements RangeStore {
  /** The part name: what goes before the first `+` of a composition name. */
  readonly name: string = 'sorted-array';
  // Out fields: the composition reads them right after scan/overlap, so a
  // query returns several values without allocating a result object.
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  // Float64Array, not Int32Array: pfns of 64-bit BARs exceed 2^31.
  private start: Float64Array = new Float64Array(16);
  private end: Float64Array = new Float64Array(16);
  /** maxEnd[i] = max(end[0..i]): non-decreasing, so it can be binary-searched. */
  private maxEnd: Float64Array = new Float64Array(16);
  /** Cache mode (0..5, `enum page_cache_mode`). */
  private type: Uint8Array = new Uint8Array(16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** A store may keep the views it is given; this one needs none of the machine. */
  attach(_view: MachineView): void {}

  /** Index of the first entry whose start is above `pfn` (upper bound); with `orEqual`, at or above it (lower bound). */
  private startAbove(pfn: number, orEqual = false): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.start[mid]!;
      if (s < pfn || (!orEqual && s === pfn)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Index of the first entry whose running max end is above `pfn`: every
   * entry before it ends at or below `pfn`, and this one ends above it.
   */
  private endAbove(pfn: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maxEnd[mid]! <= pfn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * `interval_iter_first()`: the lowest-starting entry overlapping
   * `[start, end)` is the first one ending above `start` — if it starts
   * below `end`; else, as starts only grow, nothing overlaps.
   */
  overlap(start: number, end: number): boolean {
    const i = this.endAbove(start);
    if (i < this.count && this.start[i]! < end) {
      this.first = this.type[i]!;
      this.hitStart = this.start[i]!;
      this.hitEnd = this.end[i]!;
      return true;
    }
    this.first = -1;
    return false;
  }

  /**
   * `interval_iter_first/next()` as `memtype_check_conflict()` walks them:
   * `first` = the lowest overlap's type, `other` = the type of the first
   * later overlap that differs (the composition refuses the insert then).
   */
  scan(start: number, end: number): void {
    this.first = this.other = -1;
    let i = this.endAbove(start);
    if (i >= this.count || this.start[i]! >= end) return;
    const t = (this.first = this.type[i]!);
    for (i++; i < this.count && this.start[i]! < end; i++) {
      if (this.end[i]! > start && this.type[i] !== t) {
        this.other = this.type[i]!;
        return;
      }
    }
  }

  /**
   * `memtype_lookup()`: the type of the lowest-starting entry overlapping the
   * page `[pfn, pfn + 1)` — an entry may cover only part of it — or -1.
   */
  lookup(pfn: number): number {
    const i = this.endAbove(pfn);
    return i < this.count && this.start[i]! < pfn + 1 ? this.type[i]! : -1;
  }

  /**
   * `memtype_check_insert()`'s insert, after the composition checked the
   * conflict rule. Duplicates are separate entries (Linux counts references
   * that way). `owner`, the pfnmap tracking context, is for stores that keep
   * reservations with their VMAs; this one ignores it.
   */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    if (this.count === this.start.length) this.grow();
    const i = this.startAbove(start); // after every equal start: insertion order
    const n = this.count;
    this.start.copyWithin(i + 1, i, n);
    this.end.copyWithin(i + 1, i, n);
    this.type.copyWithin(i + 1, i, n);
    this.start[i] = start;
    this.end[i] = end;
    this.type[i] = type;
    this.count = n + 1;
    this.fixMaxEnd(i);
  }

  /** `memtype_erase()`: removes the first entry exactly `[start, end)`; false when none. */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    const n = this.count;
    for (let i = this.startAbove(start, true); i < n && this.start[i] === start; i++) {
      if (this.end[i] !== end) continue;
      this.start.copyWithin(i, i + 1, n);
      this.end.copyWithin(i, i + 1, n);
      this.type.copyWithin(i, i + 1, n);
      this.count = n - 1;
      this.fixMaxEnd(i);
      return true;
    }
    return false;
  }

  /** Recomputes the running max end from index `i` on (after an insert or erase there). */
  private fixMaxEnd(i: number): void {
    let m = i > 0 ? this.maxEnd[i - 1]! : 0;
    for (let j = i; j < this.count; j++) this.maxEnd[j] = m = Math.max(m, this.end[j]!);
  }

  /** Doubles the arrays: the only allocation, and only on insert. */
  private grow(): void {
    const cap = this.start.length * 2;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.end = f64(this.end);
    this.maxEnd = f64(this.maxEnd);
    const t = new Uint8Array(cap);
    t.set(this.type);
    this.type = t;
  }

  /** Every entry as (start, end, type) triples (what `pat_memtype_list` prints). */
  list(out: number[]): void {
    for (let i = 0; i < this.count; i++) out.push(this.start[i]!, this.end[i]!, this.type[i]!);
  }

  /** What a kernel version would cost: a 32-byte slot (start, end, max end, type) per allocated slot. */
  modeledBytes(): number {
    return 32 * this.start.length;
  }

  /** Test mode (`verify`, the tests): called after every mutation; throws naming the broken rule. */
  checkInvariants(): void {
    let m = 0;
    for (let i = 0; i < this.count; i++) {
      const at = `sorted-array: entry ${i} [${this.start[i]},${this.end[i]})`;
      if (!(this.end[i]! > this.start[i]!)) throw new Error(`${at} is empty`);
      if (i > 0 && this.start[i]! < this.start[i - 1]!) throw new Error(`${at} is out of start order`);
      if (this.type[i]! > 5) throw new Error(`${at} has type ${this.type[i]}`);
      m = Math.max(m, this.end[i]!);
      if (this.maxEnd[i] !== m) throw new Error(`${at}: running max end ${this.maxEnd[i]}, expected ${m}`);
    }
  }
}

/** The module's parts: one store, composed by name with the built-in RAM and insert policies. */
export default {
  stores: {
    'sorted-array': {
      make: () => new SortedArrayStore(),
      history: 'tutorial: sorted typed arrays + running max end, binary search; O(log n) lookup, O(n) insert/erase',
    },
  },
} satisfies TrackerModule;
