/**
 * Devices of a machine profile as a workload sees them: PCI BARs (from
 * `/proc/iomem` resources named by a PCI address, e.g. `0000:00:02.0`) and
 * free RAM. Profiles that come from e820 boot logs list no BARs; for them
 * BARs are placed in the largest hole below 4 GiB that no e820 entry covers
 * (the "available for PCI devices" gap), as firmware would.
 */
import { e820ToResources, parseE820Text } from '../core/e820.js';
import { parseIomem } from '../core/iomem.js';
import type { MachineSpec } from '../core/machine-spec.js';
import { PAGE_SIZE, PhysMap, type Resource } from '../core/physmap.js';

/** A memory BAR, byte addresses, `end` exclusive, page aligned. */
export interface Bar {
  name: string;
  start: number;
  end: number;
}

const PCI_ADDR = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const FOUR_G = 2 ** 32;

/** The resources of a resolved machine spec. */
export function machineResources(spec: MachineSpec): Resource[] {
  if (spec.iomem !== undefined) return parseIomem(spec.iomem);
  if (spec.e820 !== undefined) return e820ToResources(spec.e820);
  if (spec.e820Text !== undefined) return e820ToResources(parseE820Text(spec.e820Text));
  throw new Error('machine spec is not resolved');
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

/** The largest gap below 4 GiB that no top-level resource covers, bytes. */
function largestLowHole(resources: readonly Resource[]): { start: number; end: number } {
  const top = resources.filter((r) => r.depth === 0).sort((a, b) => a.start - b.start);
  let best = { start: 0xc0000000, end: 0xe0000000 };
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
export function displayDevice(spec: MachineSpec): { fb: Bar; regs: Bar } {
  const res = machineResources(spec);
  const bars = pciBars(res);
  if (bars.length >= 2) {
    const bySize = [...bars].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const fb = bySize[0]!;
    const regs = bySize.find((b) => b !== fb && b.name === fb.name) ?? bySize[1]!;
    return { fb, regs };
  }
  const hole = largestLowHole(res);
  const align = 0x1000000;
  const base = Math.ceil(hole.start / align) * align;
  const room = hole.end - base;
  const fbSize = Math.max(PAGE_SIZE, Math.min(256 * 2 ** 20, Math.floor(room / 2 / PAGE_SIZE) * PAGE_SIZE));
  const fb = { name: 'synthetic:fb', start: base, end: base + fbSize };
  const regsSize = Math.min(16 * 2 ** 20, Math.max(PAGE_SIZE, Math.floor((hole.end - fb.end) / PAGE_SIZE) * PAGE_SIZE));
  return { fb, regs: { name: 'synthetic:regs', start: fb.end, end: fb.end + regsSize } };
}

/** The largest page-granular RAM chunk above 1 MiB: `[startPfn, endPfn)`. */
export function largestRam(spec: MachineSpec): { startPfn: number; endPfn: number } {
  const pm = new PhysMap(machineResources(spec));
  let best = { startPfn: 0, endPfn: 0 };
  for (let i = 0; i < pm.chunkCount; i++) {
    const s = Math.max(pm.chunkStartPfn(i), 0x100);
    const e = pm.chunkEndPfn(i);
    if (e - s > best.endPfn - best.startPfn) best = { startPfn: s, endPfn: e };
  }
  return best;
}
