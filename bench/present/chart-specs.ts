/**
 * The report's charts as vega-lite specs kept as data: pure functions from a
 * run's results to plain spec objects (JSON round-trips; no I/O, no clock),
 * rendered by bench/present/render.ts and placed by bench/present/report.ts.
 *
 * Charts (every one sorted, fixed-size and in DejaVu Sans, so the same
 * results give the same SVG bytes):
 * - `throughput` — ops/s against size, log–log, one line per tracker (per
 *   seed), one panel per workload;
 * - `memory-modeled`, `memory-js` — modeled kernel bytes and measured JS
 *   bytes against size (log x, symlog y: 0 and negative deltas are results);
 * - `speedup` — heatmap tracker × workload at each workload's largest size:
 *   baseline time ÷ tracker time (> 1 faster) with its 95% interval in the
 *   cell's label;
 * - `latency` — per-replay ns/op distributions per tracker (box: quartiles,
 *   whiskers: min–max) at each workload's largest size; results carry no
 *   per-op-kind latency, and the chart says so;
 * - `insert-policy` — `whole-vma` against `single-page` on ttm-fault: ns/op
 *   against size for compositions differing only in the insert policy.
 *
 * Correctness is drawn, never hidden: an invalid cell (digest ≠ oracle's)
 * is a red × at its measured value and is left out of the lines and boxes;
 * an errored cell (no value) is a red + pinned to the panel's bottom (or
 * left) edge. Each chart lists those cells in its caption. Red is used for
 * nothing else.
 */
import type { TopLevelSpec } from 'vega-lite';
import { thinSorted } from '../measure/sample-stats.js';
import { linesByCell, type ResultLine } from '../store/results.js';
import { forkSamples, type CellSummary, type ComplexityRow, type RunSummary } from '../summarise/summary.js';

/** Font family of every text in every chart (fixed for deterministic output). */
export const CHART_FONT = 'DejaVu Sans';
/** Colour of invalid and errored cells, and of nothing else. */
export const FAIL_COLOR = '#d62728';
/** Colour of the ring around an unstable cell (its forks disagree). */
export const UNSTABLE_COLOR = '#000000';
/** Colour of the `null` (harness) tracker. */
export const HARNESS_COLOR = '#7f7f7f';
/** Tracker colours (tableau20 without its reds and greys), assigned in sorted tracker order. */
export const TRACKER_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#17becf',
  '#aec7e8',
  '#ffbb78',
  '#98df8a',
  '#c5b0d5',
  '#c49c94',
  '#f7b6d2',
  '#dbdb8d',
  '#9edae5',
];
/** Symbol of an invalid cell: a diagonal cross (×), in vega's unit path space. */
export const INVALID_SHAPE = 'M-1,-1L1,1M-1,1L1,-1';
/** Symbol of an errored cell: an upright cross (+). */
export const ERRORED_SHAPE = 'M0,-1L0,1M-1,0L1,0';
/** Panel size of the faceted size sweeps, px. */
export const PANEL = { width: 300, height: 200 } as const;
/** Plot height of the insert-policy chart, px. */
const INSERT_HEIGHT = PANEL.height + 60;
/** Raw samples kept per cell for the latency chart (evenly spaced order statistics). */
export const LATENCY_POINTS = 41;
/** The `null` tracker's name (the harness + machine core; drawn dashed, grey). */
export const HARNESS_TRACKER = 'null';

/** What a charted cell is: valid, invalid (digest ≠ oracle), errored (no value), or the harness (`null` tracker). */
export type ChartStatus = 'valid' | 'invalid' | 'errored' | 'harness';

/** One cell as the charts see it (forks as the unit: medians of fork medians). */
export interface ChartCell {
  cellId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  status: ChartStatus;
  /** The cell's forks disagree (bench/summarise/summary.ts `unstable`): drawn with a ring, its value not to be trusted. */
  unstable: boolean;
  /** ops / median seconds. */
  opsPerSec: number | null;
  /** Median ns per operation. */
  nsPerOp: number | null;
  /** Median of the fork medians, ns per replay of the whole stream. */
  medianNs: number | null;
  /** Modeled kernel bytes and measured JS bytes at the peak state. */
  modeledBytes: number | null;
  jsBytes: number | null;
  /** Time ratio to `ChartInput.baseline` in the same group (< 1 faster), with its 95% interval. */
  vsBaseline: { ratio: number; low: number; high: number } | null;
  /** Error text of an errored cell. */
  error: string | null;
}

