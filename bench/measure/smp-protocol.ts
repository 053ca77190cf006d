/**
 * How a fork of an SMP cell (bench/measure/smp-fork.ts, the coordinator)
 * and its CPU threads (bench/measure/smp-cpu.ts) talk: one message per CPU
 * per sample (the sample's fresh shared state), everything else through a
 * control block in a SharedArrayBuffer — the start barrier, ready and done
 * counts, each CPU's replay time and outcome digest, and a failed CPU's
 * error — so that the coordinator can wait for a sample synchronously
 * (Atomics.wait) inside the one timer, and never one message per operation.
 */
import type { OpStream } from '../../core/ops.js';
import type { SmpState } from '../../impls/smp/smp-tracker.js';
import type { SpinlockKind } from '../../impls/smp/spinlock.js';
import type { AliasMappings } from './smp-types.js';

/** Int32 words of the control block before the per-CPU slots. */
export const CTL = {
  /** CPUs whose machine and tracker are built for the sample (they then wait at the start barrier). */
  READY: 0,
  /** CPUs that finished the sample (or failed). */
  DONE: 1,
  /** Start barrier of the CPUs and the coordinator (two words). */
  START: 2,
  /** Checked runs: every CPU at its peak, with the coordinator (two barriers of two words). */
  PEAK_IN: 4,
  PEAK_OUT: 6,
  /** Non-zero once a CPU failed: 1 + its index. */
  ABORT: 8,
  /** First per-CPU slot. */
  CPU0: 16,
} as const;
/** Int32 words per CPU slot: digest (two words), replay time (a Float64 in two words). */
const SLOT = 4;
/** Bytes of error text kept per CPU. */
export const ERROR_BYTES = 512;

/** The shared control block of one fork. */
export class SmpControl {
  /** The words (see `CTL`). */
  readonly w: Int32Array;
  private readonly f: Float64Array;
  private readonly err: Uint8Array;

  /**
   * @param cpus CPUs of the machine
   * @param buffer an existing block (a CPU thread attaches to its coordinator's), or a new one
   */
  constructor(
    readonly cpus: number,
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SmpControl.bytes(cpus)),
  ) {
    this.w = new Int32Array(buffer, 0, CTL.CPU0 + cpus * SLOT);
    this.f = new Float64Array(buffer, 0, (CTL.CPU0 + cpus * SLOT) / 2);
    this.err = new Uint8Array(buffer, (CTL.CPU0 + cpus * SLOT) * 4, cpus * ERROR_BYTES);
  }

  /** Bytes of the block for `cpus` CPUs. */
  static bytes(cpus: number): number {
    return (CTL.CPU0 + cpus * SLOT) * 4 + cpus * ERROR_BYTES;
  }

  /** Records CPU `cpu`'s replay: its wall time (ns) and outcome digest (16 hex digits). */
  setResult(cpu: number, ns: number, digest: string): void {
    const o = CTL.CPU0 + cpu * SLOT;
    this.w[o] = parseInt(digest.slice(0, 8), 16) | 0;
    this.w[o + 1] = parseInt(digest.slice(8, 16), 16) | 0;
    this.f[(o + 2) / 2] = ns;
  }

  /** CPU `cpu`'s last replay time, ns. */
  ns(cpu: number): number {
    return this.f[(CTL.CPU0 + cpu * SLOT + 2) / 2]!;
  }

  /** CPU `cpu`'s last outcome digest (16 hex digits). */
  digest(cpu: number): string {
    const o = CTL.CPU0 + cpu * SLOT;
    return (this.w[o]! >>> 0).toString(16).padStart(8, '0') + (this.w[o + 1]! >>> 0).toString(16).padStart(8, '0');
  }

  /** Records that CPU `cpu` failed with `error`: later barrier waits return at once. */
  fail(cpu: number, error: string): void {
    const bytes = new TextEncoder().encode(error).subarray(0, ERROR_BYTES - 1);
    const e = new Uint8Array(ERROR_BYTES);
    e.set(bytes);
    this.err.set(e, cpu * ERROR_BYTES);
    Atomics.compareExchange(this.w, CTL.ABORT, 0, cpu + 1);
    for (const at of [CTL.START + 1, CTL.PEAK_IN + 1, CTL.PEAK_OUT + 1, CTL.READY, CTL.DONE]) Atomics.notify(this.w, at);
  }

  /** The first failure, `cpu N: error`, or null. */
  failure(): string | null {
    const a = Atomics.load(this.w, CTL.ABORT);
    if (a === 0) return null;
    const e = this.err.subarray((a - 1) * ERROR_BYTES, a * ERROR_BYTES);
    const end = e.indexOf(0);
    return `cpu ${a - 1}: ${new TextDecoder().decode(e.slice(0, end < 0 ? e.length : end))}`;
  }

  /**
   * Blocks until word `at` reaches `n`, or a CPU failed.
   * @returns true when reached, false on a failure
   */
  waitFor(at: number, n: number): boolean {
    for (;;) {
      const v = Atomics.load(this.w, at);
      if (v >= n) return true;
      if (Atomics.load(this.w, CTL.ABORT) !== 0) return false;
      Atomics.wait(this.w, at, v, 50);
    }
  }

  /** Counts one more at word `at` and wakes its waiter. */
  arrive(at: number): void {
    Atomics.add(this.w, at, 1);
    Atomics.notify(this.w, at);
  }
}

/** What a CPU thread is started with (`workerData.data`). Plain data; SharedArrayBuffers are shared. */
export interface CpuSetup {
  cpu: number;
  cpus: number;
  /** The tracker: an SMP composition (over each sample's shared state) or any tracker private to the CPU (`null`; anything at one CPU). */
  tracker: string;
  /** This CPU's op stream. */
  stream: OpStream;
  /** Historical bug switches of the machine. */
  bugs: readonly string[];
  /** The fork's control block (`SmpControl.buffer`). */
  control: SharedArrayBuffer;
  /** The fork's replay counter (bumped after every replay, for the per-replay time limit); absent in tests. */
  progress?: Int32Array;
  /** Algorithm of the scheme's spinlocks. */
  spinlock: SpinlockKind;
  /**
   * Test hook: perturbation codes used cyclically inside the shared store's
   * calls (inside the critical sections): k > 0 spins 64·k loads, k < 0
   * sleeps 10·|k| µs. Empty: none (every benchmark run).
   */
  perturb: readonly number[];
}

/** One sample: a fresh shared state (null for a tracker private to each CPU) and where to count and log. */
export interface CpuSample {
  /** `timed`: replay the whole stream; `checked`: also log critical sections, stop at the peak with the others, snapshot. */
  mode: 'timed' | 'checked';
  state: SmpState | null;
  /** The lock statistics table (1 lock × cpus rows). */
  stats: SharedArrayBuffer;
  sampleShift: number;
  /** Sampled holds above this, ns, count as preempted (`LockStats.longHoldNs`). */
  longHoldNs: number;
  /** Checked runs: this CPU's critical-section log (rows = ops). */
  log: SharedArrayBuffer | null;
}

/** What a CPU reports after a checked run (one message). */
export interface CpuChecked {
  cpu: number;
  /** Its mappings with every CPU at its peak. */
  peakMappings: AliasMappings;
  /** Modeled bytes at the peak: its page tables, and its tracker (the shared state for an SMP composition). */
  peakPageTableBytes: number;
  peakTrackerBytes: number;
  /** Its mappings and its machine's consistency problems after its stream ended. */
  endMappings: AliasMappings;
  endProblems: string[];
}
