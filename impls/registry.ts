/**
 * The tracker registry: range stores, RAM policies and insert policies by
 * part name, and every composition `store+ram+insert` of them, plus the
 * reference `oracle` and the `null` tracker (harness/core cost).
 *
 * The built-in parts are registered here; a tracker module (a user's file,
 * impls/tracker-module.ts) adds parts at run time with `registerParts`
 * (impls/modules.ts loads the file). Registration is per isolate: a worker
 * thread that creates a module-loaded tracker loads the module itself first.
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
import { checkInstance, KIND_LABEL, modulePartsOf, ModuleShapeError, type ModulePart, type PartKind } from './tracker-module.js';
import { VmaWalkStore } from './vma-walk.js';
import { WholeVmaPolicy } from './whole-vma.js';

/** Name of the brute-force reference tracker. */
export const ORACLE = 'oracle';
/** The composition Linux itself uses today (v6.16 series); replay's default. */
export const LINUX_TRACKER = 'interval-tree+page-bit-ram-walk+single-page';
/** Name of the tracker that accepts everything and tracks nothing. */
export const NULL_TRACKER = 'null';
/** Where a built-in part comes from (`PartInfo.origin`). */
export const BUILT_IN = 'built-in';

/** Options of `createTracker` and `compose`. */
export type TrackerOptions = ComposeOptions;

/** One registered part. */
interface Part<T> {
  /** A fresh instance; a RAM policy gets a factory of fresh stores of the composition's store kind. */
  make: (newStore: () => RangeStore, opts: TrackerOptions) => T;
  history: string;
  /** `built-in`, or the absolute path of the module that registered it. */
  origin: string;
}

/** Registered parts by kind, then name, in registration order (built-ins first). */
const PARTS: { store: Map<string, Part<RangeStore>>; ram: Map<string, Part<RamPolicy>>; insert: Map<string, Part<InsertPolicy>> } = {
  store: new Map<string, Part<RangeStore>>([
    ['list', { make: () => new ListStore(), history: 'sorted list with a cached insertion point (2.6.25–2.6.31)', origin: BUILT_IN }],
    ['rbtree', { make: () => new RbtreeStore(), history: 'sorted list + rbtree keyed by start (2.6.32–2.6.33)', origin: BUILT_IN }],
    [
      'interval-tree',
      { make: () => new IntervalTreeStore(), history: 'augmented rbtree with subtree max end (2.6.34; generic interval tree since 5.5)', origin: BUILT_IN },
    ],
    ['vma-walk', { make: () => new VmaWalkStore(), history: 'no tree: walk the I/O VMA list + a kernel list (Biederman, 2005)', origin: BUILT_IN }],
    ['btree', { make: () => new BtreeStore(), history: 'ours: 16-slot maple-like B+tree in typed arrays with per-child max end', origin: BUILT_IN }],
  ]),
  ram: new Map<string, Part<RamPolicy>>([
    [
      'page-bit',
      { make: () => new PageBitPolicy(), history: 'RAM types in page flags, RAM-ness by pfn_valid() sections first (Hellström, 2009)', origin: BUILT_IN },
    ],
    [
      'page-bit-ram-walk',
      {
        make: () => new PageBitRamWalkPolicy(),
        history: "RAM types in page flags, RAM-ness by the System RAM walk (Linux's page_is_ram, 2.6.32+)",
        origin: BUILT_IN,
      },
    ],
    [
      'tree',
      { make: (store) => new TreeRamPolicy(store()), history: 'RAM types as ranges in a second store, single owner', origin: BUILT_IN },
    ],
  ]),
  insert: new Map<string, Part<InsertPolicy>>([
    ['single-page', { make: () => new SinglePagePolicy(), history: 'one lookup per vmf_insert_pfn (2.6.32+)', origin: BUILT_IN }],
    ['whole-vma', { make: () => new WholeVmaPolicy(), history: 'revalidate the whole VMA from vm_pgoff on every insert (2.6.29)', origin: BUILT_IN }],
  ]),
};