/** Everything the specs need: plain data. */
export interface ChartInput {
  /** Sorted by workload, size, seed, tracker. */
  cells: ChartCell[];
  /** The tracker `vsBaseline` is measured against. */
  baseline: string;
  /** Per-replay ns/op (ascending, at most `LATENCY_POINTS`) by cellId; cells without timed samples are absent. */
  samples: Record<string, number[]>;
  /** Fitted complexity class of ns/op across sizes, by `workload/seed/tracker`. */
  complexity: Record<string, string>;
  /** What `size` counts, by workload (e.g. `buffer objects`); absent workloads are labelled by name alone. */
  sizeUnits: Record<string, string>;
}

/** A chart ready to render: its file stem, title, spec and caption. */
export interface ChartDef {
  /** File stem (`throughput` → throughput.svg / .png / .vl.json). */
  name: string;
  title: string;
  spec: TopLevelSpec;
  /** What the chart shows and how to read it (plain text). */
  caption: string;
  /** Ids of the invalid and errored cells drawn as red marks in this chart, sorted. */
  failed: string[];
}

/** A chart status from a cell's validity. */
export function chartStatus(validity: CellSummary['validity']): ChartStatus {
  return validity === 'unchecked' ? 'harness' : validity;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function cmpCell(a: ChartCell, b: ChartCell): number {
  return byText(a.workload, b.workload) || a.size - b.size || a.seed - b.seed || byText(a.tracker, b.tracker);
}

/**
 * The charts' input from a run: the per-cell summaries (bench/summarise/summary.ts)
 * and the raw lines (for the per-replay samples).
 * @param summary `summarize(lines, …)` of the run
 * @param lines the run's result lines (duplicates of a cell × fork are ignored)
 */
export function chartInput(
  summary: Pick<RunSummary, 'cells' | 'baseline' | 'complexity'>,
  lines: readonly ResultLine[],
  sizeUnits: Readonly<Record<string, string>> = {},
): ChartInput {
  const cells = summary.cells
    .map(
      (c): ChartCell => ({
        cellId: c.cellId,
        workload: c.workload,
        size: c.size,
        seed: c.seed,
        tracker: c.tracker,
        status: chartStatus(c.validity),
        unstable: c.unstable,
        opsPerSec: c.opsPerSec,
        nsPerOp: c.nsPerOp,
        medianNs: c.medianNs,
        modeledBytes: c.modeledBytes,
        jsBytes: c.jsBytes,
        vsBaseline: c.vsBaseline ? { ratio: c.vsBaseline.ratio, low: c.vsBaseline.low, high: c.vsBaseline.high } : null,
        error: c.error,
      }),
    )
    .sort(cmpCell);
  const byCell = linesByCell(lines);
  const samples: Record<string, number[]> = {};
  for (const c of cells) {
    const ls = byCell.get(c.cellId);
    const ops = ls?.find((l) => l.ops !== null)?.ops ?? null;
    if (!ls || !ops) continue;
    const pooled = forkSamples(ls)
      .flat()
      .sort((a, b) => a - b);
    if (pooled.length > 0) samples[c.cellId] = thinSorted(pooled, LATENCY_POINTS).map((ns) => ns / ops);
  }
  const complexity: Record<string, string> = {};
  for (const r of [...summary.complexity].sort((a: ComplexityRow, b: ComplexityRow) => byText(`${a.workload}/${a.seed}/${a.tracker}`, `${b.workload}/${b.seed}/${b.tracker}`))) {
    if (r.fit) complexity[`${r.workload}/${r.seed}/${r.tracker}`] = r.fit.class;
  }
  const units: Record<string, string> = {};
  for (const w of [...new Set(cells.map((c) => c.workload))].sort(byText)) if (sizeUnits[w] !== undefined) units[w] = sizeUnits[w]!;
  return { cells, baseline: summary.baseline, samples, complexity, sizeUnits: units };
}

// ------------------------------------------------------------------ shared pieces

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  title: { font: CHART_FONT, fontSize: 15, subtitleFont: CHART_FONT, subtitleFontSize: 11, subtitleColor: '#444', anchor: 'start', offset: 10 },
  axis: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12, labelLimit: 480 },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12, labelLimit: 480 },
  header: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 13, titleFontSize: 13 },
  text: { font: CHART_FONT },
  view: { stroke: '#ccc' },
} as const;

