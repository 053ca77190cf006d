/**
 * An SMP run projected past the CPUs of the host it ran on (`memtype-bench
 * project RUN --cpus 32,256`): each tracker's measured 1-CPU costs per op
 * on each workload — the critical-section time (the mean sampled hold ×
 * acquisitions per op), the rest of the op's time, the lock's
 * acquisitions and read-side entries per op — through the closed queueing
 * model of one lock (bench/summarise/project.ts, M/M/1//N with hand-off).
 *
 * Which visits queue, per scheme: every exclusive acquisition (`spinlock`
 * and `cmpxchg`: `memtype_lock`; `rwlock` and `seqlock`: the writers); an
 * `rwlock` reader's entry too — it is an atomic add on the lock's word, so
 * the line moves to the reader and readers serialize on it, with the
 * critical-section time of the writers averaged over all visits; a
 * `seqlock` reader does not (it only loads the sequence, a line every CPU
 * keeps shared while no writer runs). A tracker with no lock on the path
 * (`cmpxchg` on RAM page types, the `null` tracker) scales linearly.
 *
 * Limits: the model knows one lock and one hand-off cost; it has no
 * caches beyond that line, no NUMA distance classes, no memory bandwidth,
 * and assumes FCFS hand-off (Linux's ticket and queued spinlocks; this
 * host's test-and-set lock hands off far less often). Projected figures
 * are a model's, never measurements.
 */
import { DEFAULT_HANDOFF_NS, HOLT, handoffForRatio, project, type OpCost, type ProjectedPoint } from './project.js';
import { NULL_TRACKER } from '../../impls/registry.js';
import type { CellSummary } from './types.js';

/** One tracker on one workload, projected. */
export interface ProjectedTracker {
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  /** The model's inputs, from the 1-CPU cell (ns per op; visits per op). */
  cost: OpCost;
  /** The 1-CPU cell's measured ops/s (the model's 1-CPU point equals it when the hand-off is 0). */
  measuredOneCpuOpsPerSec: number;
  points: ProjectedPoint[];
}

/** `spinlock` ÷ `cmpxchg` time on xpmem-insert, projected, beside Holt's. */
export interface HoltProjection {
  spinlock: string;
  cmpxchg: string;
  /** Projected time ratio at each projected CPU count. */
  ratios: { cpus: number; ratio: number }[];
  /** Projected time ratio at 256 CPUs (Holt's larger machine), whether or not 256 was asked for. */
  at256: number;
  /** Holt's measured ratios (spinlock seconds ÷ cmpxchg seconds). */
  holt: { cpus: number; ratio: number }[];
  /** The constant hand-off, ns, that makes the model's 256-CPU ratio Holt's (NaN: none up to 1 ms). */
  handoffFor256: number;
  /** A hand-off growing with the waiters (h0 + c per waiting CPU) that gives both of Holt's ratios, ns; null when none was found. */
  twoPoint: { h0: number; c: number } | null;
}

/** A run's projection (projection.json). */
export interface RunProjection {
  /** The run projected. */
  runId: string;
  cpus: number[];
  handoffNs: number;
  perWaiterNs: number;
  series: ProjectedTracker[];
  /** Trackers that could not be projected (no valid timed 1-CPU cell), with why. */
  skipped: { workload: string; tracker: string; why: string }[];
  holt: HoltProjection | null;
}

/** The lock part of a composition name (`spinlock`…), or '' for a name without one. */
function lockOf(tracker: string): string {
  const p = tracker.split('+');
  return p.length === 4 ? p[3]! : '';
}

/**
 * The model's inputs from a 1-CPU SMP cell: ns per op inside the lock and
 * outside it, and the visits to the lock per op (see the module comment).
 * @returns null when the cell has no timing or no SMP figures
 */
export function opCost(c: CellSummary): OpCost | null {
  if (c.nsPerOp === null || c.smp === undefined) return null;
  // A mean of clock-corrected samples can fall just below 0 for a section shorter than the clock's jitter.
  const cs = Math.max(0, c.smp.csNsPerOp ?? 0);
  const acq = c.smp.acquisitionsPerOp ?? 0;
  const reads = lockOf(c.tracker) === 'rwlock' ? (c.smp.readsPerOp ?? 0) : 0;
  return { csNs: Math.min(cs, c.nsPerOp), nonCsNs: Math.max(0, c.nsPerOp - cs), acquisitionsPerOp: acq + reads };
}

/**
 * The two-point fit: a per-waiter growth c (and its h0) that gives Holt's
 * ratio at 32 and at 256 CPUs against a lock-free op of `freeNs`.
 */
