/**
 * The alias checker: the hardware's view of safety. A physical page mapped
 * with two different *effective* memory types (PAT type × MTRR type, SDM
 * Table 11-7) anywhere — user PTEs, kernel ioremaps, the kernel direct map
 * of RAM — is an illegal alias. Trackers exist to keep this list empty.
 *
 * Work is bounded by what can conflict: every user PTE, the RAM pages of
 * kernel mappings, and the overlap of kernel mappings whose types differ;
 * a kernel mapping's other pages have one type and cannot alias. At most
 * `MAX_ALIASES` aliases are reported (untrusted traces).
 */
import { SHORT_NAME, WB } from './cachemode.js';
import type { Hardware } from './hardware.js';

/** One illegal alias: the page and its effective types, sorted by name. */
export interface Alias {
  pfn: number;
  types: string[];
}

/** Most aliases reported by one check. */
export const MAX_ALIASES = 100_000;

/**
 * Every page with more than one effective type (up to `MAX_ALIASES`).
 * @param user present user PTEs as (pfn, PAT type)
 * @param kernel kernel ioremap mappings, pfns `[start, end)`, PAT type
 * @param directMap direct-map PAT types of RAM pages that are not WB
 * @returns aliases sorted by pfn
 */
export function findAliases(
  hw: Hardware,
  user: readonly { pfn: number; pat: number }[],
  kernel: readonly { start: number; end: number; type: number }[],
  directMap: ReadonlyMap<number, number>,
): Alias[] {
  const seen = new Map<number, Set<number>>();
  const add = (pfn: number, pat: number): void => {
    let s = seen.get(pfn);
    if (s === undefined) seen.set(pfn, (s = new Set()));
    s.add(hw.effectiveType(pfn, pat));
  };
  for (const u of user) add(u.pfn, u.pat);
  const userPfns = Float64Array.from(new Set(user.map((u) => u.pfn))).sort();
  const pm = hw.physmap;
  const ks = [...kernel].sort((a, b) => a.start - b.start);
  let budget = MAX_ALIASES * 4;
  for (let i = 0; i < ks.length; i++) {
    const m = ks[i]!;
    // Pages that user PTEs also map.
    for (let j = lowerBound(userPfns, m.start); j < userPfns.length && userPfns[j]! < m.end; j++) add(userPfns[j]!, m.type);
    // RAM pages (the direct map maps them too).
    for (let c = pm.firstChunkEndingAfter(m.start); c < pm.chunkCount && pm.chunkStartPfn(c) < m.end; c++) {
      const e = Math.min(m.end, pm.chunkEndPfn(c));
      for (let p = Math.max(m.start, pm.chunkStartPfn(c)); p < e && budget > 0; p++, budget--) add(p, m.type);
    }
    // Overlaps with later kernel mappings of another type.
    for (let j = i + 1; j < ks.length && ks[j]!.start < m.end; j++) {
      const o = ks[j]!;
      if (o.type === m.type) continue;
      const e = Math.min(m.end, o.end);
      for (let p = o.start; p < e && budget > 0; p++, budget--) {
        add(p, m.type);
        add(p, o.type);
      }
    }
  }
  for (const pfn of [...seen.keys()]) {
    if (pm.pageIsRam(pfn)) add(pfn, directMap.get(pfn) ?? WB);
  }
  const out: Alias[] = [];
  for (const [pfn, types] of seen) {
    if (types.size > 1) out.push({ pfn, types: [...types].map((t) => SHORT_NAME[t]!).sort() });
  }
  out.sort((a, b) => a.pfn - b.pfn);
  return out.length > MAX_ALIASES ? out.slice(0, MAX_ALIASES) : out;
}

/** First index of a sorted array whose value is ≥ `v`. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