/** The colour scale every chart uses for trackers: sorted names, `null` grey. */
export function trackerColorScale(trackers: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(trackers)].sort(byText);
  let k = 0;
  const range = domain.map((t) => (t === HARNESS_TRACKER ? HARNESS_COLOR : TRACKER_COLORS[k++ % TRACKER_COLORS.length]!));
  return { domain, range };
}

/** A sweep panel's title: the workload and what its size counts. */
function panelLabel(input: ChartInput, workload: string): string {
  const unit = input.sizeUnits[workload];
  return unit ? `${workload} (size: ${unit})` : workload;
}

function title(text: string, subtitle: string | string[]): object {
  return subtitle.length === 0 ? { text } : { text, subtitle };
}

/** A chart holding only a message: for a chart whose data this run does not have. */
export function placeholderSpec(heading: string, message: string): TopLevelSpec {
  return {
    title: title(heading, ''),
    width: 520,
    height: 60,
    data: { values: [{ message }] },
    mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 13, color: '#444', font: CHART_FONT },
    encoding: { text: { field: 'message', type: 'nominal' }, x: { value: 8 }, y: { value: 30 } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Layers drawing the failed cells of a sweep: × at the value of invalid cells, + at the bottom edge for errored ones. */
function failLayers(x: object, y: object, present: ChartStatus[], tooltip: readonly object[], height: number): object[] {
  const domain = (['invalid', 'errored'] as const).filter((s) => present.includes(s));
  if (domain.length === 0) return [];
  const shape = {
    field: 'status',
    type: 'nominal',
    scale: { domain, range: domain.map((s) => (s === 'invalid' ? INVALID_SHAPE : ERRORED_SHAPE)) },
    legend: {
      title: 'correctness',
      labelExpr: "datum.label === 'invalid' ? 'INVALID: digest ≠ oracle (at its value)' : 'ERRORED: no value (at the bottom edge)'",
      symbolStrokeColor: FAIL_COLOR,
      symbolFillColor: 'transparent',
      symbolStrokeWidth: 2.5,
      symbolSize: 120,
    },
  };
  const mark = { type: 'point', filled: false, color: FAIL_COLOR, strokeWidth: 2.5, size: 140, opacity: 1 };
  const out: object[] = [];
  if (domain.includes('invalid')) out.push({ transform: [{ filter: "datum.status === 'invalid' && datum.y !== null" }], mark, encoding: { x, y, shape, tooltip } });
  if (domain.includes('errored')) {
    out.push({ transform: [{ filter: "datum.status === 'errored' || (datum.status === 'invalid' && datum.y === null)" }], mark, encoding: { x, y: { value: height - 5 }, shape, tooltip } });
  }
  return out;
}

function failedIds(rows: readonly { cellId: string; status: ChartStatus }[]): string[] {
  return [...new Set(rows.filter((r) => r.status === 'invalid' || r.status === 'errored').map((r) => r.cellId))].sort(byText);
}

function failNote(failed: readonly string[]): string {
  return failed.length === 0 ? 'Every cell drawn matches the oracle.' : `Red marks: ${failed.length} invalid or errored cell${failed.length === 1 ? '' : 's'} (${failed.join(', ')}).`;
}

type SweepField = 'opsPerSec' | 'modeledBytes' | 'jsBytes';

/**
 * A size sweep: `field` against size (log x), one line per tracker and seed,
 * one panel per workload, failed cells as red marks.
 * @param yScale `log` (non-positive values left out) or `symlog` (0 and negatives kept)
 */
export function sweepSpec(input: ChartInput, field: SweepField, heading: string, subtitle: string | string[], yTitle: string, yScale: 'log' | 'symlog'): TopLevelSpec {
  const ok = (v: number | null): boolean => v !== null && Number.isFinite(v) && (yScale === 'symlog' || v > 0);
  const values = input.cells
    .filter((c) => ok(c[field]) || c.status === 'errored' || c.status === 'invalid')
    .map((c) => ({
      cellId: c.cellId,
      workload: c.workload,
      size: c.size,
      seed: c.seed,
      panel: panelLabel(input, c.workload),
      tracker: c.tracker,
      status: c.status,
      unstable: c.unstable,
      kind: c.status === 'harness' ? 'harness' : 'tracker',
      y: ok(c[field]) ? c[field] : null,
    }));
  if (values.length === 0) return placeholderSpec(heading, `No ${yTitle} values in this run.`);
  const x = { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: 'size (see the panel title)', axis: { format: '~s' } };
  const y = { field: 'y', type: 'quantitative', scale: yScale === 'log' ? { type: 'log' } : { type: 'symlog', zero: false, nice: false }, title: yTitle, axis: { format: '~s' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'y', type: 'quantitative', title: yTitle, format: ',.0f' },
    { field: 'status', type: 'nominal' },
  ];
  const color = { field: 'tracker', type: 'nominal', title: 'tracker', scale: trackerColorScale(values.map((v) => v.tracker)) };
  const layers: object[] = [
    {
      transform: [{ filter: "datum.y !== null && (datum.status === 'valid' || datum.status === 'harness')" }],
      mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 1.5 },
      encoding: {
        x,
        y,
        color,
        detail: { field: 'seed', type: 'nominal' },
        strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['tracker', 'harness'], range: [[1, 0], [5, 3]] }, legend: null },
        tooltip,
      },
    },
    ...(field === 'opsPerSec' && values.some((v) => v.unstable)
      ? [
          {
            transform: [{ filter: "datum.unstable && datum.y !== null && (datum.status === 'valid' || datum.status === 'harness')" }],
            mark: { type: 'point', shape: 'circle', filled: false, color: UNSTABLE_COLOR, strokeWidth: 2, size: 220 },
            encoding: { x, y, tooltip },
          },
        ]
      : []),
    ...failLayers(x, y, [...new Set(values.map((v) => v.status))], tooltip, PANEL.height),
  ];
  return {
    title: title(heading, subtitle),
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: 'ascending' },
    columns: 3,
    spec: { width: PANEL.width, height: PANEL.height, layer: layers },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ the charts

