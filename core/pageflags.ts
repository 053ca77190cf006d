/**
 * The per-page flags store: the part of `struct page` the PAT code uses, the
 * two memtype bits of `page->flags` (`_PGMT_WB/WC/UC_MINUS/WT`, see
 * `get_page_memtype()` in arch/x86/mm/pat/memtype.c). Held as one byte per
 * page in lazily allocated per-section Uint8Arrays (SPARSEMEM's memmap per
 * 128 MiB section), so a machine with 256 GiB of RAM costs nothing until a
 * page's type changes. Absent pages read as 0 (WB).
 */
import { PAGES_PER_SECTION } from './physmap.js';

export class PageFlags {
  private readonly sections: (Uint8Array | undefined)[] = [];

  /** The byte stored for `pfn` (0 when never written). */
  get(pfn: number): number {
    // pfn - si * N, not pfn % N: a float modulo costs more than the load.
    const si = Math.floor(pfn / PAGES_PER_SECTION);
    const sec = this.sections[si];
    return sec === undefined ? 0 : sec[pfn - si * PAGES_PER_SECTION]!;
  }

  /** Stores `value` (0..255) for `pfn`. */
  set(pfn: number, value: number): void {
    const si = Math.floor(pfn / PAGES_PER_SECTION);
    let sec = this.sections[si];
    if (sec === undefined) {
      if (value === 0) return;
      sec = this.sections[si] = new Uint8Array(PAGES_PER_SECTION);
    }
    sec[pfn - si * PAGES_PER_SECTION] = value;
  }

  /** JavaScript bytes held (allocated sections). */
  jsBytes(): number {
    let n = 0;
    for (const s of this.sections) if (s) n += s.byteLength;
    return n;
  }
}
