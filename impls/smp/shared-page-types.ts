/**
 * A RAM policy that keeps RAM page types in shared `page->flags` words
 * (shared-page-flags.ts) and asks another RAM policy only whether a range is
 * RAM: the `page-bit` and `page-bit-ram-walk` policies of a tracker whose
 * CPUs are threads. Its name is the classifying policy's, so the
 * composition reads `btree+page-bit-ram-walk+single-page+cmpxchg`.
 *
 * `reserve_ram_pages_type()` / `free_ram_pages_type()` /
 * `get_page_memtype()` as in arch/x86/mm/pat/memtype.c: every page must be
 * WB, then every page becomes `req`; free makes every page WB; a lookup is
 * one load. The check and the set are two passes with no lock of their own
 * — exactly Linux's: under the `spinlock` scheme `memtype_lock` makes them
 * one critical section; under `cmpxchg` (Linux since 2010) two CPUs
 * reserving the same RAM page at once may both pass the check, as in the
 * kernel, so contended RAM reservations are only checked for final state.
 */
import { WB } from '../../core/cachemode.js';
import { EBUSY } from '../../core/errno.js';
import type { MachineView } from '../../core/tracker.js';
import type { RamPolicy, RangeStore } from '../parts.js';
import type { SharedPageFlags } from './shared-page-flags.js';

/** How page types are written: two atomic bit operations (pre-2010, needs the lock) or one cmpxchg. */
export type PageTypeUpdate = 'bitops' | 'cmpxchg';

/** RAM page types in shared page flags; RAM-ness from `classify`. */
export class SharedPageTypes implements RamPolicy {
  /** The classifying policy's name. */
  readonly name: string;
  newType = -1;

  /**
   * @param classify decides RAM-ness (`pagerangeIsRam`); its own page types are never used
   * @param flags the machine's shared page flags
   * @param update how types are written
   */
  constructor(
    readonly classify: RamPolicy,
    readonly flags: SharedPageFlags,
    readonly update: PageTypeUpdate,
  ) {
    this.name = classify.name;
  }

  /** Attaches the classifying policy (it reads the physical map). */
  attach(view: MachineView, store: RangeStore): void {
    this.classify.attach(view, store);
  }

  /** `pat_pagerange_is_ram()` by the classifying policy (read-only state: no lock in any scheme). */
  pagerangeIsRam(start: number, end: number): number {
    return this.classify.pagerangeIsRam(start, end);
  }

  /** `reserve_ram_pages_type()`: 0, or -EBUSY with `newType` = the first non-WB page's type. O(pages). */
  reserve(start: number, end: number, req: number): number {
    const flags = this.flags;
    for (let p = start; p < end; p++) {
      const t = flags.memtype(p);
      if (t !== WB) {
        this.newType = t;
        return -EBUSY;
      }
    }
    if (this.update === 'cmpxchg') for (let p = start; p < end; p++) flags.setMemtypeCmpxchg(p, req);
    else for (let p = start; p < end; p++) flags.setMemtypeBitops(p, req);
    this.newType = req;
    return 0;
  }

  /** `free_ram_pages_type()`: every page back to WB. O(pages). */
  free(start: number, end: number): number {
    const flags = this.flags;
    if (this.update === 'cmpxchg') for (let p = start; p < end; p++) flags.setMemtypeCmpxchg(p, WB);
    else for (let p = start; p < end; p++) flags.setMemtypeBitops(p, WB);
    return 0;
  }

  /** `get_page_memtype()`: one load. */
  getPageMemtype(pfn: number): number {
    return this.flags.memtype(pfn);
  }

  /** Two bits of an existing `page->flags` word: 0 extra bytes. */
  modeledBytes(): number {
    return 0;
  }

  /** Nothing to check: page flags have no structure. */
  checkInvariants(): void {}
}
