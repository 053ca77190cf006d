/**
 * The physical address map: resources as `/proc/iomem` lists them, RAM
 * classification, and the sparse-memory sections behind `pfn_valid()`.
 *
 * Models `walk_system_ram_range()` (kernel/resource.c),
 * `pat_pagerange_is_ram()` (arch/x86/mm/pat/memtype.c) and SPARSEMEM's
 * `pfn_valid()` (128 MiB sections, `SECTION_SIZE_BITS` 27 on x86-64).
 */

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
/** `ISA_START_ADDRESS` / `ISA_END_ADDRESS`. */
export const ISA_START_ADDRESS = 0xa0000;
export const ISA_END_ADDRESS = 0x100000;
export const ISA_END_PFN = ISA_END_ADDRESS / PAGE_SIZE;
/** Pages per sparse-memory section (2^(27-12)). */
export const PAGES_PER_SECTION = 1 << 15;
/** Pages per sub-section, the unit memory hot-add maps memmap in (2 MiB, `PAGES_PER_SUBSECTION`). */
export const PAGES_PER_SUBSECTION = 1 << 9;
/** Section class in `PhysMap.sections`: an early (boot) section holding memory — `pfn_valid()` for all of it. */
export const SECTION_EARLY = 1;
/** Section class in `PhysMap.sections`: only hot-added memory — `pfn_valid()` per present sub-section. */
export const SECTION_HOTPLUG = 2;
/** Physical address bits of the emulated CPU (`boot_cpu_data.x86_phys_bits`). */
export const CPU_PHYS_BITS = 46;
/** Physical address width the emulator accepts (`__PHYSICAL_MASK_SHIFT` 52). */
export const MAX_PHYS_BITS = 52;
export const MAX_PHYS_ADDR = 2 ** MAX_PHYS_BITS;

/** One resource of the physical map. Byte addresses, `end` exclusive. */
export interface Resource {
  start: number;
  end: number;
  name: string;
  /** Nesting depth in `/proc/iomem` (0 = top level). */
  depth: number;
}

/** A byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Name of RAM in `/proc/iomem`. */
export const SYSTEM_RAM = 'System RAM';

/**
 * Is a `/proc/iomem` resource named `name` System RAM (`IORESOURCE_SYSTEM_RAM`)?
 * `System RAM`, or driver-managed RAM added by a driver under its own name,
 * `System RAM (kmem)` (dax/kmem), `System RAM (virtio_mem)`
 * (`add_memory_driver_managed()`, mm/memory_hotplug.c).
 */
export function isSystemRam(name: string): boolean {
  return name === SYSTEM_RAM || name.startsWith(`${SYSTEM_RAM} (`);
}

export class PhysMap {
  /** Merged RAM ranges, byte-exact, sorted. */
  readonly ramRanges: readonly ByteRange[];
  /** Total RAM bytes. */
  readonly ramBytes: number;
  /** Page-granular RAM chunks (pages wholly inside RAM): starts and ends (exclusive), in pfns. */
  private readonly chunkStart: Float64Array;
  private readonly chunkEnd: Float64Array;
  /**
   * `pfn_valid()`: one byte per section up to the last RAM section: 0 no
   * memory, `SECTION_EARLY` or `SECTION_HOTPLUG`.
   */
  readonly sections: Uint8Array;
  /** Hot-added (driver-managed) RAM, page-granular chunks: starts and ends (exclusive), pfns. */
  private readonly hotStart: Float64Array;
  private readonly hotEnd: Float64Array;
  /** One past the highest RAM pfn (`max_pfn`). */
  readonly maxPfn: number;