/** Throughput (ops/s) against size, log–log, one line per tracker, one panel per workload. */
export function throughputSpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(
    input,
    'opsPerSec',
    'Throughput vs size',
    ['ops/s over the whole op stream (median of the fork medians; each fork a fresh isolate);', 'higher is better; log–log; dashed grey: the null tracker (harness + core); black ring: UNSTABLE (forks disagree)'],
    'ops/s',
    'log',
  );
}

/** Modeled kernel bytes (tracker state + page tables, Linux struct sizes) against size: log x, symlog y. */
export function modeledMemorySpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(input, 'modeledBytes', 'Modeled kernel memory vs size', ['tracker state + page tables at the peak state, from Linux struct sizes;', 'lower is better; log x, symlog y'], 'modeled bytes', 'symlog');
}

/** Measured JS bytes (heap + ArrayBuffer delta after forced GC) against size: log x, symlog y. */
export function jsMemorySpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(input, 'jsBytes', 'Measured JS memory vs size', ['heap + ArrayBuffer bytes of one machine + tracker at the peak state,', 'after forced GC; lower is better; log x, symlog y'], 'JS bytes', 'symlog');
}

/** One heatmap cell: a tracker on a workload's largest size. */
export interface SpeedupRow {
  cellId: string;
  workload: string;
  /** `workload @ size` (the column label). */
  column: string;
  tracker: string;
  status: ChartStatus;
  /** Baseline time ÷ tracker time (> 1 faster); null when not timed. */
  speedup: number | null;
  /** 95% interval of `speedup`; null when only a ratio of medians is known. */
  low: number | null;
  high: number | null;
  /** The interval excludes 1. */
  significant: boolean;
  /** The cell's forks disagree: labelled `?`, never significant. */
  unstable: boolean;
  label: string;
  ciLabel: string;
}

/**
 * The heatmap's rows: for each workload its largest size (smallest seed),
 * each tracker but `null`, speedup against `baseline`. Uses the summary's
 * bootstrap ratio and interval when `baseline` is the run's; otherwise the
 * ratio of pooled medians, without an interval.
 */
