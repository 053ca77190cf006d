/**
 * core/physmap.ts — the physical map's Linux queries, directly:
 * `walk_system_ram_range()` RAM, `page_is_ram()`, `pat_pagerange_is_ram()`
 * (arch/x86/mm/pat/memtype.c), `region_intersects()` (kernel/resource.c) and
 * SPARSEMEM `pfn_valid()` (include/linux/mmzone.h).
 */
import { describe, expect, it } from 'vitest';
import {
  CPU_PHYS_BITS,
  ISA_END_ADDRESS,
  ISA_END_PFN,
  ISA_START_ADDRESS,
  MAX_PHYS_ADDR,
  MAX_PHYS_BITS,
  PAGE_SHIFT,
  PAGE_SIZE,
  PAGES_PER_SECTION,
  PAGES_PER_SUBSECTION,
  PhysMap,
  SECTION_EARLY,
  SECTION_HOTPLUG,
  isSystemRam,
  type Resource,
} from '../../core/physmap.js';

const res = (start: number, end: number, name: string, depth = 0): Resource => ({ start, end, name, depth });

/** RAM [0, 0x9f000), [1 MiB, 1 GiB) and a 0x800-byte RAM tail at 1 GiB + 0x1000; PCI above. */
const MAP = new PhysMap([
  res(0, 0x9f000, 'System RAM'),
  res(0x9f000, 0x100000, 'Reserved'),
  res(0x100000, 0x40000000, 'System RAM'),
  res(0x100000, 0x1000000, 'Kernel code', 1),
  res(0x40001000, 0x40001800, 'System RAM'),
  res(0xc0000000, 0xd0000000, 'PCI Bus 0000:00'),
]);

describe('constants', () => {
  it('x86-64 constants: 4 KiB pages, the ISA window [0xa0000, 0x100000), 128 MiB sections, 2 MiB sub-sections, 52-bit physical addresses, a 46-bit CPU', () => {
    expect([PAGE_SHIFT, PAGE_SIZE]).toEqual([12, 4096]);
    expect([ISA_START_ADDRESS, ISA_END_ADDRESS, ISA_END_PFN]).toEqual([0xa0000, 0x100000, 0x100]);
    expect([PAGES_PER_SECTION, PAGES_PER_SUBSECTION]).toEqual([1 << 15, 1 << 9]);
    expect([MAX_PHYS_BITS, MAX_PHYS_ADDR, CPU_PHYS_BITS]).toEqual([52, 2 ** 52, 46]);
    expect([SECTION_EARLY, SECTION_HOTPLUG]).toEqual([1, 2]);
  });
});

describe('walk_system_ram_range(): what is RAM', () => {
  it('IORESOURCE_SYSTEM_RAM: "System RAM" and driver-managed "System RAM (...)"; nothing else', () => {
    expect(isSystemRam('System RAM')).toBe(true);
    expect(isSystemRam('System RAM (kmem)')).toBe(true);
    expect(isSystemRam('System RAM (virtio_mem)')).toBe(true);
    expect(isSystemRam('System RAMx')).toBe(false);
    expect(isSystemRam('system ram')).toBe(false);
    expect(isSystemRam('Reserved')).toBe(false);
  });

  it('RAM ranges are byte-exact, sorted and merged where they touch or overlap; the total counts each byte once', () => {
    const m = new PhysMap([
      res(0x300000, 0x400000, 'System RAM'),
      res(0x100000, 0x200000, 'System RAM'),
      res(0x200000, 0x280000, 'System RAM (kmem)'),
      res(0x260000, 0x300000, 'System RAM'),
      res(0x500000, 0x500800, 'System RAM'),
      res(0x600000, 0x600000, 'System RAM'),
      res(0x700000, 0x800000, 'Reserved'),
    ]);
    expect(m.ramRanges).toEqual([
      { start: 0x100000, end: 0x400000 },
      { start: 0x500000, end: 0x500800 },
    ]);
    expect(m.ramBytes).toBe(0x300000 + 0x800);
  });

  it('page-granular chunks: pages wholly inside RAM; max_pfn is one past the last', () => {
    expect(MAP.chunkCount).toBe(2);
    expect([MAP.chunkStartPfn(0), MAP.chunkEndPfn(0)]).toEqual([0, 0x9f]);
    expect([MAP.chunkStartPfn(1), MAP.chunkEndPfn(1)]).toEqual([0x100, 0x40000]);
    expect(MAP.maxPfn).toBe(0x40000);
    expect(MAP.firstChunkEndingAfter(0)).toBe(0);
    expect(MAP.firstChunkEndingAfter(0x9e)).toBe(0);
    expect(MAP.firstChunkEndingAfter(0x9f)).toBe(1);
    expect(MAP.firstChunkEndingAfter(0x3ffff)).toBe(1);
    expect(MAP.firstChunkEndingAfter(0x40000)).toBe(2);
    expect(new PhysMap([]).maxPfn).toBe(0);
  });
});

