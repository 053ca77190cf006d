/**
 * A deliberately wrong store, to show what `memtype-bench verify` reports:
 * the sorted-array store of the tutorial, except that its conflict scan
 * stops at the first overlapping reservation and never reports a second,
 * conflicting one. Linux's `memtype_check_conflict()` walks every overlap
 * (`interval_iter_next()`); without that walk a request spanning a WC and a
 * UC- reservation inherits WC and maps UC- memory write-combined.
 *
 *   memtype-bench verify --tracker-module examples/broken-store.ts   # exits 1
 */
import type { TrackerModule } from 'memtype-bench';
import { SortedArrayStore } from './sorted-array-store.js';

/** Misses the second, conflicting overlap: `other` is always -1. */
export class FirstOverlapOnlyStore extends SortedArrayStore {
  override readonly name: string = 'first-overlap-only';

  override scan(start: number, end: number): void {
    super.scan(start, end);
    this.other = -1; // the bug
  }
}

export default {
  stores: {
    'first-overlap-only': { make: () => new FirstOverlapOnlyStore(), history: 'broken on purpose: the conflict scan stops at the first overlap' },
  },
} satisfies TrackerModule;
