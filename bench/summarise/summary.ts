/**
 * From result lines to what people read: per-cell summaries (forks as the
 * unit of replication), per-group ratios against the baseline tracker with
 * two-level bootstrap intervals, complexity classes fitted across sizes,
 * the harness-overhead, precision and sanity figures — and their
 * renderings: `results.json` (machine-readable), `summary.md`, `results.csv`.
 *
 * Definitions (units: ns per replay of the whole stream unless stated):
 * - a cell is measured in K forks (fresh isolates); each fork's figure is
 *   the median of its timed samples; the cell's figure `medianNs` is the
 *   median of its fork medians;
 * - `rme`: half the width of the cell's 95% two-level bootstrap interval
 *   (forks, then samples within a fork; `bootstrapForks`) ÷ `medianNs`, in
 *   percent — what a second run can be expected to move;
 * - `forkSpread` = (slowest − fastest fork median) ÷ `medianNs`, percent; a
 *   cell is `unstable` when its slowest fork median exceeds its fastest by
 *   more than `UNSTABLE_RATIO` (the forks disagree: the JIT compiled it two
 *   ways), and its interval is reported as such instead of trusted;
 * - `opsPerSec` = ops ÷ `medianNs`; `hmeanOpsPerSec` = the harmonic mean of
 *   the per-fork throughputs (mmtests: harmonic mean for rates);
 * - `vsBaseline` = medianNs(cell) ÷ medianNs(baseline) in the same group —
 *   a time ratio, < 1 faster — with the percentile interval of the ratio of
 *   the two cells' bootstrap draws;
 * - `harnessShare` = median empty replay (the digest sink fed every op, no
 *   machine, no tracker, timed in the `null` tracker's forks) ÷ the cell's
 *   median; `nullShare` = the `null` tracker's median ÷ the cell's median;
 * - sanity: the `null` tracker (harness + machine core, no tracking) must be
 *   the fastest cell of its group; groups where it is not are listed;
 * - complexity: ns per op against size per (workload, seed, tracker), the
 *   class with the least normalized RMS residual (Google Benchmark).
 */
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { NULL_TRACKER, ORACLE } from '../../impls/registry.js';
import type { RunEnv } from '../store/env.js';
import type { Validity } from '../measure/fork.js';
import { cellId as makeCellId, type Matrix } from '../plan/matrix.js';
import { MSG } from '../messages.js';
import { FILES, linesByCell, SCHEMA_VERSION, writeFileAtomic, type ResultLine } from '../store/results.js';
import { hashSeed } from '../../workloads/rng.js';
import { sampleStats } from '../measure/sample-stats.js';
import { bootstrapForks, fitComplexity, harmonicMean, percentileInterval, ratioCI, type ComplexityFit, type ForkBootstrap, type RatioCI } from './stats.js';

/** What a cell is in its group. */
export type CellRole = 'null' | 'baseline' | 'tracker' | 'oracle';

/** Slowest ÷ fastest fork median above which a cell is `unstable`. */
export const UNSTABLE_RATIO = 1.2;

/** One cell, all forks. */
export interface CellSummary {
  cellId: string;
  groupId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  machine: string;
  role: CellRole;
  ops: number | null;
  /** Forks with timing data, of `forksPlanned`. */
  forks: number;
  forksPlanned: number;
  /** Each timed fork's median, ns, in fork order. */
  forkMediansNs: number[];
  /** Timed samples over all forks. */
  samples: number;
  /** Median of the fork medians, ns; null when never timed. */
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
  /** (slowest − fastest fork median) ÷ `medianNs`, percent. */
  forkSpread: number | null;
  /** The forks disagree (slowest ÷ fastest fork median > `UNSTABLE_RATIO`). */
  unstable: boolean;
  opsPerSec: number | null;
  /** Harmonic mean of the per-fork throughputs, ops/s. */
  hmeanOpsPerSec: number | null;
  nsPerOp: number | null;
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
  modeledBytes: number | null;
  jsBytes: number | null;
  /** GCs during the timed replays, all forks, and their total pause, ms. */
  gcCount: number;
  gcPauseMs: number;
  digest: string | null;
  oracleDigest: string | null;
  validity: Validity;
  error: string | null;
}

