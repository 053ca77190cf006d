/**
 * The tracker registry: every tracker composition by name, plus the
 * reference `oracle` and the `null` tracker (harness/core cost).
 */
import { InputError } from '../core/errors.js';
import type { MemtypeTracker } from '../core/tracker.js';
import { ComposedTracker } from './composed.js';
import { IntervalTreeStore } from './interval-tree.js';
import { NullTracker } from './null.js';
import { OracleTracker } from './oracle.js';
import { PageBitPolicy } from './page-bit.js';
import { SinglePagePolicy } from './single-page.js';
import { VmaWalkStore } from './vma-walk.js';

/** Name of the brute-force reference tracker. */
export const ORACLE = 'oracle';
/** The composition Linux itself uses; replay's default. */
export const LINUX_TRACKER = 'interval-tree+page-bit+single-page';
/** Name of the tracker that accepts everything and tracks nothing. */
export const NULL_TRACKER = 'null';

type Factory = () => MemtypeTracker;

const compose =
  (store: () => ConstructorParameters<typeof ComposedTracker>[0]): Factory =>
  () =>
    new ComposedTracker(store(), new PageBitPolicy(), new SinglePagePolicy());

const TRACKERS: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ['interval-tree+page-bit+single-page', compose(() => new IntervalTreeStore())],
  ['vma-walk+page-bit+single-page', compose(() => new VmaWalkStore())],
  [ORACLE, () => new OracleTracker()],
  [NULL_TRACKER, () => new NullTracker()],
]);

/** Names of the real trackers (not `oracle`, not `null`), sorted. */
export function trackerNames(): string[] {
  return [...TRACKERS.keys()].filter((n) => n !== ORACLE && n !== NULL_TRACKER).sort();
}

/**
 * A fresh tracker instance.
 * @param name a name from `trackerNames()`, `oracle` or `null`
 * @throws InputError for an unknown name, listing the valid ones
 */
export function createTracker(name: string): MemtypeTracker {
  const make = TRACKERS.get(name);
  if (!make) {
    throw new InputError(`unknown tracker "${name}"; valid trackers: ${[...trackerNames(), ORACLE, NULL_TRACKER].join(', ')}`);
  }
  return make();
}