export function speedupRows(input: ChartInput, baseline: string = input.baseline): SpeedupRow[] {
  const rows: SpeedupRow[] = [];
  const workloads = [...new Set(input.cells.map((c) => c.workload))].sort(byText);
  for (const w of workloads) {
    const mine = input.cells.filter((c) => c.workload === w);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    const group = mine.filter((c) => c.size === size && c.seed === seed && c.tracker !== HARNESS_TRACKER);
    const base = group.find((c) => c.tracker === baseline);
    for (const c of group) {
      let speedup: number | null = null;
      let low: number | null = null;
      let high: number | null = null;
      if (c.tracker === baseline && c.medianNs) speedup = low = high = 1;
      else if (baseline === input.baseline && c.vsBaseline && c.vsBaseline.ratio > 0) {
        speedup = 1 / c.vsBaseline.ratio;
        low = c.vsBaseline.high > 0 ? 1 / c.vsBaseline.high : null;
        high = c.vsBaseline.low > 0 ? 1 / c.vsBaseline.low : null;
      } else if (base?.medianNs && c.medianNs) speedup = base.medianNs / c.medianNs;
      const significant = c.tracker !== baseline && !c.unstable && low !== null && high !== null && (low > 1 || high < 1);
      const failed = c.status === 'invalid' || c.status === 'errored';
      rows.push({
        cellId: c.cellId,
        workload: w,
        column: `${w} @ ${size}`,
        tracker: c.tracker,
        status: c.status,
        speedup,
        low,
        high,
        significant,
        unstable: c.unstable,
        label: failed ? (c.status === 'invalid' ? 'INVALID' : 'ERRORED') : speedup === null ? 'no data' : c.tracker === baseline ? 'baseline' : `${speedup.toFixed(2)}×${significant ? '*' : c.unstable ? '?' : ''}`,
        ciLabel: failed || c.tracker === baseline ? '' : low !== null && high !== null ? `[${low.toFixed(2)}, ${high.toFixed(2)}]` : speedup === null ? '' : 'no CI',
      });
    }
  }
  return rows.sort((a, b) => byText(a.workload, b.workload) || byText(a.tracker, b.tracker));
}

/**
 * Speedup heatmap: trackers (rows) × workloads at their largest size
 * (columns); colour = baseline time ÷ tracker time on a log scale centred
 * on 1 (blue faster, orange slower); label = speedup and its 95% interval;
 * `*` when the interval excludes 1. Failed cells are grey with a red ×.
 */