/** Every composition name, sorted; rebuilt when a part is registered. */
let compositions: readonly string[] = [];
function rebuildCompositions(): void {
  const s = [...PARTS.store.keys()];
  const r = [...PARTS.ram.keys()];
  const i = [...PARTS.insert.keys()];
  compositions = s.flatMap((a) => r.flatMap((b) => i.map((c) => `${a}+${b}+${c}`))).sort();
}
rebuildCompositions();

/** A registered part, as `partInfo` and `parts` report it. */
export interface PartInfo {
  kind: PartKind;
  name: string;
  /** One line of history. */
  history: string;
  /** `built-in`, or the absolute path of the module that registered it. */
  origin: string;
}

/** Every registered part of `kind` (registration order: built-ins first). */
export function parts(kind: PartKind): PartInfo[] {
  return [...PARTS[kind]].map(([name, p]) => ({ kind, name, history: p.history, origin: p.origin }));
}

/** Names of the registered parts of `kind`, in registration order. */
export function partNames(kind: PartKind): string[] {
  return [...PARTS[kind].keys()];
}

/** The registered part `name` of `kind`, or undefined. */
export function partInfo(kind: PartKind, name: string): PartInfo | undefined {
  const p = PARTS[kind].get(name);
  return p === undefined ? undefined : { kind, name, history: p.history, origin: p.origin };
}

/**
 * A fresh, unattached range store of a registered kind (tests, micro-benchmarks).
 * @throws InputError for an unknown store name
 */
export function makeStore(name: string): RangeStore {
  const p = PARTS.store.get(name);
  if (p === undefined) throw new InputError(`unknown store "${name}"; valid stores: ${partNames('store').join(', ')}`);
  return p.make(noStore, {});
}

/**
 * A fresh, unattached RAM policy of a registered kind.
 * @param store the store kind a policy that keeps ranges of its own uses (default `list`)
 * @throws InputError for an unknown RAM policy or store name
 */
export function makeRamPolicy(name: string, store = 'list'): RamPolicy {
  const p = PARTS.ram.get(name);
  if (p === undefined) throw new InputError(`unknown RAM policy "${name}"; valid RAM policies: ${partNames('ram').join(', ')}`);
  makeStore(store);
  return p.make(() => makeStore(store), {});
}

/**
 * A fresh insert policy of a registered kind.
 * @throws InputError for an unknown insert policy name
 */
export function makeInsertPolicy(name: string): InsertPolicy {
  const p = PARTS.insert.get(name);
  if (p === undefined) throw new InputError(`unknown insert policy "${name}"; valid insert policies: ${partNames('insert').join(', ')}`);
  return p.make(noStore, {});
}

function noStore(): never {
  throw new Error('this part was given no store factory');
}

/** Names reserved for trackers that are not compositions. */
const RESERVED = [ORACLE, NULL_TRACKER];

/**
 * Registers the parts of a tracker module (impls/tracker-module.ts): all of
 * them or, on any error, none. Each part's `make()` is called once to check
 * the instance's name and members.
 * @param ns the module's namespace object (default or named exports), or a plain `TrackerModule` object
 * @param origin the module's absolute path (recorded; `built-in` is refused with a RangeError)
 * @returns the names of the registered parts, in the module's order
 * @throws InputError (one line) when the module describes no part, a name is malformed or clashes with a
 *   built-in part, `oracle`/`null`, or another module's part, a kind is malformed, or `make()` throws or
 *   returns something that is not that kind of part
 */
export function registerParts(ns: unknown, origin: string): string[] {
  if (origin === BUILT_IN) throw new RangeError(`a module's origin cannot be "${BUILT_IN}"`);
  let found: ModulePart[];
  try {
    found = modulePartsOf(ns);
    for (const p of found) {
      const what = `${KIND_LABEL[p.kind]} "${p.name}"`;
      if (RESERVED.includes(p.name)) throw new ModuleShapeError(`${what}: "${p.name}" is the name of a tracker`);
      for (const kind of ['store', 'ram', 'insert'] as const) {
        const prior = PARTS[kind].get(p.name);
        if (prior === undefined) continue;
        throw new ModuleShapeError(
          prior.origin === BUILT_IN
            ? `${what}: the name clashes with the built-in ${KIND_LABEL[kind]}; pick another name`
            : `${what}: the name clashes with the ${KIND_LABEL[kind]} of ${prior.origin}`,
        );
      }
      if (found.filter((q) => q.name === p.name).length > 1) throw new ModuleShapeError(`${what}: the name is used by two parts of the module`);
      let inst: unknown;
      try {
        inst = p.make(() => new ListStore());
      } catch (e) {
        throw new ModuleShapeError(`${what}: make() threw ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`);
      }
      checkInstance(p.kind, p.name, inst);
    }
  } catch (e) {
    if (e instanceof ModuleShapeError) throw new InputError(e.message);
    throw e;
  }
  for (const p of found) {
    // checkInstance vouched for the kind of what `make` returns.
    const part = { make: p.make as (s: () => RangeStore) => never, history: p.history, origin };
    PARTS[p.kind].set(p.name, part);
  }
  rebuildCompositions();
  return found.map((p) => p.name);
}