  /**
   * @param resources the map's resources; those that are System RAM
   *   (`isSystemRam`) at any depth are RAM — `walk_system_ram_range()` finds
   *   `IORESOURCE_SYSTEM_RAM` resources anywhere in the resource tree
   *   (`find_next_iomem_res()` walks children too), such as `System RAM
   *   (kmem)` under `Soft Reserved` / `CXL Window 0` / `dax1.0` — and
   *   everything else is not. Byte addresses, end exclusive.
   */
  constructor(readonly resources: readonly Resource[]) {
    const ram = resources
      .filter((r) => isSystemRam(r.name) && r.end > r.start)
      .map((r) => ({ start: r.start, end: r.end }))
      .sort((a, b) => a.start - b.start);
    const merged: ByteRange[] = [];
    for (const r of ram) {
      const last = merged[merged.length - 1];
      if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    this.ramRanges = merged;
    this.ramBytes = merged.reduce((s, r) => s + (r.end - r.start), 0);
    const cs: number[] = [];
    const ce: number[] = [];
    for (const r of merged) {
      const s = Math.ceil(r.start / PAGE_SIZE);
      const e = Math.floor(r.end / PAGE_SIZE);
      if (e > s) {
        cs.push(s);
        ce.push(e);
      }
    }
    this.chunkStart = Float64Array.from(cs);
    this.chunkEnd = Float64Array.from(ce);
    this.maxPfn = ce.length ? ce[ce.length - 1]! : 0;
    // Boot memory (`System RAM`) makes early sections; driver-managed RAM
    // (`System RAM (kmem)`, ...) is hot-added later, its sections not early.
    const pages = (boot: boolean): (readonly [number, number])[] =>
      resources
        .filter((r) => isSystemRam(r.name) && (r.name === SYSTEM_RAM) === boot)
        .map((r) => [Math.ceil(r.start / PAGE_SIZE), Math.floor(r.end / PAGE_SIZE)] as const)
        .filter(([a, b]) => b > a)
        .sort((a, b) => a[0] - b[0]);
    const hot = pages(false);
    this.hotStart = Float64Array.from(hot.map((h) => h[0]));
    this.hotEnd = Float64Array.from(hot.map((h) => h[1]));
    this.sections = new Uint8Array(Math.ceil(this.maxPfn / PAGES_PER_SECTION) + 1);
    const mark = ([from, to]: readonly [number, number], cls: number): void => {
      for (let sec = Math.floor(from / PAGES_PER_SECTION); sec <= Math.floor((to - 1) / PAGES_PER_SECTION); sec++) {
        if (this.sections[sec] !== SECTION_EARLY) this.sections[sec] = cls;
      }
    };
    for (const h of hot) mark(h, SECTION_HOTPLUG);
    for (const b of pages(true)) mark(b, SECTION_EARLY);
  }

  /** Number of page-granular RAM chunks. */
  get chunkCount(): number {
    return this.chunkStart.length;
  }
  /** First pfn of RAM chunk `i`. */
  chunkStartPfn(i: number): number {
    return this.chunkStart[i]!;
  }
  /** One past the last pfn of RAM chunk `i`. */
  chunkEndPfn(i: number): number {
    return this.chunkEnd[i]!;
  }

  /** Index of the first chunk whose end is above `pfn` (binary search); `chunkCount` if none. */
  firstChunkEndingAfter(pfn: number): number {
    let lo = 0;
    let hi = this.chunkEnd.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.chunkEnd[mid]! <= pfn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Is the whole page `pfn` RAM by the map (the `page_is_ram` query)? */
  pageIsRam(pfn: number): boolean {
    const i = this.firstChunkEndingAfter(pfn);
    return i < this.chunkStart.length && this.chunkStart[i]! <= pfn;
  }

  /**
   * SPARSEMEM `pfn_valid()` (include/linux/mmzone.h): is there a memmap for
   * `pfn`? An early section that holds memory has one for its whole span
   * ("traditionally early sections always returned pfn_valid() for the
   * entire section-sized span") — past `max_pfn` and over holes too; a
   * section of hot-added memory only for its present 2 MiB sub-sections
   * (`pfn_section_valid()`).
   */
  pfnValid(pfn: number): boolean {
    const cls = this.sections[Math.floor(pfn / PAGES_PER_SECTION)];
    if (cls === SECTION_EARLY) return true;
    if (cls !== SECTION_HOTPLUG) return false;
    const sub = Math.floor(pfn / PAGES_PER_SUBSECTION) * PAGES_PER_SUBSECTION;
    const hs = this.hotStart;
    const he = this.hotEnd;
    for (let i = 0; i < hs.length && hs[i]! < sub + PAGES_PER_SUBSECTION; i++) if (he[i]! > sub) return true;
    return false;
  }

  /**
   * `pat_pagerange_is_ram()` by walking the RAM resources
   * (`walk_system_ram_range()`): 1 all RAM, 0 no RAM, -1 mixed. The start is
   * clipped to 1 MiB for the walk but the gap cursor starts at the caller's
   * start, as in Linux; a trailing gap after the last RAM chunk is not seen.
   */
  pagerangeIsRam(startPfn: number, endPfn: number): number {
    let cur = startPfn;
    // Stryker disable next-line EqualityOperator: equivalent (startPfn <= ISA_END_PFN) — at startPfn = ISA_END_PFN both arms are the same
    const s = startPfn < ISA_END_PFN ? ISA_END_PFN : startPfn;
    if (s >= endPfn) return 0;
    let ram = false;
    let notRam = false;
    const n = this.chunkStart.length;
    for (let i = this.firstChunkEndingAfter(s); i < n; i++) {
      const cs = this.chunkStart[i]!;
      if (cs >= endPfn) break;
      // Stryker disable next-line EqualityOperator: equivalent (cs >= s) — at cs = s both arms are the same
      const a = cs > s ? cs : s;
      const ce = this.chunkEnd[i]!;
      // Stryker disable next-line EqualityOperator: equivalent (ce <= endPfn) — at ce = endPfn both arms are the same
      const b = ce < endPfn ? ce : endPfn;
      if (a > cur) notRam = true;
      ram = true;
      cur = b;
      if (ram && notRam) return -1;
    }
    return ram ? 1 : 0;
  }

  /**
   * Does any byte of `[start, end)` (bytes) lie in System RAM —
   * `region_intersects(start, end - start, IORESOURCE_SYSTEM_RAM, ...) !=
   * REGION_DISJOINT` (kernel/resource.c)? Partial pages count. O(log n).
   */
  bytesIntersectRam(start: number, end: number): boolean {
    const r = this.ramRanges;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid]!.end <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo < r.length && r[lo]!.start < end && start < end;
  }

  /** Does any RAM page lie in `[startPfn, endPfn)` (`IORES_MAP_SYSTEM_RAM` check of ioremap)? */
  intersectsRam(startPfn: number, endPfn: number): boolean {
    const i = this.firstChunkEndingAfter(startPfn);
    return i < this.chunkStart.length && this.chunkStart[i]! < endPfn;
  }
}
