/**
 * The memtype tracker contract: the calls the machine makes where Linux's
 * arch/x86/mm/pat/memtype.c calls into its data structures, plus the narrow,
 * read-only views of the machine a tracker may use.
 *
 * All ranges are half-open ranges `[startPfn, endPfn)` in pfn units. Those
 * of `memtypeCheckInsert` and `memtypeErase` come from `memtype_reserve()`/
 * `memtype_free()`, which take byte ranges: an unaligned end is a fractional
 * pfn (bytes / 4096, exact below 2^52), and entries are compared as byte
 * intervals. RAM calls (`pagerangeIsRam`, `*RamPagesType`, `getPageMemtype`)
 * and `memtypeLookup` get integer pfns. The machine owns
 * the semantics around these calls (PAT disabled, the ISA window, the MTRR
 * hint, messages, `is_new_memtype_allowed`); a tracker owns only how it
 * remembers and finds reservations. Every tracker must give the oracle's
 * answers for every call sequence.
 */
import type { PhysMap } from './physmap.js';
import type { PageFlags } from './pageflags.js';

/**
 * `struct pfnmap_track_ctx` (v6.16 series, mm/memory.c): one whole-VMA
 * reservation, shared by reference count between the VMA pieces that split
 * and fork make; untracked when the last piece goes.
 */
export interface PfnmapTrackCtx {
  /** `kref`: number of VMAs holding this context. */
  refs: number;
  /** First pfn of the tracked range. */
  readonly pfn: number;
  /** Size of the tracked range in pages. */
  readonly npages: number;
  /** Cache mode reserved in the memtype tree, or -1 when nothing was reserved (RAM or mixed range). */
  readonly type: number;
}

/** What a tracker may read of one VMA. Byte addresses; `vm_pgoff` in pages. */
export interface VmaView {
  readonly vm_start: number;
  readonly vm_end: number;
  readonly vm_pgoff: number;
  readonly vm_flags: number;
  /** Cache mode of `vm_page_prot`. */
  readonly cache: number;
  readonly ctx: PfnmapTrackCtx | null;
  /** Next VMA on the I/O address-space list (`MachineView.ioVmas`), or the list head. */
  readonly ioNext: VmaView;
}

/** Read-only views of the machine given to a tracker when it is attached. */
export interface MachineView {
  /** The physical map: RAM classification, `pfn_valid()` sections. */
  readonly physmap: PhysMap;
  /** The per-page flags store (`struct page`); RAM policies keep their 2 bits here. */
  readonly pageFlags: PageFlags;
  /**
   * Head of the circular list of VMAs that hold a pfnmap tracking context
   * (the I/O address space's VMA list); iterate `h.ioNext` until back at `h`.
   * The head itself is not a VMA.
   */
  readonly ioVmas: VmaView;
  /** Number of VMAs in every process (for per-VMA cost models). */
  readonly vmaCount: number;
}

/** The tracker contract. One instance serves one machine. */
export interface MemtypeTracker {
  /** Composition name, e.g. `interval-tree+page-bit+single-page`. */
  readonly name: string;

  /** Out: the type granted by the last successful `memtypeCheckInsert` or `reserveRamPagesType`, or the page type that failed it. */
  newType: number;
  /** Out, after `memtypeCheckInsert` returned -EBUSY: the two conflicting types for the kernel message (`found<->other`). */
  conflictFound: number;
  conflictOther: number;

  /** Called once by the machine before any other call. */
  attach(view: MachineView): void;

  /**
   * `pat_pagerange_is_ram()`: 1 when the range is RAM, 0 when it holds no
   * RAM, -1 when mixed — with Linux's rules: pages below 1 MiB count as
   * non-RAM, and a trailing non-RAM tail after RAM is not detected.
   */
  pagerangeIsRam(startPfn: number, endPfn: number): number;

  /** `reserve_ram_pages_type()`: 0, or -EBUSY (newType = the busy page's type). `req` is already UC→UC- demoted and not WP. */
  reserveRamPagesType(startPfn: number, endPfn: number, req: number): number;
  /** `free_ram_pages_type()`: every page back to WB. Returns 0. */
  freeRamPagesType(startPfn: number, endPfn: number): number;
  /** `get_page_memtype()`: the type recorded for one RAM page. */
  getPageMemtype(pfn: number): number;

  /**
   * `memtype_check_insert()` of memtype_interval.c: conflict check then insert.
   * `wantNew` false models a NULL result pointer (no inheritance). `owner`
   * is the tracking context for pfnmap reservations, null for kernel ones.
   * Returns 0 (newType = the type stored) or -EBUSY (conflictFound/Other set).
   */
  memtypeCheckInsert(startPfn: number, endPfn: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number;
  /** `memtype_erase()` exact match. Returns 0 or -EINVAL when no entry matches. */
  memtypeErase(startPfn: number, endPfn: number, owner: PfnmapTrackCtx | null): number;
  /** `memtype_lookup()`: type of the lowest-starting entry overlapping the page `[pfn, pfn + 1)` (integer `pfn`), or -1. */
  memtypeLookup(pfn: number): number;
  /**
   * Appends every reservation as (startPfn, endPfn, type) triples in the
   * interval tree's in-order walk, as `pat_memtype_list` lists them
   * (`memtype_copy_nth_element()`): by start, equal starts in insertion order
   * (an equal key goes right on insert), not by end.
   */
  memtypeList(out: number[]): void;

  /**
   * `pfnmap_setup_cachemode_pfn()` as called by `vmf_insert_pfn*()`: the
   * cache mode to install for `pfn` in `vma`. `lookup` is the machine's
   * `lookup_memtype()`; an insert policy may do more work but must return
   * `lookup(pfn)`.
   */
  insertCachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number;

  /** Modeled kernel bytes of the tracker's own state (struct sizes from the reference). */
  modeledBytes(): number;
}
