/**
 * A tracker composed of a range store, a RAM policy and an insert policy;
 * its name is `store+ram+insert`. The conflict rule of
 * `memtype_check_conflict()` (arch/x86/mm/pat/memtype_interval.c) lives here,
 * once, on top of the store's ordered overlap scan.
 *
 * The hot methods are written once, in `COMPOSED_METHODS` below, and
 * compiled per composition (impls/specialize.ts) so that each composition's
 * calls into its parts stay monomorphic even when every composition runs in
 * one process; all instances still share one hidden class.
 */
import { EBUSY, EINVAL } from '../core/errno.js';
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { InsertPolicy, RamPolicy, RangeStore } from './parts.js';
import { classKey, specialize } from './specialize.js';

/** Options of a composed tracker. */
export interface ComposeOptions {
  /**
   * Test mode: after every mutation (insert, erase, RAM reserve/free) call
   * the store's and the RAM policy's `checkInvariants()`, as Linux's
   * lib/rbtree_test.c checks after every step. O(n) per mutation.
   */
  checkInvariants?: boolean;
  /**
   * false: use one copy of the hot methods shared by every composition (the
   * megamorphic baseline, for bench/micro/dispatch.ts). Default true: a copy
   * per composition (per part classes).
   */
  monomorphic?: boolean;
}

/**
 * The hot methods, as source (`this` is a ComposedTracker). Semantics:
 *  - `memtypeCheckInsert`: `memtype_check_conflict()` + insert — the first
 *    (lowest-start) overlapping entry's type wins when `wantNew`, else a
 *    differing first type fails; every other overlapping entry must carry
 *    the winning type; -EBUSY with conflictFound/Other set, or 0 with newType;
 *  - `memtypeErase`: exact match, 0 or -EINVAL;
 *  - the rest forward to one part. In test mode (`checking`) every mutation
 *    is followed by both parts' `checkInvariants()`.
 */
const COMPOSED_METHODS = `{
  pagerangeIsRam(start, end) {
    return this.ram.pagerangeIsRam(start, end);
  },
  reserveRamPagesType(start, end, req) {
    const ram = this.ram;
    const ret = ram.reserve(start, end, req);
    this.newType = ram.newType;
    if (this.checking) this.checkParts();
    return ret;
  },
  freeRamPagesType(start, end) {
    const ret = this.ram.free(start, end);
    if (this.checking) this.checkParts();
    return ret;
  },
  getPageMemtype(pfn) {
    return this.ram.getPageMemtype(pfn);
  },
  memtypeCheckInsert(start, end, type, wantNew, owner) {
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
  },
  memtypeErase(start, end, owner) {
    const ok = this.store.erase(start, end, owner);
    if (this.checking) this.checkParts();
    return ok ? 0 : -EINVAL;
  },
  memtypeLookup(pfn) {
    return this.store.lookup(pfn);
  },
  insertCachemode(vma, pfn, lookup) {
    return this.insert.cachemode(vma, pfn, lookup);
  },
}`;

/** The compiled shape of `COMPOSED_METHODS`. */
interface ComposedMethods {
  pagerangeIsRam(this: ComposedTracker, start: number, end: number): number;
  reserveRamPagesType(this: ComposedTracker, start: number, end: number, req: number): number;
  freeRamPagesType(this: ComposedTracker, start: number, end: number): number;
  getPageMemtype(this: ComposedTracker, pfn: number): number;
  memtypeCheckInsert(this: ComposedTracker, start: number, end: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number;
  memtypeErase(this: ComposedTracker, start: number, end: number, owner: PfnmapTrackCtx | null): number;
  memtypeLookup(this: ComposedTracker, pfn: number): number;
  insertCachemode(this: ComposedTracker, vma: VmaView, pfn: number, lookup: (pfn: number) => number): number;
}

/** Key naming the concrete classes a composition's hot methods will see (a RAM policy's private store included). */
function compositionKey(store: RangeStore, ram: RamPolicy, insert: InsertPolicy): string {
  const inner = ram.store !== undefined ? `(${classKey(ram.store)})` : '';
  return `${classKey(store)}+${classKey(ram)}${inner}+${classKey(insert)}`;
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

  /** `pat_pagerange_is_ram()` (pfns; 1 / 0 / -1) by the RAM policy. */
  declare readonly pagerangeIsRam: (start: number, end: number) => number;
  /** `reserve_ram_pages_type()` by the RAM policy: 0 or -EBUSY; newType = granted or busy type. */
  declare readonly reserveRamPagesType: (start: number, end: number, req: number) => number;
  /** `free_ram_pages_type()` by the RAM policy: 0. */
  declare readonly freeRamPagesType: (start: number, end: number) => number;
  /** `get_page_memtype()` of RAM page `pfn` by the RAM policy. */
  declare readonly getPageMemtype: (pfn: number) => number;
  /**
   * `memtype_check_conflict()` + insert of `[start, end)` (pfns) with cache
   * mode `type`: 0 (newType = the type stored, inherited from the first
   * overlap when `wantNew`) or -EBUSY (conflictFound/Other set).
   */
  declare readonly memtypeCheckInsert: (start: number, end: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null) => number;
  /** `memtype_erase()` of exactly `[start, end)`: 0 or -EINVAL. */
  declare readonly memtypeErase: (start: number, end: number, owner: PfnmapTrackCtx | null) => number;
  /** `memtype_lookup()`: type of the lowest-starting entry covering `pfn`, or -1. */
  declare readonly memtypeLookup: (pfn: number) => number;
  /** `pfnmap_setup_cachemode_pfn()` by the insert policy: returns `lookup(pfn)`. */
  declare readonly insertCachemode: (vma: VmaView, pfn: number, lookup: (pfn: number) => number) => number;

  /**
   * @param store where non-RAM reservations live
   * @param ram how RAM pages' types are kept and RAM-ness decided
   * @param insert what `vmf_insert_pfn()` does
   * @param opts `checkInvariants` for test mode; `monomorphic: false` for the shared-code baseline
   */
  constructor(
    readonly store: RangeStore,
    readonly ram: RamPolicy,
    readonly insert: InsertPolicy,
    opts: ComposeOptions = {},
  ) {
    this.name = `${store.name}+${ram.name}+${insert.name}`;
    this.checking = opts.checkInvariants === true;
    const key = opts.monomorphic === false ? 'every composition (shared)' : compositionKey(store, ram, insert);
    const m = specialize<ComposedMethods>(COMPOSED_METHODS, key, { EBUSY, EINVAL });
    // Always the same properties in the same order: one hidden class for all.
    this.pagerangeIsRam = m.pagerangeIsRam;
    this.reserveRamPagesType = m.reserveRamPagesType;
    this.freeRamPagesType = m.freeRamPagesType;
    this.getPageMemtype = m.getPageMemtype;
    this.memtypeCheckInsert = m.memtypeCheckInsert;
    this.memtypeErase = m.memtypeErase;
    this.memtypeLookup = m.memtypeLookup;
    this.insertCachemode = m.insertCachemode;
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
