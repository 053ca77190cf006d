/**
 * What a run found, written from its results (never hard-coded), for the
 * top of the report and the end of the terminal output:
 *
 * - per workload, at its largest size (smallest seed) where two or more
 *   tracker cells are valid and timed: the fastest and the slowest tracker
 *   (by median of fork figures), each with its time ÷ baseline and 95%
 *   interval, and the slowest's time ÷ the fastest's with the interval of
 *   that ratio (the two cells' bootstrap draws, as every ratio);
 * - the designs whose own cost grows with size: a tracker whose
 *   tracker-only ns per op (net of the `null` tracker, paired by fork) fits
 *   a class other than O(1) across three or more sizes and at least
 *   doubles (`GROWTH_FACTOR`) from the smallest size to the largest.
 *
 * The `null` tracker and the oracle are not designs and take no part;
 * invalid, errored and untimed cells neither (the validity section lists
 * them). Unstable cells take part, flagged.
 *
 * An SMP run compares its trackers at the most CPUs it measured (then the
 * largest size), and adds, per workload, each tracker's speedup over its
 * own 1-CPU cell there (`scaling`), and `spinlock` ÷ `cmpxchg` on
 * `xpmem-insert` there (`holt`), for Holt's 2010 figures beside it.
 */
import { NULL_TRACKER, ORACLE } from '../../impls/registry.js';
import { ratioCI, type ForkBootstrap } from './stats.js';
import type { CellSummary, ComplexityRow, FindingCell, Findings, Growth, HoltFinding, Scaling, WorkloadFinding } from './types.js';

/** Smallest increase (largest size ÷ smallest) of a tracker-only cost that counts as growth. */
export const GROWTH_FACTOR = 2;

/** A cell that takes part in the findings: a design, valid (or unchecked by `--no-verify`), timed. */
function isDesign(c: CellSummary): boolean {
  return (c.role === 'tracker' || c.role === 'baseline') && (c.validity === 'valid' || c.validity === 'unchecked') && c.medianNs !== null && c.nsPerOp !== null;
}

function findingCell(c: CellSummary): FindingCell {
  return { tracker: c.tracker, cellId: c.cellId, nsPerOp: c.nsPerOp!, vsBaseline: c.vsBaseline, unstable: c.unstable };
}

/**
 * The findings of a run (see the module comment).
 * @param cells the run's cell summaries, in run order
 * @param complexity the run's complexity rows
 * @param boots each cell's bootstrap, by cell id (for the interval of slowest ÷ fastest)
 */
