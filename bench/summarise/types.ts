/**
 * The shapes of a run's summary (results.json): plain data, built once by
 * bench/summarise/summary.ts `summarize` (with bench/summarise/findings.ts)
 * and read by every renderer. Units: ns per replay of the whole stream
 * unless a name says otherwise; ratios are time ÷ reference, < 1 faster.
 */
import type { Validity } from '../measure/fork.js';
import type { ResultLine, SCHEMA_VERSION } from '../store/results.js';
import type { SmpCellSummary } from './smp.js';
import type { ComplexityClass, ComplexityFit, RatioCI } from './stats.js';

/** What a cell is in its group. */
export type CellRole = 'null' | 'baseline' | 'tracker' | 'oracle';

/** One cell, all forks: its identity as its results lines give it, and what its forks measured. */
export interface CellSummary extends Pick<ResultLine, 'cellId' | 'groupId' | 'workload' | 'size' | 'seed' | 'tracker' | 'machine'> {
  role: CellRole;
  ops: number | null;
  /** Forks with timing data, of `forksPlanned`. */
  forks: number;
  forksPlanned: number;
  /** Each timed fork's median, ns, in fork order. */
  forkFiguresNs: number[];
  /** Timed samples over all forks. */
  samples: number;
  /** Median of the fork figures (each fork's fastest replay, stats.ts `forkFigure`), ns; null when never timed. */
  medianNs: number | null;
  /** 95% two-level bootstrap interval of `medianNs`, ns. */
  medianLowNs: number | null;
  medianHighNs: number | null;
  /** 99th percentile of all samples, ns (descriptive). */
  p99Ns: number | null;
  /** Mean of all samples, ns (descriptive). */
  meanNs: number | null;
  /** Half the width of the 95% interval of `medianNs` ÷ `medianNs`, percent. */
  rme: number | null;
  /** (slowest − fastest fork figure) ÷ `medianNs`, percent. */
  forkSpread: number | null;
  /** The forks disagree (slowest ÷ fastest fork figure > `UNSTABLE_RATIO`). */
  unstable: boolean;
  opsPerSec: number | null;
  /** Harmonic mean of the per-fork throughputs, ops/s. */
  hmeanOpsPerSec: number | null;
  nsPerOp: number | null;
  /** The tracker's own ns per op (cell − `null` tracker, paired by fork), with its 95% interval; null for `null` or without a `null` fork. */
  trackerNsPerOp: number | null;
  trackerNsPerOpLow: number | null;
  trackerNsPerOpHigh: number | null;
  /** Median warm-up of the forks: replays (the first, digest replay included) and ms; share of forks that reached a steady state. */
  warmupReplays: number | null;
  warmupMs: number | null;
  warmupSteadyShare: number | null;
  /** Time ratio to the baseline tracker of the same group (< 1 faster), with its 95% interval. */
  vsBaseline: RatioCI | null;
  /** Empty-replay (harness) time ÷ this cell's median. */
  harnessShare: number | null;
  /** `null`-tracker time ÷ this cell's median. */
  nullShare: number | null;
  /** Modeled kernel bytes at the peak state: the tracker's structures plus the page tables. */
  modeledBytes: number | null;
  /** Modeled bytes without the page tables: the tracker's own structures; null when not recorded. */
  trackerModeledBytes: number | null;
  /** Memtype reservations live at the peak state (the oracle's). */
  peakReservations: number | null;
  /** `trackerModeledBytes` ÷ `peakReservations`; null without reservations. */
  bytesPerReservation: number | null;
  jsBytes: number | null;
  /** `jsBytes` is at or near zero (a GC artefact): not a figure. */
  jsBytesSuspect: boolean;
  /** GCs during the timed replays, all forks, and their total pause, ms. */
  gcCount: number;
  gcPauseMs: number;
  digest: string | null;
  oracleDigest: string | null;
  validity: Validity;
  error: string | null;
  /** An SMP cell's CPUs; absent for a single-CPU cell (whose summary is as before SMP cells existed). */
  cpus?: number;
  /** An SMP cell with more CPUs than the measuring host's `availableParallelism()`. */
  oversubscribed?: boolean;
  /** An SMP cell's figures (bench/summarise/smp.ts). */
  smp?: SmpCellSummary;
}

/** A complexity fit of one tracker on one workload across sizes. */
export interface ComplexityRow {
  workload: string;
  seed: number;
  /** An SMP series' CPUs; absent for a single-CPU series. */
  cpus?: number;
  tracker: string;
  sizes: number[];
  /** ns per op at each size. */
  nsPerOp: number[];
  /** null with fewer than three sizes. */
  fit: ComplexityFit | null;
  /** Tracker-only ns per op (net of the `null` tracker) at each size; null where unknown. */
  trackerNsPerOp: (number | null)[];
  /** The fit of `trackerNsPerOp`; null with fewer than three known sizes (or for `null`). */
  trackerFit: ComplexityFit | null;
}

