/**
 * arch/x86/mm/pat/memtype.c: the semantics around the tracker —
 * `memtype_reserve()`, `memtype_free()`, `lookup_memtype()`,
 * `reserve_pfn_range()`, `free_pfn_range()`, `pfnmap_setup_cachemode()`,
 * `memtype_kernel_map_sync()` — as of the v6.16 series. The tracker is
 * called exactly where memtype.c calls its data structures. Ranges are
 * half-open ranges in pfn units; `reserve` and `free` take byte ranges as
 * fractional pfns (bytes / 4096), as `memtype_reserve()`/`memtype_free()`
 * take any byte range. Messages go to the machine's log with byte
 * addresses, as the kernel prints them.
 */
import { UC, UC_MINUS, WB, WC, WP, WT, isNewMemtypeAllowed } from './cachemode.js';
import type { Bugs } from './bugs.js';
import { EINVAL } from './errno.js';
import type { Hardware } from './hardware.js';
import { Kmsg } from './kmsg.js';
import { MTRR_TYPE_WRBACK } from './mtrr.js';
import { ISA_END_PFN, ISA_START_ADDRESS, PAGE_SIZE, type PhysMap } from './physmap.js';
import type { MemtypeTracker } from './tracker.js';
import type { TrackCtx } from './vma.js';

/** `ISA_START_ADDRESS` in pages. */
const ISA_START_PFN = ISA_START_ADDRESS / PAGE_SIZE;

/** Where kernel messages go. */
export interface KernelLog {
  msg(kind: number, a: number, b: number, c: number, d: number): void;
}

export class Memtype {
  /** Out: what `memtype_reserve()` writes through `new` (-1 when nothing). */
  // Stryker disable next-line UnaryOperator: equivalent — reserve() sets newType before anything reads it
  newType = -1;
  /** Out: the cache mode `reserve_pfn_range()` leaves in the prot. */
  // Stryker disable next-line UnaryOperator: equivalent — reservePfnRange() and remap_pfn_range's partial path set pcm before anything reads it
  pcm = -1;
  private readonly physmap: PhysMap;

  constructor(
    private readonly hw: Hardware,
    private readonly tracker: MemtypeTracker,
    private readonly log: KernelLog,
    /** Kernel direct-map cache types that differ from WB, per RAM pfn. */
    readonly directMap: Map<number, number>,
    private readonly bugs: Bugs,
  ) {
    this.physmap = hw.physmap;
  }

  /** `x86_platform.is_untracked_pat_range()` = `is_ISA_range()`: `[start, end)` (pfn units, fractional allowed) inside `[0xA0000, 0x100000)`. */
  isUntracked(start: number, end: number): boolean {
    return start >= ISA_START_PFN && end <= ISA_END_PFN;
  }

  /**
   * `pat_x_mtrr_type()` (v6.16): a WB request over anything but WB MTRRs is
   * tracked as UC-. Since 6.5 `mtrr_type_lookup()` answers
   * `MTRR_TYPE_UNCACHABLE` when MTRRs are unset or disabled (the INVALID
   * exemption added by 90b926e68f50 was reverted for Xen), so with MTRRs
   * disabled a WB request on non-RAM becomes UC-.
   */
  private patXMtrrType(start: number, end: number, req: number): number {
    if (req === WB && this.hw.mtrr.lookup(start * PAGE_SIZE, end * PAGE_SIZE) !== MTRR_TYPE_WRBACK) return UC_MINUS;
    return req;
  }

