/**
 * The query ops: what a developer reads off a running machine — a PTE
 * (`/proc/PID/pagemap`-like), `pat_memtype_list` (debugfs), and the
 * hardware's view of aliases (the alias check). Results are plain objects
 * with byte addresses as `0x` strings, types by short name.
 */
import { SHORT_NAME, _PAGE_CACHE_MASK } from './cachemode.js';
import { findAliases } from './alias.js';
import { pteType } from './ioremap.js';
import type { Machine } from './machine.js';
import type { MmStruct } from './mm.js';
import { _PAGE_PRESENT, _PAGE_SPECIAL, pteFlags, ptePfn } from './pagetable.js';
import { PAGE_SIZE } from './physmap.js';

/** The `pte` query: the PTE mapping `addr` in `mm` — present, pfn, cache type by the PAT layout, special. */
export function qPte(m: Machine, mm: MmStruct, addr: number): number {
  const vpn = Math.floor(addr / PAGE_SIZE);
  const pte = vpn < mm.pgd.maxVpn ? mm.pgd.get(vpn) : 0;
  if (pte === 0) {
    m.query = { present: false };
    return 0;
  }
  const flags = pteFlags(pte);
  m.query = {
    present: true,
    pfn: ptePfn(pte),
    type: SHORT_NAME[m.hw.pat.pte2cachemode(flags & _PAGE_CACHE_MASK)],
    special: (flags & _PAGE_SPECIAL) !== 0,
  };
  return 0;
}

/**
 * The reservations as `pat_memtype_list` shows them (`memtype_seq_show()`
 * over `memtype_copy_nth_element()`): the interval tree's in-order walk,
 * by start, equal starts in insertion order. Byte addresses.
 */
export function memtypeList(m: Machine): { start: string; end: string; type: string }[] {
  const raw: number[] = [];
  m.tracker.memtypeList(raw);
  const rows: { start: string; end: string; type: string }[] = [];
  for (let i = 0; i < raw.length; i += 3) rows.push({ start: hex(raw[i]! * PAGE_SIZE), end: hex(raw[i + 1]! * PAGE_SIZE), type: SHORT_NAME[raw[i + 2]!]! });
  return rows;
}

/** The alias check's inputs: user PTEs as (pfn, PAT type), kernel ioremaps as pfn ranges with their PTE's type, the direct map's non-WB types by pfn. */
export interface AliasMappings {
  user: { pfn: number; pat: number }[];
  kernel: { start: number; end: number; type: number }[];
  direct: Map<number, number>;
}

/**
 * What the alias check reads off a machine: every present user PTE (pfn,
 * PAT type by the PAT layout), every live ioremap (pfns `[start, end)`,
 * its PTE's type), the direct map's non-WB PTE types. An SMP machine
 * (one Machine per CPU) checks the union of its CPUs' mappings with
 * `findAliases` (core/alias.ts).
 */
export function aliasMappings(m: Machine): AliasMappings {
  const user: { pfn: number; pat: number }[] = [];
  const pat = m.hw.pat;
  for (const mm of m.mms.values()) {
    mm.pgd.forEach(0, mm.pgd.maxVpn, (_vpn, pte) => {
      const flags = pteFlags(pte);
      if (flags & _PAGE_PRESENT) user.push({ pfn: ptePfn(pte), pat: pat.pte2cachemode(flags) });
    });
  }
  const kernel: { start: number; end: number; type: number }[] = [];
  for (const map of m.ioremaps.values()) if (map !== null) kernel.push({ start: map.start, end: map.end, type: map.pte });
  const direct = new Map<number, number>();
  for (const [pfn, t] of m.directMap) direct.set(pfn, pteType(m, t));
  return { user, kernel, direct };
}

/**
 * The alias check: every page mapped with two different effective types
 * by accessible user PTEs (every PTE in the tables, found by a correct
 * walk), kernel ioremaps and the direct map. Each mapping counts with the
 * type its PTE selects — ioremap and `set_memory_*()` PTEs are built with
 * `cachemode2protval()` on the active PAT layout, so on `legacy4` or
 * `none` a WT or WP request is a UC- PTE — not with the type requested.
 */
export function checkAliases(m: Machine): { pfn: number; types: string[] }[] {
  const x = aliasMappings(m);
  return findAliases(m.hw, x.user, x.kernel, x.direct);
}

/** The `ram_ranges` query: System RAM as merged byte ranges, and its total in bytes. */
export function ramRanges(m: Machine): { ranges: { start: string; end: string }[]; bytes: number } {
  return { ranges: m.physmap.ramRanges.map((r) => ({ start: hex(r.start), end: hex(r.end) })), bytes: m.physmap.ramBytes };
}

/** `0x`-prefixed lowercase hex of a byte address. */
export function hex(v: number): string {
  return '0x' + v.toString(16);
}
