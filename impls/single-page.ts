/**
 * Insert policy `single-page` (Linux ≥ 2.6.32, `track_pfn_insert()` since
 * 3.7, `pfnmap_setup_cachemode_pfn()` since the v6.16 series): one
 * `lookup_memtype()` of the inserted pfn per `vmf_insert_pfn()`; no
 * allocation, nothing to untrack. O(1 lookup) per insert, flat in VMA size.
 */
import type { VmaView } from '../core/tracker.js';
import type { InsertPolicy } from './parts.js';

/** One lookup per insert. */
export class SinglePagePolicy implements InsertPolicy {
  /** Part name. */
  readonly name = 'single-page';
  /** Returns `lookup(pfn)`. */
  cachemode(_vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return lookup(pfn);
  }
}
