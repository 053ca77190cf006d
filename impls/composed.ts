/**
 * A tracker composed of a range store, a RAM policy and an insert policy;
 * its name is `store+ram+insert`. The conflict rule of
 * `memtype_check_conflict()` (arch/x86/mm/pat/memtype_interval.c) lives here,
 * once, on top of the store's ordered overlap scan.
 *
 * Each method forwards to one part, so a composition's cost is its parts'
 * plus one call. The harness measures one tracker per isolate (bench/), so
 * these call sites see one class of each part and V8 inlines them; no
 * per-composition code copies are needed.
 */
import { EBUSY, EINVAL } from '../core/errno.js';
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { InsertPolicy, RamPolicy, RangeStore } from './parts.js';

/** Options of a composed tracker. */
export interface ComposeOptions {
  /**
   * Test mode: after every mutation (insert, erase, RAM reserve/free) call
   * the store's and the RAM policy's `checkInvariants()`, as Linux's
   * lib/rbtree_test.c checks after every step. O(n) per mutation.
   */
  checkInvariants?: boolean;
}

/**
 * The composition of three parts as a `MemtypeTracker`. Each method forwards
 * to one part (plus the conflict rule in `memtypeCheckInsert`), so its cost
 * is the part's plus one call.
 */
export class ComposedTracker implements MemtypeTracker {
  /** `store+ram+insert`. */
  readonly name: string;
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;
  /** Test mode: check invariants after every mutation. */
  readonly checking: boolean;

  /**
   * @param store where non-RAM reservations live
   * @param ram how RAM pages' types are kept and RAM-ness decided
   * @param insert what `vmf_insert_pfn()` does
   * @param opts `checkInvariants` for test mode
   */
  constructor(
    readonly store: RangeStore,
    readonly ram: RamPolicy,
    readonly insert: InsertPolicy,
    opts: ComposeOptions = {},
  ) {
    this.name = `${store.name}+${ram.name}+${insert.name}`;
    this.checking = opts.checkInvariants === true;
  }

  /** `pat_pagerange_is_ram()` (pfns; 1 / 0 / -1) by the RAM policy. */
  pagerangeIsRam(start: number, end: number): number {
    return this.ram.pagerangeIsRam(start, end);
  }

  /** `reserve_ram_pages_type()` by the RAM policy: 0 or -EBUSY; newType = granted or busy type. */
  reserveRamPagesType(start: number, end: number, req: number): number {
    const ram = this.ram;
    const ret = ram.reserve(start, end, req);
    this.newType = ram.newType;
    if (this.checking) this.checkParts();
    return ret;
  }

  /** `free_ram_pages_type()` by the RAM policy: 0. */
  freeRamPagesType(start: number, end: number): number {
    const ret = this.ram.free(start, end);
    if (this.checking) this.checkParts();
    return ret;
  }

  /** `get_page_memtype()` of RAM page `pfn` by the RAM policy. */
  getPageMemtype(pfn: number): number {
    return this.ram.getPageMemtype(pfn);
  }

  /**
   * `memtype_check_conflict()` + insert of `[start, end)` (pfns) with cache
   * mode `type`: the first (lowest-start) overlapping entry's type wins when
   * `wantNew`, else a differing first type fails; every other overlapping
   * entry must carry the winning type. Returns 0 (newType = the type
   * stored) or -EBUSY (conflictFound/Other set, for the kernel message).
   */
  memtypeCheckInsert(start: number, end: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    const store = this.store;
    store.scan(start, end);
    const first = store.first;
    let found = type;
    if (first >= 0) {
      if (first !== type && !wantNew) {
        this.conflictFound = type;
        this.conflictOther = first;
        return -EBUSY;
      }
      found = first;
      if (store.other >= 0) {
        this.conflictFound = found;
        this.conflictOther = store.other;
        return -EBUSY;
      }
    }
    store.insert(start, end, found, owner);
    this.newType = found;
    if (this.checking) this.checkParts();
    return 0;
  }

  /** `memtype_erase()` of exactly `[start, end)`: 0 or -EINVAL. */
  memtypeErase(start: number, end: number, owner: PfnmapTrackCtx | null): number {
    const ok = this.store.erase(start, end, owner);
    if (this.checking) this.checkParts();
    return ok ? 0 : -EINVAL;
  }

  /** `memtype_lookup()`: type of the lowest-starting entry covering `pfn`, or -1. */
  memtypeLookup(pfn: number): number {
    return this.store.lookup(pfn);
  }

  /** `pfnmap_setup_cachemode_pfn()` by the insert policy: returns `lookup(pfn)`. */
  insertCachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return this.insert.cachemode(vma, pfn, lookup);
  }

  /** Attaches the store, then the RAM policy (which may attach a store of its own). */
  attach(view: MachineView): void {
    this.store.attach(view);
    this.ram.attach(view, this.store);
  }

  /** Every reservation as (start, end, type) pfn triples. */
  memtypeList(out: number[]): void {
    this.store.list(out);
  }

  /** Store bytes + RAM policy bytes (modeled kernel struct sizes). */
  modeledBytes(): number {
    return this.store.modeledBytes() + this.ram.modeledBytes();
  }

  /** Test mode: both parts' invariants (throws on the first broken rule). */
  checkParts(): void {
    this.store.checkInvariants();
    this.ram.checkInvariants();
  }
}
