/**
 * RAM policy `tree`: RAM page types kept as ranges in a second instance of
 * the composition's range store, the way 2.6.25–2.6.31 kept everything in one
 * structure (there RAM had only the single `PageNonWB` bit) and the way a
 * design without page flags would have to. RAM-ness is Linux's walk of the
 * System RAM resources.
 *
 * Semantics are the page flags' (single owner, no reference counts):
 *  - the store holds disjoint, non-empty ranges of non-WB pages, each with
 *    its type; a page in no range is WB;
 *  - reserve fails with -EBUSY and newType = the type of the lowest busy page
 *    if any page of the range is non-WB (the lowest-starting overlapping
 *    range holds it); else the range is stored (nothing for a WB request);
 *  - free resets every page of the range to WB: ranges inside it are erased,
 *    ranges sticking out are trimmed, a range covering it is split in two.
 *
 * Invariant (checked by `checkInvariants`): the store's own invariant, and
 * its entries are pairwise disjoint with types other than WB.
 */
import { WB } from '../core/cachemode.js';
import { EBUSY } from '../core/errno.js';
import type { PhysMap } from '../core/physmap.js';
import type { MachineView, VmaView } from '../core/tracker.js';
import type { RamPolicy, RangeStore } from './parts.js';

/**
 * A machine view for the RAM store: the real physical map and page flags,
 * but no I/O VMAs and no VMAs to charge for (RAM reservations are kernel
 * ones; a `vma-walk` RAM store is then a plain list).
 */
function ramStoreView(view: MachineView): MachineView {
  const head = { vm_start: 0, vm_end: 0, vm_pgoff: 0, vm_flags: 0, cache: 0, ctx: null } as unknown as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { physmap: view.physmap, pageFlags: view.pageFlags, ioVmas: head as unknown as VmaView, vmaCount: 0 };
}

/**
 * RAM types as ranges in a range store. Costs (k = ranges touched, n =
 * ranges stored): reserve O(store overlap); free O(k × store erase/insert);
 * getPageMemtype O(store lookup); RAM-ness O(log chunks + chunks in range).
 */
export class TreeRamPolicy implements RamPolicy {
  /** Part name. */
  readonly name = 'tree';
  newType = -1;
  private physmap!: PhysMap;

  /** @param store a fresh, private instance of the composition's store kind */
  constructor(readonly store: RangeStore) {}

  /**
   * `reserve_ram_pages_type()` over ranges (pfns): -EBUSY with newType = the
   * type of the lowest-starting stored range overlapping the request (it
   * holds the lowest busy page), else the range is stored (nothing for a WB
   * request) and newType = req.
   */
  reserve(start: number, end: number, req: number): number {
    const store = this.store;
    if (store.overlap(start, end)) {
      this.newType = store.first;
      return -EBUSY;
    }
    if (req !== WB) store.insert(start, end, req, null);
    this.newType = req;
    return 0;
  }

  /**
   * `free_ram_pages_type()`: every page of `[start, end)` back to WB — while
   * some stored range overlaps, erase it and re-insert the parts sticking
   * out on the left and right (trim / split). Returns 0.
   */
  free(start: number, end: number): number {
    const store = this.store;
    while (store.overlap(start, end)) {
      const s = store.hitStart;
      const e = store.hitEnd;
      const t = store.first;
      store.erase(s, e, null);
      if (s < start) store.insert(s, start, t, null);
      if (e > end) store.insert(end, e, t, null);
    }
    return 0;
  }

  /** `get_page_memtype()`: the covering range's type, else WB. */
  getPageMemtype(pfn: number): number {
    const t = this.store.lookup(pfn);
    return t < 0 ? WB : t;
  }

  /** Attaches the private store to a view without I/O VMAs. */
  attach(view: MachineView, _store: RangeStore): void {
    this.physmap = view.physmap;
    this.store.attach(ramStoreView(view));
  }

  /** `pat_pagerange_is_ram()`: the System RAM walk. */
  pagerangeIsRam(start: number, end: number): number {
    return this.physmap.pagerangeIsRam(start, end);
  }

  /** The private store's modeled bytes (its entries are RAM ranges). */
  modeledBytes(): number {
    return this.store.modeledBytes();
  }

  /** The store's invariant, plus: entries disjoint and never WB. */
  checkInvariants(): void {
    this.store.checkInvariants();
    const all: number[] = [];
    this.store.list(all);
    const triples: [number, number, number][] = [];
    for (let i = 0; i < all.length; i += 3) triples.push([all[i]!, all[i + 1]!, all[i + 2]!]);
    triples.sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < triples.length; i++) {
      const [s, e, t] = triples[i]!;
      if (t === WB) throw new Error(`tree: RAM range [${s},${e}) stored as WB`);
      if (i > 0 && triples[i - 1]![1] > s) throw new Error(`tree: RAM ranges overlap at [${s},${e})`);
    }
  }
}
