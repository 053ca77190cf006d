/**
 * The one column model of a run's per-cell table: every column once, with
 * its CSV header and raw value, its title and text for people, and the
 * views it appears in — the terminal table at the end of a run, the tables
 * of summary.md and report.html (one per workload), and results.csv. Every
 * ratio is time ÷ baseline (< 1 faster), written by `ratioText` and titled
 * by `ratioTitle` in every view.
 */
import { ratioText, ratioTitle } from '../messages.js';
import type { CellSummary } from '../summarise/summary.js';
import { fmtFixed, fmtInt, fmtPct, forksLabel, validityLabel } from './format.js';

/** Where a column appears: `terminal` (the run's table), `table` (summary.md and report.html), `csv`. */
export type View = 'terminal' | 'table' | 'csv';

/** One column. */
export interface Column {
  /** CSV header and raw value (CSV and JSON readers); absent: not in the CSV. */
  csv?: string;
  value?: (c: CellSummary) => unknown;
  /** Title and text for people; absent: CSV only. */
  title?: string;
  text?: (c: CellSummary) => string;
  /** Its position in each human view it appears in (1-based; fractions fall between). */
  at: Partial<Record<Exclude<View, 'csv'>, number>>;
  align: 'left' | 'right';
  /** Shown only for a run with SMP cells (a single-CPU run's views are as before SMP cells existed). */
  smp?: true;
}

const interval = (v: number | null, lo: number | null, hi: number | null, d: number): string => (v === null ? '-' : lo === null || hi === null ? fmtFixed(v, d) : `${fmtFixed(v, d)} [${fmtFixed(lo, d)}, ${fmtFixed(hi, d)}]`);
const jsText = (c: CellSummary): string => (c.jsBytesSuspect ? `≈0 (GC; ${fmtInt(c.jsBytes)})` : fmtInt(c.jsBytes));
const raw = (k: keyof CellSummary) => (c: CellSummary) => c[k];

/**
 * Every column, in CSV order; CSV columns keep the order and names of
 * every earlier version (`vsBaseline`, `vsBaselineLow`, `vsBaselineHigh`:
 * time ÷ baseline and its 95% interval, < 1 faster), new ones after them.
 */
