/**
 * The agreement of two runs of the same matrix (`memtype-bench agreement
 * RUN1 RUN2`, `reproduce`): do they give the same answer? The reproducibility benchmark of the project: a figure
 * a kernel developer publishes must come out the same when they run it
 * again, and its interval must cover what the second run sees.
 *
 * Per tracker cell present in both runs (not the `null` tracker, not the
 * baseline, whose ratio is 1 by definition), on time ÷ baseline:
 * - *consistent*: the two 95% intervals overlap and the two ratios are
 *   within `tolerance` (10%) of each other;
 * - *contradictory*: each run's interval excludes 1, on opposite sides (one
 *   run says faster, the other slower);
 * - the median of |r1 / r2 − 1| over the cells;
 * - the runs whose noise makes the agreement unsafe to judge at the
 *   tolerance (bench/summarise/compare.ts `unsafeRuns`).
 */
import { median } from 'simple-statistics';
import { unsafeRuns, type UnsafeRun } from './compare.js';
import type { CellSummary, RunSummary } from './types.js';

/** One cell of both runs. */
export interface AgreementRow {
  cellId: string;
  /** time ÷ baseline with its interval, in each run. */
  r1: { ratio: number; low: number; high: number };
  r2: { ratio: number; low: number; high: number };
  /** |r1 / r2 − 1|. */
  drift: number;
  overlap: boolean;
  consistent: boolean;
  contradictory: boolean;
  /** Either run marks the cell unstable (its forks disagree). */
  unstable: boolean;
}

/** The agreement of two runs. */
export interface Agreement {
  rows: AgreementRow[];
  /** Share of rows that are consistent, in [0, 1]; null without rows. */
  consistentShare: number | null;
  contradictory: number;
  /** Median |r1 / r2 − 1|; null without rows. */
  medianDrift: number | null;
  /** Largest |r1 / r2 − 1|; null without rows. */
  maxDrift: number | null;
  tolerance: number;
  /** The runs whose noise makes the agreement unsafe to judge at the tolerance. */
  unsafe: UnsafeRun[];
}

/** Default largest |r1 / r2 − 1| of a consistent cell. */
export const AGREEMENT_TOLERANCE = 0.1;

function excludesOne(r: { low: number; high: number }): -1 | 0 | 1 {
  return r.high < 1 ? -1 : r.low > 1 ? 1 : 0;
}

/**
 * Agreement of two run summaries on every tracker cell timed in both.
 * @param tolerance largest |r1 / r2 − 1| of a consistent cell
 * @param names the runs' names, for the unsafe list
 */
export function agreement(a: Pick<RunSummary, 'cells' | 'rmeMedian' | 'noise'>, b: Pick<RunSummary, 'cells' | 'rmeMedian' | 'noise'>, tolerance = AGREEMENT_TOLERANCE, names = { a: 'run 1', b: 'run 2' }): Agreement {
  const other = new Map<string, CellSummary>(b.cells.map((c) => [c.cellId, c]));
  const rows: AgreementRow[] = [];
  for (const c of a.cells) {
    const d = other.get(c.cellId);
    if (c.role !== 'tracker' || !d || d.role !== 'tracker' || !c.vsBaseline || !d.vsBaseline) continue;
    const r1 = c.vsBaseline;
    const r2 = d.vsBaseline;
    const drift = Math.abs(r1.ratio / r2.ratio - 1);
    const overlap = r1.low <= r2.high && r2.low <= r1.high;
    const s1 = excludesOne(r1);
    const s2 = excludesOne(r2);
    rows.push({
      cellId: c.cellId,
      r1: { ratio: r1.ratio, low: r1.low, high: r1.high },
      r2: { ratio: r2.ratio, low: r2.low, high: r2.high },
      drift,
      overlap,
      consistent: overlap && drift <= tolerance,
      contradictory: s1 !== 0 && s2 !== 0 && s1 !== s2,
      unstable: c.unstable || d.unstable,
    });
  }
  const drifts = rows.map((r) => r.drift);
  return {
    rows,
    consistentShare: rows.length > 0 ? rows.filter((r) => r.consistent).length / rows.length : null,
    contradictory: rows.filter((r) => r.contradictory).length,
    medianDrift: drifts.length > 0 ? median(drifts) : null,
    maxDrift: drifts.length > 0 ? Math.max(...drifts) : null,
    tolerance,
    unsafe: unsafeRuns(
      [
        { name: names.a, summary: a },
        { name: names.b, summary: b },
      ],
      tolerance * 100,
    ),
  };
}
