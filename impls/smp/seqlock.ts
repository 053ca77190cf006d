/**
 * A seqlock on `Atomics` (Linux `seqlock_t`, include/linux/seqlock.h): a
 * sequence counter plus a spinlock that orders the writers. The lock-free
 * read side of the `seqlock` locking scheme: readers take no lock and write
 * no shared cache line; they read the sequence (even = no writer inside),
 * do their lookup, and retry when the sequence has moved
 * (`read_seqbegin()` / `read_seqretry()`). Writers take the spinlock and
 * make the sequence odd for the length of their critical section
 * (`write_seqlock()` / `write_sequnlock()`).
 *
 * What a reader may do between begin and retry: read anything, trust
 * nothing. Data read while a writer was inside can be torn (half an update,
 * a freed node's link taken for a count); the reader must stay in bounds
 * and terminate on any values (bounded loops, clamped indices), and only a
 * result validated by `readRetry` is used. This needs memory that is never
 * unmapped under a reader: the shared stores here keep every node in one
 * arena that only grows.
 *
 * Memory order: JavaScript's memory model gives racy plain reads no order
 * relative to later Atomics operations, so strictly a reader's data loads
 * could be moved after its closing sequence load. V8 treats `Atomics.load`
 * as a compiler barrier and x86 does not reorder loads with loads, so on
 * this host the reader sees either a consistent snapshot or a changed
 * sequence; the multi-thread tests check it (test/impls/smp/).
 *
 * Uses two lock slots: `slot` for the writers' spinlock, `slot + 1` for the
 * sequence word (its own line, so writers queueing on the spinlock do not
 * disturb readers).
 */
import { LockCounter, type LockStatsSlot } from './lock-counter.js';
import { nowNs } from './lock-stats.js';
import { SLOT_WORDS } from './shared-buffer.js';
import { spinlock, type Spinlock, type SpinlockKind } from './spinlock.js';

/** CPU `cpu`'s handle on the seqlock in slots `slot`, `slot + 1`. */
export class SeqLock {
  /** The writers' spinlock. */
  readonly writers: Spinlock;
  private readonly w: Int32Array;
  private readonly seq: number;
  private readonly c: LockCounter;

  /**
   * @param words the machine's lock words (`lockWords`, at least `slot + 2` slots)
   * @param slot first of the two slots
   * @param stats where to count (writers and readers share the row), or null
   * @param kind the writers' spinlock algorithm
   */
  constructor(words: Int32Array, slot: number, stats: LockStatsSlot | null = null, kind: SpinlockKind = 'tas') {
    this.w = words;
    this.seq = (slot + 1) * SLOT_WORDS;
    if (this.seq >= words.length) throw new RangeError(`seqlock: slots ${slot}, ${slot + 1} are outside the lock words`);
    this.writers = spinlock(kind, words, slot, stats);
    this.c = new LockCounter(stats);
  }

  /** `write_seqlock()`: takes the writers' lock, then makes the sequence odd. */
  writeLock(): void {
    this.writers.lock();
    Atomics.add(this.w, this.seq, 1);
  }

  /** `write_sequnlock()`: makes the sequence even again, then releases the writers' lock. */
  writeUnlock(): void {
    Atomics.add(this.w, this.seq, 1);
    this.writers.unlock();
  }

  /** `read_seqbegin()`: the current even sequence, after waiting out a writer inside. */
  readBegin(): number {
    const w = this.w;
    let s = Atomics.load(w, this.seq);
    if ((s & 1) !== 0) s = this.readWait();
    this.c.read();
    return s;
  }

  /** Waits while the sequence is odd (a writer is inside). */
  private readWait(): number {
    const w = this.w;
    const t0 = nowNs();
    let spins = 0;
    let s: number;
    while (((s = Atomics.load(w, this.seq)) & 1) !== 0) spins++;
    this.c.waited(spins, nowNs() - t0, 0);
    return s;
  }

  /** `read_seqretry()`: true when a writer ran since `start` (the read must be redone). */
  readRetry(start: number): boolean {
    if (Atomics.load(this.w, this.seq) === start) return false;
    this.c.retried();
    return true;
  }

  /** Write sections completed so far (the sequence / 2). */
  version(): number {
    return Atomics.load(this.w, this.seq) >>> 1;
  }
}
