/**
 * The SMP figures of a run's cells (cells whose lines carry `cpus`), from
 * the per-fork figures the forks recorded (bench/measure/smp-types.ts):
 *
 * - aggregate ops/s: every CPU's ops ÷ the cell's median time (each sample
 *   the slowest CPU's replay) — the cell's `opsPerSec`;
 * - per-CPU ops/s: each CPU's ops ÷ the median over forks of that CPU's own
 *   median replay time, and their mean;
 * - speedup: the cell's aggregate ops/s ÷ the same tracker's at 1 CPU in
 *   the same run (same workload, size, seed), with the 95% interval of the
 *   two cells' bootstrap draws (as every ratio);
 * - wait share: time spent waiting for the lock (counted inside the lock,
 *   contended acquisitions only) ÷ the CPUs' replay time, over the timed
 *   samples of every fork;
 * - hand-offs per acquisition: acquisitions whose previous holder was
 *   another CPU ÷ acquisitions;
 * - acquisitions (exclusive or write side) and read-side entries per op,
 *   and the critical-section time per op (the mean sampled hold × the
 *   acquisitions per op): the projection's inputs (bench/summarise/project.ts);
 * - oversubscribed: more CPUs than the measuring host's
 *   `availableParallelism()` (CPU threads then share cores).
 */
import { median } from 'simple-statistics';
import type { LockCounts } from '../../impls/smp/lock-stats.js';
import type { CsOrderCheck } from '../measure/smp-types.js';
import type { ResultLine } from '../store/results.js';
import { ratioCI, type ForkBootstrap, type RatioCI } from './stats.js';

/** An SMP cell's figures beside the usual cell summary. Units in the names. */
export interface SmpCellSummary {
  /** The measuring host's `availableParallelism()` (null when the lines do not say). */
  availableParallelism: number | null;
  /** Per CPU: its stream's ops ÷ its median replay time (median over forks), ops/s. */
  perCpuOpsPerSec: number[];
  /** Mean of `perCpuOpsPerSec`. */
  perCpuMeanOpsPerSec: number | null;
  /** Aggregate ops/s ÷ the same tracker's at 1 CPU, with its 95% interval; null at 1 CPU or without that cell. */
  speedup: RatioCI | null;
  /** Lock wait ÷ the CPUs' replay time, over the timed samples (0–1). */
  waitShare: number | null;
  /** Hand-offs ÷ acquisitions; null without acquisitions. */
  handoffsPerAcquisition: number | null;
  /** Exclusive or write-side acquisitions per op. */
  acquisitionsPerOp: number | null;
  /** Read-side entries (rwlock readers, seqlock readers) per op. */
  readsPerOp: number | null;
  /** Mean sampled hold × acquisitions per op, ns; null without hold samples. */
  csNsPerOp: number | null;
  /** Waiters' sleeps per timed sample (a lock holder was likely preempted). */
  sleepsPerSample: number | null;
  /** The checked runs: the worst order check over the forks, and the most straddling ops. */
  csOrder: CsOrderCheck | null;
  straddling: number;
}

/** Lock counts summed over lines. */
function sumCounts(lines: readonly ResultLine[]): { lock: LockCounts; busyNs: number; samples: number; opsTimed: number } | null {
  const figs = lines.map((l) => l.smp).filter((f): f is NonNullable<ResultLine['smp']> => f !== undefined && f !== null && f.samples > 0);
  if (figs.length === 0) return null;
  const lock = { ...figs[0]!.lock };
  for (const k of Object.keys(lock) as (keyof LockCounts)[]) lock[k] = figs.reduce((n, f) => n + f.lock[k], 0);
  return {
    lock,
    busyNs: figs.reduce((n, f) => n + f.busyNs, 0),
    samples: figs.reduce((n, f) => n + f.samples, 0),
    opsTimed: figs.reduce((n, f) => n + f.samples * f.cpuOps.reduce((a, b) => a + b, 0), 0),
  };
}

