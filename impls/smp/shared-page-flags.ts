/**
 * `page->flags` words in shared memory: the per-page flags of the emulated
 * machine's RAM that every CPU (worker thread) reads and writes, with the
 * two memtype bits of arch/x86/mm/pat/memtype.c among other flags.
 *
 * One Int32 word per page (the kernel's is an unsigned long; the other bits
 * stand for the flags other subsystems change concurrently — PG_locked,
 * PG_referenced, … — which is why Linux updates the memtype bits with a
 * cmpxchg loop and never with a plain store). Laid out as SPARSEMEM's memmap:
 * one block of `PAGES_PER_SECTION` words per 128 MiB section, allocated the
 * first time a page of the section gets a non-WB type (so a machine with
 * 256 GiB of RAM costs nothing until then), in a growable SharedArrayBuffer
 * (`handle.pool`); a shared section index (`handle.index`) maps a section to
 * its block. Threads keep fixed-length views and re-create them when a
 * block lies beyond (see shared-buffer.ts).
 *
 * Two ways to set a page's type, the two eras of `set_page_memtype()`:
 *  - `setMemtypeBitops`: before Robin Holt's 2010 patch, two atomic bit
 *    operations (`ClearPageUncached` then `SetPageArch1`, …): between them
 *    the page shows a type nobody asked for, so readers had to take
 *    `memtype_lock` too (`lookup_memtype()` did, for every RAM page);
 *  - `setMemtypeCmpxchg`: since commit 1f9cc3cb6a27 ("x86, pat: Update the
 *    page flags for memtype atomically instead of using memtype_lock"), one
 *    `cmpxchg` of the whole word, so a plain load always sees a whole type
 *    and readers take no lock.
 */
import { UC_MINUS, WB, WC, WT } from '../../core/cachemode.js';
import { PAGES_PER_SECTION } from '../../core/physmap.js';
import { growableSab, type GrowableSharedArrayBuffer } from './shared-buffer.js';

/** `PG_arch_1` in the emulated flags word (`_PGMT_WC`). */
export const PG_ARCH_1 = 1 << 9;
/** `PG_uncached` in the emulated flags word (`_PGMT_UC_MINUS`). */
export const PG_UNCACHED = 1 << 10;
/** `_PGMT_MASK`: the two memtype bits. */
export const PGMT_MASK = PG_ARCH_1 | PG_UNCACHED;

/** `_PGMT_*` bits of a cache mode (WB = none; only WB, WC, UC-, WT are kept in page flags). */
export function pgmtBits(type: number): number {
  switch (type) {
    case WC:
      return PG_ARCH_1;
    case UC_MINUS:
      return PG_UNCACHED;
    case WT:
      return PG_ARCH_1 | PG_UNCACHED;
    default:
      return 0;
  }
}

/** `get_page_memtype()`: the cache mode of a flags word's memtype bits. */
export function pgmtType(word: number): number {
  const b = word & PGMT_MASK;
  return b === 0 ? WB : b === PG_ARCH_1 ? WC : b === PG_UNCACHED ? UC_MINUS : WT;
}

/** What another thread needs to attach. */
export interface SharedPageFlagsHandle {
  /** Words 0–15: allocation lock, blocks allocated; then one word per section: block number + 1, or 0. */
  readonly index: SharedArrayBuffer;
  /** The memmap blocks, `PAGES_PER_SECTION` Int32 words each. */
  readonly pool: GrowableSharedArrayBuffer;
}

/** Index words before the per-section slots (one cache line). */
const IDX_BASE = 16;
const IDX_LOCK = 0;
const IDX_BLOCKS = 1;
const BLOCK_BYTES = PAGES_PER_SECTION * 4;

/** The shared page-flags words of one machine (see the module comment). */
export class SharedPageFlags {
  /** The shared buffers: hand them to another thread to attach. */
  readonly handle: SharedPageFlagsHandle;
  /** Sections covered (pfns below `sections × PAGES_PER_SECTION`). */
  readonly sections: number;
  private readonly idx: Int32Array;
  private words: Int32Array;

  /**
   * A new store for pfns below `maxPfn`, or one attached to `handle`.
   * @param from `{ maxPfn }` (e.g. the physical map's end of RAM), or another thread's handle
   * @throws RangeError for a non-positive `maxPfn`
   */
  constructor(from: { maxPfn: number } | SharedPageFlagsHandle) {
    if ('index' in from) {
      this.handle = from;
      this.sections = from.index.byteLength / 4 - IDX_BASE;
    } else {
      if (!(from.maxPfn > 0)) throw new RangeError(`page flags: maxPfn must be positive, got ${from.maxPfn}`);
      this.sections = Math.ceil(from.maxPfn / PAGES_PER_SECTION);
      this.handle = { index: new SharedArrayBuffer((IDX_BASE + this.sections) * 4), pool: growableSab(0, this.sections * BLOCK_BYTES) };
    }
    this.idx = new Int32Array(this.handle.index);
    this.words = new Int32Array(this.handle.pool, 0, this.handle.pool.byteLength >> 2);
  }