  /**
   * `memtype_reserve(start, end, req, new)` of the byte range
   * `[start * 4096, end * 4096)` (`start`, `end` in pfn units, fractional for
   * unaligned bytes; no alignment is required). Returns 0 or -errno;
   * `newType` = what Linux writes through `new` (-1 when `wantNew` is false
   * or nothing is written). `owner` is the pfnmap tracking context, null for
   * kernel reservations. `pat_pagerange_is_ram()` classifies the pages
   * `[⌊start⌋, ⌈end⌉)`; the RAM path types the pages `[⌊start⌋, ⌊end⌋)`;
   * the tree compares the byte interval.
   */
  reserve(start: number, end: number, req: number, wantNew: boolean, owner: TrackCtx | null): number {
    this.newType = -1;
    if (start >= end) {
      this.log.msg(Kmsg.ReserveInvalidRange, start * PAGE_SIZE, end * PAGE_SIZE, req, 0);
      return -EINVAL;
    }
    if (!this.hw.patEnabled) {
      // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
      if (wantNew) this.newType = req;
      return 0;
    }
    if (this.isUntracked(start, end)) {
      // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
      if (wantNew) this.newType = WB;
      return 0;
    }
    const actual = this.patXMtrrType(start, end, req);
    // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
    if (wantNew) this.newType = actual;
    const tracker = this.tracker;
    const isRam = tracker.pagerangeIsRam(Math.floor(start), Math.ceil(end));
    if (isRam === 1) return this.reserveRamPagesType(start, end, req, wantNew);
    if (isRam < 0) return -EINVAL;
    const ret = tracker.memtypeCheckInsert(start, end, actual, wantNew, owner);
    if (ret !== 0) {
      this.log.msg(Kmsg.Conflict, start * PAGE_SIZE, end * PAGE_SIZE, tracker.conflictFound, tracker.conflictOther);
      this.log.msg(Kmsg.ReserveFailed, start * PAGE_SIZE, end * PAGE_SIZE, actual, req);
      return ret;
    }
    // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
    if (wantNew) this.newType = tracker.newType;
    if (owner !== null) owner.type = tracker.newType;
    return 0;
  }

  /**
   * `reserve_ram_pages_type()`: WP refused, UC demoted to UC-, every page
   * `start >> PAGE_SHIFT` … `(end >> PAGE_SHIFT) - 1` must be WB — none when
   * the byte range ends inside its first page.
   */
  private reserveRamPagesType(start: number, end: number, req: number, wantNew: boolean): number {
    if (req === WP) {
      // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
      if (wantNew) this.newType = UC_MINUS;
      return -EINVAL;
    }
    if (req === UC) req = UC_MINUS;
    const first = Math.floor(start);
    const last = Math.floor(end);
    // Stryker disable next-line ConditionalExpression: equivalent — with last === first the tracker gets the empty range [first, first), which types nothing and succeeds
    // Stryker disable next-line EqualityOperator: equivalent — the same empty range when last === first
    const ret = last > first ? this.tracker.reserveRamPagesType(first, last, req) : 0;
    if (ret !== 0) {
      const busy = this.tracker.newType;
      this.log.msg(Kmsg.RamReserveFailed, start * PAGE_SIZE, end * PAGE_SIZE, busy, req);
      // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
      if (wantNew) this.newType = busy;
      return ret;
    }
    // Stryker disable next-line ConditionalExpression: equivalent — newType is read only by callers that asked for it (ioremap, reserve_pfn_range, the memtype_reserve op with new)
    if (wantNew) this.newType = req;
    return 0;
  }

  /**
   * `memtype_free(start, end)` of the byte range `[start * 4096, end * 4096)`
   * (pfn units, fractional for unaligned bytes): exact match only (v6.16);
   * RAM pages `[⌊start⌋, ⌊end⌋)` back to WB (`free_ram_pages_type()`). With
   * `endMatch` (≤ 6.15, bug `split-untrack`), a failed exact match may
   * shrink an entry that ends at `end` and starts below `start`
   * (`MEMTYPE_END_MATCH`).
   */
  free(start: number, end: number, owner: TrackCtx | null, endMatch = false): number {
    if (!this.hw.patEnabled) return 0;
    if (this.isUntracked(start, end)) return 0;
    const tracker = this.tracker;
    const isRam = tracker.pagerangeIsRam(Math.floor(start), Math.ceil(end));
    // Stryker disable next-line ConditionalExpression: equivalent — with ⌊end⌋ === ⌊start⌋ the tracker gets the empty range, which frees nothing and succeeds
    // Stryker disable next-line EqualityOperator: equivalent — the same empty range when ⌊end⌋ === ⌊start⌋
    if (isRam === 1) return Math.floor(end) > Math.floor(start) ? tracker.freeRamPagesType(Math.floor(start), Math.floor(end)) : 0;
    if (isRam < 0) return -EINVAL;
    if (tracker.memtypeErase(start, end, owner) !== 0 && !(endMatch && this.shrinkEndMatch(start, end))) {
      this.log.msg(Kmsg.FreeInvalid, start * PAGE_SIZE, end * PAGE_SIZE, 0, 0);
      return -EINVAL;
    }
    return 0;
  }