function fitTwoPoint(cost: OpCost, freeNs: number, r32: number, r256: number): { h0: number; c: number } | null {
  // For each c, the h0 that gives Holt's 256-CPU ratio; then the 32-CPU ratio's error. h0 falls as c grows, to 0
  // where c alone gives the 256-CPU ratio: past that the pair has no meaning, so c is searched below it.
  const at32 = (c: number): number => {
    const h = handoffForRatio(cost, 256, r256, c, freeNs);
    if (!Number.isFinite(h) || h <= 0) return NaN;
    const spin = project(cost, [32], { handoffNs: h, perWaiterNs: c })[0]!.opsPerSec;
    return ((32 / freeNs) * 1e9) / spin - r32;
  };
  const f0 = at32(0);
  if (!Number.isFinite(f0)) return null;
  // Geometric scan for the first sign change, then bisection.
  let lo = 0;
  let hi = NaN;
  for (let c = 1e-3; c <= 1e6; c *= 2) {
    const f = at32(c);
    if (!Number.isFinite(f)) break;
    if (Math.sign(f) !== Math.sign(f0)) {
      hi = c;
      break;
    }
    lo = c;
  }
  if (!Number.isFinite(hi)) return null;
  for (let i = 0; i < 80 && hi - lo > 1e-4; i++) {
    const mid = (lo + hi) / 2;
    const f = at32(mid);
    if (Number.isFinite(f) && Math.sign(f) === Math.sign(f0)) lo = mid;
    else hi = mid;
  }
  const c = (lo + hi) / 2;
  return { h0: handoffForRatio(cost, 256, r256, c, freeNs), c };
}

/**
 * Projects every SMP tracker of a run from its 1-CPU cells (largest size,
 * smallest seed of each workload).
 * @param cells the run's cell summaries
 * @param cpus the CPU counts to project to (integers ≥ 1)
 * @param handoffNs the lock hand-off latency, ns (default `DEFAULT_HANDOFF_NS`)
 * @param perWaiterNs extra hand-off per waiting CPU, ns (a ticket lock's collapse; default 0)
 * @throws RangeError for a CPU count below 1 or a negative latency
 */
export function projectRun(runId: string, cells: readonly CellSummary[], cpus: readonly number[], handoffNs = DEFAULT_HANDOFF_NS, perWaiterNs = 0): RunProjection {
  if (!(handoffNs >= 0 && perWaiterNs >= 0)) throw new RangeError('project: the hand-off latencies must be ≥ 0 ns');
  const series: ProjectedTracker[] = [];
  const skipped: RunProjection['skipped'] = [];
  const smp = cells.filter((c) => c.cpus !== undefined && c.tracker !== NULL_TRACKER);
  for (const w of [...new Set(smp.map((c) => c.workload))]) {
    const mine = smp.filter((c) => c.workload === w);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    const here = mine.filter((c) => c.size === size && c.seed === seed);
    for (const tracker of [...new Set(here.map((c) => c.tracker))]) {
      const one = here.find((c) => c.tracker === tracker && c.cpus === 1);
      const ok = one !== undefined && (one.validity === 'valid' || one.validity === 'unchecked');
      const cost = ok ? opCost(one) : null;
      if (!ok || cost === null) {
        skipped.push({ workload: w, tracker, why: one === undefined ? 'no 1-CPU cell in the run' : `its 1-CPU cell is ${one.validity} or untimed` });
        continue;
      }
      series.push({ workload: w, size, seed, tracker, cost, measuredOneCpuOpsPerSec: one.opsPerSec ?? NaN, points: project(cost, cpus, { handoffNs, perWaiterNs }) });
    }
  }
  return { runId, cpus: [...cpus], handoffNs, perWaiterNs, series, skipped, holt: holtProjection(series, cpus, { handoffNs, perWaiterNs }) };
}

/** Holt's comparison from the projected series of xpmem-insert (the first spinlock/cmpxchg pair). */
function holtProjection(series: readonly ProjectedTracker[], cpus: readonly number[], model: { handoffNs: number; perWaiterNs: number }): HoltProjection | null {
  const x = series.filter((s) => s.workload === 'xpmem-insert');
  const pair = x
    .filter((s) => lockOf(s.tracker) === 'spinlock')
    .map((s) => ({ spin: s, cmp: x.find((t) => t.tracker === s.tracker.replace(/\+spinlock$/, '+cmpxchg')) }))
    .find((p) => p.cmp !== undefined);
  if (pair === undefined) return null;
  const { spin, cmp } = pair as { spin: ProjectedTracker; cmp: ProjectedTracker };
  const holt = [32, 256].map((n) => ({ cpus: n, ratio: HOLT.spinlockSeconds[n]! / HOLT.cmpxchgSeconds }));
  // The cmpxchg scheme's own measured time per op: it takes no lock on this path.
  const freeNs = cmp.cost.csNs + cmp.cost.nonCsNs;
  return {
    spinlock: spin.tracker,
    cmpxchg: cmp.tracker,
    ratios: cpus.map((n, i) => ({ cpus: n, ratio: cmp.points[i]!.opsPerSec / spin.points[i]!.opsPerSec })),
    at256: project(cmp.cost, [256], model)[0]!.opsPerSec / project(spin.cost, [256], model)[0]!.opsPerSec,
    holt,
    handoffFor256: handoffForRatio(spin.cost, 256, holt[1]!.ratio, 0, freeNs),
    twoPoint: fitTwoPoint(spin.cost, freeNs, holt[0]!.ratio, holt[1]!.ratio),
  };
}
