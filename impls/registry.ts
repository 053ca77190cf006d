/**
 * The tracker registry: every composition range store × RAM policy × insert
 * policy by name (`store+ram+insert`), plus the reference `oracle` and the
 * `null` tracker (harness/core cost).
 */
import { InputError } from '../core/errors.js';
import type { MemtypeTracker } from '../core/tracker.js';
import { BtreeStore } from './btree.js';
import { ComposedTracker, type ComposeOptions } from './composed.js';
import { IntervalTreeStore } from './interval-tree.js';
import { ListStore } from './list.js';
import { NullTracker } from './null.js';
import { OracleTracker } from './oracle.js';
import { PageBitRamWalkPolicy } from './page-bit-ram-walk.js';
import { PageBitPolicy } from './page-bit.js';
import type { InsertPolicy, RamPolicy, RangeStore } from './parts.js';
import { RbtreeStore } from './rbtree.js';
import { SinglePagePolicy } from './single-page.js';
import { TreeRamPolicy } from './tree-ram.js';
import { VmaWalkStore } from './vma-walk.js';
import { WholeVmaPolicy } from './whole-vma.js';

/** Name of the brute-force reference tracker. */
export const ORACLE = 'oracle';
/** The composition Linux itself uses today (v6.16 series); replay's default. */
export const LINUX_TRACKER = 'interval-tree+page-bit-ram-walk+single-page';
/** Name of the tracker that accepts everything and tracks nothing. */
export const NULL_TRACKER = 'null';

/** One kind of part: its constructor and a one-line history. */
interface PartKind<T> {
  make: () => T;
  history: string;
}

/** Range stores by part name. */
const STORES: ReadonlyMap<string, PartKind<RangeStore>> = new Map<string, PartKind<RangeStore>>([
  ['list', { make: () => new ListStore(), history: 'sorted list with a cached insertion point (2.6.25–2.6.31)' }],
  ['rbtree', { make: () => new RbtreeStore(), history: 'sorted list + rbtree keyed by start (2.6.32–2.6.33)' }],
  ['interval-tree', { make: () => new IntervalTreeStore(), history: 'augmented rbtree with subtree max end (2.6.34; generic interval tree since 5.5)' }],
  ['vma-walk', { make: () => new VmaWalkStore(), history: 'no tree: walk the I/O VMA list + a kernel list (Biederman, 2005)' }],
  ['btree', { make: () => new BtreeStore(), history: 'ours: 16-slot maple-like B+tree in typed arrays with per-child max end' }],
]);

/** RAM policies by part name; `tree` gets a private instance of the composition's store kind. */
interface RamKind {
  make: (store: () => RangeStore) => RamPolicy;
  history: string;
}
const RAMS: ReadonlyMap<string, RamKind> = new Map<string, RamKind>([
  ['page-bit', { make: () => new PageBitPolicy(), history: 'RAM types in page flags, RAM-ness by pfn_valid() sections first (Hellström, 2009)' }],
  [
    'page-bit-ram-walk',
    { make: () => new PageBitRamWalkPolicy(), history: "RAM types in page flags, RAM-ness by the System RAM walk (Linux's page_is_ram, 2.6.32+)" },
  ],
  ['tree', { make: (store) => new TreeRamPolicy(store()), history: 'RAM types as ranges in a second store, single owner' }],
]);

/** Insert policies by part name. */
const INSERTS: ReadonlyMap<string, PartKind<InsertPolicy>> = new Map<string, PartKind<InsertPolicy>>([
  ['single-page', { make: () => new SinglePagePolicy(), history: 'one lookup per vmf_insert_pfn (2.6.32+)' }],
  ['whole-vma', { make: () => new WholeVmaPolicy(), history: 'revalidate the whole VMA from vm_pgoff on every insert (2.6.29)' }],
]);

/** Every composition name, sorted. */
const COMPOSITIONS: readonly string[] = [...STORES.keys()]
  .flatMap((s) => [...RAMS.keys()].flatMap((r) => [...INSERTS.keys()].map((i) => `${s}+${r}+${i}`)))
  .sort();

/** Options of `createTracker`. */
export type TrackerOptions = ComposeOptions;

/**
 * Names of the real trackers (every composition `store+ram+insert`; not
 * `oracle`, not `null`), sorted.
 */
export function trackerNames(): string[] {
  return [...COMPOSITIONS];
}

/** The three part names of composition `name`, or null when it is not one. */
function partsOf(name: string): [string, string, string] | null {
  const p = name.split('+');
  if (p.length !== 3 || !STORES.has(p[0]!) || !RAMS.has(p[1]!) || !INSERTS.has(p[2]!)) return null;
  return [p[0]!, p[1]!, p[2]!];
}

function unknown(name: string): InputError {
  return new InputError(`unknown tracker "${name}"; valid trackers: ${[...trackerNames(), ORACLE, NULL_TRACKER].join(', ')}`);
}

/**
 * A fresh tracker instance.
 * @param name a name from `trackerNames()`, `oracle` or `null`
 * @param opts `{ checkInvariants: true }` for test mode (compositions only):
 *   the store's and RAM policy's invariants are checked after every mutation
 * @throws InputError for an unknown name, listing the valid ones
 */
export function createTracker(name: string, opts: TrackerOptions = {}): MemtypeTracker {
  if (name === ORACLE) return new OracleTracker();
  if (name === NULL_TRACKER) return new NullTracker();
  const parts = partsOf(name);
  if (parts === null) throw unknown(name);
  const store = STORES.get(parts[0])!;
  const ram = RAMS.get(parts[1])!.make(store.make);
  return new ComposedTracker(store.make(), ram, INSERTS.get(parts[2])!.make(), opts);
}

/**
 * One line describing tracker `name` from its parts' Linux history, e.g.
 * `augmented rbtree … · RAM types in page flags … · one lookup per …`.
 * @throws InputError for an unknown name
 */
export function describeTracker(name: string): string {
  if (name === ORACLE) return 'brute-force reference semantics (Linux x86 PAT, v6.16 series); every tracker must match its outcomes';
  if (name === NULL_TRACKER) return 'tracks nothing: the harness + machine core cost, measured beside every tracker';
  const parts = partsOf(name);
  if (parts === null) throw unknown(name);
  const line = `${STORES.get(parts[0])!.history} · ${RAMS.get(parts[1])!.history} · ${INSERTS.get(parts[2])!.history}`;
  return name === LINUX_TRACKER ? `${line} — what Linux uses today` : line;
}
