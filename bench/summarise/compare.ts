/**
 * The comparison of two runs (`memtype-bench compare BASE HEAD`, and the
 * report's comparison section): the same cells side by side, with the fork
 * — a fresh isolate — as the unit, as in every summary.
 * Per cell (matched by cellId): the time ratio HEAD ÷ BASE of the cells'
 * medians of fork figures (each fork's fastest replay, stats.ts
 * `forkFigure`; > 1 slower) with the 95% interval of a two-level bootstrap
 * (forks, then samples within a fork), and Welch's t-test on the log fork
 * figures.
 *
 * Raw samples of one fork share that isolate's compiled code, so two runs'
 * samples differ by more than their own spread suggests (the JIT lottery);
 * only the forks see that, so the test and the interval are taken over
 * forks, never over pooled samples.
 *
 * - A change is *significant* when Welch's p-value is below alpha (it needs
 *   two forks on each side; with fewer, nothing is significant), the
 *   interval excludes 1, and the ratio is at least `minEffect` away from 1
 *   (criterion's noise threshold).
 * - A *regression* is a significant slowdown whose whole interval lies
 *   above 1 + threshold and whose Benjamini–Hochberg q-value over all
 *   compared cells is below alpha. Any regression — or a cell valid in BASE
 *   and invalid/errored in HEAD — makes the exit status 1.
 * - A cell whose forks disagree (unstable) in either run is compared like
 *   any other, and marked: its interval is wide and a verdict on it is not
 *   safe.
 * - A run whose own figures are noisy makes the whole verdict unsafe: its
 *   median ±95% above the threshold (a change of that size cannot be told
 *   from its noise), its load average changing during the run, or its
 *   `null` tracker not the fastest (`unsafeRuns`).
 */
import { median } from 'simple-statistics';
import { InputError } from '../../core/errors.js';
import { NULL_TRACKER } from '../../impls/registry.js';
import { MSG } from '../messages.js';
import { linesByCell, type ResultLine } from '../store/results.js';
import { hashSeed } from '../../workloads/rng.js';
import { benjaminiHochberg, bootstrapForks, forkFigure, ratioCI, welchTTest, type RatioCI } from './stats.js';
import type { LoadedRun } from './run.js';
import { UNSTABLE_RATIO } from './summary.js';
import type { NoiseReason, RunSummary } from './types.js';

/** Options of a comparison. */
export interface CompareOptions {
  /** Regression threshold as a fraction (0.05 = 5% slower). Default 0.05. */
  threshold?: number;
  /** Significance level of Welch's t-test (and of the q-values). Default 0.05. */
  alpha?: number;
  /** Smallest |ratio − 1| marked significant, fraction. Default 0.02 (criterion's noise threshold). */
  minEffect?: number;
  /** Bootstrap resamples. Default 1000. */
  resamples?: number;
  /**
   * `none` (default): compare absolute times. `null`: compare each fork's
   * times relative to the `null` tracker's fork of the same block — the
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
  /** Median of fork figures, ns, in each run (absolute, also when normalizing); null when not timed. */
  baseNs: number | null;
  headNs: number | null;
  ops: number | null;
  /** HEAD ÷ BASE time ratio (of times relative to the null tracker with `normalize: 'null'`) with its interval (> 1 slower); null when either side has no timed fork. */
  ratio: RatioCI | null;
  /** Welch's t-test two-sided p-value on the log fork figures; null with fewer than two forks on a side. */
  p: number | null;
  /** Benjamini–Hochberg q-value of `p` over all compared cells; null without a test. */
  q: number | null;
  /** Forks with timing data in each run. */
  baseForks: number;
  headForks: number;
  /** The forks of either run disagree (slowest ÷ fastest fork figure > `UNSTABLE_RATIO`): the verdict is not safe. */
  unstable: boolean;
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
  /** Compared cells whose forks disagree in either run. */
  unstable: number;
  regressions: number;
  brokeCorrectness: number;
  /** 1 on any regression or broken correctness, else 0. */
  exitCode: number;
  options: Required<CompareOptions>;
  /** The runs whose noise makes the verdict unsafe (`compareRuns`; empty from `compareLines`). */
  unsafe: UnsafeRun[];
}

/** Per (groupId, fork): the `null` tracker's fork figure (its fastest replay), ns. */
function nullFigures(lines: readonly ResultLine[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) if (l.tracker === NULL_TRACKER && l.stats && l.stats.minNs > 0) m.set(`${l.groupId}#${l.fork}`, l.stats.minNs);
  return m;
}

/**
 * Each timed fork's samples divided by `scale` of its block (1 when not
 * normalizing); forks without a scale are dropped.
 */
function forkSamples(lines: readonly ResultLine[], scale: Map<string, number> | null): number[][] {
  const out: number[][] = [];
  for (const l of [...lines].sort((a, b) => a.fork - b.fork)) {
    if (l.stats === null) continue;
    const k = scale === null ? 1 : scale.get(`${l.groupId}#${l.fork}`);
    if (k === undefined) continue;
    out.push(k === 1 ? l.stats.samplesNs : l.stats.samplesNs.map((x) => x / k));
  }
  return out;
}

