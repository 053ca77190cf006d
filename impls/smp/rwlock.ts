/**
 * A reader/writer spinlock on `Atomics`, writer-preferring: the `rwlock`
 * locking scheme's lock (tree lookups read-locked, inserts and erases
 * write-locked). Shaped like Linux's queued rwlock (kernel/locking/
 * qrwlock.c): one state word — reader count in the low bits, a
 * writer-waiting and a writer-held bit above — and a FIFO lock that orders
 * the writers (here a ticket lock in the same cache line, as qrwlock's
 * `wait_lock` sits beside `cnts`).
 *
 *  - read_lock: one fetch-and-add of the reader count; if a writer holds or
 *    waits, undo it and spin until the writer bits clear, then retry. So
 *    readers never overtake a waiting writer, and a reader costs one atomic
 *    on the shared line to enter and one to leave — the line still moves
 *    between CPUs on every read, which is why an rwlock does not scale like
 *    a seqlock even when nobody writes.
 *  - write_lock: take the writers' lock, set writer-waiting (new readers
 *    back off), wait for the reader count to drain, then swap
 *    writer-waiting for writer-held with one compare-and-swap (a reader's
 *    transient increment makes it fail and retry, so no count is lost).
 *
 * The writers' lock is test-and-test-and-set with backoff by default, as
 * every scheme's spinlock here (spinlock.ts, docs/smp.md: a FIFO lock hands
 * the lock to a waiter the host may have preempted, and every CPU stalls);
 * `ticket` gives qrwlock's FIFO order.
 *
 * Slot layout (`SLOT_WORDS` words): word 0 state, word 1 the writers' lock
 * word (tas) or next ticket (ticket), word 2 writer owner (ticket); word
 * `LINE_WORDS` the last writer's CPU + 1.
 */
import { LockCounter, type LockStatsSlot } from './lock-counter.js';
import { nowNs } from './lock-stats.js';
import { LINE_WORDS, SLOT_WORDS } from './shared-buffer.js';
import { BACKOFF_MAX, BACKOFF_MIN, SLEEP_MS, SPINS_BEFORE_SLEEP, type SpinlockKind } from './spinlock.js';

/** Reader count mask of the state word. */
export const RW_READERS = 0x00ffffff;
/** A writer waits for readers to drain; new readers back off. */
export const RW_WAITING = 1 << 24;
/** A writer holds the lock. */
export const RW_WRITER = 1 << 25;
const WRITER_BITS = RW_WAITING | RW_WRITER;

/** CPU `cpu`'s handle on the rwlock in slot `slot` of the machine's lock words. */
export class RwLock {
  private readonly w: Int32Array;
  private readonly state: number;
  private readonly next: number;
  private readonly owner: number;
  private readonly holder: number;
  private readonly c: LockCounter;

  /**
   * @param words the machine's lock words (`lockWords`)
   * @param slot lock slot index
   * @param stats where to count, or null
   * @param kind the writers' lock: `tas` (default) or `ticket` (FIFO)
   */
  constructor(words: Int32Array, slot: number, stats: LockStatsSlot | null = null, readonly kind: SpinlockKind = 'tas') {
    this.w = words;
    this.state = slot * SLOT_WORDS;
    this.next = this.state + 1;
    this.owner = this.state + 2;
    this.holder = this.state + LINE_WORDS;
    if (this.holder >= words.length) throw new RangeError(`rwlock: slot ${slot} is outside the lock words`);
    this.c = new LockCounter(stats);
  }

  /** `read_lock()`: returns once this CPU holds the lock for reading (shared with other readers). */
  readLock(): void {
    const prev = Atomics.add(this.w, this.state, 1);
    if ((prev & WRITER_BITS) !== 0) this.readWait();
    this.c.read();
  }

  /** Reader slow path: undo the increment, wait for the writer bits to clear, retry. */
  private readWait(): void {
    const w = this.w;
    const at = this.state;
    const t0 = nowNs();
    let spins = 0;
    let sleeps = 0;
    this.c.retried();
    for (;;) {
      Atomics.sub(w, at, 1);
      let s: number;
      while (((s = Atomics.load(w, at)) & WRITER_BITS) !== 0) {
        if (++spins % SPINS_BEFORE_SLEEP === 0) {
          Atomics.wait(w, at, s, SLEEP_MS);
          sleeps++;
        }
      }
      if ((Atomics.add(w, at, 1) & WRITER_BITS) === 0) break;
    }
    this.c.waited(spins, nowNs() - t0, sleeps);
  }

  /** `read_unlock()`. */
  readUnlock(): void {
    Atomics.sub(this.w, this.state, 1);
  }

  /** `write_lock()`: returns once this CPU holds the lock alone. */
  writeLock(): void {
    const w = this.w;
    let spins = 0;
    let sleeps = 0;
    let t0 = 0;
    let cur: number;
    if (this.kind === 'ticket') {
      const my = Atomics.add(w, this.next, 1);
      while ((cur = Atomics.load(w, this.owner)) !== my) {
        if (t0 === 0) t0 = nowNs();
        if (++spins % SPINS_BEFORE_SLEEP === 0) {
          Atomics.wait(w, this.owner, cur, SLEEP_MS);
          sleeps++;
        }
      }
    } else {
      let backoff = BACKOFF_MIN;
      while (Atomics.compareExchange(w, this.next, 0, 1) !== 0) {
        if (t0 === 0) t0 = nowNs();
        while ((cur = Atomics.load(w, this.next)) !== 0) {
          if (++spins % SPINS_BEFORE_SLEEP === 0) {
            Atomics.wait(w, this.next, cur, SLEEP_MS);
            sleeps++;
          }
        }
        for (let k = 0; k < backoff; k++) spins += Atomics.load(w, this.next) & 0;
        spins += backoff;
        if (backoff < BACKOFF_MAX) backoff <<= 1;
      }
    }
    Atomics.or(w, this.state, RW_WAITING);
    while (Atomics.compareExchange(w, this.state, RW_WAITING, RW_WRITER) !== RW_WAITING) {
      if (t0 === 0) t0 = nowNs();
      spins++;
    }
    if (t0 !== 0) this.c.waited(spins, nowNs() - t0, sleeps);
    this.c.acquired(w, this.holder);
  }

  /** `write_unlock()`. */
  writeUnlock(): void {
    this.c.released();
    Atomics.sub(this.w, this.state, RW_WRITER);
    if (this.kind === 'ticket') Atomics.add(this.w, this.owner, 1);
    else Atomics.store(this.w, this.next, 0);
  }
}
