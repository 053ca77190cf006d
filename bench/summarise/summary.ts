/**
 * From result lines to one `RunSummary`, built once per run and handed to
 * every renderer (bench/present/): per-cell summaries (forks as the unit of
 * replication), per-group ratios against the baseline tracker and
 * tracker-only costs with two-level bootstrap intervals, complexity classes
 * fitted across sizes, the findings (bench/summarise/findings.ts), the
 * harness-overhead, precision and noise figures. No rendering, no I/O.
 *
 * Definitions (units: ns per replay of the whole stream unless stated):
 * - a cell is measured in K forks (fresh isolates); each fork's figure is
 *   its fastest timed replay (stats.ts `forkFigure`: timing noise only adds
 *   time); the cell's figure `medianNs` is the median of its fork figures;
 * - `rme`: half the width of the cell's 95% two-level bootstrap interval
 *   (forks, then samples within a fork; `bootstrapForks`) ÷ `medianNs`, in
 *   percent — what a second run can be expected to move;
 * - `forkSpread` = (slowest − fastest fork figure) ÷ `medianNs`, percent; a
 *   cell is `unstable` when its slowest fork figure exceeds its fastest by
 *   more than `UNSTABLE_RATIO` (the forks disagree: the JIT compiled it two
 *   ways), and its interval is reported as such instead of trusted;
 * - `opsPerSec` = ops ÷ `medianNs`; `hmeanOpsPerSec` = the harmonic mean of
 *   the per-fork throughputs (mmtests: harmonic mean for rates);
 * - `vsBaseline` = medianNs(cell) ÷ medianNs(baseline) in the same group —
 *   the one ratio convention of every table, chart and comparison: time ÷
 *   reference, < 1 faster — with the percentile interval of the ratio of the
 *   two cells' bootstrap draws;
 * - `trackerNsPerOp` = the cell's own cost: fork k's figure minus the `null`
 *   tracker's fork k figure (the two measured side by side in block k),
 *   median over the forks, ÷ ops, with its paired two-level bootstrap
 *   interval (`bootstrapPairedDifference`);
 * - `trackerModeledBytes` = modeled bytes without the page tables (the
 *   tracker's own structures at the reference's struct sizes);
 *   `bytesPerReservation` = that ÷ the memtype reservations live at the peak
 *   state (the oracle's);
 * - `jsBytesSuspect`: a JS-bytes reading at or near zero (below
 *   `JS_BYTES_FLOOR` of the modeled bytes): a GC artefact, not a figure;
 * - `harnessShare` = median empty replay (the digest sink fed every op, no
 *   machine, no tracker, timed in the `null` tracker's forks) ÷ the cell's
 *   figure; `nullShare` = the `null` tracker's figure ÷ the cell's figure;
 * - sanity: the `null` tracker (harness + machine core, no tracking) must be
 *   the fastest cell of its group; groups where it is not are listed;
 * - complexity: ns per op, and tracker-only ns per op, against size per
 *   (workload, seed, tracker), the class with the least normalized RMS
 *   residual (Google Benchmark);
 * - noise: the reasons a run's figures are not to be trusted as they stand
 *   (`NoiseReason`): median ±95% above `NOISE_RME_PCT`, a load average that
 *   changed by `LOAD_CHANGE` or more during the run, unstable cells, a
 *   `null` tracker that is not the fastest.
 */
import { median } from 'simple-statistics';
import { NULL_TRACKER, ORACLE } from '../../impls/registry.js';
import { hashSeed } from '../../workloads/rng.js';
import type { Validity } from '../measure/fork.js';
import { sampleStats } from '../measure/sample-stats.js';
import { cellId as makeCellId, type Matrix } from '../plan/matrix.js';
import { linesByCell, SCHEMA_VERSION, type ResultLine } from '../store/results.js';
import { findings } from './findings.js';
import { smpCellFigures, smpSpeedups } from './smp.js';
import { bootstrapForks, bootstrapPairedDifference, fitComplexity, harmonicMean, percentileInterval, ratioCI, type ForkBootstrap } from './stats.js';
import type { CellRole, CellSummary, ComplexityRow, NoiseReason, NullNotFastest, RunSummary } from './types.js';

export type * from './types.js';

