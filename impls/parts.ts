/**
 * The parts a tracker is composed of: range store × RAM policy × insert
 * policy. Ranges are half-open ranges `[start, end)` in pfn units; pfns may
 * exceed 2^31 (64-bit BARs sit near pfn 2^35). A range store's ranges may
 * start or end inside a page: `memtype_reserve()`/`memtype_free()` take byte
 * ranges, and an unaligned byte address `a` is the fractional pfn `a / 4096`
 * (exact in a double below 2^52), so comparing ranges as numbers compares
 * byte intervals exactly; page-aligned ranges stay integers. Typed arrays
 * holding coordinates must be Float64. RAM policies get integer pfns only.
 */
import type { MachineView, PfnmapTrackCtx, VmaView } from '../core/tracker.js';

/**
 * Where non-RAM reservations live (Linux: the memtype interval tree of
 * arch/x86/mm/pat/memtype_interval.c). Entries may overlap and repeat
 * (duplicates instead of reference counts); overlapping entries always share
 * one type — the caller (the conflict rule of `memtype_check_conflict()`)
 * guarantees it, and a store may rely on it.
 *
 * Order: entries are ordered by start, equal starts in insertion order; "the
 * lowest-starting entry" below means the first in that order.
 *
 * Pages: `lookup(pfn)` answers for the whole page `[pfn, pfn + 1)` (`pfn` an
 * integer). Entries overlapping one page need not overlap each other (byte
 * ranges `[pfn, pfn + 0.5)` and `[pfn + 0.5, pfn + 1)` may differ in type), so
 * a lookup must find the lowest-starting one, not any.
 */
export interface RangeStore {
  /** Part name, e.g. `interval-tree`. */
  readonly name: string;
  /** Out of `scan` and `overlap`: type of the lowest-starting entry overlapping the range, or -1. */
  first: number;
  /** Out of `scan`: type of the lowest-starting overlapping entry whose type differs from `first`, or -1. */
  other: number;
  /** Out of `overlap` when it returns true: start of the lowest-starting overlapping entry (pfn). */
  hitStart: number;
  /** Out of `overlap` when it returns true: end (exclusive) of that entry (pfn). */
  hitEnd: number;
  /** Called once before use. */
  attach(view: MachineView): void;
  /** Overlap scan of `[start, end)` in start order (`interval_iter_first/next`); sets `first` and `other`. Allocates nothing. */
  scan(start: number, end: number): void;
  /**
   * The lowest-starting entry overlapping `[start, end)`: returns false when
   * there is none, else true with its range in `hitStart`/`hitEnd` and its
   * type in `first` (`interval_iter_first`). Allocates nothing.
   */
  overlap(start: number, end: number): boolean;
  /** Inserts one entry (duplicates allowed). `owner` is the pfnmap tracking context or null. */
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void;
  /** Removes one entry with exactly this start and end (the first in order); false when there is none. */
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean;
  /** Type of the lowest-starting entry overlapping the page `[pfn, pfn + 1)`, or -1 (`memtype_lookup`). Allocates nothing. */
  lookup(pfn: number): number;
  /**
   * Appends every entry as (start, end, type) triples in order: by start,
   * equal starts in insertion order — the interval tree's in-order walk that
   * `pat_memtype_list` prints (`memtype_copy_nth_element()`).
   */
  list(out: number[]): void;
  /** Number of entries stored. */
  readonly size: number;
  /** Modeled kernel bytes (struct sizes from the reference). */
  modeledBytes(): number;
  /** Throws an Error naming the broken rule if a structural invariant is broken (test mode; O(n)). */
  checkInvariants(): void;
}

/** How RAM pages' types are kept and how RAM-ness is decided. */
export interface RamPolicy {
  readonly name: string;
  /** The tracker's out slot for the type a reservation granted or found busy. */
  newType: number;
  /** The policy's own private range store, if it keeps one (`tree`). */
  readonly store?: RangeStore;
  /** Called once before use; `store` is the composition's (non-RAM) range store. */
  attach(view: MachineView, store: RangeStore): void;
  /** `pat_pagerange_is_ram()`: 1, 0 or -1 (see MemtypeTracker). */
  pagerangeIsRam(start: number, end: number): number;
  /** `reserve_ram_pages_type()`: 0 or -EBUSY; sets newType. */
  reserve(start: number, end: number, req: number): number;
  /** `free_ram_pages_type()`: 0. */
  free(start: number, end: number): number;
  /** `get_page_memtype()`. */
  getPageMemtype(pfn: number): number;
  /** Modeled kernel bytes of the policy's own state. */
  modeledBytes(): number;
  /** Throws if the policy's own structure is inconsistent (test mode); a no-op for page bits. */
  checkInvariants(): void;
}

/** What `vmf_insert_pfn*()` does to find the cache mode of one page. */
export interface InsertPolicy {
  readonly name: string;
  /**
   * The cache mode to install for `pfn` in `vma`: must equal `lookup(pfn)`;
   * a policy may do more (side-effect-free) work first.
   */
  cachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number;
}