const CHECK_RANK: Record<CsOrderCheck, number> = { replayed: 0, unlogged: 1, straddling: 2 };

/**
 * An SMP cell's own figures (everything but the speedup, which needs the
 * 1-CPU cell: `smpSpeedups`).
 * @param lines the cell's lines (one per fork)
 */
export function smpCellFigures(lines: readonly ResultLine[]): SmpCellSummary {
  const figs = lines.map((l) => l.smp).filter((f): f is NonNullable<ResultLine['smp']> => f !== undefined && f !== null);
  const timed = figs.filter((f) => f.samples > 0);
  const cpus = timed[0]?.cpuOps.length ?? 0;
  const perCpu: number[] = [];
  for (let c = 0; c < cpus; c++) {
    const ns = timed.map((f) => f.cpuMedianNs[c]!).filter((x) => x > 0);
    if (ns.length > 0) perCpu.push(timed[0]!.cpuOps[c]! / (median(ns) / 1e9));
  }
  const sum = sumCounts(lines);
  const checks = figs.map((f) => f.csOrder);
  return {
    availableParallelism: lines.find((l) => l.availableParallelism !== undefined)?.availableParallelism ?? null,
    perCpuOpsPerSec: perCpu,
    perCpuMeanOpsPerSec: perCpu.length > 0 ? perCpu.reduce((a, b) => a + b, 0) / perCpu.length : null,
    speedup: null,
    waitShare: sum && sum.busyNs > 0 ? sum.lock.waitNs / sum.busyNs : null,
    handoffsPerAcquisition: sum && sum.lock.acquired > 0 ? sum.lock.handoffs / sum.lock.acquired : null,
    acquisitionsPerOp: sum && sum.opsTimed > 0 ? sum.lock.acquired / sum.opsTimed : null,
    readsPerOp: sum && sum.opsTimed > 0 ? sum.lock.reads / sum.opsTimed : null,
    csNsPerOp: sum && sum.lock.holdSamples > 0 && sum.opsTimed > 0 ? (sum.lock.holdNs / sum.lock.holdSamples) * (sum.lock.acquired / sum.opsTimed) : null,
    sleepsPerSample: sum ? sum.lock.sleeps / sum.samples : null,
    csOrder: checks.length > 0 ? checks.reduce((a, b) => (CHECK_RANK[b] > CHECK_RANK[a] ? b : a)) : null,
    straddling: figs.reduce((n, f) => Math.max(n, f.straddling), 0),
  };
}

/** What `smpSpeedups` needs of a cell. */
export interface SpeedupCell {
  cellId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  cpus?: number;
  ops: number | null;
  medianNs: number | null;
  smp?: SmpCellSummary;
}

/**
 * Fills each SMP cell's speedup over the same tracker at 1 CPU in the same
 * run: (ops ÷ ops at 1 CPU) ÷ (time ÷ time at 1 CPU), the time ratio's
 * interval from the two cells' bootstrap draws.
 * @param boots each cell's bootstrap, by cell id
 */
export function smpSpeedups(cells: readonly SpeedupCell[], boots: ReadonlyMap<string, ForkBootstrap | null>): void {
  const one = new Map<string, SpeedupCell>();
  const key = (c: SpeedupCell): string => `${c.workload}\u0000${c.size}\u0000${c.seed}\u0000${c.tracker}`;
  for (const c of cells) if (c.cpus === 1) one.set(key(c), c);
  for (const c of cells) {
    if (c.smp === undefined || c.cpus === undefined || c.cpus === 1 || c.ops === null || c.medianNs === null) continue;
    const base = one.get(key(c));
    const mine = boots.get(c.cellId);
    const theirs = base ? boots.get(base.cellId) : null;
    if (!base || !mine || !theirs || base.ops === null || base.medianNs === null) continue;
    const t = ratioCI(mine, theirs);
    const scale = c.ops / base.ops;
    c.smp.speedup = { ratio: scale / t.ratio, low: scale / t.high, high: scale / t.low, confidence: t.confidence };
  }
}