/** Slowest ÷ fastest fork figure above which a cell is `unstable`. */
export const UNSTABLE_RATIO = 1.2;
/** Median ±95% (percent) above which a run's figures are noisy. */
export const NOISE_RME_PCT = 5;
/** Change of the 1-minute load average during a run at or above which its figures are noisy (one core's worth). */
export const LOAD_CHANGE = 1;
/** A JS-bytes reading below this share of the modeled bytes (or below 1 KiB) is a GC artefact. */
export const JS_BYTES_FLOOR = 0.1;

/** Bootstrap resamples for intervals and ratios. */
export const BOOTSTRAP_RESAMPLES = 1000;

/** Each timed fork's samples, ns, in fork order (forks without timing skipped). */
export function forkSamples(lines: readonly ResultLine[]): number[][] {
  return [...lines]
    .filter((l) => l.stats !== null)
    .sort((a, b) => a.fork - b.fork)
    .map((l) => l.stats!.samplesNs);
}

/** Each fork's samples indexed by fork number (undefined where the fork has none). */
function samplesByFork(lines: readonly ResultLine[]): (number[] | undefined)[] {
  const out: (number[] | undefined)[] = [];
  for (const l of lines) if (l.stats !== null) out[l.fork] = l.stats.samplesNs;
  return out;
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
 * must have been removed). Group-level figures (ratios, tracker-only cost,
 * shares) are filled by `summarize`.
 * @param boot the cell's bootstrap (`cellBootstrap`), when already computed
 */
export function summarizeCell(lines: readonly ResultLine[], baseline: string, forksPlanned: number, boot: ForkBootstrap | null = cellBootstrap(lines, lines[0]!.cellId)): CellSummary {
  const first = lines[0]!;
  const timed = lines.filter((l) => l.stats !== null).sort((a, b) => a.fork - b.fork);
  const forkFigures = timed.map((l) => l.stats!.minNs);
  const all = timed.flatMap((l) => l.stats!.samplesNs);
  const s = all.length > 0 ? sampleStats(all) : null;
  const ops = first.ops;
  const med = boot?.point ?? null;
  const ci = boot ? percentileInterval(boot.draws) : null;
  const fastest = forkFigures.length > 0 ? Math.min(...forkFigures) : null;
  const slowest = forkFigures.length > 0 ? Math.max(...forkFigures) : null;
  const warm = lines.map((l) => l.warmup).filter((w): w is NonNullable<ResultLine['warmup']> => w !== null);
  const errors = lines.map((l) => l.error).filter((e): e is string => e !== null);
  const validity = lines.reduce<Validity>((v, l) => (RANK[l.validity] > RANK[v] ? l.validity : v), first.validity);
  const memory = lines.find((l) => l.memory.modeledBytes !== null)?.memory;
  const modeledBytes = memory?.modeledBytes ?? null;
  const trackerModeledBytes = modeledBytes !== null && memory?.pageTableBytes != null ? modeledBytes - memory.pageTableBytes : null;
  const peakReservations = lines.find((l) => l.peakReservations != null)?.peakReservations ?? null;
  const jsBytes = lines.find((l) => l.memory.jsBytes !== null)?.memory.jsBytes ?? null;
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
    forkFiguresNs: forkFigures,
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
    trackerNsPerOp: null,
    trackerNsPerOpLow: null,
    trackerNsPerOpHigh: null,
    warmupReplays: warm.length > 0 ? median(warm.map((w) => w.replays)) : null,
    warmupMs: warm.length > 0 ? median(warm.map((w) => w.ms)) : null,
    warmupSteadyShare: warm.length > 0 ? warm.filter((w) => w.steady).length / warm.length : null,
    vsBaseline: null,
    harnessShare: null,
    nullShare: null,
    modeledBytes,
    trackerModeledBytes,
    peakReservations,
    bytesPerReservation: trackerModeledBytes !== null && peakReservations ? trackerModeledBytes / peakReservations : null,
    jsBytes,
    jsBytesSuspect: jsBytes !== null && jsBytes < Math.max(1024, JS_BYTES_FLOOR * (modeledBytes ?? 0)),
    gcCount: lines.reduce((a, l) => a + l.memory.gcCount, 0),
    gcPauseMs: lines.reduce((a, l) => a + l.memory.gcPauseMs, 0),
    digest: first.digest,
    oracleDigest: first.oracleDigest,
    validity,
    error: errors[0] ?? null,
    ...smpFields(lines),
  };
}

