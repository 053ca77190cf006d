/**
 * From result lines to what people read: per-cell summaries (rounds
 * pooled), per-group ratios against the baseline tracker with bootstrap
 * confidence intervals, complexity classes fitted across sizes, the
 * harness-overhead and precision figures — and their renderings:
 * `results.json` (machine-readable), `summary.md`, `results.csv`.
 *
 * Definitions (units: ns per replay of the whole stream unless stated):
 * - a cell's samples are the timed samples of all its rounds pooled;
 *   `medianNs`, `p99Ns` come from the pooled raw samples, `rme` from the
 *   exactly pooled moments of the rounds;
 * - `opsPerSec` = ops / pooled median seconds; `hmeanOpsPerSec` = the
 *   harmonic mean of the per-round throughputs (mmtests: harmonic mean for
 *   rates);
 * - `vsBaseline` = median(cell) / median(baseline) in the same group — a
 *   time ratio, < 1 faster — with a 95% percentile-bootstrap interval;
 * - `harnessShare` = median over rounds of the empty replay (the digest
 *   sink fed every op, no machine, no tracker) ÷ the cell's median: the
 *   harness's own share of the figure; `nullShare` = the `null` tracker's
 *   median ÷ the cell's median: harness + emulated machine core;
 * - complexity: ns per op against size per (workload, seed, tracker), the
 *   class with the least normalized RMS residual (Google Benchmark).
 */
import { join } from 'node:path';
import { NULL_TRACKER, ORACLE } from '../impls/registry.js';
import type { Validity } from './cell.js';
import { cellId as makeCellId, type Matrix } from './matrix.js';
import { MSG } from './messages.js';
import { FILES, SCHEMA_VERSION, writeFileAtomic, type ResultLine } from './results.js';
import {
  bootstrapRatioCI,
  fitComplexity,
  harmonicMean,
  hashSeed,
  poolMoments,
  rmeFromMoments,
  sampleStats,
  thinSorted,
  type ComplexityFit,
  type RatioCI,
} from './stats.js';
import type { RunEnv } from './env.js';
import { median } from 'simple-statistics';

/** What a cell is in its group. */
export type CellRole = 'null' | 'baseline' | 'tracker' | 'oracle';

/** One cell, all rounds pooled. */
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
  /** Rounds with timing data, of `roundsPlanned`. */
  rounds: number;
  roundsPlanned: number;
  /** Timed samples over all rounds. */
  samples: number;
  /** Pooled median replay time, ns; null when never timed. */
  medianNs: number | null;
  p99Ns: number | null;
  meanNs: number | null;
  /** Relative margin of error of the pooled mean, percent (95%, Student's t). */
  rme: number | null;
  /** Relative margin of error of the pooled median, percent (95%, order statistics of the pooled raw samples). */
  medianRme: number | null;
  /** (max − min) of the round medians ÷ the pooled median, percent: run-to-run drift between rounds. */
  roundSpread: number | null;
  opsPerSec: number | null;
  /** Harmonic mean of the per-round throughputs, ops/s. */
  hmeanOpsPerSec: number | null;
  nsPerOp: number | null;
  /** Time ratio to the baseline tracker of the same group (< 1 faster), with its 95% bootstrap interval. */
  vsBaseline: RatioCI | null;
  /** Empty-replay (harness) time ÷ this cell's median. */
  harnessShare: number | null;
  /** `null`-tracker time ÷ this cell's median. */
  nullShare: number | null;
  modeledBytes: number | null;
  jsBytes: number | null;
  /** GCs during the timed replays, all rounds, and their total pause, ms. */
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

/** results.json: everything derived from the lines. */
export interface RunSummary {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  matrixHash: string;
  baseline: string;
  /** Every cell of the matrix (or shard) has every round. */
  complete: boolean;
  /** Cell ids with no line at all, or fewer rounds than planned. */
  missing: string[];
  cells: CellSummary[];
  complexity: ComplexityRow[];
  harness: HarnessReport;
  /** Median and maximum rme over timed tracker cells (null excluded), percent. */
  rmeMedian: number | null;
  rmeMax: number | null;
  /** Median and maximum medianRme over the same cells, percent. */
  medianRmeMedian: number | null;
  medianRmeMax: number | null;
  counts: Record<Validity, number>;
}

