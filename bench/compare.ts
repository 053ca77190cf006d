/**
 * `memtype-bench compare BASE HEAD`: the same cells of two runs, side by
 * side. Per cell (matched by cellId): the time ratio HEAD ÷ BASE of the
 * pooled medians (> 1 slower) with a 95% percentile-bootstrap interval, a
 * two-sided Mann–Whitney U test on the raw samples (asv's test), and
 * Welch's t-test on the log round medians.
 *
 * Why two tests: the raw samples of one run share that run's conditions
 * (machine load, the worker's JIT and heap state), so between two runs they
 * differ by more than their own spread suggests, and Mann–Whitney on them
 * alone flags most cells of an A/A pair. The interleaved rounds are the
 * units that see that drift; a change must also stand out from the spread
 * of the round medians.
 *
 * - A change is *significant* when both p-values are below alpha (Welch
 *   needs two rounds on each side; with fewer, Mann–Whitney decides alone),
 *   the interval excludes 1, and the ratio is at least `minEffect` away
 *   from 1 (criterion's noise threshold).
 * - A *regression* is a significant slowdown whose whole interval lies
 *   above 1 + threshold and whose q-value — the larger of the two p-values,
 *   Benjamini–Hochberg-adjusted over all compared cells — is below alpha:
 *   confidently slower by more than the threshold, even among hundreds of
 *   cells.
 *   Any regression — or a cell valid in BASE and invalid/errored in HEAD —
 *   makes the exit status 1.
 */
import { basename } from 'node:path';
import { MSG } from './messages.js';
import { readResultLines, resolveRunDir, FILES, type ResultLine } from './results.js';
import { benjaminiHochberg, bootstrapRatioCI, hashSeed, mannWhitneyU, thinSorted, welchTTest, type RatioCI } from './stats.js';
import { BOOTSTRAP_MAX_SAMPLES, pooledSamples } from './summary.js';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { NULL_TRACKER } from '../impls/registry.js';
import { median } from 'simple-statistics';

/** Options of a comparison. */
export interface CompareOptions {
  /** Regression threshold as a fraction (0.05 = 5% slower). Default 0.05. */
  threshold?: number;
  /** Significance level of the Mann–Whitney U test. Default 0.05. */
  alpha?: number;
  /** Smallest |ratio − 1| marked significant, fraction. Default 0.02 (criterion's noise threshold). */
  minEffect?: number;
  /** Bootstrap resamples. Default 1000. */
  resamples?: number;
  /**
   * `none` (default): compare absolute times. `null`: compare each cell's
   * time relative to its group's `null` tracker in the same round — the
   * harness + machine core measured interleaved beside it — which cancels
   * drift of the whole machine between the runs (load, frequency) but
   * cannot see a change of the machine core itself. `null` cells are then
   * not compared.
   */
  normalize?: 'none' | 'null';
}

/** One compared cell. */
export interface CompareRow {
  cellId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  /** Pooled median replay time, ns, in each run (absolute, also when normalizing); null when not timed. */
  baseNs: number | null;
  headNs: number | null;
  ops: number | null;
  /** HEAD ÷ BASE time ratio (of times relative to the null tracker with `normalize: 'null'`) with its interval (> 1 slower); null when either side has no samples. */
  ratio: RatioCI | null;
  /** Mann–Whitney U two-sided p-value on the raw samples. */
  p: number | null;
  /** Welch's t-test two-sided p-value on the log round medians; null with fewer than two rounds on a side. */
  pRounds: number | null;
  /** Benjamini–Hochberg q-value of max(p, pRounds) over all compared cells; null without a test. */
  q: number | null;
  /** Rounds with timing data in each run. */
  baseRounds: number;
  headRounds: number;
  significant: boolean;
  /** `slower`, `faster` or `same` (not significant). */
  change: 'slower' | 'faster' | 'same';
  /** Confidently slower than 1 + threshold. */
  regression: boolean;
  /** Validity in each run. */
  baseValidity: string | null;
  headValidity: string | null;
  /** Valid in BASE, invalid or errored in HEAD. */
  brokeCorrectness: boolean;
}

/** A whole comparison. */
export interface CompareResult {
  base: string;
  head: string;
  rows: CompareRow[];
  /** Cells only in one run. */
  onlyBase: string[];
  onlyHead: string[];
  /** The two runs' matrix hashes differ (compared by cellId anyway). */
  matrixDiffers: boolean;
  significant: number;
  regressions: number;
  brokeCorrectness: number;
  /** 1 on any regression or broken correctness, else 0. */
  exitCode: number;
  options: Required<CompareOptions>;
}