/** The SMP fields of a cell whose lines carry `cpus` (nothing for a single-CPU cell). */
function smpFields(lines: readonly ResultLine[]): Pick<CellSummary, 'cpus' | 'oversubscribed' | 'smp'> {
  const cpus = lines[0]!.cpus;
  if (cpus === undefined) return {};
  const smp = smpCellFigures(lines);
  return { cpus, oversubscribed: lines.some((l) => l.oversubscribed === true) || (smp.availableParallelism !== null && cpus > smp.availableParallelism), smp };
}

/** What `summarize` needs of the run. */
export interface SummaryContext {
  runId: string;
  matrixHash: string;
  baseline: string;
  forks: number;
  /** The cells expected (matrix or shard), in matrix order; lines of other cells are summarized after them. */
  expected: readonly string[];
  /** The 1-minute load average at the start and the end of the run (env.json), when recorded. */
  load?: { start: number | null; end: number | null };
}

/** The cells a manifest expects, in matrix order: every tracker of every group it owns. */
export function expectedCells(matrix: Pick<Matrix, 'groups'>, groupIds: readonly string[]): string[] {
  const own = new Set(groupIds);
  return matrix.groups.filter((g) => own.has(g.id)).flatMap((g) => g.trackers.map((t) => makeCellId(g, t)));
}

/** True when the cell makes a run fail: invalid or errored. */
export function cellFailed(c: Pick<CellSummary, 'validity'>): boolean {
  return c.validity === 'invalid' || c.validity === 'errored';
}

/** Median of a list; null for none. */
function medianOrNull(xs: readonly number[]): number | null {
  return xs.length > 0 ? median(xs as number[]) : null;
}

/**
 * Summarizes a run's lines: cells in expected order, ratios to the
 * baseline, tracker-only costs, harness shares, complexity fits,
 * findings, precision, the sanity check, the noise reasons and the missing
 * cells. Deterministic: the same lines give the same summary.
 */
export function summarize(lines: readonly ResultLine[], ctx: SummaryContext): RunSummary {
  const byCell = linesByCell(lines);
  const expectedSet = new Set(ctx.expected);
  const order = [...ctx.expected.filter((id) => byCell.has(id)), ...[...byCell.keys()].filter((id) => !expectedSet.has(id))];
  const boots = new Map(order.map((id) => [id, cellBootstrap(byCell.get(id)!, id)]));
  const cells = order.map((id) => summarizeCell(byCell.get(id)!, ctx.baseline, ctx.forks, boots.get(id)!));
  const missing = ctx.expected.filter((id) => (byCell.get(id)?.length ?? 0) < ctx.forks);

  // Per group: the baseline ratio, the tracker-only figures, the harness shares, the sanity check.
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    let g = groups.get(c.groupId);
    if (!g) groups.set(c.groupId, (g = []));
    g.push(c);
  }
  const emptyNs = (members: CellSummary[]): number | null => {
    const nul = members.find((c) => c.tracker === NULL_TRACKER);
    return nul ? medianOrNull(byCell.get(nul.cellId)!.map((l) => l.harness.emptyReplayNs).filter((x): x is number => x !== null)) : null;
  };
  const nullNotFastest: NullNotFastest[] = [];
  for (const [gid, members] of groups) {
    const base = members.find((c) => c.tracker === ctx.baseline);
    const nul = members.find((c) => c.tracker === NULL_TRACKER);
    const baseBoot = base ? boots.get(base.cellId)! : null;
    const nullForks = nul ? samplesByFork(byCell.get(nul.cellId)!) : null;
    const harnessNs = emptyNs(members);
    for (const c of members) {
      if (c.medianNs === null) continue;
      if (harnessNs !== null) c.harnessShare = harnessNs / c.medianNs;
      if (nul?.medianNs) c.nullShare = nul.medianNs / c.medianNs;
      const mine = boots.get(c.cellId)!;
      if (baseBoot && base!.medianNs && mine) c.vsBaseline = ratioCI(mine, baseBoot);
      if (nullForks && c !== nul && c.ops) {
        const own = samplesByFork(byCell.get(c.cellId)!);
        if (own.some((f, k) => f !== undefined && nullForks[k] !== undefined)) {
          const d = bootstrapPairedDifference(own, nullForks, { resamples: BOOTSTRAP_RESAMPLES, seed: hashSeed('tracker-only', c.cellId) });
          const ci = percentileInterval(d.draws);
          c.trackerNsPerOp = d.point / c.ops;
          c.trackerNsPerOpLow = ci.low / c.ops;
          c.trackerNsPerOpHigh = ci.high / c.ops;
        }
      }
    }
    if (nul?.medianNs) {
      const faster = members
        .filter((c) => c.role !== 'null' && c.medianNs !== null && c.medianNs < nul.medianNs!)
        .map((c) => ({ tracker: c.tracker, ratio: c.medianNs! / nul.medianNs! }));
      if (faster.length > 0) nullNotFastest.push({ groupId: gid, faster });
    }
  }

  smpSpeedups(cells, boots);
  const complexity = complexityRows(cells);
  const trackerCells = cells.filter((c) => c.role !== 'null' && c.medianNs !== null);
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
  const rmeMedian = medianOrNull(rmes);
  const unstable = cells.filter((c) => c.unstable).map((c) => c.cellId);
  const load = { start: ctx.load?.start ?? null, end: ctx.load?.end ?? null };
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: ctx.runId,
    matrixHash: ctx.matrixHash,
    baseline: ctx.baseline,
    complete: missing.length === 0,
    missing,
    cells,
    complexity,
    findings: findings(cells, complexity, boots),
    harness: {
      emptyShareMedian: medianOrNull(shares),
      emptyShareMax: shares.length > 0 ? Math.max(...shares) : null,
      nullShareMedian: medianOrNull(trackerCells.map((c) => c.nullShare).filter((x): x is number => x !== null)),
      emptyNsPerOpMedian: medianOrNull(emptyPerOp),
    },
    rmeMedian,
    rmeMax: rmes.length > 0 ? Math.max(...rmes) : null,
    unstable,
    nullNotFastest,
    load,
    noise: noiseReasons(rmeMedian, load, unstable, nullNotFastest),
    warmup: {
      replaysMedian: medianOrNull(warm.map((w) => w.replays)),
      msMedian: medianOrNull(warm.map((w) => w.ms)),
      steadyShare: warm.length > 0 ? warm.filter((w) => w.steady).length / warm.length : null,
    },
    counts,
  };
}

