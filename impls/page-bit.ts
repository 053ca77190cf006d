/**
 * RAM policy `page-bit`: the type of a struct-page-backed (RAM) page lives in
 * two bits of its page flags (Linux ≥ 2.6.32, `_PGMT_*` in
 * arch/x86/mm/pat/memtype.c), so RAM reservations cost no memory and a RAM
 * lookup is one load. RAM-ness is decided first by the `pfn_valid()` section
 * bitmap (Hellström, 2009): a range in sections without a memmap holds no RAM,
 * in O(1) per section; only ranges touching valid sections fall back to the
 * System RAM walk, so the answer is always Linux's `pat_pagerange_is_ram()`.
 * Single owner: a second non-WB reservation of a page fails (-EBUSY).
 */
import { WB } from '../core/cachemode.js';
import { EBUSY } from '../core/errno.js';
import type { PageFlags } from '../core/pageflags.js';
import { ISA_END_PFN, PAGES_PER_SECTION, type PhysMap } from '../core/physmap.js';
import type { MachineView } from '../core/tracker.js';
import type { RamPolicy, RangeStore } from './parts.js';

export class PageBitPolicy implements RamPolicy {
  readonly name = 'page-bit';
  newType = -1;
  private physmap!: PhysMap;
  private flags!: PageFlags;

  attach(view: MachineView, _store: RangeStore): void {
    this.physmap = view.physmap;
    this.flags = view.pageFlags;
  }

  pagerangeIsRam(start: number, end: number): number {
    const pm = this.physmap;
    if (end === start + 1) {
      // One page: the cursor starts at the page itself, so it is RAM or not.
      return start >= ISA_END_PFN && pm.pfnValid(start) && pm.pageIsRam(start) ? 1 : 0;
    }
    const s0 = Math.floor(start / PAGES_PER_SECTION);
    const s1 = Math.floor((end - 1) / PAGES_PER_SECTION);
    const secs = pm.sections;
    let valid = false;
    for (let s = s0; s <= s1 && s < secs.length; s++) {
      if (secs[s] === 1) {
        valid = true;
        break;
      }
    }
    return valid ? pm.pagerangeIsRam(start, end) : 0;
  }

  reserve(start: number, end: number, req: number): number {
    const flags = this.flags;
    for (let p = start; p < end; p++) {
      const t = flags.get(p);
      if (t !== WB) {
        this.newType = t;
        return -EBUSY;
      }
    }
    for (let p = start; p < end; p++) flags.set(p, req);
    this.newType = req;
    return 0;
  }

  free(start: number, end: number): number {
    const flags = this.flags;
    for (let p = start; p < end; p++) flags.set(p, WB);
    return 0;
  }

  getPageMemtype(pfn: number): number {
    return this.flags.get(pfn);
  }

  /** Two bits of an existing `page->flags` word: 0 extra bytes. */
  modeledBytes(): number {
    return 0;
  }
}