/** Median of a cell's fork figures (each fork's fastest replay), ns; null when never timed. */
function cellMedian(lines: readonly ResultLine[]): number | null {
  const xs = lines.filter((l) => l.stats !== null).map((l) => l.stats!.minNs);
  return xs.length > 0 ? median(xs) : null;
}

/** True when a cell's fork figures disagree by more than `UNSTABLE_RATIO`. */
function unstable(forks: readonly (readonly number[])[]): boolean {
  const m = forks.map((f) => forkFigure(f));
  return m.length > 1 && Math.max(...m) / Math.min(...m) > UNSTABLE_RATIO;
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
  const b = linesByCell(base);
  const h = linesByCell(head);
  const rows: CompareRow[] = [];
  const bScale = opts.normalize === 'null' ? nullFigures(base) : null;
  const hScale = opts.normalize === 'null' ? nullFigures(head) : null;
  for (const [id, hl] of h) {
    const bl = b.get(id);
    if (!bl) continue;
    const first = hl[0]!;
    if (opts.normalize === 'null' && first.tracker === NULL_TRACKER) continue;
    const bf = forkSamples(bl, bScale);
    const hf = forkSamples(hl, hScale);
    const baseValidity = worstValidity(bl);
    const headValidity = worstValidity(hl);
    let ratio: RatioCI | null = null;
    let p: number | null = null;
    if (bf.length > 0 && hf.length > 0) {
      const boot = (forks: number[][], side: string) => bootstrapForks(forks, { resamples: opts.resamples, seed: hashSeed('compare', side, id) });
      ratio = ratioCI(boot(hf, 'head'), boot(bf, 'base'));
      const logFigures = (forks: number[][]) => forks.map((f) => Math.log(forkFigure(f)));
      if (bf.length >= 2 && hf.length >= 2) p = welchTTest(logFigures(bf), logFigures(hf)).p;
    }
    const significant = ratio !== null && p !== null && p < opts.alpha && (ratio.low > 1 || ratio.high < 1) && Math.abs(ratio.ratio - 1) >= opts.minEffect;
    const change = !significant ? 'same' : ratio!.ratio > 1 ? 'slower' : 'faster';
    const brokeCorrectness = (baseValidity === 'valid' || baseValidity === 'unchecked') && (headValidity === 'invalid' || headValidity === 'errored');
    rows.push({
      cellId: id,
      workload: first.workload,
      size: first.size,
      seed: first.seed,
      tracker: first.tracker,
      baseNs: cellMedian(bl),
      headNs: cellMedian(hl),
      ops: first.ops,
      ratio,
      p,
      q: null,
      baseForks: bf.length,
      headForks: hf.length,
      unstable: unstable(bf) || unstable(hf),
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
  const qs = benjaminiHochberg(tested.map((r) => r.p!));
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
    unstable: rows.filter((r) => r.unstable).length,
    onlyHead: [...h.keys()].filter((id) => !b.has(id)),
    matrixDiffers,
    significant: rows.filter((r) => r.significant).length,
    regressions,
    brokeCorrectness: broke,
    exitCode: regressions > 0 || broke > 0 ? 1 : 0,
    options: opts,
    unsafe: [],
  };
}


/** A run whose noise makes a verdict about `needPct`-sized changes unsafe. */
export interface UnsafeRun {
  run: string;
  /** Its median ±95%, percent. */
  rmeMedian: number | null;
  /** That is wider than `needPct`. */
  rmeTooWide: boolean;
  /** The size of change the verdict is about, percent (a threshold or a tolerance). */
  needPct: number;
  /** Its own noise reasons other than unstable cells (those are marked per cell). */
  reasons: NoiseReason[];
}

/**
 * The runs whose noise makes a verdict about changes of `needPct` percent
 * unsafe: a median ±95% above it, a load average that changed during the
 * run, a `null` tracker that is not the fastest.
 */
export function unsafeRuns(runs: readonly { name: string; summary: Pick<RunSummary, 'rmeMedian' | 'noise'> }[], needPct: number): UnsafeRun[] {
  const out: UnsafeRun[] = [];
  for (const r of runs) {
    const reasons = r.summary.noise.filter((n) => n.kind === 'load' || n.kind === 'null-not-fastest');
    const rme = r.summary.rmeMedian;
    const rmeTooWide = rme !== null && rme > needPct;
    if (reasons.length > 0 || rmeTooWide) out.push({ run: r.name, rmeMedian: rme, rmeTooWide, needPct, reasons });
  }
  return out;
}

/**
 * Compares two loaded runs: `compareLines`, plus the runs whose noise makes
 * the verdict unsafe at the threshold.
 * @throws InputError for an option out of range
 */
export function compareRuns(base: LoadedRun, head: LoadedRun, names: { base: string; head: string }, options: CompareOptions = {}): CompareResult {
  const c = compareLines(base.lines, head.lines, names, options);
  c.unsafe = unsafeRuns(
    [
      { name: names.base, summary: base.summary },
      { name: names.head, summary: head.summary },
    ],
    c.options.threshold * 100,
  );
  return c;
}