/** A complexity fit of one tracker on one workload across sizes. */
export interface ComplexityRow {
  workload: string;
  seed: number;
  tracker: string;
  sizes: number[];
  /** ns per op at each size. */
  nsPerOp: number[];
  /** null with fewer than three sizes. */
  fit: ComplexityFit | null;
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
  harness: HarnessReport;
  /** Median and maximum rme over timed tracker cells (null excluded), percent. */
  rmeMedian: number | null;
  rmeMax: number | null;
  /** Cell ids whose forks disagree. */
  unstable: string[];
  /** Sanity check: groups where the `null` tracker is not the fastest. */
  nullNotFastest: NullNotFastest[];
  /** Over every fork of the run: median warm-up replays and ms, share of forks that reached a steady state. */
  warmup: { replaysMedian: number | null; msMedian: number | null; steadyShare: number | null };
  counts: Record<Validity, number>;
}

/** Bootstrap resamples for intervals and ratios. */
export const BOOTSTRAP_RESAMPLES = 1000;

/** Each timed fork's samples, ns, in fork order (forks without timing skipped). */
export function forkSamples(lines: readonly ResultLine[]): number[][] {
  return [...lines]
    .filter((l) => l.stats !== null)
    .sort((a, b) => a.fork - b.fork)
    .map((l) => l.stats!.samplesNs);
}

/** The two-level bootstrap of a cell's lines (seeded by `key`); null when no fork was timed. */
export function cellBootstrap(lines: readonly ResultLine[], key: string): ForkBootstrap | null {
  const forks = forkSamples(lines);
  return forks.length > 0 ? bootstrapForks(forks, { resamples: BOOTSTRAP_RESAMPLES, seed: hashSeed('cell', key) }) : null;
}

function roleOf(tracker: string, baseline: string): CellRole {
  if (tracker === NULL_TRACKER) return 'null';
  if (tracker === baseline) return 'baseline';
  if (tracker === ORACLE) return 'oracle';
  return 'tracker';
}

const RANK: Record<Validity, number> = { valid: 0, unchecked: 0, invalid: 1, errored: 2 };

/**
 * Summarizes one cell's lines (any forks, any order; duplicates of a fork
 * must have been removed).
 * @param boot the cell's bootstrap (`cellBootstrap`), when already computed
 */
