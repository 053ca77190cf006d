/**
 * The trackers of an SMP machine: `btree+ram+insert+lock`, one instance per
 * CPU (worker thread), all over one shared state — the B-tree of
 * reservations, the `page->flags` words and the lock words — that the main
 * thread creates (`createSmpState`) and posts to every CPU.
 *
 * Which compositions can run on more than one CPU: the store must live in
 * shared memory — only `btree` does (impls/smp/shared-btree.ts); the object
 * stores (`list`, `rbtree`, `interval-tree`, `vma-walk`) refuse. The RAM
 * policy must keep types in page flags — `page-bit` or
 * `page-bit-ram-walk`; `tree` (RAM types in a second store) refuses. Any
 * insert policy works (it reads only the CPU's own VMA and calls back the
 * locked lookup).
 */
import type { MemtypeTracker } from '../../core/tracker.js';
import { ComposedTracker } from '../composed.js';
import { PageBitRamWalkPolicy } from '../page-bit-ram-walk.js';
import { PageBitPolicy } from '../page-bit.js';
import type { InsertPolicy, RamPolicy, RangeStore } from '../parts.js';
import { SinglePagePolicy } from '../single-page.js';
import { WholeVmaPolicy } from '../whole-vma.js';
import type { CsLog } from './cs-log.js';
import { LOCK_SCHEMES, LOCK_SLOTS, lockPart, type LockedTracker, type LockScheme } from './lock-part.js';
import type { LockStats } from './lock-stats.js';
import { lockWords } from './shared-buffer.js';
import { SharedBtreeStore, type SharedBtreeHandle, type SharedBtreeOptions } from './shared-btree.js';
import { SharedPageFlags, type SharedPageFlagsHandle } from './shared-page-flags.js';
import type { SpinlockKind } from './spinlock.js';

/** The shared memtype state of one SMP machine; structured-clonable (post it to each CPU). */
export interface SmpState {
  /** The B-tree of non-RAM reservations. */
  readonly store: SharedBtreeHandle;
  /** The RAM pages' flags words. */
  readonly pageFlags: SharedPageFlagsHandle;
  /** The lock words (`LOCK_SLOTS` slots). */
  readonly words: Int32Array;
}

/**
 * Creates the shared state of a machine whose RAM ends below `maxPfn`.
 * @param maxPfn end of RAM (the physical map's `maxPfn`), pfns
 * @param store arena options of the B-tree
 */
export function createSmpState(maxPfn: number, store: SharedBtreeOptions = {}): SmpState {
  return {
    store: new SharedBtreeStore(store).handle,
    pageFlags: new SharedPageFlags({ maxPfn: Math.max(1, maxPfn) }).handle,
    words: lockWords(LOCK_SLOTS),
  };
}

/** The four parts of an SMP composition name. */
export interface SmpParts {
  store: 'btree';
  ram: 'page-bit' | 'page-bit-ram-walk';
  insert: 'single-page' | 'whole-vma';
  lock: LockScheme;
}

/**
 * Parses `store+ram+insert+lock`.
 * @throws RangeError naming the part that cannot run on several CPUs, or an unknown part
 */
export function parseSmpName(name: string): SmpParts {
  const p = name.split('+');
  if (p.length !== 4) throw new RangeError(`"${name}" is not an SMP tracker: expected store+ram+insert+lock, lock one of ${LOCK_SCHEMES.join(', ')}`);
  const [store, ram, insert, lock] = p as [string, string, string, string];
  if (store !== 'btree') throw new RangeError(`store "${store}" cannot be shared between CPUs (objects in one thread's heap); only btree lives in shared memory`);
  if (ram !== 'page-bit' && ram !== 'page-bit-ram-walk') throw new RangeError(`RAM policy "${ram}" cannot be shared between CPUs; use page-bit or page-bit-ram-walk`);
  if (insert !== 'single-page' && insert !== 'whole-vma') throw new RangeError(`unknown insert policy "${insert}"`);
  lockPart(lock);
  return { store, ram, insert, lock: lock as LockScheme };
}

/** True for `store+ram+insert+lock` names `smpTracker` builds (the broken-on-purpose scheme included). */
export function isSmpTracker(name: string): boolean {
  return smpRefusal(name) === null;
}

/** Where CPU `cpu` counts and logs, and its spinlock algorithm. */
export interface SmpCpuEnv {
  cpu: number;
  stats?: LockStats | null;
  log?: CsLog | null;
  spinlock?: SpinlockKind;
  /** Test mode: the composed tracker checks the store's invariants after every mutation. */
  checkInvariants?: boolean;
  /** Test hook: decorates the shared store inside the composition (to perturb timing inside critical sections). */
  storeHook?: (store: RangeStore) => RangeStore;
}

/**
 * CPU `env.cpu`'s tracker for composition `name` over `state` (attached in
 * this thread).
 * @throws RangeError for a name that cannot run on several CPUs
 */
export function smpTracker(name: string, state: SmpState, env: SmpCpuEnv): LockedTracker {
  const parts = parseSmpName(name);
  const lock = lockPart(parts.lock);
  const classify: RamPolicy = parts.ram === 'page-bit' ? new PageBitPolicy() : new PageBitRamWalkPolicy();
  const insert: InsertPolicy = parts.insert === 'single-page' ? new SinglePagePolicy() : new WholeVmaPolicy();
  const store = new SharedBtreeStore(state.store);
  const inner: MemtypeTracker = new ComposedTracker(env.storeHook ? env.storeHook(store) : store, lock.ram(classify, new SharedPageFlags(state.pageFlags)), insert, {
    checkInvariants: env.checkInvariants === true,
  });
  return lock.wrap(inner, { words: state.words, cpu: env.cpu, stats: env.stats ?? null, log: env.log ?? null, spinlock: env.spinlock ?? 'tas' });
}

/**
 * Why `name` cannot run on more than one CPU (`parseSmpName`'s one line),
 * or null when it can.
 */
export function smpRefusal(name: string): string | null {
  try {
    parseSmpName(name);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Every SMP composition name with a real locking scheme, sorted (never `nolock`, broken on purpose). */
export function smpTrackerNames(): string[] {
  const out: string[] = [];
  for (const ram of ['page-bit', 'page-bit-ram-walk']) for (const insert of ['single-page', 'whole-vma']) for (const lock of LOCK_SCHEMES) out.push(`btree+${ram}+${insert}+${lock}`);
  return out.sort();
}
