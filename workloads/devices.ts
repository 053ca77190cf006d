/**
 * Devices of a machine profile as a workload sees them: PCI BARs (from
 * `/proc/iomem` resources named by a PCI address, e.g. `0000:00:02.0`) and
 * free RAM. Profiles that come from e820 boot logs list no BARs; for them
 * BARs are placed in the largest hole below 4 GiB that no e820 entry covers
 * (the "available for PCI devices" gap), as firmware would.
 */
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE, PhysMap, type Resource } from '../core/physmap.js';

/** A memory BAR, byte addresses, `end` exclusive, page aligned. */
export interface Bar {
  name: string;
  start: number;
  end: number;
}

const PCI_ADDR = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const FOUR_G = 2 ** 32;

/** The resources of the machine a workload runs on (parsed once, core/hardware.ts `parseMachineSpec`). */
export function machineResources(host: ParsedMachine): readonly Resource[] {
  return host.resources;
}

/** Page-aligned PCI memory BARs of ≥ 4 KiB, sorted by start, distinct ranges. */
export function pciBars(resources: readonly Resource[]): Bar[] {
  const seen = new Set<string>();
  const bars: Bar[] = [];
  for (const r of resources) {
    if (!PCI_ADDR.test(r.name) || r.start % PAGE_SIZE !== 0 || r.end - r.start < PAGE_SIZE) continue;
    const end = Math.floor(r.end / PAGE_SIZE) * PAGE_SIZE;
    const key = `${r.start}-${end}`;
    if (seen.has(key) || r.start < 0x100000) continue;
    seen.add(key);
    bars.push({ name: r.name, start: r.start, end });
  }
  return bars.sort((a, b) => a.start - b.start);
}

/** The largest gap below 4 GiB that no top-level resource covers, bytes (empty when there is none). */
function largestLowHole(resources: readonly Resource[]): { start: number; end: number } {
  const top = resources.filter((r) => r.depth === 0).sort((a, b) => a.start - b.start);
  let best = { start: 0, end: 0 };
  let cur = 0x100000;
  for (const r of [...top, { start: FOUR_G, end: FOUR_G }]) {
    const s = Math.min(r.start, FOUR_G);
    if (s - cur > best.end - best.start) best = { start: cur, end: s };
    cur = Math.max(cur, r.end);
    if (cur >= FOUR_G) break;
  }
  return best;
}

/**
 * A display device: `fb` (the largest BAR, a prefetchable framebuffer /
 * VRAM aperture) and `regs` (the next-largest BAR of the same device, its
 * register window). Synthetic BARs in the PCI hole for maps without BARs.
 */
export function displayDevice(host: ParsedMachine): { fb: Bar; regs: Bar } {
  const res = machineResources(host);
  const bars = pciBars(res);
  if (bars.length >= 2) {
    const bySize = [...bars].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const fb = bySize[0]!;
    const regs = bySize.find((b) => b !== fb && b.name === fb.name) ?? bySize[1]!;
    return { fb, regs };
  }
  let hole = largestLowHole(res);
  if (hole.end - hole.start < 2 * PAGE_SIZE) hole = mmioWindows(host).high[0] ?? { start: FOUR_G, end: 2 * FOUR_G };
  const align = 0x1000000;
  const base = Math.ceil(hole.start / align) * align;
  const room = hole.end - base;
  const fbSize = Math.max(PAGE_SIZE, Math.min(256 * 2 ** 20, Math.floor(room / 2 / PAGE_SIZE) * PAGE_SIZE));
  const fb = { name: 'synthetic:fb', start: base, end: base + fbSize };
  const regsSize = Math.min(16 * 2 ** 20, Math.max(PAGE_SIZE, Math.floor((hole.end - fb.end) / PAGE_SIZE) * PAGE_SIZE));
  return { fb, regs: { name: 'synthetic:regs', start: fb.end, end: fb.end + regsSize } };
}