  /** ≤ 6.15 `memtype_erase()` END_MATCH: an entry `[s, end)` with `s < start` shrinks to `[s, start)`. */
  private shrinkEndMatch(start: number, end: number): boolean {
    const all: number[] = [];
    this.tracker.memtypeList(all);
    // Stryker disable next-line EqualityOperator: equivalent — one step past the list reads undefined, which matches no entry
    for (let i = 0; i < all.length; i += 3) {
      const s = all[i]!;
      // Stryker disable next-line EqualityOperator: equivalent (s <= start) — an entry [start, end) would have matched exactly before END_MATCH is tried
      if (s < start && all[i + 1] === end) {
        const type = all[i + 2]!;
        this.tracker.memtypeErase(s, end, null);
        // Stryker disable next-line BooleanLiteral: equivalent — the entries overlapping [s, start) coexisted with [s, end) and so have its type (memtype_check_conflict): no conflict, `new` never consulted
        this.tracker.memtypeCheckInsert(s, start, type, true, null);
        return true;
      }
    }
    return false;
  }

  /** `lookup_memtype()` of page `pfn`: WB in the ISA window, the page's type for RAM, the tree's, else UC-. */
  lookup(pfn: number): number {
    if (this.isUntracked(pfn, pfn + 1)) return WB;
    const tracker = this.tracker;
    if (tracker.pagerangeIsRam(pfn, pfn + 1) !== 0) return tracker.getPageMemtype(pfn);
    const t = tracker.memtypeLookup(pfn);
    return t < 0 ? UC_MINUS : t;
  }

  /** `is_new_memtype_allowed()` with its exemption of untracked ranges. */
  newMemtypeAllowed(start: number, end: number, req: number, got: number): boolean {
    return this.isUntracked(start, end) || isNewMemtypeAllowed(req, got);
  }

  /**
   * `memtype_kernel_map_sync()`: when the range starts in RAM
   * (`page_is_ram()`), retype its direct map with `ioremap_change_attr()`:
   * `_set_memory_wb/wc/wt()` for WB, WC, WT, `_set_memory_uc()` (UC-) for
   * UC, UC- and anything else.
   */
  kernelMapSync(start: number, end: number, pcm: number): void {
    if (!this.physmap.pageIsRam(start)) return;
    const t = pcm === WB || pcm === WC || pcm === WT ? pcm : UC_MINUS;
    for (let p = start; p < end; p++) {
      if (!this.physmap.pageIsRam(p)) continue;
      if (t === WB) this.directMap.delete(p);
      else this.directMap.set(p, t);
    }
  }

  /**
   * `reserve_pfn_range()`. On success `pcm` holds the cache mode to map
   * with. RAM (or mixed) ranges are not reserved: they map with the first
   * page's type. `strict` (≤ 6.15 fork) refuses any substitute type.
   */
  reservePfnRange(start: number, end: number, want: number, owner: TrackCtx | null, strict = false): number {
    this.pcm = want;
    if (this.tracker.pagerangeIsRam(start, end) !== 0) {
      if (!this.hw.patEnabled || this.bugs.pfnmapNoRam) return 0;
      const pcm = this.lookup(start);
      if (pcm !== want) this.log.msg(Kmsg.MapPfnRam, start * PAGE_SIZE, end * PAGE_SIZE, want, pcm);
      this.pcm = pcm;
      return 0;
    }
    const ret = this.reserve(start, end, want, true, owner);
    if (ret !== 0) return ret;
    const got = this.newType;
    if (got !== want && (strict || !this.newMemtypeAllowed(start, end, want, got))) {
      this.free(start, end, owner);
      this.log.msg(Kmsg.MapPfnExpected, start * PAGE_SIZE, end * PAGE_SIZE, want, got);
      // Stryker disable next-line UnaryOperator: equivalent — every caller (remap_pfn_range, the linear-pgoff insert, track_pfn_copy) only tests for non-zero
      return -EINVAL;
    }
    this.kernelMapSync(start, end, got);
    this.pcm = got;
    return 0;
  }

  /** `free_pfn_range()` (`pfnmap_untrack()`): free only non-RAM ranges. */
  freePfnRange(start: number, end: number, owner: TrackCtx | null, endMatch = false): void {
    if (this.tracker.pagerangeIsRam(start, end) === 0) this.free(start, end, owner, endMatch);
  }

  /**
   * `pfnmap_setup_cachemode(pfn, size, prot)`: every page must have the same
   * memtype; returns it, or -1 when they differ. PAT off → `want`.
   */
  setupCachemode(start: number, end: number, want: number): number {
    if (!this.hw.patEnabled) return want;
    const pcm = this.lookup(start);
    for (let p = start + 1; p < end; p++) if (this.lookup(p) !== pcm) return -1;
    return pcm;
  }
}