/** The harness's own cost, over every timed tracker cell. */
export interface HarnessReport {
  /** Median and maximum of `harnessShare` (fractions). */
  emptyShareMedian: number | null;
  emptyShareMax: number | null;
  /** Median of `nullShare` (fraction): harness + machine core. */
  nullShareMedian: number | null;
  /** Median empty-replay cost per operation, ns. */
  emptyNsPerOpMedian: number | null;
}

/** A group whose `null` tracker is not its fastest cell. */
export interface NullNotFastest {
  groupId: string;
  /** The cells faster than `null`, with their time ÷ null's. */
  faster: { tracker: string; ratio: number }[];
}

/** Why a run's figures are not to be trusted as they stand. */
export type NoiseReason =
  | { kind: 'rme'; medianPct: number; thresholdPct: number }
  | { kind: 'load'; start: number; end: number }
  | { kind: 'unstable'; cells: string[] }
  | { kind: 'null-not-fastest'; groups: string[] };

/** results.json: everything derived from the lines. */
export interface RunSummary {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  matrixHash: string;
  baseline: string;
  /** Every cell of the matrix (or shard) has every fork. */
  complete: boolean;
  /** Cell ids with no line at all, or fewer forks than planned. */
  missing: string[];
  cells: CellSummary[];
  complexity: ComplexityRow[];
  /** What the run found: per workload the fastest and slowest tracker at the largest size, and the designs whose cost grows with size. */
  findings: Findings;
  harness: HarnessReport;
  /** Median and maximum rme over timed tracker cells (null excluded), percent. */
  rmeMedian: number | null;
  rmeMax: number | null;
  /** Cell ids whose forks disagree. */
  unstable: string[];
  /** Sanity check: groups where the `null` tracker is not the fastest. */
  nullNotFastest: NullNotFastest[];
  /** The 1-minute load average at the start and the end of the run (null when not recorded). */
  load: { start: number | null; end: number | null };
  /** Why the figures are noisy; empty when they are not. */
  noise: NoiseReason[];
  /** Over every fork of the run: median warm-up replays and ms, share of forks that reached a steady state. */
  warmup: { replaysMedian: number | null; msMedian: number | null; steadyShare: number | null };
  counts: Record<Validity, number>;
}

/** A tracker in a finding. */
export interface FindingCell {
  tracker: string;
  cellId: string;
  nsPerOp: number;
  /** Time ÷ baseline (< 1 faster) with its 95% interval; null when the group has no timed baseline. */
  vsBaseline: RatioCI | null;
  /** Its forks disagree: the figure is not to be trusted as it stands. */
  unstable: boolean;
}

/** The fastest and slowest tracker of one workload at its largest size (an SMP run's: at its most CPUs). */
export interface WorkloadFinding {
  workload: string;
  seed: number;
  size: number;
  /** An SMP run: the CPUs of the cells compared; absent for a single-CPU run. */
  cpus?: number;
  /** Tracker cells compared (valid and timed). */
  compared: number;
  fastest: FindingCell;
  slowest: FindingCell;
  /** Slowest time ÷ fastest time, with its 95% interval. */
  spread: RatioCI;
}

/** A design whose own cost grows with size. */
export interface Growth {
  workload: string;
  seed: number;
  tracker: string;
  /** The class fitted to its tracker-only ns per op. */
  class: ComplexityClass;
  fromSize: number;
  toSize: number;
  /** Tracker-only ns per op at those sizes. */
  fromNsPerOp: number;
  toNsPerOp: number;
}

/** An SMP run: how one tracker scaled on one workload, at the most CPUs measured. */
export interface Scaling {
  workload: string;
  size: number;
  seed: number;
  cpus: number;
  oversubscribed: boolean;
  tracker: string;
  /** Aggregate ops/s ÷ the same tracker's at 1 CPU, with its 95% interval. */
  speedup: RatioCI;
  waitShare: number | null;
}

/** An SMP run: `spinlock` ÷ `cmpxchg` time on `xpmem-insert` at the most CPUs measured, beside Holt's 2010 figures. */
export interface HoltFinding {
  size: number;
  cpus: number;
  oversubscribed: boolean;
  spinlock: string;
  cmpxchg: string;
  /** Time ratio (= throughput ratio cmpxchg ÷ spinlock), with its 95% interval. */
  ratio: RatioCI;
}

/** Everything the run found. */
export interface Findings {
  workloads: WorkloadFinding[];
  /** Sorted by workload (run order), then by growth, steepest first. */
  grows: Growth[];
  /** An SMP run: each tracker's speedup at the most CPUs, per workload (absent for a single-CPU run). */
  scaling?: Scaling[];
  /** An SMP run that measured both on xpmem-insert at more than one CPU. */
  holt?: HoltFinding | null;
}