/** The largest page-granular RAM chunk above 1 MiB: `[startPfn, endPfn)`. */
export function largestRam(host: ParsedMachine): { startPfn: number; endPfn: number } {
  const pm = new PhysMap(host.resources);
  let best = { startPfn: 0, endPfn: 0 };
  for (let i = 0; i < pm.chunkCount; i++) {
    const s = Math.max(pm.chunkStartPfn(i), 0x100);
    const e = pm.chunkEndPfn(i);
    if (e - s > best.endPfn - best.startPfn) best = { startPfn: s, endPfn: e };
  }
  return best;
}

/** A free stretch of MMIO address space, byte addresses, `end` exclusive, page aligned. */
export interface Window {
  start: number;
  end: number;
}

/** Physical address of the HPET register block on x86 PCs (`hpet_address`, ACPI HPET table default). */
export const HPET_ADDRESS = 0xfed00000;
/** `HPET_MMAP_SIZE`: what `hpet_enable()` ioremaps, bytes. */
export const HPET_MMAP_SIZE = 0x400;
/** Start of the fixed platform range (IOAPIC, HPET, LAPIC, BIOS flash): no BAR goes there. */
const PLATFORM_START = 0xfec00000;
/** Default physical address width of the emulated CPU (core/hardware.ts), bytes. */
const PHYS_TOP = 2 ** 46;
/** Alignment of a synthetic 64-bit window above the map, bytes. */
const HIGH_ALIGN = 2 ** 36;
/** Size of a synthetic 64-bit window above the map, bytes (16 TiB). */
const HIGH_SIZE = 2 ** 44;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
const alignDown = (v: number, a: number): number => Math.floor(v / a) * a;

/** `[win)` minus `occupied` (any order), pieces ≥ `minSize` bytes, page aligned. */
function subtract(win: Window, occupied: readonly Window[], minSize: number): Window[] {
  const occ = occupied.filter((o) => o.end > win.start && o.start < win.end && o.end > o.start).sort((a, b) => a.start - b.start);
  const out: Window[] = [];
  let cur = win.start;
  for (const o of [...occ, { start: win.end, end: win.end }]) {
    const s = alignUp(cur, PAGE_SIZE);
    const e = alignDown(Math.min(o.start, win.end), PAGE_SIZE);
    if (e - s >= minSize) out.push({ start: s, end: e });
    cur = Math.max(cur, o.end);
    if (cur >= win.end) break;
  }
  return out;
}

/**
 * Free MMIO space of a machine where synthetic BARs can go, as firmware
 * would assign them: `low` below 4 GiB (32-bit, non-prefetchable BARs) and
 * `high` above (64-bit prefetchable BARs), each sorted by start.
 *
 * - `/proc/iomem` maps with top-level `PCI Bus` windows: the windows minus
 *   every resource listed inside or across them (real BARs, bridges, pnp).
 * - Otherwise (e820 maps; iomem without windows): `low` = the gaps ≥ 1 MiB
 *   between top-level resources in [1 MiB, 0xfec00000) — the "available for
 *   PCI devices" hole.
 * - When no 64-bit window is found, `high` is synthesized: 16 TiB from the
 *   first 64 GiB boundary above the map's highest resource (and 4 GiB),
 *   capped at the emulated CPU's 46-bit physical address width.
 */