export function summarizeCell(lines: readonly ResultLine[], baseline: string, forksPlanned: number, boot: ForkBootstrap | null = cellBootstrap(lines, lines[0]!.cellId)): CellSummary {
  const first = lines[0]!;
  const timed = lines.filter((l) => l.stats !== null).sort((a, b) => a.fork - b.fork);
  const forkMedians = timed.map((l) => l.stats!.medianNs);
  const all = timed.flatMap((l) => l.stats!.samplesNs);
  const s = all.length > 0 ? sampleStats(all) : null;
  const ops = first.ops;
  const med = boot?.point ?? null;
  const ci = boot ? percentileInterval(boot.draws) : null;
  const fastest = forkMedians.length > 0 ? Math.min(...forkMedians) : null;
  const slowest = forkMedians.length > 0 ? Math.max(...forkMedians) : null;
  const warm = lines.map((l) => l.warmup).filter((w): w is NonNullable<ResultLine['warmup']> => w !== null);
  const errors = lines.map((l) => l.error).filter((e): e is string => e !== null);
  const validity = lines.reduce<Validity>((v, l) => (RANK[l.validity] > RANK[v] ? l.validity : v), first.validity);
  return {
    cellId: first.cellId,
    groupId: first.groupId,
    workload: first.workload,
    size: first.size,
    seed: first.seed,
    tracker: first.tracker,
    machine: first.machine,
    role: roleOf(first.tracker, baseline),
    ops,
    forks: timed.length,
    forksPlanned,
    forkMediansNs: forkMedians,
    samples: timed.reduce((a, l) => a + l.stats!.samples, 0),
    medianNs: med,
    medianLowNs: ci?.low ?? null,
    medianHighNs: ci?.high ?? null,
    p99Ns: s?.p99 ?? null,
    meanNs: s?.mean ?? null,
    rme: med && ci ? ((ci.high - ci.low) / 2 / med) * 100 : null,
    forkSpread: med && fastest !== null && slowest !== null ? ((slowest - fastest) / med) * 100 : null,
    unstable: fastest !== null && slowest !== null && fastest > 0 && slowest / fastest > UNSTABLE_RATIO,
    opsPerSec: med && ops ? ops / (med / 1e9) : null,
    hmeanOpsPerSec: timed.length > 0 && ops ? harmonicMean(timed.map((l) => l.stats!.opsPerSec)) : null,
    nsPerOp: med && ops ? med / ops : null,
    warmupReplays: warm.length > 0 ? median(warm.map((w) => w.replays)) : null,
    warmupMs: warm.length > 0 ? median(warm.map((w) => w.ms)) : null,
    warmupSteadyShare: warm.length > 0 ? warm.filter((w) => w.steady).length / warm.length : null,
    vsBaseline: null,
    harnessShare: null,
    nullShare: null,
    modeledBytes: lines.find((l) => l.memory.modeledBytes !== null)?.memory.modeledBytes ?? null,
    jsBytes: lines.find((l) => l.memory.jsBytes !== null)?.memory.jsBytes ?? null,
    gcCount: lines.reduce((a, l) => a + l.memory.gcCount, 0),
    gcPauseMs: lines.reduce((a, l) => a + l.memory.gcPauseMs, 0),
    digest: first.digest,
    oracleDigest: first.oracleDigest,
    validity,
    error: errors[0] ?? null,
  };
}

/** What `summarize` needs of the run. */
export interface SummaryContext {
  runId: string;
  matrixHash: string;
  baseline: string;
  forks: number;
  /** The cells expected (matrix or shard), in matrix order; lines of other cells are summarized after them. */
  expected: readonly string[];
}

/** The cells a manifest expects, in matrix order: every tracker of every group it owns. */
export function expectedCells(matrix: Pick<Matrix, 'groups'>, groupIds: readonly string[]): string[] {
  const own = new Set(groupIds);
  return matrix.groups.filter((g) => own.has(g.id)).flatMap((g) => g.trackers.map((t) => makeCellId(g, t)));
}

/**
 * Summarizes a run's lines: cells in expected order, ratios to the
 * baseline, harness shares, complexity fits, precision, the sanity check
 * and the missing cells.
 */
