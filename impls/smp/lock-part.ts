/**
 * Locking as a tracker part: how a composition `store+ram+insert+lock`
 * protects the memtype state its CPUs share. A lock part does two things:
 *
 *  1. `ram(classify, flags)`: picks how RAM page types are written in the
 *     shared `page->flags` words (two atomic bit operations, or one
 *     cmpxchg — see shared-page-flags.ts), returning the RAM policy the
 *     composition uses;
 *  2. `wrap(inner, env)`: wraps CPU `env.cpu`'s composed tracker, taking the
 *     scheme's locks around the calls Linux makes under `memtype_lock`.
 *     It wraps at the tracker contract (core/tracker.ts), not at the range
 *     store, because `memtype_check_insert()` — the conflict scan and the
 *     insert — must be one critical section.
 *
 * The schemes (arch/x86/mm/pat/memtype.c in each era):
 *  - `spinlock`: Linux 2.6.26–2.6.34-rc: every tree access and every RAM
 *    page-type read and write under the global `memtype_lock` — including
 *    `lookup_memtype()` of a RAM page, the lock Holt's xpmem test hammered.
 *  - `cmpxchg`: Linux since commit 1f9cc3cb6a27 (2010, Robin Holt): RAM
 *    page types read with a plain load and set by a cmpxchg loop, with no
 *    lock; the tree still under `memtype_lock` (Linux today).
 *  - `rwlock`: ours: tree lookups (and the list) as readers, inserts and
 *    erases as writers; RAM as `cmpxchg`.
 *  - `seqlock`: ours, lock-free reads: tree lookups run under
 *    `read_seqbegin()`/`read_seqretry()` against the shared B-tree's
 *    bounded descent, writers serialize on the seqlock's spinlock; RAM as
 *    `cmpxchg`; the list takes the writers' lock (`read_seqlock_excl()`).
 * `pat_pagerange_is_ram()` reads only the physical map (read-only) and
 * takes no lock in any scheme, as in Linux.
 *
 * And one scheme broken on purpose, `nolock` (`BROKEN_LOCK_SCHEMES`): no
 * lock at all — tree lookups, inserts and erases of every CPU at once, RAM
 * page types by two bit operations — for showing that a run's checks catch
 * a broken scheme, as the historical bug switches (`--bug`) show the
 * machine's checks at work. It is never in a lineup (`smpTrackerNames()`
 * leaves it out, so no glob selects it); only its exact name runs it.
 *
 * Every section is logged (cs-log.ts) with its version when the machine
 * supplies a log: exclusive schemes give every section a version of its
 * own (a total order); reader/writer schemes give writes one and let reads
 * record the version they saw. RAM page-type calls of the lock-free
 * schemes are not logged: they touch per-page words, and contended RAM
 * pages are checked by final state.
 *
 * Lock words (`lockWords(LOCK_SLOTS)`): slot 0 is `memtype_lock` (spinlock,
 * cmpxchg), the rwlock (rwlock) or the seqlock's writers (seqlock, with its
 * sequence in slot 1); the version counter of the first three sits in slot
 * 0's second line.
 */
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../../core/tracker.js';
import type { RamPolicy } from '../parts.js';
import type { CsLog } from './cs-log.js';
import type { LockStats } from './lock-stats.js';
import { RwLock } from './rwlock.js';
import { SeqLock } from './seqlock.js';
import { LINE_WORDS } from './shared-buffer.js';
import type { SharedPageFlags } from './shared-page-flags.js';
import { SharedPageTypes, type PageTypeUpdate } from './shared-page-types.js';
import { spinlock, type Spinlock, type SpinlockKind } from './spinlock.js';

/** Names of the locking schemes (`nolock`: broken on purpose). */
export type LockScheme = 'spinlock' | 'cmpxchg' | 'rwlock' | 'seqlock' | 'nolock';
/** Every real scheme, in history order. */
export const LOCK_SCHEMES: readonly LockScheme[] = ['spinlock', 'cmpxchg', 'rwlock', 'seqlock'];
/** Schemes broken on purpose: accepted by exact name only, never in a lineup. */
export const BROKEN_LOCK_SCHEMES: readonly LockScheme[] = ['nolock'];
/** Lock slots a machine's lock words need. */
export const LOCK_SLOTS = 2;
/** Word of the version counter of the exclusive and rwlock schemes (slot 0, second line). */
const VERSION_WORD = LINE_WORDS + 1;

