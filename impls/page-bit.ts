/**
 * RAM policy `page-bit`: the type of a struct-page-backed (RAM) page lives in
 * two bits of its page flags (Linux ≥ 2.6.32, `_PGMT_*` in
 * arch/x86/mm/pat/memtype.c), so RAM reservations cost no memory and a RAM
 * lookup is one load. RAM-ness is decided first from the sparse-memory
 * sections behind `pfn_valid()` (Hellström, 2009): at attach, every section
 * is classed as holding no RAM page, only RAM pages, or both; a range inside
 * one pure section is answered in O(1), and only ranges touching a mixed
 * section (or spanning sections with memmap) fall back to the System RAM
 * walk — so the answer is always Linux's `pat_pagerange_is_ram()`.
 * Single owner: a second non-WB reservation of a page fails (-EBUSY).
 */
import { WB } from '../core/cachemode.js';
import { EBUSY } from '../core/errno.js';
import type { PageFlags } from '../core/pageflags.js';
import { ISA_END_PFN, PAGES_PER_SECTION, type PhysMap } from '../core/physmap.js';
import type { MachineView } from '../core/tracker.js';
import type { RamPolicy, RangeStore } from './parts.js';

/** Section class: no RAM page in the section (including no memmap). */
const SEC_NONE = 0;
/** Section class: every page of the section is RAM. */
const SEC_ALL = 1;
/** Section class: some pages RAM, some not. */
const SEC_MIXED = 2;

/**
 * Classes every section of `pm` up to its last RAM section: SEC_NONE,
 * SEC_ALL or SEC_MIXED (one byte each). Sections past the array hold no RAM.
 */
export function classifySections(pm: PhysMap): Uint8Array {
  const n = pm.sections.length;
  const ramPages = new Float64Array(n);
  for (let i = 0; i < pm.chunkCount; i++) {
    let s = pm.chunkStartPfn(i);
    const e = pm.chunkEndPfn(i);
    while (s < e) {
      const sec = Math.floor(s / PAGES_PER_SECTION);
      const secEnd = Math.min(e, (sec + 1) * PAGES_PER_SECTION);
      ramPages[sec] += secEnd - s;
      s = secEnd;
    }
  }
  const cls = new Uint8Array(n);
  for (let s = 0; s < n; s++) cls[s] = ramPages[s] === 0 ? SEC_NONE : ramPages[s] === PAGES_PER_SECTION ? SEC_ALL : SEC_MIXED;
  return cls;
}

/**
 * Page-bit RAM policy with `pfn_valid()`-section RAM classification.
 * Costs: single-page `pagerangeIsRam` and `getPageMemtype` O(1) (one
 * section-class load, one flags load) except in mixed sections (binary search
 * of the RAM chunks); reserve/free O(pages).
 */
export class PageBitPolicy implements RamPolicy {
  /** Part name. */
  readonly name: string = 'page-bit';
  newType = -1;
  protected physmap!: PhysMap;
  protected flags!: PageFlags;
  /** Per-section class (SEC_NONE / SEC_ALL / SEC_MIXED). */
  private secClass: Uint8Array = new Uint8Array(0);

  /** Reads the physical map and page flags; classes the sections once. */
  attach(view: MachineView, _store: RangeStore): void {
    this.physmap = view.physmap;
    this.flags = view.pageFlags;
    this.secClass = classifySections(view.physmap);
  }

  /**
   * `pat_pagerange_is_ram()` (1 / 0 / -1, Linux's walk rules): a range
   * inside one pure section is answered from its class; a range over
   * sections none of which has a memmap holds no RAM; else the walk.
   */
  pagerangeIsRam(start: number, end: number): number {
    const cls = this.secClass;
    const s0 = Math.floor(start / PAGES_PER_SECTION);
    if (end === start + 1) {
      // One page (lookup_memtype's case): O(1) unless its section is mixed.
      if (s0 >= cls.length || start < ISA_END_PFN) return 0;
      const c = cls[s0]!;
      if (c !== SEC_MIXED) return c; // SEC_NONE = 0, SEC_ALL = 1
      return this.physmap.pageIsRam(start) ? 1 : 0;
    }
    const s1 = Math.floor((end - 1) / PAGES_PER_SECTION);
    if (s0 === s1) {
      if (s0 >= cls.length) return 0;
      const c = cls[s0]!;
      if (c === SEC_NONE) return 0;
      if (c === SEC_ALL && start >= ISA_END_PFN) return 1;
      return this.physmap.pagerangeIsRam(start, end);
    }
    for (let s = s0; s <= s1 && s < cls.length; s++) {
      if (cls[s] !== SEC_NONE) return this.physmap.pagerangeIsRam(start, end);
    }
    return 0;
  }

  /** `reserve_ram_pages_type()`: every page must be WB, then all become `req`. O(pages). */
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

  /** `free_ram_pages_type()`: every page back to WB. O(pages). */
  free(start: number, end: number): number {
    const flags = this.flags;
    for (let p = start; p < end; p++) flags.set(p, WB);
    return 0;
  }

  /** `get_page_memtype()`: one flags load. */
  getPageMemtype(pfn: number): number {
    return this.flags.get(pfn);
  }

  /** Two bits of an existing `page->flags` word: 0 extra bytes. */
  modeledBytes(): number {
    return 0;
  }

  /** Nothing to check: the page flags have no structure of their own. */
  checkInvariants(): void {}
}