export function summarize(lines: readonly ResultLine[], ctx: SummaryContext): RunSummary {
  const byCell = linesByCell(lines);
  const expectedSet = new Set(ctx.expected);
  const order = [...ctx.expected.filter((id) => byCell.has(id)), ...[...byCell.keys()].filter((id) => !expectedSet.has(id))];
  const boots = new Map(order.map((id) => [id, cellBootstrap(byCell.get(id)!, id)]));
  const cells = order.map((id) => summarizeCell(byCell.get(id)!, ctx.baseline, ctx.forks, boots.get(id)!));
  const missing = ctx.expected.filter((id) => (byCell.get(id)?.length ?? 0) < ctx.forks);

  // Per group: the baseline ratio, the harness shares, the sanity check.
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    let g = groups.get(c.groupId);
    if (!g) groups.set(c.groupId, (g = []));
    g.push(c);
  }
  const emptyNs = (members: CellSummary[]): number | null => {
    const nul = members.find((c) => c.tracker === NULL_TRACKER);
    const h = nul ? byCell.get(nul.cellId)!.map((l) => l.harness.emptyReplayNs).filter((x): x is number => x !== null) : [];
    return h.length > 0 ? median(h) : null;
  };
  const nullNotFastest: NullNotFastest[] = [];
  for (const [gid, members] of groups) {
    const base = members.find((c) => c.tracker === ctx.baseline);
    const nul = members.find((c) => c.tracker === NULL_TRACKER);
    const baseBoot = base ? boots.get(base.cellId)! : null;
    const harnessNs = emptyNs(members);
    for (const c of members) {
      if (c.medianNs === null) continue;
      if (harnessNs !== null) c.harnessShare = harnessNs / c.medianNs;
      if (nul?.medianNs) c.nullShare = nul.medianNs / c.medianNs;
      const mine = boots.get(c.cellId)!;
      if (baseBoot && base!.medianNs && mine) c.vsBaseline = ratioCI(mine, baseBoot);
    }
    if (nul?.medianNs) {
      const faster = members
        .filter((c) => c.role !== 'null' && c.medianNs !== null && c.medianNs < nul.medianNs!)
        .map((c) => ({ tracker: c.tracker, ratio: c.medianNs! / nul.medianNs! }));
      if (faster.length > 0) nullNotFastest.push({ groupId: gid, faster });
    }
  }

  // Complexity: ns/op across sizes per (workload, seed, tracker).
  const series = new Map<string, CellSummary[]>();
  for (const c of cells) {
    if (c.nsPerOp === null || c.validity === 'errored') continue;
    const key = `${c.workload}\u0000${c.seed}\u0000${c.tracker}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = []));
    s.push(c);
  }
  const complexity: ComplexityRow[] = [];
  for (const s of series.values()) {
    s.sort((a, b) => a.size - b.size);
    const sizes = s.map((c) => c.size);
    const ys = s.map((c) => c.nsPerOp!);
    const ok = sizes.every((n) => n >= 2);
    complexity.push({ workload: s[0]!.workload, seed: s[0]!.seed, tracker: s[0]!.tracker, sizes, nsPerOp: ys, fit: ok ? fitComplexity(sizes, ys) : null });
  }

  const trackerCells = cells.filter((c) => c.role !== 'null' && c.medianNs !== null);
  const med = (xs: number[]): number | null => (xs.length > 0 ? median(xs) : null);
  const shares = trackerCells.map((c) => c.harnessShare).filter((x): x is number => x !== null);
  const emptyPerOp = [...groups.values()]
    .map((m) => {
      const h = emptyNs(m);
      const ops = m[0]!.ops;
      return h !== null && ops ? h / ops : null;
    })
    .filter((x): x is number => x !== null);
  const rmes = trackerCells.map((c) => c.rme).filter((x): x is number => x !== null);
  const warm = [...byCell.values()].flat().map((l) => l.warmup).filter((w): w is NonNullable<ResultLine['warmup']> => w !== null);
  const counts: Record<Validity, number> = { valid: 0, invalid: 0, errored: 0, unchecked: 0 };
  for (const c of cells) counts[c.validity]++;
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: ctx.runId,
    matrixHash: ctx.matrixHash,
    baseline: ctx.baseline,
    complete: missing.length === 0,
    missing,
    cells,
    complexity,
    harness: {
      emptyShareMedian: med(shares),
      emptyShareMax: shares.length > 0 ? Math.max(...shares) : null,
      nullShareMedian: med(trackerCells.map((c) => c.nullShare).filter((x): x is number => x !== null)),
      emptyNsPerOpMedian: med(emptyPerOp),
    },
    rmeMedian: med(rmes),
    rmeMax: rmes.length > 0 ? Math.max(...rmes) : null,
    unstable: cells.filter((c) => c.unstable).map((c) => c.cellId),
    nullNotFastest,
    warmup: {
      replaysMedian: med(warm.map((w) => w.replays)),
      msMedian: med(warm.map((w) => w.ms)),
      steadyShare: warm.length > 0 ? warm.filter((w) => w.steady).length / warm.length : null,
    },
    counts,
  };
}

/** True when the cell makes a run fail: invalid or errored. */
export function cellFailed(c: Pick<CellSummary, 'validity'>): boolean {
  return c.validity === 'invalid' || c.validity === 'errored';
}

// ------------------------------------------------------------------ rendering

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer with thousands separators, `-` for null. */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : INT.format(Math.round(n));
}

/** A number with `digits` decimals, `-` for null. */
export function fmtFixed(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** A fraction as a percentage with `digits` decimals. */
export function fmtPct(f: number | null | undefined, digits = 1): string {
  return f === null || f === undefined || !Number.isFinite(f) ? '-' : `${(f * 100).toFixed(digits)}%`;
}

/** `0.82 [0.80, 0.85]`. */
export function fmtRatio(r: RatioCI | null): string {
  return r === null ? '-' : `${r.ratio.toFixed(3)} [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]`;
}

/**
 * The forks column: `3` (forks timed), `2/3` when some were not,
 * `3 UNSTABLE ×1.35` when they disagree (slowest ÷ fastest fork median).
 */
export function forksLabel(c: Pick<CellSummary, 'forks' | 'forksPlanned' | 'unstable' | 'forkMediansNs'>): string {
  const n = c.forks === c.forksPlanned ? String(c.forks) : `${c.forks}/${c.forksPlanned}`;
  if (!c.unstable) return n;
  return `${n} UNSTABLE ×${(Math.max(...c.forkMediansNs) / Math.min(...c.forkMediansNs)).toFixed(2)}`;
}

/**
 * The validity label shown in tables: `yes`, `INVALID`, `ERROR`, `harness`
 * (the null tracker), `unchecked` (a module-loaded tracker timed with
 * `--no-verify`).
 */
export function validityLabel(c: Pick<CellSummary, 'validity' | 'role'>): string {
  const v = c.validity;
  return v === 'valid' ? 'yes' : v === 'invalid' ? 'INVALID' : v === 'errored' ? 'ERROR' : c.role === 'null' ? 'harness' : 'unchecked';
}

/**
 * Columns of results.csv, in order. `vsBaseline`, `vsBaselineLow` and
 * `vsBaselineHigh` are the time ÷ baseline ratio and its 95% interval
 * (< 1 faster), as in every earlier version; the fork columns describe the
 * unit of replication.
 */
export const CSV_COLUMNS = [
  'cellId',
  'workload',
  'size',
  'seed',
  'tracker',
  'role',
  'machine',
  'ops',
  'forks',
  'samples',
  'medianNs',
  'medianLowNs',
  'medianHighNs',
  'p99Ns',
  'meanNs',
  'rme',
  'forkSpread',
  'unstable',
  'forkMediansNs',
  'warmupReplays',
  'warmupMs',
  'opsPerSec',
  'hmeanOpsPerSec',
  'nsPerOp',
  'vsBaseline',
  'vsBaselineLow',
  'vsBaselineHigh',
  'harnessShare',
  'nullShare',
  'modeledBytes',
  'jsBytes',
  'gcCount',
  'gcPauseMs',
  'validity',
  'digest',
  'oracleDigest',
  'error',
] as const;

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const num = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(9))));
  const s = typeof v === 'number' ? num(v) : Array.isArray(v) ? v.map((x) => num(x as number)).join(' ') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** results.csv: a header and one row per cell (RFC 4180 quoting). */
export function formatCsv(summary: RunSummary): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const c of summary.cells) {
    const flat: Record<string, unknown> = {
      ...c,
      vsBaseline: c.vsBaseline?.ratio ?? null,
      vsBaselineLow: c.vsBaseline?.low ?? null,
      vsBaselineHigh: c.vsBaseline?.high ?? null,
    };
    rows.push(CSV_COLUMNS.map((k) => csvField(flat[k])).join(','));
  }
  return rows.join('\n') + '\n';
}

function mdTable(head: string[], rows: string[][], right: boolean[]): string {
  const sep = right.map((r) => (r ? '---:' : '---'));
  const line = (cols: string[]): string => `| ${cols.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(sep), ...rows.map(line)].join('\n') + '\n';
}