export function findings(cells: readonly CellSummary[], complexity: readonly ComplexityRow[], boots: ReadonlyMap<string, ForkBootstrap | null>): Findings {
  const workloads = [...new Set(cells.map((c) => c.workload))];
  const out: WorkloadFinding[] = [];
  const scaling: Scaling[] = [];
  const smp = cells.some((c) => c.cpus !== undefined);
  for (const w of workloads) {
    const all = cells.filter((c) => c.workload === w && isDesign(c));
    // An SMP run: the cells at the most CPUs measured.
    const cpus = smp ? Math.max(...all.map((c) => c.cpus ?? 1)) : undefined;
    const designs = all.filter((c) => c.cpus === cpus);
    const sizes = [...new Set(designs.map((c) => c.size))].sort((a, b) => b - a);
    for (const size of sizes) {
      const seed = Math.min(...designs.filter((c) => c.size === size).map((c) => c.seed));
      const group = designs.filter((c) => c.size === size && c.seed === seed).sort((a, b) => a.medianNs! - b.medianNs!);
      if (group.length < 2) continue;
      const fastest = group[0]!;
      const slowest = group[group.length - 1]!;
      out.push({
        workload: w,
        seed,
        size,
        ...(cpus !== undefined ? { cpus } : {}),
        compared: group.length,
        fastest: findingCell(fastest),
        slowest: findingCell(slowest),
        spread: ratioCI(boots.get(slowest.cellId)!, boots.get(fastest.cellId)!),
      });
      for (const c of group) {
        if (c.smp?.speedup) scaling.push({ workload: w, size, seed, cpus: cpus!, oversubscribed: c.oversubscribed === true, tracker: c.tracker, speedup: c.smp.speedup, waitShare: c.smp.waitShare });
      }
      break;
    }
  }
  const failedSeries = new Set(cells.filter((c) => c.validity === 'invalid' || c.validity === 'errored').map((c) => `${c.workload}/${c.seed}/${c.tracker}`));
  const grows: Growth[] = [];
  for (const r of complexity) {
    if (r.tracker === NULL_TRACKER || r.tracker === ORACLE || r.trackerFit === null || r.trackerFit.class === 'O(1)') continue;
    if (failedSeries.has(`${r.workload}/${r.seed}/${r.tracker}`)) continue;
    const known = r.sizes.map((size, i) => ({ size, y: r.trackerNsPerOp[i] })).filter((p): p is { size: number; y: number } => p.y !== null);
    const from = known[0]!;
    const to = known[known.length - 1]!;
    if (to.y < GROWTH_FACTOR * Math.max(from.y, 1)) continue;
    grows.push({ workload: r.workload, seed: r.seed, tracker: r.tracker, class: r.trackerFit.class, fromSize: from.size, toSize: to.size, fromNsPerOp: from.y, toNsPerOp: to.y });
  }
  const rank = new Map(workloads.map((w, i) => [w, i]));
  grows.sort((a, b) => rank.get(a.workload)! - rank.get(b.workload)! || b.toNsPerOp / Math.max(b.fromNsPerOp, 1) - a.toNsPerOp / Math.max(a.fromNsPerOp, 1));
  if (!smp) return { workloads: out, grows };
  scaling.sort((a, b) => rank.get(a.workload)! - rank.get(b.workload)! || b.speedup.ratio - a.speedup.ratio);
  return { workloads: out, grows, scaling, holt: holtFinding(cells, boots) };
}

/** The workload of Holt's experiment, and the two schemes he compared. */
export const HOLT_WORKLOAD = 'xpmem-insert';

/**
 * `spinlock` ÷ `cmpxchg` time on `xpmem-insert` at the most CPUs measured
 * (above one; largest size, smallest seed): the pair of compositions that
 * differ only in the lock part, the baseline's pair first.
 */
function holtFinding(cells: readonly CellSummary[], boots: ReadonlyMap<string, ForkBootstrap | null>): HoltFinding | null {
  const designs = cells.filter((c) => c.workload === HOLT_WORKLOAD && isDesign(c) && c.cpus !== undefined && c.cpus > 1);
  if (designs.length === 0) return null;
  const cpus = Math.max(...designs.map((c) => c.cpus!));
  const at = designs.filter((c) => c.cpus === cpus);
  const size = Math.max(...at.map((c) => c.size));
  const seed = Math.min(...at.filter((c) => c.size === size).map((c) => c.seed));
  const here = at.filter((c) => c.size === size && c.seed === seed);
  const pairs = here
    .filter((c) => c.tracker.endsWith('+cmpxchg'))
    .map((c) => ({ cmpxchg: c, spinlock: here.find((x) => x.tracker === c.tracker.replace(/\+cmpxchg$/, '+spinlock')) }))
    .filter((p): p is { cmpxchg: CellSummary; spinlock: CellSummary } => p.spinlock !== undefined)
    .sort((a, b) => (a.cmpxchg.role === 'baseline' ? 0 : 1) - (b.cmpxchg.role === 'baseline' ? 0 : 1));
  const p = pairs[0];
  if (p === undefined) return null;
  return {
    size,
    cpus,
    oversubscribed: p.spinlock.oversubscribed === true || p.cmpxchg.oversubscribed === true,
    spinlock: p.spinlock.tracker,
    cmpxchg: p.cmpxchg.tracker,
    ratio: ratioCI(boots.get(p.spinlock.cellId)!, boots.get(p.cmpxchg.cellId)!),
  };
}
