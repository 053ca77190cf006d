/**
 * The bookkeeping every lock here does inside itself, for one (lock, CPU):
 * counts into that CPU's row of a `LockStats` table, samples hold times,
 * and notices hand-offs (the previous holder was another CPU). Shared by the
 * spinlocks, the rwlock and the seqlock so each stays a few lines long.
 */
import { ACQUIRED, CONTENDED, HANDOFFS, HOLD_NS, HOLD_SAMPLES, LONG_HOLD_NS, LONG_HOLDS, LockStats, nowNs, READS, RETRIES, ROW, SLEEPS, SPINS, WAIT_NS } from './lock-stats.js';

/** A clock calibration (two back-to-back clock reads) longer than this was preempted, ns. */
const CLOCK_PREEMPTED_NS = 20_000;

/** Where one lock's statistics go, and which CPU is counting. */
export interface LockStatsSlot {
  /** The machine's table. */
  readonly stats: LockStats;
  /** Index of this lock in the table. */
  readonly lock: number;
  /** The counting CPU (0-based). */
  readonly cpu: number;
}

/** One (lock, CPU) row writer. With no table, counts go to a private row nobody reads. */
export class LockCounter {
  /** The row storage (the table's, or a private one). */
  readonly f: Float64Array;
  /** Offset of this row. */
  readonly o: number;
  /** Holder tag written on acquisition: cpu + 1 (0 = never held). */
  readonly tag: number;
  private readonly mask: number;
  /** Sampled holds longer than this, ns, are counted as long (`LockStats.longHoldNs`). */
  private readonly longHoldNs: number;
  private n = 0;
  private t0 = 0;
  private clk = 0;

  constructor(slot: LockStatsSlot | null) {
    if (slot === null) {
      this.f = new Float64Array(ROW);
      this.o = 0;
      this.tag = 1;
      this.mask = -1 >>> 1;
      this.longHoldNs = LONG_HOLD_NS;
    } else {
      this.f = slot.stats.f;
      this.o = slot.stats.rowOf(slot.lock, slot.cpu);
      this.tag = slot.cpu + 1;
      this.mask = (1 << slot.stats.sampleShift) - 1;
      this.longHoldNs = slot.stats.longHoldNs;
    }
  }

  /**
   * Counts an acquisition (exclusive or write side) and starts a hold-time
   * sample when this one is sampled. `holder`/`at`: the lock's last-holder
   * word, read and rewritten under the lock to count hand-offs.
   */
  acquired(holder: Int32Array, at: number): void {
    const f = this.f;
    const o = this.o;
    f[o + ACQUIRED]!++;
    if (holder[at] !== this.tag) {
      if (holder[at] !== 0) f[o + HANDOFFS]!++;
      holder[at] = this.tag;
    }
    if ((++this.n & this.mask) === 0) this.startSample();
  }

  /**
   * Starts a hold-time sample. The clock costs more than a short critical
   * section (70–150 ns on this VM), so each sample first times an empty
   * interval with the same two calls and subtracts it: the mean of the
   * samples is then the hold time alone (single samples may be negative).
   */
  private startSample(): void {
    const a = nowNs();
    this.clk = nowNs() - a;
    this.t0 = nowNs();
  }

  /** Ends a hold-time sample, if one is running. */
  released(): void {
    if (this.t0 !== 0) {
      const f = this.f;
      const hold = nowNs() - this.t0 - this.clk;
      // Preempted (the hold, or the clock calibration itself): count it apart.
      if (hold > this.longHoldNs || this.clk > CLOCK_PREEMPTED_NS) f[this.o + LONG_HOLDS]!++;
      else {
        f[this.o + HOLD_NS]! += hold;
        f[this.o + HOLD_SAMPLES]!++;
      }
      this.t0 = 0;
    }
  }

  /** Counts a read-side acquisition (rwlock reader, seqlock reader). */
  read(): void {
    this.f[this.o + READS]!++;
  }

  /** Counts a read-side retry or wait. */
  retried(): void {
    this.f[this.o + RETRIES]!++;
  }

  /** Records a contended acquisition: `spins` loads of a busy word over `ns`, `sleeps` sleeps. */
  waited(spins: number, ns: number, sleeps: number): void {
    const f = this.f;
    const o = this.o;
    f[o + CONTENDED]!++;
    f[o + SPINS]! += spins;
    f[o + WAIT_NS]! += ns;
    f[o + SLEEPS]! += sleeps;
  }
}
