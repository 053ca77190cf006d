/**
 * Spinlocks on `Atomics` over a shared `Int32Array`: the emulated machine's
 * `memtype_lock` (arch/x86/mm/pat/memtype.c, `static DEFINE_SPINLOCK`).
 *
 * Two algorithms, same interface (the locking schemes of lock-part.ts use
 * `tas` unless told otherwise; docs/smp.md gives the measured reason):
 *  - `ticket`: Linux's x86 spinlock from 2.6.25 to 4.1 — and so the lock of
 *    Holt's 2010 experiment. A CPU takes a ticket with one
 *    fetch-and-add and spins until the owner field reaches it; release
 *    increments the owner. FIFO-fair: under contention every acquisition is
 *    a hand-off to another CPU, which is what the queueing model of
 *    bench/summarise/project.ts assumes (FCFS service).
 *  - `tas`: test-and-test-and-set with bounded exponential backoff. Unfair:
 *    the releasing CPU, whose cache still holds the line, often takes the
 *    lock again before a waiter notices, so fewer hand-offs and more
 *    throughput on two cores, but waiters can starve. When the host
 *    preempts an emulated CPU (a thread), only `tas` keeps going: a ticket
 *    lock hands the lock to the next waiter whether or not it runs.
 * bench/micro/smp-locks.ts measures both on this machine (docs/smp.md).
 *
 * Kernel spinlocks never sleep; these do, after ~2^15 fruitless spins, for
 * ~50 µs (`Atomics.wait` with a timeout): an emulated CPU is a thread the
 * host may preempt while it holds the lock, and spinning through the
 * holder's whole time slice would measure the host's scheduler, not the
 * lock. Sleeps are counted (`SLEEPS`): a cell with many is oversubscribed.
 *
 * Slot layout (`SLOT_WORDS` words, see shared-buffer.ts): word 0 the lock
 * word (tas) or next ticket (ticket), word 1 the owner (ticket), word
 * `LINE_WORDS` the last holder's CPU + 1 (written under the lock).
 */
import { LockCounter, type LockStatsSlot } from './lock-counter.js';
import { nowNs } from './lock-stats.js';
import { LINE_WORDS, SLOT_WORDS } from './shared-buffer.js';

/** A mutual-exclusion lock one CPU (thread) holds at a time; one object per CPU per lock. */
export interface Spinlock {
  /** Algorithm name: `ticket` or `tas`. */
  readonly kind: SpinlockKind;
  /** `spin_lock()`: returns once this CPU holds the lock. Not reentrant. */
  lock(): void;
  /** `spin_unlock()`: releases the lock this CPU holds. */
  unlock(): void;
  /** `spin_trylock()`: takes the lock if it is free; true when taken. */
  tryLock(): boolean;
}

/** Spinlock algorithms. */
export type SpinlockKind = 'ticket' | 'tas';

/** Spins (busy-word loads) before a waiter sleeps once. */
export const SPINS_BEFORE_SLEEP = 1 << 15;
/** Sleep after `SPINS_BEFORE_SLEEP` spins, ms (Atomics.wait timeout). */
export const SLEEP_MS = 0.05;
/** TAS backoff bounds, in busy-word loads between attempts. */
export const BACKOFF_MIN = 4;
export const BACKOFF_MAX = 1024;

/**
 * Creates CPU `cpu`'s handle on the spinlock in slot `slot` of `words`.
 * @param words the machine's lock words (`lockWords`), shared by every CPU
 * @param slot lock slot index
 * @param stats where to count, or null
 */
export function spinlock(kind: SpinlockKind, words: Int32Array, slot: number, stats: LockStatsSlot | null = null): Spinlock {
  return kind === 'ticket' ? new TicketSpinlock(words, slot, stats) : new TasSpinlock(words, slot, stats);
}

/** Ticket spinlock (`arch_spinlock_t` of x86 Linux 2.6.25–4.1). */
export class TicketSpinlock implements Spinlock {
  readonly kind = 'ticket';
  private readonly w: Int32Array;
  private readonly next: number;
  private readonly owner: number;
  private readonly holder: number;
  private readonly c: LockCounter;

  constructor(words: Int32Array, slot: number, stats: LockStatsSlot | null = null) {
    this.w = words;
    this.next = slot * SLOT_WORDS;
    this.owner = this.next + 1;
    this.holder = this.next + LINE_WORDS;
    if (this.holder >= words.length) throw new RangeError(`spinlock: slot ${slot} is outside the lock words`);
    this.c = new LockCounter(stats);
  }

  lock(): void {
    const w = this.w;
    const my = Atomics.add(w, this.next, 1);
    if (Atomics.load(w, this.owner) !== my) this.wait(my);
    this.c.acquired(w, this.holder);
  }

  /** Contended path: spin on the owner word until it shows our ticket. */
  private wait(my: number): void {
    const w = this.w;
    const at = this.owner;
    const t0 = nowNs();
    let spins = 0;
    let sleeps = 0;
    let cur: number;
    while ((cur = Atomics.load(w, at)) !== my) {
      if (++spins % SPINS_BEFORE_SLEEP === 0) {
        Atomics.wait(w, at, cur, SLEEP_MS);
        sleeps++;
      }
    }
    this.c.waited(spins, nowNs() - t0, sleeps);
  }

  unlock(): void {
    this.c.released();
    Atomics.add(this.w, this.owner, 1);
  }

  tryLock(): boolean {
    const w = this.w;
    const t = Atomics.load(w, this.owner);
    if (Atomics.compareExchange(w, this.next, t, (t + 1) | 0) !== t) return false;
    this.c.acquired(w, this.holder);
    return true;
  }
}

/** Test-and-test-and-set spinlock with bounded exponential backoff. */
export class TasSpinlock implements Spinlock {
  readonly kind = 'tas';
  private readonly w: Int32Array;
  private readonly at: number;
  private readonly holder: number;
  private readonly c: LockCounter;

  constructor(words: Int32Array, slot: number, stats: LockStatsSlot | null = null) {
    this.w = words;
    this.at = slot * SLOT_WORDS;
    this.holder = this.at + LINE_WORDS;
    if (this.holder >= words.length) throw new RangeError(`spinlock: slot ${slot} is outside the lock words`);
    this.c = new LockCounter(stats);
  }

  lock(): void {
    if (Atomics.compareExchange(this.w, this.at, 0, 1) !== 0) this.wait();
    this.c.acquired(this.w, this.holder);
  }

  /** Contended path: read until free, try once, back off (doubling, bounded) on failure. */
  private wait(): void {
    const w = this.w;
    const at = this.at;
    const t0 = nowNs();
    let spins = 0;
    let sleeps = 0;
    let backoff = BACKOFF_MIN;
    for (;;) {
      while (Atomics.load(w, at) !== 0) {
        if (++spins % SPINS_BEFORE_SLEEP === 0) {
          Atomics.wait(w, at, 1, SLEEP_MS);
          sleeps++;
        }
      }
      if (Atomics.compareExchange(w, at, 0, 1) === 0) break;
      for (let k = 0; k < backoff; k++) spins += Atomics.load(w, at) & 0;
      spins += backoff;
      if (backoff < BACKOFF_MAX) backoff <<= 1;
    }
    this.c.waited(spins, nowNs() - t0, sleeps);
  }

  unlock(): void {
    this.c.released();
    Atomics.store(this.w, this.at, 0);
  }

  tryLock(): boolean {
    if (Atomics.load(this.w, this.at) !== 0 || Atomics.compareExchange(this.w, this.at, 0, 1) !== 0) return false;
    this.c.acquired(this.w, this.holder);
    return true;
  }
}