/** Bootstrap resamples for the baseline ratios. */
export const BOOTSTRAP_RESAMPLES = 1000;
/** Pooled raw samples used per side of a bootstrap (order statistics beyond). */
export const BOOTSTRAP_MAX_SAMPLES = 1000;

/** Pooled raw samples (ns, ascending) of a cell's lines. */
export function pooledSamples(lines: readonly ResultLine[]): number[] {
  const all: number[] = [];
  for (const l of lines) if (l.stats) for (const x of l.stats.samplesNs) all.push(x);
  return all.sort((a, b) => a - b);
}

function roleOf(tracker: string, baseline: string): CellRole {
  if (tracker === NULL_TRACKER) return 'null';
  if (tracker === baseline) return 'baseline';
  if (tracker === ORACLE) return 'oracle';
  return 'tracker';
}

/**
 * Summarizes one cell's lines (any rounds, any order; duplicates of a
 * round must have been removed).
 */
export function summarizeCell(lines: readonly ResultLine[], baseline: string, roundsPlanned: number): CellSummary {
  const first = lines[0]!;
  const timed = lines.filter((l) => l.stats !== null).sort((a, b) => a.round - b.round);
  const samples = pooledSamples(timed);
  const moments = poolMoments(timed.map((l) => ({ n: l.stats!.samples, mean: l.stats!.meanNs, sd: l.stats!.sdNs })));
  const s = samples.length > 0 ? sampleStats(samples) : null;
  const ops = first.ops;
  const roundMedians = timed.map((l) => l.stats!.medianNs);
  const med = s?.median ?? null;
  const errors = lines.map((l) => l.error).filter((e): e is string => e !== null);
  // Worst validity over the lines (a later round can find instability).
  const rank: Record<Validity, number> = { valid: 0, unchecked: 0, invalid: 1, errored: 2 };
  const validity = lines.reduce<Validity>((v, l) => (rank[l.validity] > rank[v] ? l.validity : v), first.validity);
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
    rounds: timed.length,
    roundsPlanned,
    samples: moments.n,
    medianNs: med,
    p99Ns: s?.p99 ?? null,
    meanNs: timed.length > 0 ? moments.mean : null,
    rme: timed.length > 0 ? rmeFromMoments(moments) : null,
    medianRme: samples.length > 0 ? s!.medianRme : null,
    roundSpread: med && roundMedians.length > 1 ? ((Math.max(...roundMedians) - Math.min(...roundMedians)) / med) * 100 : roundMedians.length === 1 ? 0 : null,
    opsPerSec: med && ops ? ops / (med / 1e9) : null,
    hmeanOpsPerSec: timed.length > 0 && ops ? harmonicMean(timed.map((l) => l.stats!.opsPerSec)) : null,
    nsPerOp: med && ops ? med / ops : null,
    vsBaseline: null,
    harnessShare: null,
    nullShare: null,
    modeledBytes: first.memory.modeledBytes,
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
  rounds: number;
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
 * baseline, harness shares, complexity fits, precision, and the missing
 * cells.
 */
export function summarize(lines: readonly ResultLine[], ctx: SummaryContext): RunSummary {
  // First occurrence of each cell-round only.
  const byCell = new Map<string, ResultLine[]>();
  const seen = new Set<string>();
  for (const l of lines) {
    const key = `${l.cellId}#${l.round}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let list = byCell.get(l.cellId);
    if (!list) byCell.set(l.cellId, (list = []));
    list.push(l);
  }
  const expectedSet = new Set(ctx.expected);
  const order = [...ctx.expected.filter((id) => byCell.has(id)), ...[...byCell.keys()].filter((id) => !expectedSet.has(id))];
  const cells = order.map((id) => summarizeCell(byCell.get(id)!, ctx.baseline, ctx.rounds));
  const missing = ctx.expected.filter((id) => (byCell.get(id)?.length ?? 0) < ctx.rounds);

  // Per group: the baseline ratio and the harness shares.
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    let g = groups.get(c.groupId);
    if (!g) groups.set(c.groupId, (g = []));
    g.push(c);
  }
  for (const [gid, members] of groups) {
    const base = members.find((c) => c.tracker === ctx.baseline);
    const nul = members.find((c) => c.tracker === NULL_TRACKER);
    const baseSamples = base && base.medianNs ? thinSorted(pooledSamples(byCell.get(base.cellId)!), BOOTSTRAP_MAX_SAMPLES) : null;
    const harnessRounds = (byCell.get(members[0]!.cellId) ?? []).map((l) => l.harness.emptyReplayNs).filter((x): x is number => x !== null);
    const harnessNs = harnessRounds.length > 0 ? median(harnessRounds) : null;
    for (const c of members) {
      if (c.medianNs === null) continue;
      if (harnessNs !== null) c.harnessShare = harnessNs / c.medianNs;
      if (nul?.medianNs) c.nullShare = nul.medianNs / c.medianNs;
      if (baseSamples && baseSamples.length > 0) {
        const mine = thinSorted(pooledSamples(byCell.get(c.cellId)!), BOOTSTRAP_MAX_SAMPLES);
        c.vsBaseline = bootstrapRatioCI(mine, baseSamples, { resamples: BOOTSTRAP_RESAMPLES, seed: hashSeed('vs-baseline', gid, c.tracker) });
      }
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
      const c = m[0]!;
      const h = (byCell.get(c.cellId) ?? []).map((l) => l.harness.emptyReplayNs).filter((x): x is number => x !== null);
      return h.length > 0 && c.ops ? median(h) / c.ops : null;
    })
    .filter((x): x is number => x !== null);
  const rmes = trackerCells.map((c) => c.rme).filter((x): x is number => x !== null);
  const mrmes = trackerCells.map((c) => c.medianRme).filter((x): x is number => x !== null);
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
    medianRmeMedian: med(mrmes),
    medianRmeMax: mrmes.length > 0 ? Math.max(...mrmes) : null,
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

/** The validity label shown in tables: `yes`, `INVALID`, `ERROR`, `harness` (the null tracker). */
export function validityLabel(v: Validity): string {
  return v === 'valid' ? 'yes' : v === 'invalid' ? 'INVALID' : v === 'errored' ? 'ERROR' : 'harness';
}

/** Columns of results.csv, in order. */
export const CSV_COLUMNS = [
  'cellId',
  'workload',
  'size',
  'seed',
  'tracker',
  'role',
  'machine',
  'ops',
  'rounds',
  'samples',
  'medianNs',
  'p99Ns',
  'meanNs',
  'rme',
  'medianRme',
  'roundSpread',
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
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)))) : String(v);
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
  matrix: Pick<Matrix, 'source' | 'description' | 'rounds' | 'timingNote' | 'machine' | 'cellCount' | 'skipped'>;
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
  out.push(MSG.summary.precision(summary).map((f) => `- ${f}`).join('\n') + '\n');

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
        fmtFixed(c.nsPerOp, 1),
        fmtFixed(c.p99Ns === null || !c.ops ? null : c.p99Ns / c.ops, 1),
        c.role === 'baseline' ? '1' : fmtRatio(c.vsBaseline),
        fmtInt(c.modeledBytes),
        fmtInt(c.jsBytes),
        `${c.gcCount} / ${fmtFixed(c.gcPauseMs, 1)}`,
        validityLabel(c.validity),
      ]);
    out.push(
      mdTable(
        ['tracker', 'size', 'seed', 'ops/s', 'rme', 'ns/op', 'p99 ns/op', `time ÷ ${summary.baseline} [95% CI]`, 'modeled B', 'JS B', 'GCs / ms', 'valid'],
        rows,
        [false, true, true, true, true, true, true, false, true, true, true, false],
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
    for (const c of bad) out.push(`- ${MSG.summary.failedCell(c.cellId, validityLabel(c.validity), c.error)}`);
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
