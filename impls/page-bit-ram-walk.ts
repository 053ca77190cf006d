/**
 * RAM policy `page-bit-ram-walk`: what Linux does today (≥ 2.6.32 for the
 * page bits, arch/x86/mm/pat/memtype.c): the type of a RAM page lives in two
 * bits of its page flags, and RAM-ness is always decided by walking the
 * System RAM resources (`pat_pagerange_is_ram()` →
 * `walk_system_ram_range()`, the per-page `page_is_ram()` loop before 2.6.33)
 * — never by `pfn_valid()`. A single-page classification is a binary search
 * over the RAM chunks, O(log chunks).
 */
import type { MachineView } from '../core/tracker.js';
import { PageBitPolicy } from './page-bit.js';
import type { RangeStore } from './parts.js';

/** Page-bit RAM policy with Linux's RAM walk: same page-flag semantics as `page-bit`, no section shortcut. */
export class PageBitRamWalkPolicy extends PageBitPolicy {
  /** Part name. */
  override readonly name: string = 'page-bit-ram-walk';

  /** Reads the physical map and page flags (no section classes needed). */
  override attach(view: MachineView, _store: RangeStore): void {
    this.physmap = view.physmap;
    this.flags = view.pageFlags;
  }

  /** `pat_pagerange_is_ram()`: always the System RAM walk (`PhysMap.pagerangeIsRam`). */
  override pagerangeIsRam(start: number, end: number): number {
    return this.physmap.pagerangeIsRam(start, end);
  }
}