/** What one CPU's wrapper needs: the machine's shared lock words and where to count and log. */
export interface LockEnv {
  /** The machine's lock words (`lockWords(LOCK_SLOTS)`), shared by every CPU. */
  readonly words: Int32Array;
  /** This CPU (0-based). */
  readonly cpu: number;
  /** Statistics table (lock 0 = the scheme's lock), or null. */
  readonly stats: LockStats | null;
  /** This CPU's critical-section log, or null. */
  readonly log: CsLog | null;
  /** Algorithm of `memtype_lock` and of the writers' locks (default `tas`, see docs/smp.md). */
  readonly spinlock?: SpinlockKind;
}

/** A locking scheme as a tracker part. */
export interface LockPart {
  /** Part name, the fourth in a composition's name. */
  readonly name: LockScheme;
  /** How the scheme writes RAM page types. */
  readonly pageTypeUpdate: PageTypeUpdate;
  /** The RAM policy for the composition: page types in `flags`, RAM-ness from `classify` (a page-bit policy). */
  ram(classify: RamPolicy, flags: SharedPageFlags): RamPolicy;
  /** CPU `env.cpu`'s tracker: `inner` (composed over the shared store and `ram(...)`) inside the scheme's locks. */
  wrap(inner: MemtypeTracker, env: LockEnv): LockedTracker;
}

/**
 * The common shape of the wrappers: forwards the contract, copies the out
 * fields, logs sections. `opIndex` must be set to the op being replayed
 * before each op when a log is kept.
 */
export abstract class LockedTracker implements MemtypeTracker {
  /** `store+ram+insert+lock`. */
  readonly name: string;
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;
  /** Index of the op this CPU is replaying (for the critical-section log). */
  opIndex = 0;
  protected readonly log: CsLog | null;

  constructor(
    protected readonly inner: MemtypeTracker,
    scheme: LockScheme,
    env: LockEnv,
  ) {
    this.name = `${inner.name}+${scheme}`;
    this.log = env.log;
  }

  attach(view: MachineView): void {
    this.inner.attach(view);
  }

  /** Read-only physical map: no lock in any scheme. */
  pagerangeIsRam(startPfn: number, endPfn: number): number {
    return this.inner.pagerangeIsRam(startPfn, endPfn);
  }

  /** No lock here: the `lookup` callback re-enters this tracker's locked `memtypeLookup`/`getPageMemtype`. */
  insertCachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return this.inner.insertCachemode(vma, pfn, lookup);
  }

  modeledBytes(): number {
    return this.inner.modeledBytes();
  }

  abstract reserveRamPagesType(startPfn: number, endPfn: number, req: number): number;
  abstract freeRamPagesType(startPfn: number, endPfn: number): number;
  abstract getPageMemtype(pfn: number): number;
  abstract memtypeCheckInsert(startPfn: number, endPfn: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number;
  abstract memtypeErase(startPfn: number, endPfn: number, owner: PfnmapTrackCtx | null): number;
  abstract memtypeLookup(pfn: number): number;
  abstract memtypeList(out: number[]): void;

  /** Copies the inner tracker's out fields after a call. */
  protected outs(): void {
    const i = this.inner;
    this.newType = i.newType;
    this.conflictFound = i.conflictFound;
    this.conflictOther = i.conflictOther;
  }
}

/** One exclusive lock around everything (`spinlock`), or around the tree only (`cmpxchg`). */
class ExclusiveTracker extends LockedTracker {
  private readonly lock: Spinlock;
  private readonly words: Int32Array;

  constructor(
    inner: MemtypeTracker,
    scheme: 'spinlock' | 'cmpxchg',
    env: LockEnv,
    private readonly ramLocked: boolean,
  ) {
    super(inner, scheme, env);
    this.words = env.words;
    this.lock = spinlock(env.spinlock ?? 'tas', env.words, 0, env.stats === null ? null : { stats: env.stats, lock: 0, cpu: env.cpu });
  }

  private enter(): void {
    this.lock.lock();
    const v = this.words[VERSION_WORD]! + 1;
    this.words[VERSION_WORD] = v;
    if (this.log !== null) this.log.note(this.opIndex, v, true);
  }

  reserveRamPagesType(s: number, e: number, req: number): number {
    if (!this.ramLocked) {
      const r = this.inner.reserveRamPagesType(s, e, req);
      this.outs();
      return r;
    }
    this.enter();
    const r = this.inner.reserveRamPagesType(s, e, req);
    this.lock.unlock();
    this.outs();
    return r;
  }