describe('page_is_ram()', () => {
  it('page_is_ram: a whole page of RAM — including RAM below 1 MiB — and not a page RAM only partly covers', () => {
    expect(MAP.pageIsRam(0)).toBe(true);
    expect(MAP.pageIsRam(0x9e)).toBe(true);
    expect(MAP.pageIsRam(0x9f)).toBe(false);
    expect(MAP.pageIsRam(0xff)).toBe(false);
    expect(MAP.pageIsRam(0x100)).toBe(true);
    expect(MAP.pageIsRam(0x3ffff)).toBe(true);
    expect(MAP.pageIsRam(0x40000)).toBe(false);
    expect(MAP.pageIsRam(0x40001)).toBe(false); // 0x800 bytes of RAM
    expect(MAP.pageIsRam(0xc0000)).toBe(false);
  });
});

describe('pat_pagerange_is_ram()', () => {
  it('pat_pagerange_is_ram: 1 for all RAM, 0 for none', () => {
    expect(MAP.pagerangeIsRam(0x200, 0x300)).toBe(1);
    expect(MAP.pagerangeIsRam(0x100, 0x40000)).toBe(1);
    expect(MAP.pagerangeIsRam(0xc0000, 0xc0010)).toBe(0);
    expect(MAP.pagerangeIsRam(0x40000, 0x40002)).toBe(0);
  });

  it('pat_pagerange_is_ram: pages below 1 MiB are never RAM (the walk starts at ISA_END_ADDRESS) — low RAM alone is 0', () => {
    expect(MAP.pagerangeIsRam(0, 0x9f)).toBe(0);
    expect(MAP.pagerangeIsRam(0, 0x100)).toBe(0);
    expect(MAP.pagerangeIsRam(0xff, 0x100)).toBe(0);
  });

  it('pat_pagerange_is_ram: a range ending at 1 MiB is not walked at all (start_pfn < end_pfn fails after the clip) — 0 even where RAM runs across 1 MiB', () => {
    const flat = new PhysMap([res(0, 0x200000, 'System RAM')]);
    expect(flat.pagerangeIsRam(0x9f, 0x100)).toBe(0);
    expect(flat.pagerangeIsRam(0x9f, 0x101)).toBe(-1);
  });

  it('pat_pagerange_is_ram: the gap cursor starts at the caller\'s start, so a range from below 1 MiB into RAM is mixed (-1)', () => {
    expect(MAP.pagerangeIsRam(0xff, 0x101)).toBe(-1);
    expect(MAP.pagerangeIsRam(0, 0x200)).toBe(-1);
  });

  it('pat_pagerange_is_ram: a leading or inner hole is seen (-1); a trailing hole after RAM is not (1)', () => {
    expect(MAP.pagerangeIsRam(0x3ffff, 0x40001)).toBe(1); // RAM, then the hole: no callback after it
    expect(MAP.pagerangeIsRam(0x3ffff, 0xc0001)).toBe(1);
    const holes = new PhysMap([res(0x100000, 0x200000, 'System RAM'), res(0x300000, 0x400000, 'System RAM')]);
    expect(holes.pagerangeIsRam(0x100, 0x400)).toBe(-1); // inner hole
    expect(holes.pagerangeIsRam(0x280, 0x310)).toBe(-1); // leading hole
    expect(holes.pagerangeIsRam(0x100, 0x200)).toBe(1);
    expect(holes.pagerangeIsRam(0x1ff, 0x280)).toBe(1); // trailing hole
    expect(holes.pagerangeIsRam(0x200, 0x300)).toBe(0);
    expect(holes.pagerangeIsRam(0x300, 0x300)).toBe(0); // empty
  });
});