/** Complexity fits of ns/op and tracker-only ns/op across sizes, per (workload, seed, tracker). */
function complexityRows(cells: readonly CellSummary[]): ComplexityRow[] {
  const series = new Map<string, CellSummary[]>();
  for (const c of cells) {
    if (c.nsPerOp === null || c.validity === 'errored') continue;
    const key = `${c.workload}\u0000${c.seed}\u0000${c.cpus ?? ''}\u0000${c.tracker}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = []));
    s.push(c);
  }
  const out: ComplexityRow[] = [];
  for (const s of series.values()) {
    s.sort((a, b) => a.size - b.size);
    const sizes = s.map((c) => c.size);
    const ys = s.map((c) => c.nsPerOp!);
    const own = s.map((c) => c.trackerNsPerOp);
    const known = s.filter((c) => c.trackerNsPerOp !== null);
    out.push({
      workload: s[0]!.workload,
      seed: s[0]!.seed,
      ...(s[0]!.cpus !== undefined ? { cpus: s[0]!.cpus } : {}),
      tracker: s[0]!.tracker,
      sizes,
      nsPerOp: ys,
      fit: fitComplexity(sizes, ys),
      trackerNsPerOp: own,
      trackerFit: fitComplexity(known.map((c) => c.size), known.map((c) => c.trackerNsPerOp!)),
    });
  }
  return out;
}

/** The noise reasons of a run (see the module comment). */
function noiseReasons(rmeMedian: number | null, load: RunSummary['load'], unstable: string[], nullNotFastest: NullNotFastest[]): NoiseReason[] {
  const out: NoiseReason[] = [];
  if (rmeMedian !== null && rmeMedian > NOISE_RME_PCT) out.push({ kind: 'rme', medianPct: rmeMedian, thresholdPct: NOISE_RME_PCT });
  if (load.start !== null && load.end !== null && Math.abs(load.end - load.start) >= LOAD_CHANGE) out.push({ kind: 'load', start: load.start, end: load.end });
  if (unstable.length > 0) out.push({ kind: 'unstable', cells: unstable });
  if (nullNotFastest.length > 0) out.push({ kind: 'null-not-fastest', groups: nullNotFastest.map((g) => g.groupId) });
  return out;
}