function groupByCell(lines: readonly ResultLine[]): Map<string, ResultLine[]> {
  const m = new Map<string, ResultLine[]>();
  const seen = new Set<string>();
  for (const l of lines) {
    const k = `${l.cellId}#${l.round}`;
    if (seen.has(k)) continue;
    seen.add(k);
    let list = m.get(l.cellId);
    if (!list) m.set(l.cellId, (list = []));
    list.push(l);
  }
  return m;
}

/** Per (groupId, round): the `null` tracker's median replay time, ns. */
function nullMedians(lines: readonly ResultLine[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) if (l.tracker === NULL_TRACKER && l.stats && l.stats.medianNs > 0) m.set(`${l.groupId}#${l.round}`, l.stats.medianNs);
  return m;
}

/**
 * A cell's lines with every time divided by `scale` of its round (1 when
 * not normalizing); rounds without a scale are dropped.
 */
function scaled(lines: readonly ResultLine[], scale: Map<string, number> | null): ResultLine[] {
  if (scale === null) return [...lines];
  const out: ResultLine[] = [];
  for (const l of lines) {
    const k = scale.get(`${l.groupId}#${l.round}`);
    if (l.stats === null || k === undefined) continue;
    out.push({ ...l, stats: { ...l.stats, medianNs: l.stats.medianNs / k, samplesNs: l.stats.samplesNs.map((x) => x / k) } });
  }
  return out;
}

/** Pooled median of a cell's raw samples, ns; null when never timed. */
function absMedian(lines: readonly ResultLine[]): number | null {
  const xs = pooledSamples(lines);
  return xs.length > 0 ? median(xs) : null;
}

/** Log of each round's median replay time (rounds with timing only). */
function logRoundMedians(lines: readonly ResultLine[]): number[] {
  return lines.filter((l) => l.stats !== null && l.stats.medianNs > 0).map((l) => Math.log(l.stats!.medianNs));
}

function worstValidity(lines: readonly ResultLine[]): string {
  if (lines.some((l) => l.validity === 'errored')) return 'errored';
  if (lines.some((l) => l.validity === 'invalid')) return 'invalid';
  return lines[0]!.validity;
}

/**
 * Compares two runs' lines.
 * @throws InputError for an option out of range
 */
export function compareLines(base: readonly ResultLine[], head: readonly ResultLine[], names: { base: string; head: string }, options: CompareOptions = {}): CompareResult {
  const opts: Required<CompareOptions> = {
    threshold: options.threshold ?? 0.05,
    alpha: options.alpha ?? 0.05,
    minEffect: options.minEffect ?? 0.02,
    resamples: options.resamples ?? 1000,
    normalize: options.normalize ?? 'none',
  };
  if (!(opts.threshold >= 0 && opts.threshold < 10)) throw new InputError(MSG.compare.badThreshold(opts.threshold));
  if (!(opts.alpha > 0 && opts.alpha < 1)) throw new InputError(MSG.compare.badAlpha(opts.alpha));
  if (!(opts.minEffect >= 0 && opts.minEffect < 1)) throw new InputError(MSG.compare.badMinEffect(opts.minEffect));
  const b = groupByCell(base);
  const h = groupByCell(head);
  const rows: CompareRow[] = [];
  const bScale = opts.normalize === 'null' ? nullMedians(base) : null;
  const hScale = opts.normalize === 'null' ? nullMedians(head) : null;
  for (const [id, hlAll] of h) {
    const blAll = b.get(id);
    if (!blAll) continue;
    const first = hlAll[0]!;
    if (opts.normalize === 'null' && first.tracker === NULL_TRACKER) continue;
    const bl = scaled(blAll, bScale);
    const hl = scaled(hlAll, hScale);
    const bs = thinSorted(pooledSamples(bl), BOOTSTRAP_MAX_SAMPLES);
    const hs = thinSorted(pooledSamples(hl), BOOTSTRAP_MAX_SAMPLES);
    const baseValidity = worstValidity(blAll);
    const headValidity = worstValidity(hlAll);
    let ratio: RatioCI | null = null;
    let p: number | null = null;
    let pRounds: number | null = null;
    const br = logRoundMedians(bl);
    const hr = logRoundMedians(hl);
    if (bs.length > 0 && hs.length > 0) {
      ratio = bootstrapRatioCI(hs, bs, { resamples: opts.resamples, seed: hashSeed('compare', id) });
      p = mannWhitneyU(hs, bs).p;
      if (br.length >= 2 && hr.length >= 2) pRounds = welchTTest(br, hr).p;
    }
    const significant =
      ratio !== null &&
      p !== null &&
      p < opts.alpha &&
      (pRounds === null || pRounds < opts.alpha) &&
      (ratio.low > 1 || ratio.high < 1) &&
      Math.abs(ratio.ratio - 1) >= opts.minEffect;
    const change = !significant ? 'same' : ratio!.ratio > 1 ? 'slower' : 'faster';
    const brokeCorrectness = (baseValidity === 'valid' || baseValidity === 'unchecked') && (headValidity === 'invalid' || headValidity === 'errored');
    rows.push({
      cellId: id,
      workload: first.workload,
      size: first.size,
      seed: first.seed,
      tracker: first.tracker,
      baseNs: absMedian(blAll),
      headNs: absMedian(hlAll),
      ops: first.ops,
      ratio,
      p,
      pRounds,
      q: null,
      baseRounds: br.length,
      headRounds: hr.length,
      significant,
      change,
      regression: false,
      baseValidity,
      headValidity,
      brokeCorrectness,
    });
  }
  // Regressions: confident after controlling the false discovery rate over every tested cell.
  const tested = rows.filter((r) => r.p !== null);
  const qs = benjaminiHochberg(tested.map((r) => Math.max(r.p!, r.pRounds ?? 0)));
  tested.forEach((r, i) => {
    r.q = qs[i]!;
    r.regression = r.significant && r.change === 'slower' && r.ratio!.low > 1 + opts.threshold && r.q < opts.alpha;
  });
  const baseHashes = new Set(base.map((l) => l.matrixHash));
  const headHashes = new Set(head.map((l) => l.matrixHash));
  const matrixDiffers = baseHashes.size !== 1 || headHashes.size !== 1 || [...baseHashes][0] !== [...headHashes][0];
  const regressions = rows.filter((r) => r.regression).length;
  const broke = rows.filter((r) => r.brokeCorrectness).length;
  return {
    base: names.base,
    head: names.head,
    rows,
    onlyBase: [...b.keys()].filter((id) => !h.has(id)),
    onlyHead: [...h.keys()].filter((id) => !b.has(id)),
    matrixDiffers,
    significant: rows.filter((r) => r.significant).length,
    regressions,
    brokeCorrectness: broke,
    exitCode: regressions > 0 || broke > 0 ? 1 : 0,
    options: opts,
  };
}