  freeRamPagesType(s: number, e: number): number {
    if (!this.ramLocked) return this.inner.freeRamPagesType(s, e);
    this.enter();
    const r = this.inner.freeRamPagesType(s, e);
    this.lock.unlock();
    return r;
  }

  getPageMemtype(pfn: number): number {
    if (!this.ramLocked) return this.inner.getPageMemtype(pfn);
    this.enter();
    const r = this.inner.getPageMemtype(pfn);
    this.lock.unlock();
    return r;
  }

  memtypeCheckInsert(s: number, e: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    this.enter();
    const r = this.inner.memtypeCheckInsert(s, e, type, wantNew, owner);
    this.lock.unlock();
    this.outs();
    return r;
  }

  memtypeErase(s: number, e: number, owner: PfnmapTrackCtx | null): number {
    this.enter();
    const r = this.inner.memtypeErase(s, e, owner);
    this.lock.unlock();
    return r;
  }

  memtypeLookup(pfn: number): number {
    this.enter();
    const r = this.inner.memtypeLookup(pfn);
    this.lock.unlock();
    return r;
  }

  memtypeList(out: number[]): void {
    this.enter();
    this.inner.memtypeList(out);
    this.lock.unlock();
  }
}

/** Tree lookups read-locked, inserts and erases write-locked; RAM by cmpxchg, unlocked. */
class RwlockTracker extends LockedTracker {
  private readonly lock: RwLock;
  private readonly words: Int32Array;

  constructor(inner: MemtypeTracker, env: LockEnv) {
    super(inner, 'rwlock', env);
    this.words = env.words;
    this.lock = new RwLock(env.words, 0, env.stats === null ? null : { stats: env.stats, lock: 0, cpu: env.cpu }, env.spinlock ?? 'tas');
  }

  private writeEnter(): void {
    this.lock.writeLock();
    const v = this.words[VERSION_WORD]! + 1;
    this.words[VERSION_WORD] = v;
    if (this.log !== null) this.log.note(this.opIndex, v, true);
  }

  private readEnter(): void {
    this.lock.readLock();
    if (this.log !== null) this.log.note(this.opIndex, Atomics.load(this.words, VERSION_WORD), false);
  }

  reserveRamPagesType(s: number, e: number, req: number): number {
    const r = this.inner.reserveRamPagesType(s, e, req);
    this.outs();
    return r;
  }

  freeRamPagesType(s: number, e: number): number {
    return this.inner.freeRamPagesType(s, e);
  }

  getPageMemtype(pfn: number): number {
    return this.inner.getPageMemtype(pfn);
  }

  memtypeCheckInsert(s: number, e: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    this.writeEnter();
    const r = this.inner.memtypeCheckInsert(s, e, type, wantNew, owner);
    this.lock.writeUnlock();
    this.outs();
    return r;
  }

  memtypeErase(s: number, e: number, owner: PfnmapTrackCtx | null): number {
    this.writeEnter();
    const r = this.inner.memtypeErase(s, e, owner);
    this.lock.writeUnlock();
    return r;
  }

  memtypeLookup(pfn: number): number {
    this.readEnter();
    const r = this.inner.memtypeLookup(pfn);
    this.lock.readUnlock();
    return r;
  }

  memtypeList(out: number[]): void {
    this.readEnter();
    this.inner.memtypeList(out);
    this.lock.readUnlock();
  }
}

/** Lock-free tree lookups with retry; writers on the seqlock; RAM by cmpxchg, unlocked. */
class SeqlockTracker extends LockedTracker {
  private readonly lock: SeqLock;

  constructor(inner: MemtypeTracker, env: LockEnv) {
    super(inner, 'seqlock', env);
    this.lock = new SeqLock(env.words, 0, env.stats === null ? null : { stats: env.stats, lock: 0, cpu: env.cpu }, env.spinlock ?? 'tas');
  }

  private writeEnter(): void {
    this.lock.writeLock();
    if (this.log !== null) this.log.note(this.opIndex, this.lock.version() + 1, true);
  }

  reserveRamPagesType(s: number, e: number, req: number): number {
    const r = this.inner.reserveRamPagesType(s, e, req);
    this.outs();
    return r;
  }

  freeRamPagesType(s: number, e: number): number {
    return this.inner.freeRamPagesType(s, e);
  }

  getPageMemtype(pfn: number): number {
    return this.inner.getPageMemtype(pfn);
  }