export function mmioWindows(host: ParsedMachine): { low: Window[]; high: Window[] } {
  const res = machineResources(host).filter((r) => r.end > r.start && !(r.start === 0 && r.end === 1));
  const windows = res.filter((r) => r.depth === 0 && r.name.startsWith('PCI Bus'));
  const low: Window[] = [];
  const high: Window[] = [];
  const push = (w: Window): void => {
    if (w.start < FOUR_G) {
      const e = Math.min(w.end, FOUR_G, PLATFORM_START);
      if (e > w.start) low.push({ start: w.start, end: e });
      if (w.end > FOUR_G) high.push({ start: FOUR_G, end: w.end });
    } else high.push(w);
  };
  if (windows.length > 0) {
    const occupied = res.filter((r) => !windows.includes(r));
    for (const w of windows) for (const f of subtract(w, occupied, 64 * 1024)) push(f);
  } else {
    const top = res.filter((r) => r.depth === 0);
    for (const f of subtract({ start: 0x100000, end: PLATFORM_START }, top, 2 ** 20)) push(f);
  }
  if (high.length === 0) {
    const maxEnd = res.reduce((m, r) => Math.max(m, r.end), FOUR_G);
    const start = alignUp(maxEnd, HIGH_ALIGN);
    const end = Math.min(PHYS_TOP, start + HIGH_SIZE);
    if (end > start) high.push({ start, end });
  }
  const byStart = (a: Window, b: Window): number => a.start - b.start;
  return { low: low.sort(byStart), high: high.sort(byStart) };
}

/**
 * Assigns synthetic BARs first-fit in a list of windows, each naturally
 * aligned to its size (as PCI requires), never overlapping. Allocation only
 * moves forward (no free): firmware assigns BARs once at boot.
 */
export class BarAllocator {
  private i = 0;
  private cur: number;

  /** @param windows free MMIO windows, sorted by start (see `mmioWindows`) */
  constructor(private readonly windows: readonly Window[]) {
    this.cur = windows.length > 0 ? windows[0]!.start : 0;
  }

  /**
   * A BAR of `size` bytes (a power of two ≥ 4 KiB) named `name`, or null when
   * the windows are full.
   */
  alloc(name: string, size: number): Bar | null {
    while (this.i < this.windows.length) {
      const w = this.windows[this.i]!;
      const s = alignUp(Math.max(this.cur, w.start), size);
      if (s + size <= w.end) {
        this.cur = s + size;
        return { name, start: s, end: s + size };
      }
      this.i++;
      if (this.i < this.windows.length) this.cur = this.windows[this.i]!.start;
    }
    return null;
  }
}

/**
 * A RAM page of kernel data, like the vDSO's `__vvar_page`: the first whole
 * page of the `Kernel data` resource when the map lists one (iomem dumps),
 * else a page 16 MiB into the largest RAM chunk. A pfn.
 */
export function kernelDataPfn(host: ParsedMachine): number {
  const res = machineResources(host);
  const pm = new PhysMap(res);
  const kd = res.find((r) => r.name === 'Kernel data');
  if (kd !== undefined) {
    const pfn = Math.ceil(kd.start / PAGE_SIZE);
    if ((pfn + 1) * PAGE_SIZE <= kd.end && pm.pageIsRam(pfn)) return pfn;
  }
  const ram = largestRam(host);
  return Math.min(ram.startPfn + 0x1000, ram.endPfn - 1);
}

/**
 * Top-level non-RAM ranges of the map whose name matches `name` (e.g.
 * `/^(Reserved|ACPI Tables)$/`), rounded out to whole pages, below `limit`
 * bytes, at or above 1 MiB, sorted by start. Firmware tables (SMBIOS, ACPI)
 * live in such ranges.
 */
export function firmwareRanges(host: ParsedMachine, name: RegExp, limit = FOUR_G): Window[] {
  const res = machineResources(host);
  const pm = new PhysMap(res);
  const out: Window[] = [];
  for (const r of res) {
    if (r.depth !== 0 || !name.test(r.name) || r.start < 0x100000 || r.start >= limit) continue;
    const s = alignDown(r.start, PAGE_SIZE);
    const e = alignUp(Math.min(r.end, limit), PAGE_SIZE);
    // Skip ranges whose rounded pages touch RAM (a partial RAM page).
    if (e > s && !pm.intersectsRam(s / PAGE_SIZE, e / PAGE_SIZE)) out.push({ start: s, end: e });
  }
  return out.sort((a, b) => a.start - b.start);
}
