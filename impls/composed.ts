/**
 * A tracker composed of a range store, a RAM policy and an insert policy;
 * its name is `store+ram+insert`. The conflict rule of
 * `memtype_check_conflict()` (arch/x86/mm/pat/memtype_interval.c) lives here,
 * once, on top of the store's ordered overlap scan.
 */
import { EBUSY, EINVAL } from '../core/errno.js';
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { InsertPolicy, RamPolicy, RangeStore } from './parts.js';

export class ComposedTracker implements MemtypeTracker {
  readonly name: string;
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;

  constructor(
    readonly store: RangeStore,
    readonly ram: RamPolicy,
    readonly insert: InsertPolicy,
  ) {
    this.name = `${store.name}+${ram.name}+${insert.name}`;
  }

  attach(view: MachineView): void {
    this.store.attach(view);
    this.ram.attach(view, this.store);
  }

  pagerangeIsRam(start: number, end: number): number {
    return this.ram.pagerangeIsRam(start, end);
  }

  reserveRamPagesType(start: number, end: number, req: number): number {
    const ret = this.ram.reserve(start, end, req);
    this.newType = this.ram.newType;
    return ret;
  }

  freeRamPagesType(start: number, end: number): number {
    return this.ram.free(start, end);
  }

  getPageMemtype(pfn: number): number {
    return this.ram.getPageMemtype(pfn);
  }

  /**
   * `memtype_check_conflict()` + insert: the first (lowest-start) overlapping
   * entry's type wins when `wantNew`; every other overlapping entry must
   * carry that same type.
   */
  memtypeCheckInsert(start: number, end: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    const store = this.store;
    store.scan(start, end);
    let found = type;
    if (store.first >= 0) {
      if (store.first !== type && !wantNew) {
        this.conflictFound = type;
        this.conflictOther = store.first;
        return -EBUSY;
      }
      found = store.first;
      if (store.other >= 0) {
        this.conflictFound = found;
        this.conflictOther = store.other;
        return -EBUSY;
      }
    }
    store.insert(start, end, found, owner);
    this.newType = found;
    return 0;
  }

  memtypeErase(start: number, end: number, owner: PfnmapTrackCtx | null): number {
    return this.store.erase(start, end, owner) ? 0 : -EINVAL;
  }

  memtypeLookup(pfn: number): number {
    return this.store.lookup(pfn);
  }

  memtypeList(out: number[]): void {
    this.store.list(out);
  }

  insertCachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return this.insert.cachemode(vma, pfn, lookup);
  }

  modeledBytes(): number {
    return this.store.modeledBytes() + this.ram.modeledBytes();
  }
}