/**
 * Compares two run folders (paths or run ids under `baseDir`).
 * @throws InputError for a missing run, a malformed results file or another schema version
 */
export function compareRuns(baseArg: string, headArg: string, options: CompareOptions = {}, baseDir = 'results'): CompareResult {
  const bd = resolveRunDir(baseArg, baseDir);
  const hd = resolveRunDir(headArg, baseDir);
  const base = readResultLines(join(bd, FILES.lines)).lines;
  const head = readResultLines(join(hd, FILES.lines)).lines;
  if (base.length === 0) throw new InputError(MSG.compare.empty(bd));
  if (head.length === 0) throw new InputError(MSG.compare.empty(hd));
  return compareLines(base, head, { base: basename(bd), head: basename(hd) }, options);
}

/** The mark of a row: `!!` regression beyond the threshold (FDR-controlled), `+` significantly slower, `-` significantly faster, `INVALID` broken correctness. */
export function compareMark(r: CompareRow): string {
  if (r.brokeCorrectness) return 'INVALID';
  if (r.regression) return '!! slower';
  if (r.change === 'slower') return '+ slower';
  if (r.change === 'faster') return '- faster';
  return '';
}

/** The comparison as aligned text: one row per cell, then the verdict. */
export function formatCompare(c: CompareResult): string {
  const head = ['cell', 'base ns/op', 'head ns/op', 'head ÷ base [95% CI]', 'p (MWU)', 'p (rounds)', 'mark'];
  const fmtP = (x: number | null): string => (x === null ? '-' : x < 1e-4 ? '<0.0001' : x.toFixed(4));
  const rows = c.rows.map((r) => [
    r.cellId,
    r.baseNs !== null && r.ops ? (r.baseNs / r.ops).toFixed(1) : '-',
    r.headNs !== null && r.ops ? (r.headNs / r.ops).toFixed(1) : '-',
    r.ratio ? `${r.ratio.ratio.toFixed(3)} [${r.ratio.low.toFixed(3)}, ${r.ratio.high.toFixed(3)}]` : '-',
    fmtP(r.p),
    fmtP(r.pRounds),
    compareMark(r),
  ]);
  const widths = head.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  const right = [false, true, true, false, true, true, false];
  const line = (cols: string[]): string =>
    cols
      .map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [MSG.compare.header(c), line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  out.push(...MSG.compare.footer(c));
  return out.join('\n') + '\n';
}

/**
 * The `compare` command: compares, prints the table and the verdict.
 * @returns the exit status: 1 on a confident regression beyond the threshold or lost correctness, else 0
 * @throws InputError as `compareRuns`
 */
export function runCompareCommand(base: string, head: string, options: CompareOptions = {}, baseDir = 'results', stdout: NodeJS.WritableStream = process.stdout): number {
  const c = compareRuns(base, head, options, baseDir);
  stdout.write(formatCompare(c));
  return c.exitCode;
}