export function speedupSpec(input: ChartInput, baseline: string = input.baseline): TopLevelSpec {
  const heading = `Speedup against ${baseline}`;
  const rows = speedupRows(input, baseline);
  if (rows.length === 0) return placeholderSpec(heading, 'No tracker cells in this run.');
  const logs = rows.filter((r) => r.speedup !== null && r.speedup > 0 && r.status !== 'invalid' && r.status !== 'errored').map((r) => Math.abs(Math.log(r.speedup!)));
  const m = Math.exp(Math.max(Math.log(1.25), ...logs));
  // Legend ticks: powers of two inside [1/m, m], at most seven of them (a log legend labels too few by itself).
  const k = Math.max(1, Math.floor(Math.log2(m)));
  const step = Math.ceil(k / 3);
  const ticks: number[] = [];
  for (let e = -Math.floor(k / step) * step; e <= k; e += step) ticks.push(2 ** e);
  if (!ticks.includes(1)) ticks.push(1);
  ticks.sort((p, q) => p - q);
  const x = { field: 'column', type: 'nominal', title: 'workload @ largest size', sort: 'ascending', axis: { labelAngle: -30, labelLimit: 200, orient: 'top' } };
  const y = { field: 'tracker', type: 'nominal', title: null, sort: 'ascending' };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'label', type: 'nominal', title: 'speedup' },
    { field: 'ciLabel', type: 'nominal', title: '95% CI' },
    { field: 'status', type: 'nominal' },
  ];
  const good = "datum.speedup !== null && datum.status !== 'invalid' && datum.status !== 'errored'";
  const dark = `abs(log(datum.speedup)) > ${(0.6 * Math.log(m)).toFixed(6)}`;
  const layers: object[] = [
    { mark: { type: 'rect', color: '#eeeeee', stroke: 'white', strokeWidth: 1 }, encoding: { x, y, tooltip } },
    {
      transform: [{ filter: good }],
      mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
      encoding: {
        x,
        y,
        color: { field: 'speedup', type: 'quantitative', title: 'speedup ×', scale: { type: 'log', domain: [1 / m, m], scheme: 'blueorange', reverse: true }, legend: { format: '.3~g', values: ticks, gradientLength: 160 } },
        tooltip,
      },
    },
    {
      transform: [{ filter: "datum.status === 'invalid' || datum.status === 'errored'" }],
      mark: { type: 'point', shape: INVALID_SHAPE, filled: false, color: FAIL_COLOR, strokeWidth: 2, size: 500, opacity: 0.6 },
      encoding: { x, y, tooltip },
    },
    {
      mark: { type: 'text', fontSize: 12, fontWeight: 'bold', dy: -7 },
      encoding: {
        x,
        y,
        text: { field: 'label', type: 'nominal' },
        color: { condition: [{ test: "datum.status === 'invalid' || datum.status === 'errored'", value: FAIL_COLOR }, { test: `${good} && ${dark}`, value: 'white' }], value: 'black' },
      },
    },
    {
      mark: { type: 'text', fontSize: 10, dy: 8 },
      encoding: { x, y, text: { field: 'ciLabel', type: 'nominal' }, color: { condition: { test: `${good} && ${dark}`, value: 'white' }, value: '#222' } },
    },
  ];
  return {
    title: title(heading, [
      'baseline time ÷ tracker time at each workload\u2019s largest size (> 1 = faster);',
      'label: speedup and its 95% interval (bootstrap over forks); * = the interval excludes 1; ? = UNSTABLE (forks disagree);',
      'grey with a red × = INVALID or ERRORED cell (no valid speedup)',
    ]),
    data: { values: rows },
    width: { step: 120 },
    height: { step: 40 },
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

/** One point of the latency chart: a replay's ns/op (`sample`), or a failed cell's mark (with its id and status). */
interface LatencyRow {
  cellId?: string;
  panel: string;
  tracker: string;
  status?: ChartStatus;
  nsPerOp: number | null;
}

/** Per-replay ns/op rows of the latency chart: each workload's largest size (smallest seed). */
function latencyData(input: ChartInput): { rows: LatencyRow[]; marks: LatencyRow[]; failed: string[]; any: boolean } {
  const rows: LatencyRow[] = [];
  const marks: LatencyRow[] = [];
  const failedCells: { cellId: string; status: ChartStatus }[] = [];
  let any = false;
  const workloads = [...new Set(input.cells.map((c) => c.workload))].sort(byText);
  for (const w of workloads) {
    const mine = input.cells.filter((c) => c.workload === w);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    const unit = input.sizeUnits[w];
    const panel = `${w} @ ${size}${unit ? ` ${unit}` : ''}`;
    for (const c of mine.filter((x) => x.size === size && x.seed === seed)) {
      const xs = input.samples[c.cellId];
      if (c.status === 'invalid' || c.status === 'errored') {
        failedCells.push(c);
        marks.push({ cellId: c.cellId, panel, tracker: c.tracker, status: c.status, nsPerOp: c.status === 'invalid' ? c.nsPerOp : null });
      } else if (xs && xs.length > 0) {
        any = true;
        for (const v of xs) rows.push({ panel, tracker: c.tracker, nsPerOp: v });
      }
    }
  }
  return { rows, marks, failed: failedIds(failedCells), any };
}

/**
 * Per-replay latency distributions: ns per op of every timed replay (all
 * forks pooled, thinned to `LATENCY_POINTS` order statistics) per tracker
 * at each workload's largest size; box = quartiles, whiskers = min–max.
 * Results carry no per-op-kind latency (the micro-workloads measure that);
 * the subtitle says so.
 */
export function latencySpec(input: ChartInput): TopLevelSpec {
  const heading = 'Latency distribution per tracker';
  const { rows, marks, any } = latencyData(input);
  if (!any && marks.length === 0) return placeholderSpec(heading, 'This run kept no raw timing samples: no latency distribution to draw.');
  const values = [...rows.map((r) => ({ ...r, kind: 'sample' })), ...marks.map((r) => ({ ...r, kind: 'mark' }))];
  const trackers = [...new Set(values.map((v) => v.tracker))];
  const x = { field: 'nsPerOp', type: 'quantitative', scale: { type: 'log' }, title: 'ns per op (one replay of the whole stream ÷ its ops)', axis: { format: '~s' } };
  const y = { field: 'tracker', type: 'nominal', title: null, sort: 'ascending' };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'nsPerOp', type: 'quantitative', title: 'median ns/op', format: ',.1f' },
    { field: 'status', type: 'nominal' },
  ];
  const present = [...new Set(marks.map((m) => m.status!))];
  const domain = (['invalid', 'errored'] as const).filter((s) => present.includes(s));
  const shape = {
    field: 'status',
    type: 'nominal',
    scale: { domain, range: domain.map((s) => (s === 'invalid' ? INVALID_SHAPE : ERRORED_SHAPE)) },
    legend: {
      title: 'correctness',
      labelExpr: "datum.label === 'invalid' ? 'INVALID: digest ≠ oracle (at its median)' : 'ERRORED: no samples (at the left edge)'",
      symbolStrokeColor: FAIL_COLOR,
      symbolFillColor: 'transparent',
      symbolStrokeWidth: 2.5,
      symbolSize: 120,
    },
  };
  const failMark = { type: 'point', filled: false, color: FAIL_COLOR, strokeWidth: 2.5, size: 140, opacity: 1 };
  const layers: object[] = [
    {
      transform: [{ filter: "datum.kind === 'sample'" }],
      mark: { type: 'boxplot', extent: 'min-max', size: 12, median: { color: 'black' } },
      encoding: { x, y, color: { field: 'tracker', type: 'nominal', scale: trackerColorScale(trackers), legend: null } },
    },
  ];
  if (domain.includes('invalid')) layers.push({ transform: [{ filter: "datum.kind === 'mark' && datum.status === 'invalid' && datum.nsPerOp !== null" }], mark: failMark, encoding: { x, y, shape, tooltip } });
  if (domain.includes('errored'))
    layers.push({ transform: [{ filter: "datum.kind === 'mark' && (datum.status === 'errored' || datum.nsPerOp === null)" }], mark: failMark, encoding: { x: { value: 6 }, y, shape, tooltip } });
  const panels = new Set(values.map((v) => v.panel)).size;
  const perPanel = Math.max(...[...new Set(values.map((v) => v.panel))].map((p) => new Set(values.filter((v) => v.panel === p).map((v) => v.tracker)).size));
  return {
    title: title(heading, [
      'per-op-kind latency is not recorded in results (micro-workloads measure it);',
      'shown: ns/op of every timed replay, forks pooled, at each workload\u2019s largest',
      'size; box = quartiles, whiskers = min–max, black tick = median; log x',
    ]),
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: 'ascending' },
    columns: panels > 3 ? 2 : 1,
    spec: { width: panels > 3 ? 300 : 420, height: Math.max(60, 24 * perPanel), layer: layers },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Splits `store+ram+insert`; null for a name of another shape. */
