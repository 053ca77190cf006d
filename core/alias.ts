/**
 * The alias checker: the hardware's view of safety. A physical page mapped
 * with two different *effective* memory types (PAT type × MTRR type, SDM
 * Table 11-7) anywhere — user PTEs, kernel ioremaps, the kernel direct map
 * of RAM — is an illegal alias. Trackers exist to keep this list empty.
 */
import { SHORT_NAME, WB } from './cachemode.js';
import type { Hardware } from './hardware.js';

/** One illegal alias: the page and its effective types, sorted by name. */
export interface Alias {
  pfn: number;
  types: string[];
}

/**
 * Every page with more than one effective type.
 * @param user present user PTEs as (pfn, PAT type)
 * @param ioremaps kernel ioremap mappings, pfns `[start, end)`, PAT type
 * @param directMap direct-map PAT types of RAM pages that are not WB
 * @returns aliases sorted by pfn
 */
export function findAliases(
  hw: Hardware,
  user: readonly { pfn: number; pat: number }[],
  ioremaps: readonly { start: number; end: number; type: number }[],
  directMap: ReadonlyMap<number, number>,
): Alias[] {
  const seen = new Map<number, Set<number>>();
  const add = (pfn: number, pat: number): void => {
    let s = seen.get(pfn);
    if (s === undefined) seen.set(pfn, (s = new Set()));
    s.add(hw.effectiveType(pfn, pat));
  };
  for (const u of user) add(u.pfn, u.pat);
  for (const m of ioremaps) for (let p = m.start; p < m.end; p++) add(p, m.type);
  for (const pfn of [...seen.keys()]) {
    if (hw.physmap.pageIsRam(pfn)) add(pfn, directMap.get(pfn) ?? WB);
  }
  const out: Alias[] = [];
  for (const [pfn, types] of seen) {
    if (types.size > 1) out.push({ pfn, types: [...types].map((t) => SHORT_NAME[t]!).sort() });
  }
  return out.sort((a, b) => a.pfn - b.pfn);
}
