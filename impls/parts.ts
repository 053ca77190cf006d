/**
 * The parts a tracker is composed of: range store × RAM policy × insert
 * policy. Ranges are half-open pfn ranges `[start, end)`.
 */
import type { MachineView, PfnmapTrackCtx, VmaView } from '../core/tracker.js';

/**
 * Where non-RAM reservations live (Linux: the memtype interval tree of
 * arch/x86/mm/pat/memtype_interval.c). Entries may overlap and repeat;
 * overlapping entries always share one type (the caller guarantees it).
 */
export interface RangeStore {
  /** Part name, e.g. `interval-tree`. */
  readonly name: string;
  /** Out of `scan`: type of the lowest-starting entry overlapping the range, or -1. */
  first: number;
  /** Out of `scan`: type of the lowest-starting overlapping entry whose type differs from `first`, or -1. */
  other: number;
  /** Called once before use. */
  attach(view: MachineView): void;
  /** Overlap scan of `[start, end)` in start order (`interval_iter_first/next`); sets `first` and `other`. */
  scan(start: number, end: number): void;
  /** Inserts one entry (duplicates allowed). `owner` is the pfnmap tracking context or null. */
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void;
  /** Removes one entry with exactly this start and end; false when there is none. */
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean;
  /** Type of the lowest-starting entry overlapping page `pfn`, or -1 (`memtype_lookup`). */
  lookup(pfn: number): number;
  /** Appends every entry as (start, end, type) triples, any order. */
  list(out: number[]): void;
  /** Number of entries stored. */
  readonly size: number;
  /** Modeled kernel bytes (struct sizes from the reference). */
  modeledBytes(): number;
  /** Throws if a structural invariant is broken (test mode). */
  checkInvariants(): void;
}

/** How RAM pages' types are kept and how RAM-ness is decided. */
export interface RamPolicy {
  readonly name: string;
  /** The tracker's out slot for the type a reservation granted or found busy. */
  newType: number;
  attach(view: MachineView, store: RangeStore): void;
  /** `pat_pagerange_is_ram()`: 1, 0 or -1 (see MemtypeTracker). */
  pagerangeIsRam(start: number, end: number): number;
  /** `reserve_ram_pages_type()`: 0 or -EBUSY; sets newType. */
  reserve(start: number, end: number, req: number): number;
  /** `free_ram_pages_type()`: 0. */
  free(start: number, end: number): number;
  /** `get_page_memtype()`. */
  getPageMemtype(pfn: number): number;
  modeledBytes(): number;
}

/** What `vmf_insert_pfn*()` does to find the cache mode of one page. */
export interface InsertPolicy {
  readonly name: string;
  cachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number;
}
