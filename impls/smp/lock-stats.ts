/**
 * Per-(lock, CPU) statistics kept by the lock implementations themselves,
 * inside the lock: each CPU writes only its own 128-byte row of a shared
 * Float64Array (no atomics, no shared cache lines), and the main thread
 * reads the rows after the CPUs have stopped. Counting is cheap on purpose:
 * an uncontended acquisition adds one to a counter; the clock is read only
 * when the lock was busy (wait time) and on one acquisition in
 * `2^sampleShift` (hold time, for the projection model's critical-section
 * time), the way lock_stat (kernel/locking/lockdep.c, CONFIG_LOCK_STAT)
 * records contention and hold times — but sampled.
 */

/** Column of a row: acquisitions (exclusive or write side). */
export const ACQUIRED = 0;
/** Acquisitions that found the lock busy. */
export const CONTENDED = 1;
/** Spin iterations (loads of a busy lock word) while waiting. */
export const SPINS = 2;
/** Wall time spent waiting for the lock, ns (contended acquisitions only). */
export const WAIT_NS = 3;
/** Acquisitions whose hold time was measured. */
export const HOLD_SAMPLES = 4;
/** Sum of the measured hold times, ns (net of the clock's own cost, calibrated per sample). */
export const HOLD_NS = 5;
/** Acquisitions where the previous holder was another CPU (the lock's cache line moved). */
export const HANDOFFS = 6;
/** Times a waiter slept (Atomics.wait) after spinning long: the holder was likely preempted. */
export const SLEEPS = 7;
/** Read-side sections that had to be retried (seqlock) or waited (rwlock). */
export const RETRIES = 8;
/** Read-side acquisitions (rwlock readers, seqlock readers). */
export const READS = 9;
/**
 * Sampled holds longer than `LONG_HOLD_NS` (or whose clock calibration took
 * over 20 µs), left out of `HOLD_NS`: on a shared host they are the
 * holder's thread being preempted, not critical-section time.
 */
export const LONG_HOLDS = 10;
/** Default threshold of `LONG_HOLDS`, ns (a table's own is `LockStats.longHoldNs`). */
export const LONG_HOLD_NS = 1_000_000;
/** Float64 slots per row (128 bytes: two rows never share a cache line). */
export const ROW = 16;
/** Columns in use. */
const COLUMNS = 11;

/** One row (or a sum of rows) as plain numbers. */
export interface LockCounts {
  acquired: number;
  contended: number;
  spins: number;
  waitNs: number;
  holdSamples: number;
  holdNs: number;
  handoffs: number;
  sleeps: number;
  retries: number;
  reads: number;
  longHolds: number;
}

/** Wall-clock time in ns (sub-µs resolution; differences only). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/**
 * The statistics table of one machine: `locks × cpus` rows in a
 * SharedArrayBuffer, handed to every CPU's thread.
 */
export class LockStats {
  /** Row storage, `ROW` Float64 slots per (lock, cpu). */
  readonly f: Float64Array;

  /**
   * @param buffer the table (from `LockStats.create(...).buffer` on another thread), or a fresh one
   * @param locks number of locks counted
   * @param cpus number of CPUs
   * @param sampleShift hold time is measured on one acquisition in 2^sampleShift (0: every one)
   * @param longHoldNs sampled holds longer than this, ns, count as `LONG_HOLDS` (a preempted holder), not in `HOLD_NS`
   * @throws RangeError when the buffer is too small
   */
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly locks: number,
    readonly cpus: number,
    readonly sampleShift = 6,
    readonly longHoldNs = LONG_HOLD_NS,
  ) {
    if (buffer.byteLength < locks * cpus * ROW * 8) throw new RangeError(`lock statistics: buffer of ${buffer.byteLength} bytes is too small for ${locks} locks × ${cpus} CPUs`);
    this.f = new Float64Array(buffer, 0, locks * cpus * ROW);
  }

  /** A zeroed table for `locks` locks and `cpus` CPUs. */
  static create(locks: number, cpus: number, sampleShift = 6, longHoldNs = LONG_HOLD_NS): LockStats {
    return new LockStats(new SharedArrayBuffer(Math.max(1, locks * cpus) * ROW * 8), locks, cpus, sampleShift, longHoldNs);
  }

  /** Offset of the row of (`lock`, `cpu`) in `f`. */
  rowOf(lock: number, cpu: number): number {
    if (!(lock >= 0 && lock < this.locks && cpu >= 0 && cpu < this.cpus)) throw new RangeError(`lock statistics: no row for lock ${lock}, cpu ${cpu}`);
    return (lock * this.cpus + cpu) * ROW;
  }

  /** The counts of one (lock, cpu) row. */
  row(lock: number, cpu: number): LockCounts {
    const o = this.rowOf(lock, cpu);
    const f = this.f;
    return {
      acquired: f[o + ACQUIRED]!,
      contended: f[o + CONTENDED]!,
      spins: f[o + SPINS]!,
      waitNs: f[o + WAIT_NS]!,
      holdSamples: f[o + HOLD_SAMPLES]!,
      holdNs: f[o + HOLD_NS]!,
      handoffs: f[o + HANDOFFS]!,
      sleeps: f[o + SLEEPS]!,
      retries: f[o + RETRIES]!,
      reads: f[o + READS]!,
      longHolds: f[o + LONG_HOLDS]!,
    };
  }

  /** Sum of the rows of `lock` over every CPU (or of `cpu` over every lock when `lock` is -1). */
  total(lock: number, cpu = -1): LockCounts {
    const sum: LockCounts = { acquired: 0, contended: 0, spins: 0, waitNs: 0, holdSamples: 0, holdNs: 0, handoffs: 0, sleeps: 0, retries: 0, reads: 0, longHolds: 0 };
    for (let l = 0; l < this.locks; l++) {
      if (lock >= 0 && l !== lock) continue;
      for (let c = 0; c < this.cpus; c++) {
        if (cpu >= 0 && c !== cpu) continue;
        const r = this.row(l, c);
        for (const k of Object.keys(sum) as (keyof LockCounts)[]) sum[k] += r[k];
      }
    }
    return sum;
  }

  /** Zeroes every row (between measured phases). */
  reset(): void {
    this.f.fill(0);
  }
}

/** Mean hold time per sampled acquisition, ns; NaN without samples. */
export function meanHoldNs(c: LockCounts): number {
  return c.holdSamples > 0 ? c.holdNs / c.holdSamples : NaN;
}

/** Cost of one `nowNs()` call on this thread, ns (median of 9 batches of 2000), for reports. */
export function clockNs(): number {
  const runs: number[] = [];
  let sink = 0;
  for (let r = 0; r < 9; r++) {
    const t0 = nowNs();
    for (let i = 0; i < 2000; i++) sink += nowNs();
    runs.push((nowNs() - t0) / 2000);
  }
  runs.sort((a, b) => a - b);
  return sink === -1 ? 0 : runs[4]!;
}

/** Number of used columns (for tests that check a row is all zero). */
export const LOCK_STAT_COLUMNS = COLUMNS;