function parts(tracker: string): { rest: string; insert: string } | null {
  const i = tracker.lastIndexOf('+');
  if (i <= 0 || tracker.indexOf('+') === i) return null;
  return { rest: tracker.slice(0, i), insert: tracker.slice(i + 1) };
}

/** The `store+ram` prefixes measured on `workload` with both insert policies, sorted. */
export function insertPairs(input: ChartInput, workload = 'ttm-fault'): string[] {
  const have = new Map<string, Set<string>>();
  for (const c of input.cells) {
    if (c.workload !== workload) continue;
    const p = parts(c.tracker);
    if (!p || (p.insert !== 'whole-vma' && p.insert !== 'single-page')) continue;
    let s = have.get(p.rest);
    if (!s) have.set(p.rest, (s = new Set()));
    s.add(p.insert);
  }
  return [...have].filter(([, s]) => s.size === 2).map(([r]) => r).sort(byText);
}

/**
 * `whole-vma` against `single-page` growth: ns/op against size (log–log) on
 * `workload` for every pair of compositions differing only in the insert
 * policy; colour = store+RAM policy, dash = insert policy. The 2.6.29
 * whole-VMA revalidation costs O(VMA pages) per fault, so its line climbs
 * where single-page stays flat.
 */
export function insertPolicySpec(input: ChartInput, workload = 'ttm-fault'): TopLevelSpec {
  const heading = `Insert policy: whole-vma vs single-page on ${workload}`;
  const pairs = new Set(insertPairs(input, workload));
  if (pairs.size === 0) return placeholderSpec(heading, `This run measured no pair of compositions differing only in the insert policy on ${workload}.`);
  const values = input.cells
    .filter((c) => c.workload === workload && pairs.has(parts(c.tracker)?.rest ?? ''))
    .map((c) => {
      const p = parts(c.tracker)!;
      const fit = input.complexity[`${c.workload}/${c.seed}/${c.tracker}`];
      return {
        cellId: c.cellId,
        tracker: c.tracker,
        pair: p.rest,
        insert: fit ? `${p.insert} (fit ${fit})` : p.insert,
        size: c.size,
        seed: c.seed,
        status: c.status,
        y: c.nsPerOp !== null && c.nsPerOp > 0 ? c.nsPerOp : null,
      };
    });
  const x = { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: `size (${input.sizeUnits[workload] ?? 'workload units'})`, axis: { format: '~s' } };
  const y = { field: 'y', type: 'quantitative', scale: { type: 'log' }, title: 'ns per op', axis: { format: '~s' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'y', type: 'quantitative', title: 'ns/op', format: ',.1f' },
    { field: 'status', type: 'nominal' },
  ];
  const inserts = [...new Set(values.map((v) => v.insert))].sort(byText);
  const layers: object[] = [
    {
      transform: [{ filter: "datum.y !== null && datum.status === 'valid'" }],
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
      encoding: {
        x,
        y,
        color: { field: 'pair', type: 'nominal', title: 'store+RAM policy', scale: trackerColorScale(values.map((v) => v.pair)) },
        strokeDash: {
          field: 'insert',
          type: 'nominal',
          title: 'insert policy',
          scale: { domain: inserts, range: inserts.map((i) => (i.startsWith('whole-vma') ? [6, 3] : [1, 0])) },
          legend: { symbolType: 'stroke', symbolSize: 300, encode: { symbols: { update: { stroke: { value: '#333' }, strokeWidth: { value: 2 } } } } },
        },
        detail: { field: 'seed', type: 'nominal' },
        tooltip,
      },
    },
    ...failLayers(x, y, [...new Set(values.map((v) => v.status))], tooltip, INSERT_HEIGHT),
  ];
  return {
    title: title(heading, ['ns/op against size, compositions differing only in the insert policy;', 'lower is better; log–log; legend: the fitted complexity class (3+ sizes)']),
    data: { values },
    width: 520,
    height: INSERT_HEIGHT,
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ the set

/** Options of `chartSpecs`. */
export interface ChartSpecOptions {
  /** Tracker the speedups are measured against. Default: the run's baseline. */
  baseline?: string;
  /** Workload of the insert-policy chart. Default `ttm-fault`. */
  insertWorkload?: string;
}

/** Every report chart, in report order, with its caption and failed cells. */
export function chartSpecs(input: ChartInput, options: ChartSpecOptions = {}): ChartDef[] {
  const baseline = options.baseline ?? input.baseline;
  const insertWorkload = options.insertWorkload ?? 'ttm-fault';
  const sweepFailed = failedIds(input.cells);
  const largest = (() => {
    const ids = new Set(speedupRows(input, baseline).map((r) => r.cellId));
    return failedIds(input.cells.filter((c) => ids.has(c.cellId)));
  })();
  const pairs = new Set(insertPairs(input, insertWorkload));
  const insertFailed = failedIds(input.cells.filter((c) => c.workload === insertWorkload && pairs.has(parts(c.tracker)?.rest ?? '')));
  const latencyFailed = latencyData(input).failed;
  const defs: ChartDef[] = [];
  const add = (name: string, heading: string, spec: TopLevelSpec, caption: string, failed: string[]): void => {
    defs.push({ name, title: heading, spec, caption: `${caption} ${failNote(failed)}`, failed });
  };
  add('throughput', 'Throughput vs size', throughputSpec(input), 'Operations per second over the whole op stream against workload size, log–log, one line per tracker, one panel per workload; the dashed grey line is the null tracker (harness + emulated machine core), the floor under every tracker.', sweepFailed);
  add('memory-modeled', 'Modeled kernel memory vs size', modeledMemorySpec(input), 'Modeled kernel bytes at the workload\u2019s peak state (Linux struct sizes: 64-byte slab per memtype node, 24-byte tracking context, 16 bytes per VMA list_head, 2 bits per struct page, 4 KiB per page-table page).', sweepFailed);
  add('memory-js', 'Measured JS memory vs size', jsMemorySpec(input), 'JavaScript heap + ArrayBuffer bytes retained by one machine + tracker at the peak state, after forced GC (median of readings) — the emulator\u2019s own footprint, not the kernel\u2019s.', sweepFailed);
  add('speedup', `Speedup against ${baseline}`, speedupSpec(input, baseline), `Baseline time ÷ tracker time at each workload\u2019s largest size (> 1 = faster than ${baseline}); labels give the speedup and its 95% percentile-bootstrap interval (the harness\u2019s side-by-side ratio), * where the interval excludes 1.`, largest);
  add('latency', 'Latency distribution per tracker', latencySpec(input), 'Distribution of ns per op over every timed replay (forks pooled) at each workload\u2019s largest size. Per-op-kind latency is not part of the results; it comes from the micro-workloads.', latencyFailed);
  add('insert-policy', 'Insert policy: whole-vma vs single-page', insertPolicySpec(input, insertWorkload), `ns/op against size on ${insertWorkload} for compositions differing only in the insert policy: whole-VMA revalidation (2.6.29) against the single-page check (2.6.32+).`, insertFailed);
  return defs;
}
