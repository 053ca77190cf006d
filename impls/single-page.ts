/**
 * Insert policy `single-page` (Linux ≥ 2.6.32, `pfnmap_setup_cachemode_pfn()`
 * since v6.16): one `lookup_memtype()` of the inserted pfn per
 * `vmf_insert_pfn()`; no allocation, nothing to untrack.
 */
import type { VmaView } from '../core/tracker.js';
import type { InsertPolicy } from './parts.js';

export class SinglePagePolicy implements InsertPolicy {
  readonly name = 'single-page';
  cachemode(_vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return lookup(pfn);
  }
}