export function columns(): Column[] {
  return [
    { csv: 'cellId', value: raw('cellId'), at: {}, align: 'left' },
    { csv: 'workload', value: raw('workload'), title: 'workload', text: (c) => c.workload, at: { terminal: 2 }, align: 'left' },
    { csv: 'size', value: raw('size'), title: 'size', text: (c) => fmtInt(c.size), at: { terminal: 3, table: 2 }, align: 'right' },
    { csv: 'seed', value: raw('seed'), title: 'seed', text: (c) => String(c.seed), at: { table: 3 }, align: 'right' },
    { csv: 'tracker', value: raw('tracker'), title: 'tracker', text: (c) => c.tracker, at: { terminal: 1 }, align: 'left' },
    { title: 'tracker', text: (c) => c.tracker + (c.role === 'baseline' ? ' (baseline)' : ''), at: { table: 1 }, align: 'left' },
    { csv: 'role', value: raw('role'), at: {}, align: 'left' },
    { csv: 'machine', value: raw('machine'), at: {}, align: 'left' },
    { csv: 'ops', value: raw('ops'), at: {}, align: 'right' },
    { csv: 'forks', value: raw('forks'), title: 'forks', text: forksLabel, at: { terminal: 13, table: 6 }, align: 'left' },
    { csv: 'samples', value: raw('samples'), at: {}, align: 'right' },
    { csv: 'medianNs', value: raw('medianNs'), at: {}, align: 'right' },
    { csv: 'medianLowNs', value: raw('medianLowNs'), at: {}, align: 'right' },
    { csv: 'medianHighNs', value: raw('medianHighNs'), at: {}, align: 'right' },
    { csv: 'p99Ns', value: raw('p99Ns'), title: 'p99 ns/op', text: (c) => fmtFixed(c.p99Ns === null || !c.ops ? null : c.p99Ns / c.ops, 1), at: { table: 9 }, align: 'right' },
    { csv: 'meanNs', value: raw('meanNs'), at: {}, align: 'right' },
    { csv: 'rme', value: raw('rme'), title: '±95%', text: (c) => (c.rme === null ? '-' : `±${c.rme.toFixed(1)}%`), at: { terminal: 5, table: 5 }, align: 'right' },
    { csv: 'forkSpread', value: raw('forkSpread'), at: {}, align: 'right' },
    { csv: 'unstable', value: raw('unstable'), at: {}, align: 'left' },
    { csv: 'forkFiguresNs', value: raw('forkFiguresNs'), at: {}, align: 'right' },
    { csv: 'warmupReplays', value: raw('warmupReplays'), at: {}, align: 'right' },
    { csv: 'warmupMs', value: raw('warmupMs'), at: {}, align: 'right' },
    { csv: 'opsPerSec', value: raw('opsPerSec'), title: 'ops/s', text: (c) => fmtInt(c.opsPerSec), at: { terminal: 4, table: 4 }, align: 'right' },
    { csv: 'hmeanOpsPerSec', value: raw('hmeanOpsPerSec'), at: {}, align: 'right' },
    { csv: 'nsPerOp', value: raw('nsPerOp'), title: 'ns/op', text: (c) => fmtFixed(c.nsPerOp, 1), at: { terminal: 6, table: 7 }, align: 'right' },
    {
      csv: 'vsBaseline',
      value: (c) => c.vsBaseline?.ratio ?? null,
      title: `${ratioTitle('baseline')} [95%]`,
      text: (c) => (c.role === 'baseline' ? '1' : ratioText(c.vsBaseline)),
      at: { terminal: 8, table: 10 },
      align: 'right',
    },
    { csv: 'vsBaselineLow', value: (c) => c.vsBaseline?.low ?? null, at: {}, align: 'right' },
    { csv: 'vsBaselineHigh', value: (c) => c.vsBaseline?.high ?? null, at: {}, align: 'right' },
    { csv: 'harnessShare', value: raw('harnessShare'), at: {}, align: 'right' },
    { csv: 'nullShare', value: raw('nullShare'), at: {}, align: 'right' },
    { csv: 'modeledBytes', value: raw('modeledBytes'), title: 'modeled B', text: (c) => fmtInt(c.modeledBytes), at: { terminal: 9, table: 11 }, align: 'right' },
    { csv: 'jsBytes', value: raw('jsBytes'), title: 'JS B', text: jsText, at: { terminal: 11, table: 13 }, align: 'right' },
    { csv: 'gcCount', value: raw('gcCount'), at: {}, align: 'right' },
    { csv: 'gcPauseMs', value: raw('gcPauseMs'), title: 'GCs / ms', text: (c) => `${c.gcCount} / ${fmtFixed(c.gcPauseMs, 1)}`, at: { table: 14 }, align: 'right' },
    { csv: 'validity', value: raw('validity'), title: 'valid', text: validityLabel, at: { terminal: 14, table: 15 }, align: 'left' },
    { csv: 'digest', value: raw('digest'), at: {}, align: 'left' },
    { csv: 'oracleDigest', value: raw('oracleDigest'), at: {}, align: 'left' },
    { csv: 'error', value: raw('error'), at: {}, align: 'left' },
    { csv: 'trackerNsPerOp', value: raw('trackerNsPerOp'), title: 'tracker ns/op', text: (c) => fmtFixed(c.trackerNsPerOp, 1), at: { terminal: 7 }, align: 'right' },
    { title: 'tracker-only ns/op [95%]', text: (c) => interval(c.trackerNsPerOp, c.trackerNsPerOpLow, c.trackerNsPerOpHigh, 1), at: { table: 8 }, align: 'right' },
    { csv: 'trackerNsPerOpLow', value: raw('trackerNsPerOpLow'), at: {}, align: 'right' },
    { csv: 'trackerNsPerOpHigh', value: raw('trackerNsPerOpHigh'), at: {}, align: 'right' },
    { csv: 'trackerModeledBytes', value: raw('trackerModeledBytes'), at: {}, align: 'right' },
    { csv: 'peakReservations', value: raw('peakReservations'), at: {}, align: 'right' },
    { csv: 'bytesPerReservation', value: raw('bytesPerReservation'), title: 'tracker B/reservation', text: (c) => fmtFixed(c.bytesPerReservation, 1), at: { terminal: 10, table: 12 }, align: 'right' },
    { csv: 'jsBytesSuspect', value: raw('jsBytesSuspect'), at: {}, align: 'left' },
    // SMP cells (bench/summarise/smp.ts): only in runs that have them.
    { csv: 'cpus', value: raw('cpus'), title: 'cpus', text: (c) => (c.cpus === undefined ? '-' : `${c.cpus}${c.oversubscribed ? ' OVERSUB' : ''}`), at: { terminal: 3.5, table: 2.5 }, align: 'right', smp: true },
    { csv: 'oversubscribed', value: raw('oversubscribed'), at: {}, align: 'left', smp: true },
    { csv: 'availableParallelism', value: (c) => c.smp?.availableParallelism ?? null, at: {}, align: 'right', smp: true },
    { csv: 'perCpuOpsPerSec', value: (c) => c.smp?.perCpuMeanOpsPerSec ?? null, title: 'per-CPU ops/s', text: (c) => fmtInt(c.smp?.perCpuMeanOpsPerSec), at: { terminal: 4.5, table: 4.5 }, align: 'right', smp: true },
    { csv: 'cpuOpsPerSec', value: (c) => c.smp?.perCpuOpsPerSec ?? null, at: {}, align: 'right', smp: true },
    {
      csv: 'speedup',
      value: (c) => c.smp?.speedup?.ratio ?? null,
      title: 'speedup vs 1 CPU [95%]',
      text: (c) => (c.cpus === 1 ? '1' : ratioText(c.smp?.speedup ?? null)),
      at: { terminal: 8.2, table: 10.2 },
      align: 'right',
      smp: true,
    },
    { csv: 'speedupLow', value: (c) => c.smp?.speedup?.low ?? null, at: {}, align: 'right', smp: true },
    { csv: 'speedupHigh', value: (c) => c.smp?.speedup?.high ?? null, at: {}, align: 'right', smp: true },
    { csv: 'waitShare', value: (c) => c.smp?.waitShare ?? null, title: 'lock wait', text: (c) => fmtPct(c.smp?.waitShare, 1), at: { terminal: 8.4, table: 10.4 }, align: 'right', smp: true },
    { csv: 'handoffsPerAcquisition', value: (c) => c.smp?.handoffsPerAcquisition ?? null, title: 'hand-offs/acq', text: (c) => fmtFixed(c.smp?.handoffsPerAcquisition, 3), at: { terminal: 8.6, table: 10.6 }, align: 'right', smp: true },
    { csv: 'acquisitionsPerOp', value: (c) => c.smp?.acquisitionsPerOp ?? null, at: {}, align: 'right', smp: true },
    { csv: 'readsPerOp', value: (c) => c.smp?.readsPerOp ?? null, at: {}, align: 'right', smp: true },
    { csv: 'csNsPerOp', value: (c) => c.smp?.csNsPerOp ?? null, title: 'cs ns/op', text: (c) => fmtFixed(c.smp?.csNsPerOp, 1), at: { table: 10.8 }, align: 'right', smp: true },
    { csv: 'sleepsPerSample', value: (c) => c.smp?.sleepsPerSample ?? null, at: {}, align: 'right', smp: true },
    { csv: 'csOrder', value: (c) => c.smp?.csOrder ?? null, at: {}, align: 'left', smp: true },
    { csv: 'straddling', value: (c) => c.smp?.straddling ?? null, at: {}, align: 'right', smp: true },
  ];
}

/** True when `cells` hold an SMP cell (the views then show the SMP columns). */
export function hasSmp(cells: readonly CellSummary[]): boolean {
  return cells.some((c) => c.cpus !== undefined);
}

/**
 * The columns of one view, in order: the CSV's in list order, a human view's by position.
 * @param smp include the SMP columns (a run with SMP cells)
 */
export function columnsFor(view: View, smp = false): Column[] {
  const all = columns().filter((c) => smp || c.smp !== true);
  if (view === 'csv') return all.filter((c) => c.csv !== undefined);
  return all.filter((c) => c.at[view] !== undefined).sort((a, b) => a.at[view]! - b.at[view]!);
}

/** The header and the text rows of a human view (the SMP columns when `cells` hold an SMP cell). */
export function textRows(view: Exclude<View, 'csv'>, cells: readonly CellSummary[]): { cols: Column[]; head: string[]; rows: string[][] } {
  const cols = columnsFor(view, hasSmp(cells));
  return { cols, head: cols.map((c) => c.title!), rows: cells.map((cell) => cols.map((c) => c.text!(cell))) };
}
