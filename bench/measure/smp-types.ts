/**
 * The plain-data shapes of SMP cells shared by the measuring modules
 * (prepare, fork, CPU threads, checks) and the results: what a group's
 * preparation hands every fork, what a fork of an SMP cell is given beside
 * the usual fork task, and what it measured beside the usual fork result.
 * Units: ns unless a name says otherwise.
 */
import type { Machine } from '../../core/machine.js';
import type { OpStream } from '../../core/ops.js';
import type { LockCounts } from '../../impls/smp/lock-stats.js';
import type { SpinlockKind } from '../../impls/smp/spinlock.js';

/** The inputs of the alias check, as `Machine.aliasMappings()` gives them. */
export type AliasMappings = ReturnType<Machine['aliasMappings']>;

/** The memtype state of an SMP machine at one point, in a form two runs compare by value. */
export interface SmpSnapshot {
  /** The memtype list as (start, end, type) triples, pfns, sorted by start, end, type (CPUs interleave, so insertion order is not comparable). */
  list: number[];
  /** RAM pages whose type is not WB, as (pfn, type) pairs in pfn order. */
  ram: number[];
  /** Pages the alias check finds over the union of every CPU's mappings, ascending. */
  aliases: number[];
}

/** What an SMP cell is checked against (bench/measure/smp-prepare.ts). */
export interface SmpReference {
  /** Per CPU: the oracle's outcome digest of that CPU's stream alone (16 hex digits). */
  digests: string[];
  /** Every CPU at its stream's peak. */
  peak: SmpSnapshot;
  /** Every stream ended. */
  end: SmpSnapshot;
}

/** What a fork of an SMP cell is given beside the usual fork task. Plain data. */
export interface SmpForkSpec {
  /** CPUs of the machine (worker threads). */
  cpus: number;
  /** One op stream per CPU (ops in SharedArrayBuffers, shared with every fork). */
  streams: OpStream[];
  reference: SmpReference;
  /** Algorithm of the schemes' spinlocks (default `tas`, docs/smp.md). */
  spinlock?: SpinlockKind;
  /** Test hook: perturbation codes inside the shared store's calls (bench/measure/smp-protocol.ts `CpuSetup.perturb`). */
  perturb?: number[];
}

/** How the critical-section order of a checked run was checked (bench/measure/smp-check.ts). */
export type CsOrderCheck = 'replayed' | 'straddling' | 'unlogged';

/** What a fork of an SMP cell measured beside the usual fork result. Plain data. */
export interface SmpForkFigures {
  cpus: number;
  /** Ops of each CPU's stream. */
  cpuOps: number[];
  /** Per CPU, the median of its own replay times over the timed samples, ns. */
  cpuMedianNs: number[];
  /** Timed samples the sums below cover. */
  samples: number;
  /** Σ over the timed samples of every CPU's replay time, ns: the denominator of the wait share. */
  busyNs: number;
  /** The lock's counts (impls/smp/lock-stats.ts), summed over the timed samples and the CPUs. */
  lock: LockCounts;
  /** The checked run: how its critical-section order was checked, and the ops that straddled another CPU's write. */
  csOrder: CsOrderCheck;
  straddling: number;
}