  memtypeCheckInsert(s: number, e: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    this.writeEnter();
    const r = this.inner.memtypeCheckInsert(s, e, type, wantNew, owner);
    this.lock.writeUnlock();
    this.outs();
    return r;
  }

  memtypeErase(s: number, e: number, owner: PfnmapTrackCtx | null): number {
    this.writeEnter();
    const r = this.inner.memtypeErase(s, e, owner);
    this.lock.writeUnlock();
    return r;
  }

  /** `read_seqbegin()` … lookup … `read_seqretry()`: the lookup's answer is kept only if no writer ran. */
  memtypeLookup(pfn: number): number {
    const l = this.lock;
    let s: number;
    let r: number;
    do {
      s = l.readBegin();
      r = this.inner.memtypeLookup(pfn);
    } while (l.readRetry(s));
    if (this.log !== null) this.log.note(this.opIndex, s >>> 1, false);
    return r;
  }

  /** `read_seqlock_excl()`: the list walks the whole tree, so it excludes writers instead of retrying. */
  memtypeList(out: number[]): void {
    this.lock.writers.lock();
    if (this.log !== null) this.log.note(this.opIndex, this.lock.version(), false);
    this.inner.memtypeList(out);
    this.lock.writers.unlock();
  }
}

/**
 * No lock at all (broken on purpose, see the module comment): every call
 * goes straight to the shared state; sections are still logged, with
 * versions from a bare counter, so the run's checks see what happened.
 */
class UnlockedTracker extends LockedTracker {
  private readonly words: Int32Array;

  constructor(inner: MemtypeTracker, env: LockEnv) {
    super(inner, 'nolock', env);
    this.words = env.words;
  }

  private note(write: boolean): void {
    if (this.log !== null) this.log.note(this.opIndex, write ? Atomics.add(this.words, VERSION_WORD, 1) + 1 : Atomics.load(this.words, VERSION_WORD), write);
  }

  reserveRamPagesType(s: number, e: number, req: number): number {
    const r = this.inner.reserveRamPagesType(s, e, req);
    this.outs();
    return r;
  }

  freeRamPagesType(s: number, e: number): number {
    return this.inner.freeRamPagesType(s, e);
  }

  getPageMemtype(pfn: number): number {
    return this.inner.getPageMemtype(pfn);
  }

  memtypeCheckInsert(s: number, e: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    this.note(true);
    const r = this.inner.memtypeCheckInsert(s, e, type, wantNew, owner);
    this.outs();
    return r;
  }

  memtypeErase(s: number, e: number, owner: PfnmapTrackCtx | null): number {
    this.note(true);
    return this.inner.memtypeErase(s, e, owner);
  }

  memtypeLookup(pfn: number): number {
    this.note(false);
    return this.inner.memtypeLookup(pfn);
  }

  memtypeList(out: number[]): void {
    this.note(false);
    this.inner.memtypeList(out);
  }
}

function part(name: LockScheme, pageTypeUpdate: PageTypeUpdate, wrap: (inner: MemtypeTracker, env: LockEnv) => LockedTracker): LockPart {
  return {
    name,
    pageTypeUpdate,
    ram: (classify, flags) => new SharedPageTypes(classify, flags, pageTypeUpdate),
    wrap,
  };
}

/** The lock parts by name. */
export const LOCK_PARTS: ReadonlyMap<LockScheme, LockPart> = new Map<LockScheme, LockPart>([
  ['spinlock', part('spinlock', 'bitops', (inner, env) => new ExclusiveTracker(inner, 'spinlock', env, true))],
  ['cmpxchg', part('cmpxchg', 'cmpxchg', (inner, env) => new ExclusiveTracker(inner, 'cmpxchg', env, false))],
  ['rwlock', part('rwlock', 'cmpxchg', (inner, env) => new RwlockTracker(inner, env))],
  ['seqlock', part('seqlock', 'cmpxchg', (inner, env) => new SeqlockTracker(inner, env))],
  ['nolock', part('nolock', 'bitops', (inner, env) => new UnlockedTracker(inner, env))],
]);

/**
 * The lock part named `name`.
 * @throws RangeError for an unknown name (listing the known ones)
 */
export function lockPart(name: string): LockPart {
  const p = LOCK_PARTS.get(name as LockScheme);
  if (p === undefined) throw new RangeError(`unknown locking scheme "${name}"; known: ${LOCK_SCHEMES.join(', ')} (and ${BROKEN_LOCK_SCHEMES.join(', ')}, broken on purpose)`);
  return p;
}