  /** Word offset of `pfn`'s flags, or -1 when its section has no block yet. */
  private offsetOf(pfn: number): number {
    const si = Math.floor(pfn / PAGES_PER_SECTION);
    if (!(si >= 0 && si < this.sections)) return -1;
    const b = Atomics.load(this.idx, IDX_BASE + si);
    if (b === 0) return -1;
    const o = (b - 1) * PAGES_PER_SECTION + (pfn - si * PAGES_PER_SECTION);
    if (o >= this.words.length) this.words = new Int32Array(this.handle.pool, 0, this.handle.pool.byteLength >> 2);
    return o;
  }

  /** Word offset of `pfn`'s flags, allocating its section's block. @throws RangeError beyond the covered pfns */
  private ensure(pfn: number): number {
    const o = this.offsetOf(pfn);
    if (o >= 0) return o;
    const si = Math.floor(pfn / PAGES_PER_SECTION);
    if (!(si >= 0 && si < this.sections)) throw new RangeError(`page flags: pfn ${pfn} is beyond the ${this.sections} sections covered`);
    const idx = this.idx;
    while (Atomics.compareExchange(idx, IDX_LOCK, 0, 1) !== 0);
    if (Atomics.load(idx, IDX_BASE + si) === 0) {
      const n = idx[IDX_BLOCKS]!;
      this.handle.pool.grow((n + 1) * BLOCK_BYTES);
      idx[IDX_BLOCKS] = n + 1;
      Atomics.store(idx, IDX_BASE + si, n + 1);
    }
    Atomics.store(idx, IDX_LOCK, 0);
    return this.offsetOf(pfn);
  }

  /** The whole flags word of `pfn` (a plain load; 0 when never written). */
  word(pfn: number): number {
    const o = this.offsetOf(pfn);
    return o < 0 ? 0 : this.words[o]!;
  }

  /** `get_page_memtype()`: `pfn`'s type from one plain load of its word (WB when never set). */
  memtype(pfn: number): number {
    const o = this.offsetOf(pfn);
    return o < 0 ? WB : pgmtType(this.words[o]!);
  }

  /** `set_page_memtype()` since 2010: one compare-and-swap loop on the word, other bits kept. */
  setMemtypeCmpxchg(pfn: number, type: number): void {
    const bits = pgmtBits(type);
    const o = bits === 0 ? this.offsetOf(pfn) : this.ensure(pfn);
    if (o < 0) return;
    const w = this.words;
    let old = w[o]!;
    for (;;) {
      const seen = Atomics.compareExchange(w, o, old, (old & ~PGMT_MASK) | bits);
      if (seen === old) return;
      old = seen;
    }
  }

  /**
   * `set_page_memtype()` before 2010 (2.6.32): two atomic bit operations,
   * the bit to clear first, then the bit to set — between them the word
   * shows a third type. Safe only under `memtype_lock`, readers included.
   */
  setMemtypeBitops(pfn: number, type: number): void {
    const bits = pgmtBits(type);
    const o = bits === 0 ? this.offsetOf(pfn) : this.ensure(pfn);
    if (o < 0) return;
    const w = this.words;
    for (const b of [PG_UNCACHED, PG_ARCH_1]) if ((bits & b) === 0) Atomics.and(w, o, ~b);
    for (const b of [PG_UNCACHED, PG_ARCH_1]) if ((bits & b) !== 0) Atomics.or(w, o, b);
  }

  /** Sets other flag bits of `pfn` atomically (`SetPageReferenced()` and the like; tests). */
  setBits(pfn: number, bits: number): void {
    const o = this.ensure(pfn); // first: it may re-create `words`
    Atomics.or(this.words, o, bits);
  }

  /** Clears other flag bits of `pfn` atomically. */
  clearBits(pfn: number, bits: number): void {
    const o = this.offsetOf(pfn);
    if (o >= 0) Atomics.and(this.words, o, ~bits);
  }

  /**
   * Every page whose memtype bits are not WB, as (pfn, type) pairs in pfn
   * order: the RAM page types an SMP run leaves behind (read after its CPUs
   * stopped). O(pages of the sections that have a block).
   */
  nonWbPages(): { pfn: number; type: number }[] {
    const out: { pfn: number; type: number }[] = [];
    const w = new Int32Array(this.handle.pool, 0, this.handle.pool.byteLength >> 2);
    for (let si = 0; si < this.sections; si++) {
      const b = Atomics.load(this.idx, IDX_BASE + si);
      if (b === 0) continue;
      const o = (b - 1) * PAGES_PER_SECTION;
      for (let k = 0; k < PAGES_PER_SECTION; k++) {
        const word = w[o + k]!;
        if ((word & PGMT_MASK) !== 0) out.push({ pfn: si * PAGES_PER_SECTION + k, type: pgmtType(word) });
      }
    }
    return out;
  }

  /** Memmap blocks allocated so far. */
  get blocks(): number {
    return Atomics.load(this.idx, IDX_BLOCKS);
  }

  /** JavaScript bytes held: the allocated blocks and the index. */
  jsBytes(): number {
    return this.handle.pool.byteLength + this.handle.index.byteLength;
  }
}