/** Header facts of summary.md. */
export interface SummaryHeader {
  matrix: Pick<Matrix, 'source' | 'description' | 'forks' | 'timingNote' | 'machine' | 'cellCount' | 'skipped'>;
  env: RunEnv | null;
  threads: number;
  shard: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** summary.md: the run, its precision and overhead, one table per workload, the complexity fits, the failures. */
export function formatSummaryMd(summary: RunSummary, header: SummaryHeader): string {
  const out: string[] = [];
  const h = header;
  out.push(`# memtype-bench run ${summary.runId}\n`);
  out.push(MSG.summary.facts(summary, h).map((f) => `- ${f}`).join('\n') + '\n');
  out.push(`## Precision and overhead\n`);
  out.push(MSG.summary.precision(summary, UNSTABLE_RATIO).map((f) => `- ${f}`).join('\n') + '\n');

  const workloads = [...new Set(summary.cells.map((c) => c.workload))];
  for (const w of workloads) {
    out.push(`## ${w}\n`);
    const rows = summary.cells
      .filter((c) => c.workload === w)
      .map((c) => [
        c.tracker + (c.role === 'baseline' ? ' (baseline)' : ''),
        fmtInt(c.size),
        String(c.seed),
        fmtInt(c.opsPerSec),
        c.rme === null ? '-' : `±${c.rme.toFixed(1)}%`,
        forksLabel(c),
        fmtFixed(c.nsPerOp, 1),
        fmtFixed(c.p99Ns === null || !c.ops ? null : c.p99Ns / c.ops, 1),
        c.role === 'baseline' ? '1' : fmtRatio(c.vsBaseline),
        fmtInt(c.modeledBytes),
        fmtInt(c.jsBytes),
        `${c.gcCount} / ${fmtFixed(c.gcPauseMs, 1)}`,
        validityLabel(c),
      ]);
    out.push(
      mdTable(
        ['tracker', 'size', 'seed', 'ops/s', '±95%', 'forks', 'ns/op', 'p99 ns/op', `time ÷ ${summary.baseline} [95% CI]`, 'modeled B', 'JS B', 'GCs / ms', 'valid'],
        rows,
        [false, true, true, true, true, false, true, true, false, true, true, true, false],
      ),
    );
  }

  const fits = summary.complexity.filter((c) => c.fit !== null);
  if (fits.length > 0) {
    out.push(`## Complexity (ns per op across sizes)\n`);
    out.push(
      mdTable(
        ['workload', 'seed', 'tracker', 'sizes', 'ns/op', 'class', 'fit error'],
        fits.map((c) => [c.workload, String(c.seed), c.tracker, c.sizes.map(fmtInt).join(', '), c.nsPerOp.map((x) => x.toFixed(1)).join(', '), c.fit!.class, fmtPct(c.fit!.rms, 1)]),
        [false, true, false, false, false, false, true],
      ),
    );
  }
  const bad = summary.cells.filter(cellFailed);
  if (bad.length > 0 || summary.missing.length > 0) {
    out.push(`## Failures\n`);
    for (const c of bad) out.push(`- ${MSG.summary.failedCell(c.cellId, validityLabel(c), c.error)}`);
    for (const id of summary.missing) out.push(`- ${MSG.summary.missingCell(id)}`);
    out.push('');
  }
  return out.join('\n');
}

/** Writes results.json, summary.md and results.csv into `dir` (atomically). @returns their paths */
export function writeSummaryFiles(dir: string, summary: RunSummary, header: SummaryHeader): string[] {
  const files: [string, string][] = [
    [FILES.aggregate, JSON.stringify(summary, null, 1) + '\n'],
    [FILES.summary, formatSummaryMd(summary, header)],
    [FILES.csv, formatCsv(summary)],
  ];
  return files.map(([name, text]) => {
    const p = join(dir, name);
    writeFileAtomic(p, text);
    return p;
  });
}