/**
 * Names of the real trackers (every composition `store+ram+insert` of the
 * registered parts; not `oracle`, not `null`), sorted.
 */
export function trackerNames(): string[] {
  return [...compositions];
}

/** The three part names of composition `name`, or null when it is not one. */
function partsOf(name: string): [string, string, string] | null {
  const p = name.split('+');
  if (p.length !== 3 || !PARTS.store.has(p[0]!) || !PARTS.ram.has(p[1]!) || !PARTS.insert.has(p[2]!)) return null;
  return [p[0]!, p[1]!, p[2]!];
}

/** True when composition `name` uses a part registered by a module (not only built-ins). */
export function isModuleTracker(name: string): boolean {
  const p = partsOf(name);
  if (p === null) return false;
  return PARTS.store.get(p[0])!.origin !== BUILT_IN || PARTS.ram.get(p[1])!.origin !== BUILT_IN || PARTS.insert.get(p[2])!.origin !== BUILT_IN;
}

function unknown(name: string): InputError {
  const hint = name.split('+').length === 3 ? ' (the parts of a tracker module are known once the module is loaded)' : '';
  return new InputError(`unknown tracker "${name}"${hint}; valid trackers: ${[...trackerNames(), ORACLE, NULL_TRACKER].join(', ')}`);
}

/**
 * Composes three parts into a tracker named `store+ram+insert`: the conflict
 * rule of `memtype_check_conflict()` on top of the store's ordered overlap
 * scan, RAM calls to the RAM policy, `pfnmap_setup_cachemode_pfn()` to the
 * insert policy (impls/composed.ts).
 * @param store where non-RAM reservations live (fresh, unattached)
 * @param ram how RAM pages' types are kept and RAM-ness decided (fresh, unattached)
 * @param insert what `vmf_insert_pfn()` does
 * @param opts `{ checkInvariants: true }`: test mode, the store's and RAM policy's `checkInvariants()` after every mutation
 * @returns a tracker; the machine attaches it (`attach` attaches the store, then the RAM policy)
 */
export function compose(store: RangeStore, ram: RamPolicy, insert: InsertPolicy, opts: TrackerOptions = {}): MemtypeTracker {
  return new ComposedTracker(store, ram, insert, opts);
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
  const p = partsOf(name);
  if (p === null) throw unknown(name);
  const store = PARTS.store.get(p[0])!;
  const newStore = (): RangeStore => store.make(noStore, opts);
  const ram = PARTS.ram.get(p[1])!.make(newStore, opts);
  return compose(newStore(), ram, PARTS.insert.get(p[2])!.make(noStore, opts), opts);
}

/**
 * One line describing tracker `name` from its parts' history, e.g.
 * `augmented rbtree … · RAM types in page flags … · one lookup per …`.
 * @throws InputError for an unknown name
 */
export function describeTracker(name: string): string {
  if (name === ORACLE) return 'brute-force reference semantics (Linux x86 PAT, v6.16 series); every tracker must match its outcomes';
  if (name === NULL_TRACKER) return 'tracks nothing: the harness + machine core cost, measured beside every tracker';
  const p = partsOf(name);
  if (p === null) throw unknown(name);
  const line = `${PARTS.store.get(p[0])!.history} · ${PARTS.ram.get(p[1])!.history} · ${PARTS.insert.get(p[2])!.history}`;
  return name === LINUX_TRACKER ? `${line} — what Linux uses today` : line;
}