describe('region_intersects() and the ioremap RAM check', () => {
  it('region_intersects: any byte of [start, end) in System RAM — partial pages count, the end is exclusive', () => {
    expect(MAP.bytesIntersectRam(0x40000000, 0x40001000)).toBe(false);
    expect(MAP.bytesIntersectRam(0x40000000, 0x40001001)).toBe(true);
    expect(MAP.bytesIntersectRam(0x400017ff, 0x40002000)).toBe(true);
    expect(MAP.bytesIntersectRam(0x40001800, 0x40002000)).toBe(false);
    expect(MAP.bytesIntersectRam(0x3fffffff, 0x40000000)).toBe(true);
    expect(MAP.bytesIntersectRam(0x9f000, 0x100000)).toBe(false);
    expect(MAP.bytesIntersectRam(0xc0000000, 0xc0001000)).toBe(false);
    expect(MAP.bytesIntersectRam(0x200000, 0x200000)).toBe(false); // empty
    expect(MAP.bytesIntersectRam(0xd0000000, 2 ** 52)).toBe(false);
  });

  it('__ioremap_check_ram: does a whole RAM page lie in [start, end) (pfns)?', () => {
    expect(MAP.intersectsRam(0x9f, 0x100)).toBe(false);
    expect(MAP.intersectsRam(0x9e, 0x9f)).toBe(true);
    expect(MAP.intersectsRam(0xff, 0x101)).toBe(true);
    expect(MAP.intersectsRam(0x40000, 0x40002)).toBe(false); // only a partial RAM page
    expect(MAP.intersectsRam(0x3ffff, 0x40000)).toBe(true);
    expect(MAP.intersectsRam(0x40000, 0xc0000)).toBe(false);
  });
});

describe('pfn_valid() (SPARSEMEM)', () => {
  it('pfn_valid: an early section holding memory is valid to its end, over holes and past max_pfn; later sections are not', () => {
    const m = new PhysMap([res(0x100000, 0x200000, 'System RAM'), res(0x11000000, 0x11001000, 'System RAM')]);
    expect(m.sections[0]).toBe(SECTION_EARLY);
    expect(m.pfnValid(0)).toBe(true);
    expect(m.pfnValid(0x7fff)).toBe(true); // end of section 0
    expect(m.pfnValid(0x8000)).toBe(false); // section 1: no memory
    expect(m.pfnValid(0xffff)).toBe(false);
    expect(m.pfnValid(0x10000)).toBe(true); // section 2 holds the page at 272 MiB
    expect(m.pfnValid(0x17fff)).toBe(true);
    expect(m.pfnValid(0x18000)).toBe(false);
    expect(m.pfnValid(0x1000000)).toBe(false); // beyond the section table
  });

  it('pfn_section_valid: hot-added memory is valid per present 2 MiB sub-section only; boot memory in the same section makes all of it valid', () => {
    const m = new PhysMap([res(0x10000000, 0x10400000, 'System RAM (kmem)'), res(0x18200000, 0x18201000, 'System RAM (kmem)')]);
    const pfn = (a: number): number => a / PAGE_SIZE;
    expect(m.sections[pfn(0x10000000) / PAGES_PER_SECTION]).toBe(SECTION_HOTPLUG);
    expect(m.pfnValid(pfn(0x10000000))).toBe(true);
    expect(m.pfnValid(pfn(0x103ff000))).toBe(true);
    expect(m.pfnValid(pfn(0x10400000))).toBe(false);
    expect(m.pfnValid(pfn(0x181ff000))).toBe(false);
    expect(m.pfnValid(pfn(0x18200000))).toBe(true);
    expect(m.pfnValid(pfn(0x183ff000))).toBe(true); // rest of that sub-section
    expect(m.pfnValid(pfn(0x18400000))).toBe(false);
    const mixed = new PhysMap([res(0x10000000, 0x10200000, 'System RAM (kmem)'), res(0x10400000, 0x10401000, 'System RAM')]);
    expect(mixed.sections[pfn(0x10000000) / PAGES_PER_SECTION]).toBe(SECTION_EARLY);
    expect(mixed.pfnValid(pfn(0x17fff000))).toBe(true);
  });
});
