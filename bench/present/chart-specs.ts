/**
 * The charts of a run as vega-lite specs kept as data: pure functions from a
 * run's summary (and, for the replay-time distribution, its raw lines) to
 * plain spec objects — no I/O, no clock — rendered by bench/present/render.ts
 * into the run folder's SVGs, the report and the published PNGs. This is
 * the only chart stack.
 *
 * Charts (every one sorted, fixed-size and in DejaVu Sans, so the same
 * results give the same SVG bytes):
 * - `throughput` — ops/s against size, log–log, one panel per workload with
 *   its size unit on the x axis;
 * - `tracker-cost` — tracker-only ns per op (the cell minus the `null`
 *   tracker measured beside it) against size: the trackers' own cost;
 * - `memory-modeled` — the tracker's modeled kernel bytes per live memtype
 *   reservation, page tables excluded, against size;
 * - `memory-js` — measured JS bytes against size; readings at or near zero
 *   (a GC artefact) are flagged at the panel's floor, not drawn as dips;
 * - `vs-baseline` — heatmap tracker × workload at each workload's largest
 *   size: time ÷ baseline (< 1 faster) with its 95% interval;
 * - `replay-time` — the distribution of ns per op over every timed replay
 *   per tracker at each workload's largest size;
 * - `insert-policy` — `whole-vma` against `single-page` on `ttm-bo-pages`:
 *   tracker-only ns per op (≈ per `vmf_insert_pfn_prot`, 97% of the ops)
 *   against pages per buffer object.
 *
 * An SMP run (cells with `cpus`) gets, instead of the size sweeps:
 * - `smp-throughput` — aggregate ops/s against CPUs (log2 x, log y) per
 *   locking scheme, one panel per workload (its largest size); cells with
 *   more CPUs than the measuring host's cores are OVERSUBSCRIBED and marked;
 *   with a projection (`memtype-bench project`), the projected points are
 *   drawn dashed and hollow and labelled projected, beside — never joined
 *   to — the measured ones;
 * - `smp-lock` — the share of the CPUs' time spent waiting for the lock
 *   against CPUs, per scheme;
 * - `vs-baseline` and `replay-time` at each workload's most CPUs.
 *
 * One palette for the run: each tracker keeps its colour in every chart
 * (`runColors`), the `null` tracker grey and dashed. Legends name the part
 * of a composition that differs from the baseline (`list`, `whole-vma`).
 *
 * Correctness is drawn, never hidden: an invalid cell (digest ≠ oracle's)
 * is a red × at its measured value and is left out of the lines and boxes;
 * an errored cell (no value) is a red + pinned to the panel's bottom (or
 * left) edge. Each chart lists those cells in its caption. Red is used for
 * nothing else.
 */
import type { TopLevelSpec } from 'vega-lite';
import { RATIO_NOTE, ratioTitle } from '../messages.js';
import { thinSorted } from '../measure/sample-stats.js';
import { linesByCell, type ResultLine } from '../store/results.js';
import { forkSamples, type CellSummary, type RunSummary } from '../summarise/summary.js';
import { partLabels } from './format.js';

/** Font family of every text in every chart (fixed for deterministic output). */
export const CHART_FONT = 'DejaVu Sans';
/** Colour of invalid and errored cells, and of nothing else. */
export const FAIL_COLOR = '#d62728';
/** Colour of the ring around an unstable cell (its forks disagree). */
export const UNSTABLE_COLOR = '#000000';
/** Colour of the `null` (harness) tracker. */
export const HARNESS_COLOR = '#7f7f7f';
/** Colour of a flagged JS-bytes reading (at or near zero: a GC artefact). */
export const SUSPECT_COLOR = '#8c6d00';
/** Tracker colours (tableau20 without its reds and greys), assigned in sorted tracker order over the whole run. */
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
/** Panel size of the size sweeps, px. */
export const PANEL = { width: 300, height: 200 } as const;
/** Raw samples kept per cell for the replay-time chart (evenly spaced order statistics). */
export const DISTRIBUTION_POINTS = 41;
/** The `null` tracker's name (the harness + machine core; drawn dashed, grey). */
export const HARNESS_TRACKER = 'null';
/** The workload of the insert-policy chart: 32 buffer objects of `size` pages each. */
export const INSERT_WORKLOAD = 'ttm-bo-pages';

/** What a charted cell is: valid, invalid (digest ≠ oracle), errored (no value), or the harness (`null` tracker). */
export type ChartStatus = 'valid' | 'invalid' | 'errored' | 'harness';

/** One cell as the charts see it (forks as the unit: medians of fork figures, each a fork's fastest replay). */
export interface ChartCell {
  cellId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  /** The legend's name of the tracker (`partLabel`). */
  label: string;
  status: ChartStatus;
  /** The cell's forks disagree (bench/summarise `unstable`): drawn with a ring, its value not to be trusted. */
  unstable: boolean;
  opsPerSec: number | null;
  nsPerOp: number | null;
  /** The tracker's own ns per op (net of the `null` tracker). */
  trackerNsPerOp: number | null;
  /** Modeled bytes of the tracker's structures per live reservation (page tables excluded). */
  bytesPerReservation: number | null;
  jsBytes: number | null;
  /** The JS-bytes reading is at or near zero: a GC artefact. */
  jsBytesSuspect: boolean;
  /** Time ratio to `ChartInput.baseline` in the same group (< 1 faster), with its 95% interval. */
  vsBaseline: { ratio: number; low: number; high: number } | null;
  error: string | null;
  /** SMP cells: CPUs, more of them than the host's cores, the lock's wait share. */
  cpus?: number;
  oversubscribed?: boolean;
  waitShare?: number | null;
}

/** Projected throughput of one tracker on one workload (bench/summarise/project.ts), for the SMP throughput chart. */
export interface ProjectedSeries {
  workload: string;
  size: number;
  tracker: string;
  points: readonly { cpus: number; opsPerSec: number }[];
}

/** Everything the specs need: plain data. */
export interface ChartInput {
  /** Sorted by workload, size, seed, tracker. */
  cells: ChartCell[];
  /** The tracker ratios are measured against. */
  baseline: string;
  /** The run's one palette: legend labels and their colours, in sorted tracker order. */
  colors: { domain: string[]; range: string[] };
  /** Per-replay ns/op (ascending, at most `DISTRIBUTION_POINTS`) by cellId; cells without timed samples are absent. */
  samples: Record<string, number[]>;
  /** Fitted class of the tracker-only ns/op across sizes, by `workload/seed/tracker`. */
  complexity: Record<string, string>;
  /** What `size` counts, by workload (e.g. `buffer objects`); absent workloads are labelled `size`. */
  sizeUnits: Record<string, string>;
  /** An SMP run projected past its host (`memtype-bench project`): the series and the hand-off they assume, ns. */
  projection?: { series: ProjectedSeries[]; handoffNs: number; perWaiterNs: number };
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
  return byText(a.workload, b.workload) || a.size - b.size || a.seed - b.seed || (a.cpus ?? 0) - (b.cpus ?? 0) || byText(a.tracker, b.tracker);
}

/**
 * The run's one palette: every tracker of the run in sorted order, named by
 * its legend label, `null` grey, the others `TRACKER_COLORS` in turn.
 */
export function runColors(trackers: Iterable<string>, labels: ReadonlyMap<string, string>): { domain: string[]; range: string[] } {
  const sorted = [...new Set(trackers)].sort(byText);
  let k = 0;
  return { domain: sorted.map((t) => labels.get(t) ?? t), range: sorted.map((t) => (t === HARNESS_TRACKER ? HARNESS_COLOR : TRACKER_COLORS[k++ % TRACKER_COLORS.length]!)) };
}

/**
 * The charts' input from a run: the summary and the raw lines (for the
 * per-replay samples).
 * @param lines the run's result lines (duplicates of a cell × fork are ignored)
 * @param sizeUnits what `size` counts, by workload
 */
export function chartInput(
  summary: Pick<RunSummary, 'cells' | 'baseline' | 'complexity'>,
  lines: readonly ResultLine[],
  sizeUnits: Readonly<Record<string, string>> = {},
  projection?: ChartInput['projection'],
): ChartInput {
  const labels = partLabels(
    summary.cells.map((c) => c.tracker),
    summary.baseline,
  );
  const cells = summary.cells
    .map(
      (c): ChartCell => ({
        cellId: c.cellId,
        workload: c.workload,
        size: c.size,
        seed: c.seed,
        tracker: c.tracker,
        label: labels.get(c.tracker)!,
        status: chartStatus(c.validity),
        unstable: c.unstable,
        opsPerSec: c.opsPerSec,
        nsPerOp: c.nsPerOp,
        trackerNsPerOp: c.trackerNsPerOp,
        bytesPerReservation: c.bytesPerReservation,
        jsBytes: c.jsBytes,
        jsBytesSuspect: c.jsBytesSuspect,
        vsBaseline: c.vsBaseline ? { ratio: c.vsBaseline.ratio, low: c.vsBaseline.low, high: c.vsBaseline.high } : null,
        error: c.error,
        ...(c.cpus !== undefined ? { cpus: c.cpus, oversubscribed: c.oversubscribed === true, waitShare: c.smp?.waitShare ?? null } : {}),
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
    if (pooled.length > 0) samples[c.cellId] = thinSorted(pooled, DISTRIBUTION_POINTS).map((ns) => ns / ops);
  }
  const complexity: Record<string, string> = {};
  for (const r of [...summary.complexity].sort((a, b) => byText(`${a.workload}/${a.seed}/${a.tracker}`, `${b.workload}/${b.seed}/${b.tracker}`))) {
    if (r.trackerFit) complexity[`${r.workload}/${r.seed}/${r.tracker}`] = r.trackerFit.class;
  }
  const units: Record<string, string> = {};
  for (const w of [...new Set(cells.map((c) => c.workload))].sort(byText)) if (sizeUnits[w] !== undefined) units[w] = sizeUnits[w]!;
  return { cells, baseline: summary.baseline, colors: runColors(summary.cells.map((c) => c.tracker), labels), samples, complexity, sizeUnits: units, ...(projection ? { projection } : {}) };
}

// ------------------------------------------------------------------ shared pieces

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  title: { font: CHART_FONT, fontSize: 15, subtitleFont: CHART_FONT, subtitleFontSize: 11, subtitleColor: '#444', anchor: 'start', offset: 10 },
  axis: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12, labelLimit: 480 },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12, labelLimit: 480, titleLimit: 560 },
  header: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 13, titleFontSize: 13 },
  text: { font: CHART_FONT },
  view: { stroke: '#ccc' },
  concat: { spacing: 24 },
} as const;

/** The x axis title of a workload's sweep: what its size counts. */
function unitOf(input: ChartInput, workload: string): string {
  return input.sizeUnits[workload] || 'size';
}

function title(text: string, subtitle: string | string[]): object {
  return subtitle.length === 0 ? { text } : { text, subtitle };
}

/** The legend title of every tracker colour: what the labels name (the baseline is named in each chart's subtitle, `baselineNote`). */
const LEGEND_TITLE = 'tracker (the part that differs from the baseline)';

/** The subtitle line naming the baseline the legend labels are relative to. */
function baselineNote(input: ChartInput): string {
  return `baseline: ${input.baseline}`;
}

/** The colour encoding every chart uses: the run's palette, by legend label. */
function colorOf(input: ChartInput, legend: boolean): object {
  return { field: 'label', type: 'nominal', title: LEGEND_TITLE, scale: { domain: input.colors.domain, range: input.colors.range }, ...(legend ? {} : { legend: null }) };
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

/** The shape legend of the failed-cell marks. */
function failShape(present: readonly ChartStatus[], where: string): { domain: ChartStatus[]; shape: object } {
  const domain = (['invalid', 'errored'] as const).filter((s) => present.includes(s));
  return {
    domain,
    shape: {
      field: 'status',
      type: 'nominal',
      scale: { domain, range: domain.map((s) => (s === 'invalid' ? INVALID_SHAPE : ERRORED_SHAPE)) },
      legend: {
        title: 'correctness',
        labelExpr: `datum.label === 'invalid' ? 'INVALID: digest ≠ oracle (at its value)' : 'ERRORED: no value (at the ${where} edge)'`,
        symbolStrokeColor: FAIL_COLOR,
        symbolFillColor: 'transparent',
        symbolStrokeWidth: 2.5,
        symbolSize: 120,
      },
    },
  };
}

/** Layers drawing the failed cells of a sweep: × at the value of invalid cells, + at the bottom edge for errored ones. */
function failLayers(x: object, y: object, present: ChartStatus[], tooltip: readonly object[], height: number): object[] {
  const { domain, shape } = failShape(present, 'bottom');
  if (domain.length === 0) return [];
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

type SweepField = 'opsPerSec' | 'trackerNsPerOp' | 'bytesPerReservation' | 'jsBytes';

/** Options of a size sweep. */
interface SweepOptions {
  /** `log` (non-positive values left out) or `symlog` (0 and negatives kept). */
  yScale: 'log' | 'symlog';
  /** Leave the `null` tracker out (its figure is 0 by definition). */
  noHarness?: boolean;
  /** Flag the JS-bytes readings at or near zero at the panel's floor instead of drawing them. */
  flagSuspect?: boolean;
  /** Ring the unstable cells. */
  ringUnstable?: boolean;
  /** Only these workloads (default all). */
  workloads?: readonly string[];
  /** d3 format of the y axis labels (default `~s`: SI prefixes). */
  yFormat?: string;
}

/**
 * A size sweep: `field` against size (log x, the workload's size unit as
 * its title), one line per tracker and seed in the run's palette, one panel
 * per workload, failed cells as red marks.
 */
export function sweepSpec(input: ChartInput, field: SweepField, heading: string, subtitle: string[], yTitle: string, o: SweepOptions): TopLevelSpec {
  const ok = (v: number | null): boolean => v !== null && Number.isFinite(v) && (o.yScale === 'symlog' || v > 0);
  const values = input.cells
    .filter((c) => (o.workloads === undefined || o.workloads.includes(c.workload)) && !(o.noHarness && c.status === 'harness'))
    .filter((c) => ok(c[field]) || c.status === 'errored' || c.status === 'invalid')
    .map((c) => ({
      cellId: c.cellId,
      workload: c.workload,
      size: c.size,
      seed: c.seed,
      label: c.label,
      status: c.status,
      unstable: c.unstable,
      suspect: o.flagSuspect === true && c.jsBytesSuspect,
      flag: o.flagSuspect === true && c.jsBytesSuspect ? 'reading ≈ 0 (a GC artefact): not a value' : null,
      kind: c.status === 'harness' ? 'harness' : 'tracker',
      y: ok(c[field]) ? c[field] : null,
    }));
  if (values.length === 0) return placeholderSpec(heading, `No ${yTitle} values in this run.`);
  const workloads = [...new Set(values.map((v) => v.workload))].sort(byText);
  const y = { field: 'y', type: 'quantitative', scale: o.yScale === 'log' ? { type: 'log' } : { type: 'symlog', zero: false, nice: false }, title: yTitle, axis: { format: o.yFormat ?? '~s' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'y', type: 'quantitative', title: yTitle, format: ',.1f' },
    { field: 'status', type: 'nominal' },
  ];
  const present = [...new Set(values.map((v) => v.status))];
  const anySuspect = values.some((v) => v.suspect);
  const panel = (w: string): object => {
    const x = { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: `${unitOf(input, w)} (log)`, axis: { format: '~s' } };
    const layers: object[] = [
      {
        transform: [{ filter: "datum.y !== null && !datum.suspect && (datum.status === 'valid' || datum.status === 'harness')" }],
        mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          color: colorOf(input, true),
          detail: { field: 'seed', type: 'nominal' },
          strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['tracker', 'harness'], range: [[1, 0], [5, 3]] }, legend: null },
          tooltip,
        },
      },
      ...(o.ringUnstable && values.some((v) => v.unstable)
        ? [
            {
              transform: [{ filter: "datum.unstable && datum.y !== null && (datum.status === 'valid' || datum.status === 'harness')" }],
              mark: { type: 'point', shape: 'circle', filled: false, color: UNSTABLE_COLOR, strokeWidth: 2, size: 220 },
              encoding: { x, y, tooltip },
            },
          ]
        : []),
      ...(anySuspect
        ? [
            {
              transform: [{ filter: 'datum.suspect' }],
              mark: { type: 'point', shape: 'triangle-up', filled: false, color: SUSPECT_COLOR, strokeWidth: 2, size: 110 },
              encoding: { x, y: { value: PANEL.height - 6 }, tooltip: [...tooltip, { field: 'flag', type: 'nominal', title: 'flagged' }] },
            },
          ]
        : []),
      ...failLayers(x, y, present, tooltip, PANEL.height),
    ];
    return { title: w, transform: [{ filter: { field: 'workload', equal: w } }], width: PANEL.width, height: PANEL.height, layer: layers };
  };
  return {
    title: title(heading, [...subtitle, baselineNote(input)]),
    data: { values },
    concat: workloads.map(panel),
    columns: Math.min(3, workloads.length),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ the sweeps

/** Throughput (ops/s) against size, log–log. */
export function throughputSpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(
    input,
    'opsPerSec',
    'Throughput vs size',
    ['ops/s over the whole op stream (median over forks of each fork\u2019s fastest replay; each fork a fresh isolate); higher is better; log–log;', 'dashed grey: the null tracker (harness + machine core); black ring: UNSTABLE (forks disagree)'],
    'throughput (ops/s)',
    { yScale: 'log', ringUnstable: true },
  );
}

/** Tracker-only ns per op against size: the cell minus the `null` tracker measured beside it. */
export function trackerCostSpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(
    input,
    'trackerNsPerOp',
    'Tracker-only cost vs size',
    ["ns per op of the tracker's own work: the cell's fork k minus the null tracker's fork k (measured side by side),", 'median over forks; lower is better; log x, symlog y; black ring: UNSTABLE'],
    'tracker-only ns per op',
    { yScale: 'symlog', noHarness: true, ringUnstable: true, yFormat: ',~r' },
  );
}

/** Modeled kernel bytes per live reservation, page tables excluded. */
export function modeledMemorySpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(
    input,
    'bytesPerReservation',
    'Modeled kernel bytes per live reservation vs size',
    ["the tracker's structures at the peak state (Linux struct sizes), page tables excluded,", '÷ the memtype reservations live there; lower is better; log x, symlog y'],
    'bytes per reservation (B)',
    { yScale: 'symlog', noHarness: true, yFormat: ',~r' },
  );
}

/** Measured JS bytes against size; near-zero readings flagged. */
export function jsMemorySpec(input: ChartInput): TopLevelSpec {
  return sweepSpec(
    input,
    'jsBytes',
    'Measured JS memory vs size',
    ['heap + ArrayBuffer bytes of one machine + tracker at the peak state, after forced GC (page tables included);', 'lower is better; log x, symlog y; triangles: readings at or near zero, a GC artefact, not drawn as values'],
    'JS heap + ArrayBuffers (B)',
    { yScale: 'symlog', flagSuspect: true },
  );
}

// ------------------------------------------------------------------ time ÷ baseline

/** One heatmap cell: a tracker on a workload's largest size. */
export interface RatioRow {
  cellId: string;
  workload: string;
  /** `workload @ size unit` (the column label). */
  column: string;
  tracker: string;
  label: string;
  status: ChartStatus;
  /** Time ÷ baseline (< 1 faster); null when not timed. */
  ratio: number | null;
  /** Its 95% interval; null without one. */
  low: number | null;
  high: number | null;
  /** The interval excludes 1. */
  significant: boolean;
  /** The cell's forks disagree: labelled `?`, never significant. */
  unstable: boolean;
  text: string;
  ciText: string;
}

/**
 * The heatmap's rows: for each workload its largest size (smallest seed),
 * each tracker but `null`, time ÷ baseline with the summary's bootstrap
 * interval.
 */
export function ratioRows(input: ChartInput): RatioRow[] {
  const rows: RatioRow[] = [];
  const workloads = [...new Set(input.cells.map((c) => c.workload))].sort(byText);
  for (const w of workloads) {
    const mine = input.cells.filter((c) => c.workload === w);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    for (const c of mine.filter((x) => x.size === size && x.seed === seed && x.tracker !== HARNESS_TRACKER)) {
      const base = c.tracker === input.baseline;
      const r = base ? { ratio: 1, low: 1, high: 1 } : c.vsBaseline;
      const significant = !base && !c.unstable && r !== null && (r.low > 1 || r.high < 1);
      const failed = c.status === 'invalid' || c.status === 'errored';
      rows.push({
        cellId: c.cellId,
        workload: w,
        column: `${w} @ ${size} ${unitOf(input, w)}`,
        tracker: c.tracker,
        label: c.label,
        status: c.status,
        ratio: r?.ratio ?? null,
        low: r?.low ?? null,
        high: r?.high ?? null,
        significant,
        unstable: c.unstable,
        text: failed ? (c.status === 'invalid' ? 'INVALID' : 'ERRORED') : r === null ? 'no data' : base ? '1 (baseline)' : `${r.ratio.toFixed(2)}${significant ? '*' : c.unstable ? '?' : ''}`,
        ciText: failed || base || r === null ? '' : `[${r.low.toFixed(2)}, ${r.high.toFixed(2)}]`,
      });
    }
  }
  return rows.sort((a, b) => byText(a.workload, b.workload) || byText(a.tracker, b.tracker));
}

/**
 * Heatmap of time ÷ baseline: workloads at their largest size (rows) ×
 * trackers named by the part that differs from the baseline (columns); colour on a log scale centred on 1 (blue faster, orange
 * slower); label = the ratio and its 95% interval, `*` when the interval
 * excludes 1, `?` when the forks disagree. Failed cells are grey with a red ×.
 */
export function ratioSpec(input: ChartInput): TopLevelSpec {
  const heading = `${ratioTitle(input.baseline)} at each workload's largest size`;
  const rows = ratioRows(input);
  if (rows.length === 0) return placeholderSpec(heading, 'No tracker cells in this run.');
  const logs = rows.filter((r) => r.ratio !== null && r.ratio > 0 && r.status !== 'invalid' && r.status !== 'errored').map((r) => Math.abs(Math.log(r.ratio!)));
  const m = Math.exp(Math.max(Math.log(1.25), ...logs));
  // Legend ticks: powers of two inside [1/m, m], at most seven of them (a log legend labels too few by itself).
  const k = Math.max(1, Math.floor(Math.log2(m)));
  const step = Math.ceil(k / 3);
  const ticks: number[] = [];
  for (let e = -Math.floor(k / step) * step; e <= k; e += step) ticks.push(2 ** e);
  if (!ticks.includes(1)) ticks.push(1);
  ticks.sort((p, q) => p - q);
  const x = { field: 'label', type: 'nominal', title: 'tracker (the part that differs from the baseline)', sort: 'ascending', axis: { labelAngle: 0, labelLimit: 160, orient: 'top' } };
  const y = { field: 'column', type: 'nominal', title: null, sort: 'ascending', axis: { labelLimit: 420 } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'text', type: 'nominal', title: ratioTitle('baseline') },
    { field: 'ciText', type: 'nominal', title: '95% CI' },
    { field: 'status', type: 'nominal' },
  ];
  const good = "datum.ratio !== null && datum.status !== 'invalid' && datum.status !== 'errored'";
  const dark = `abs(log(datum.ratio)) > ${(0.6 * Math.log(m)).toFixed(6)}`;
  const layers: object[] = [
    { mark: { type: 'rect', color: '#eeeeee', stroke: 'white', strokeWidth: 1 }, encoding: { x, y, tooltip } },
    {
      transform: [{ filter: good }],
      mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
      encoding: {
        x,
        y,
        color: { field: 'ratio', type: 'quantitative', title: `${ratioTitle('baseline')} (${RATIO_NOTE})`, scale: { type: 'log', domain: [1 / m, m], scheme: 'blueorange' }, legend: { format: '.3~g', values: ticks, gradientLength: 160 } },
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
        text: { field: 'text', type: 'nominal' },
        color: { condition: [{ test: "datum.status === 'invalid' || datum.status === 'errored'", value: FAIL_COLOR }, { test: `${good} && ${dark}`, value: 'white' }], value: 'black' },
      },
    },
    {
      mark: { type: 'text', fontSize: 10, dy: 8 },
      encoding: { x, y, text: { field: 'ciText', type: 'nominal' }, color: { condition: { test: `${good} && ${dark}`, value: 'white' }, value: '#222' } },
    },
  ];
  return {
    title: title(heading, [
      `${ratioTitle(input.baseline)} in the same group, measured side by side (${RATIO_NOTE}; blue faster, orange slower);`,
      'label: the ratio and its 95% interval (bootstrap over forks); * = the interval excludes 1; ? = UNSTABLE (forks disagree);',
      'grey with a red × = INVALID or ERRORED cell (no valid ratio); rows: each workload at its largest size',
    ]),
    data: { values: rows },
    width: { step: 130 },
    height: { step: 40 },
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ replay time

/** One point of the replay-time chart: a replay's ns/op, or a failed cell's mark (with its id and status). */
interface ReplayRow {
  cellId?: string;
  workload: string;
  label: string;
  status?: ChartStatus;
  nsPerOp: number | null;
}

/** Per-replay ns/op rows: each workload's largest size (smallest seed). */
function replayData(input: ChartInput): { rows: ReplayRow[]; marks: ReplayRow[]; failed: string[]; panels: string[] } {
  const rows: ReplayRow[] = [];
  const marks: ReplayRow[] = [];
  const failedCells: { cellId: string; status: ChartStatus }[] = [];
  const panels: string[] = [];
  for (const w of [...new Set(input.cells.map((c) => c.workload))].sort(byText)) {
    const mine = input.cells.filter((c) => c.workload === w);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    const panel = `${w} @ ${size} ${unitOf(input, w)}`;
    let any = false;
    for (const c of mine.filter((x) => x.size === size && x.seed === seed)) {
      const xs = input.samples[c.cellId];
      if (c.status === 'invalid' || c.status === 'errored') {
        failedCells.push(c);
        marks.push({ cellId: c.cellId, workload: panel, label: c.label, status: c.status, nsPerOp: c.status === 'invalid' ? c.nsPerOp : null });
        any = true;
      } else if (xs && xs.length > 0) {
        any = true;
        for (const v of xs) rows.push({ workload: panel, label: c.label, nsPerOp: v });
      }
    }
    if (any) panels.push(panel);
  }
  return { rows, marks, failed: failedIds(failedCells), panels };
}

/**
 * The distribution of replay times: ns per op of every timed replay (all
 * forks pooled, thinned to `DISTRIBUTION_POINTS` order statistics) per
 * tracker at each workload's largest size; box = quartiles, whiskers =
 * min–max. A replay is the whole op stream: this is not a per-op latency
 * (the micro-benchmarks measure that).
 */
export function replayTimeSpec(input: ChartInput): TopLevelSpec {
  const heading = 'Replay time per op: distribution over the timed replays';
  const { rows, marks, panels } = replayData(input);
  if (panels.length === 0) return placeholderSpec(heading, 'This run kept no raw timing samples: no distribution to draw.');
  const values = [...rows.map((r) => ({ ...r, kind: 'sample' })), ...marks.map((r) => ({ ...r, kind: 'mark' }))];
  const x = { field: 'nsPerOp', type: 'quantitative', scale: { type: 'log' }, title: 'ns per op (one replay of the whole stream ÷ its ops; log)', axis: { format: '~s' } };
  const y = { field: 'label', type: 'nominal', title: null, sort: 'ascending' };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'nsPerOp', type: 'quantitative', title: 'median ns/op', format: ',.1f' },
    { field: 'status', type: 'nominal' },
  ];
  const { domain, shape } = failShape([...new Set(marks.map((m) => m.status!))], 'left');
  const failMark = { type: 'point', filled: false, color: FAIL_COLOR, strokeWidth: 2.5, size: 140, opacity: 1 };
  const panel = (p: string): object => {
    const layers: object[] = [
      {
        transform: [{ filter: "datum.kind === 'sample'" }],
        mark: { type: 'boxplot', extent: 'min-max', size: 12, median: { color: 'black' } },
        encoding: { x, y, color: colorOf(input, false) },
      },
    ];
    if (domain.includes('invalid')) layers.push({ transform: [{ filter: "datum.kind === 'mark' && datum.status === 'invalid' && datum.nsPerOp !== null" }], mark: failMark, encoding: { x, y, shape, tooltip } });
    if (domain.includes('errored')) layers.push({ transform: [{ filter: "datum.kind === 'mark' && (datum.status === 'errored' || datum.nsPerOp === null)" }], mark: failMark, encoding: { x: { value: 6 }, y, shape, tooltip } });
    const trackers = new Set(values.filter((v) => v.workload === p).map((v) => v.label)).size;
    return { title: p, transform: [{ filter: { field: 'workload', equal: p } }], width: 320, height: Math.max(60, 24 * trackers), layer: layers };
  };
  return {
    title: title(heading, [
      'ns per op of each timed replay of the whole stream (forks pooled) at each workload\u2019s largest size;',
      'box = quartiles, whiskers = min–max, black tick = median; log x. Not a per-operation latency.',
      `rows: the part of each tracker that differs from the baseline (${input.baseline})`,
    ]),
    data: { values },
    concat: panels.map(panel),
    columns: panels.length > 3 ? 2 : 1,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ insert policy

/** Splits `store+ram+insert`; null for a name of another shape. */
function parts(tracker: string): { rest: string; insert: string } | null {
  const i = tracker.lastIndexOf('+');
  if (i <= 0 || tracker.indexOf('+') === i) return null;
  return { rest: tracker.slice(0, i), insert: tracker.slice(i + 1) };
}

/** The `store+ram` prefixes measured on `workload` with both insert policies, sorted. */
export function insertPairs(input: ChartInput, workload = INSERT_WORKLOAD): string[] {
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
 * `whole-vma` against `single-page` on `ttm-bo-pages` (32 buffer objects
 * of `size` pages): tracker-only ns per op — ≈ the cost of one
 * `vmf_insert_pfn_prot`, 97% of the ops — against pages per buffer object,
 * log–log, for every pair of compositions differing only in the insert
 * policy; colour = the run's palette, dash = insert policy. The 2.6.29
 * whole-VMA revalidation costs O(VMA pages) per fault, so its line climbs
 * where single-page stays flat.
 */
export function insertPolicySpec(input: ChartInput, workload = INSERT_WORKLOAD): TopLevelSpec {
  const heading = `Insert policy: whole-vma vs single-page on ${workload}`;
  const pairs = new Set(insertPairs(input, workload));
  if (pairs.size === 0) return placeholderSpec(heading, `This run measured no pair of compositions differing only in the insert policy on ${workload}.`);
  const values = input.cells
    .filter((c) => c.workload === workload && pairs.has(parts(c.tracker)?.rest ?? ''))
    .map((c) => {
      const fit = input.complexity[`${c.workload}/${c.seed}/${c.tracker}`];
      const insert = parts(c.tracker)!.insert;
      return {
        cellId: c.cellId,
        label: c.label,
        insert: fit ? `${insert} (fit ${fit})` : insert,
        size: c.size,
        seed: c.seed,
        status: c.status,
        y: c.trackerNsPerOp !== null && c.trackerNsPerOp > 0 ? c.trackerNsPerOp : null,
      };
    });
  const height = PANEL.height + 60;
  const x = { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: `${unitOf(input, workload)} (log)`, axis: { format: '~s' } };
  const y = { field: 'y', type: 'quantitative', scale: { type: 'log' }, title: 'tracker-only ns per op ≈ per insert (log)', axis: { format: ',~r' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'y', type: 'quantitative', title: 'tracker-only ns/op', format: ',.1f' },
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
        color: colorOf(input, true),
        strokeDash: {
          field: 'insert',
          type: 'nominal',
          title: 'insert policy (fit of its tracker-only cost)',
          scale: { domain: inserts, range: inserts.map((i) => (i.startsWith('whole-vma') ? [6, 3] : [1, 0])) },
          legend: { symbolType: 'stroke', symbolSize: 300, encode: { symbols: { update: { stroke: { value: '#333' }, strokeWidth: { value: 2 } } } } },
        },
        detail: { field: 'seed', type: 'nominal' },
        tooltip,
      },
    },
    ...failLayers(x, y, [...new Set(values.map((v) => v.status))], tooltip, height),
  ];
  return {
    title: title(heading, ['tracker-only ns per op (≈ per vmf_insert_pfn_prot: 97% of the ops) against pages per buffer object,', 'compositions differing only in the insert policy; lower is better; log–log', baselineNote(input)]),
    data: { values },
    width: 520,
    height,
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

// ------------------------------------------------------------------ the set

/** Every chart of a run, in report order, with its caption and failed cells. */
export function chartSpecs(input: ChartInput): ChartDef[] {
  const sweepFailed = failedIds(input.cells);
  const noHarness = failedIds(input.cells.filter((c) => c.status !== 'harness'));
  const largest = (() => {
    const ids = new Set(ratioRows(input).map((r) => r.cellId));
    return failedIds(input.cells.filter((c) => ids.has(c.cellId)));
  })();
  const pairs = new Set(insertPairs(input));
  const insertFailed = failedIds(input.cells.filter((c) => c.workload === INSERT_WORKLOAD && pairs.has(parts(c.tracker)?.rest ?? '')));
  const defs: ChartDef[] = [];
  const add = (name: string, heading: string, spec: TopLevelSpec, caption: string, failed: string[]): void => {
    defs.push({ name, title: heading, spec, caption: `${caption} ${failNote(failed)}`, failed });
  };
  if (input.cells.some((c) => c.cpus !== undefined)) {
    const top = atMostCpus(input);
    const topIds = new Set(ratioRows(top).map((r) => r.cellId));
    const sweep = new Set(smpSweepCells(input).map((c) => c.cellId));
    const smpFailed = failedIds(input.cells.filter((c) => sweep.has(c.cellId)));
    add('smp-throughput', 'Throughput vs CPUs', smpThroughputSpec({ ...input, projection: undefined }), SMP_THROUGHPUT_CAPTION, smpFailed);
    if (input.projection) add('smp-projection', 'Throughput vs CPUs: measured and projected', smpThroughputSpec(input), `${SMP_THROUGHPUT_CAPTION} ${projectionCaption(input.projection.handoffNs, input.projection.perWaiterNs)}`, smpFailed);
    add('smp-lock', 'Lock wait vs CPUs', smpLockSpec(input), 'The share of the CPUs\u2019 replay time spent waiting for the tracker\u2019s lock (counted inside the lock, contended acquisitions only), against CPUs, per locking scheme, at each workload\u2019s largest size. cmpxchg takes no lock on RAM page types; seqlock readers take none on tree lookups.', smpFailed);
    add('vs-baseline', `${ratioTitle(input.baseline)} at the most CPUs`, ratioSpec(top), `Each tracker\u2019s time ÷ ${input.baseline}\u2019s in the same group at each workload\u2019s largest size and most CPUs measured (${RATIO_NOTE}), with its 95% percentile-bootstrap interval over forks; * where the interval excludes 1.`, failedIds(top.cells.filter((c) => topIds.has(c.cellId))));
    add('replay-time', 'Replay time per op: distribution', replayTimeSpec(top), 'ns per op (the slowest CPU\u2019s replay ÷ every CPU\u2019s ops) of every timed replay (forks pooled) at each workload\u2019s largest size and most CPUs.', replayData(top).failed);
    return defs;
  }
  add('throughput', 'Throughput vs size', throughputSpec(input), 'Operations per second over the whole op stream against workload size, log–log, one line per tracker, one panel per workload (x: what its size counts); the dashed grey line is the null tracker (harness + emulated machine core), the floor under every tracker.', sweepFailed);
  add('tracker-cost', 'Tracker-only cost vs size', trackerCostSpec(input), 'The trackers\u2019 own ns per op: each fork of a cell minus the null tracker\u2019s fork of the same block (measured side by side), median over the forks. What separates the designs once the machine core\u2019s shared cost is taken out.', noHarness);
  add('memory-modeled', 'Modeled kernel bytes per live reservation vs size', modeledMemorySpec(input), 'The tracker\u2019s structures at the workload\u2019s peak state at Linux struct sizes (64-byte slab per memtype node, 24-byte tracking context, 16 bytes per VMA list_head, 2 bits per struct page), page tables excluded (they are the same for every valid tracker), divided by the memtype reservations live there.', noHarness);
  add('memory-js', 'Measured JS memory vs size', jsMemorySpec(input), 'JavaScript heap + ArrayBuffer bytes retained by one machine + tracker at the peak state, after forced GC — the emulator\u2019s own footprint, not the kernel\u2019s. A reading at or near zero is a GC artefact: flagged with a triangle at the panel\u2019s floor, not drawn as a dip.', sweepFailed);
  add('vs-baseline', `${ratioTitle(input.baseline)} at the largest sizes`, ratioSpec(input), `Each tracker\u2019s time ÷ ${input.baseline}\u2019s in the same group at each workload\u2019s largest size (${RATIO_NOTE}), with its 95% percentile-bootstrap interval over forks; * where the interval excludes 1.`, largest);
  add('replay-time', 'Replay time per op: distribution', replayTimeSpec(input), 'ns per op of every timed replay of the whole stream (forks pooled) at each workload\u2019s largest size: how steady a tracker\u2019s replays are. Not a per-operation latency: the micro-benchmarks measure that.', replayData(input).failed);
  add('insert-policy', 'Insert policy: whole-vma vs single-page', insertPolicySpec(input), `Tracker-only ns per op on ${INSERT_WORKLOAD} (≈ the cost of one vmf_insert_pfn_prot) against pages per buffer object, for compositions differing only in the insert policy: whole-VMA revalidation (2.6.29) against the single-page check (2.6.32+).`, insertFailed);
  return defs;
}

// ------------------------------------------------------------------ SMP: throughput and lock wait vs CPUs

/** An SMP run's charts at each workload's most CPUs measured (its cells there only). */
export function atMostCpus(input: ChartInput): ChartInput {
  const most = new Map<string, number>();
  for (const c of input.cells) if (c.cpus !== undefined) most.set(c.workload, Math.max(most.get(c.workload) ?? 0, c.cpus));
  return { ...input, cells: input.cells.filter((c) => c.cpus === undefined || c.cpus === most.get(c.workload)) };
}

/** The cells of the CPU sweeps: each workload's largest size, smallest seed, every CPU count. */
function smpSweepCells(input: ChartInput): ChartCell[] {
  const out: ChartCell[] = [];
  for (const w of [...new Set(input.cells.filter((c) => c.cpus !== undefined).map((c) => c.workload))].sort(byText)) {
    const mine = input.cells.filter((c) => c.workload === w && c.cpus !== undefined);
    const size = Math.max(...mine.map((c) => c.size));
    const seed = Math.min(...mine.filter((c) => c.size === size).map((c) => c.seed));
    out.push(...mine.filter((c) => c.size === size && c.seed === seed));
  }
  return out;
}

const SMP_THROUGHPUT_CAPTION =
  'Aggregate ops/s (every CPU\u2019s ops ÷ the slowest CPU\u2019s replay; median over forks of each fork\u2019s fastest replay) against the emulated machine\u2019s CPUs (worker threads sharing one memtype state), log2 x, log y, one line per locking scheme, one panel per workload at its largest size. A square marks an OVERSUBSCRIBED cell: more CPUs than the measuring host\u2019s cores, its threads time-share them. The grey dotted line is the null tracker (harness + machine core, nothing shared).';

/** The caption's sentence on projected points. */
function projectionCaption(handoffNs: number, perWaiterNs: number): string {
  return `Dashed lines with hollow points are PROJECTED, not measured: the run\u2019s 1-CPU critical-section and other time per op through the closed queueing model of one lock (M/M/1//N with hand-off; bench/summarise/project.ts) with a ${handoffNs} ns hand-off${perWaiterNs > 0 ? ` and ${perWaiterNs} ns more per waiting CPU` : ''}.`;
}

/** The x axis of the CPU sweeps: log2, ticks at the CPU counts drawn. */
function cpuAxis(cpus: readonly number[]): object {
  return { field: 'cpus', type: 'quantitative', scale: { type: 'log', base: 2, domain: [Math.min(...cpus), Math.max(...cpus)] }, title: 'CPUs (log2)', axis: { values: [...cpus], format: 'd' } };
}

/** The oversubscribed marks' shape legend. */
const OVERSUB = 'OVERSUBSCRIBED: more CPUs than the host\u2019s cores';

/**
 * Aggregate throughput against CPUs per locking scheme and workload (see
 * the module comment); with `input.projection`, the projected points too,
 * dashed, hollow and labelled projected.
 */
export function smpThroughputSpec(input: ChartInput): TopLevelSpec {
  const heading = input.projection ? 'Throughput vs CPUs: measured, and projected past this host' : 'Throughput vs CPUs';
  const cells = smpSweepCells(input);
  const panelOf = new Map<string, string>();
  for (const c of cells) panelOf.set(c.workload, `${c.workload} @ ${c.size} ${unitOf(input, c.workload)}`);
  const labels = new Map(input.cells.map((c) => [c.tracker, c.label]));
  const values: object[] = cells
    .filter((c) => (c.opsPerSec !== null && c.opsPerSec > 0) || c.status === 'invalid' || c.status === 'errored')
    .map((c) => ({
      cellId: c.cellId,
      panel: panelOf.get(c.workload)!,
      label: c.label,
      cpus: c.cpus!,
      y: c.opsPerSec !== null && c.opsPerSec > 0 ? c.opsPerSec : null,
      status: c.status,
      kind: c.status === 'harness' ? 'harness' : 'measured',
      flag: c.oversubscribed ? OVERSUB : null,
    }));
  for (const p of input.projection?.series ?? []) {
    const panel = panelOf.get(p.workload);
    if (panel === undefined) continue;
    for (const pt of p.points) values.push({ cellId: `${p.workload}/${p.size}/projected/${pt.cpus}cpu/${p.tracker}`, panel, label: labels.get(p.tracker) ?? p.tracker, cpus: pt.cpus, y: pt.opsPerSec, status: 'valid', kind: 'projected', flag: null });
  }
  if (values.length === 0) return placeholderSpec(heading, 'No timed SMP cell in this run.');
  const cpus = [...new Set(values.map((v) => (v as { cpus: number }).cpus))].sort((a, b) => a - b);
  const x = cpuAxis(cpus);
  const y = { field: 'y', type: 'quantitative', scale: { type: 'log' }, title: 'aggregate ops/s (log)', axis: { format: '~s' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'kind', type: 'nominal', title: 'measured or projected' },
    { field: 'y', type: 'quantitative', title: 'ops/s', format: ',.0f' },
    { field: 'status', type: 'nominal' },
  ];
  const present = [...new Set(values.map((v) => (v as { status: ChartStatus }).status))];
  const anyOver = values.some((v) => (v as { flag: string | null }).flag !== null);
  const height = PANEL.height + 40;
  const panel = (p: string): object => ({
    title: p,
    transform: [{ filter: { field: 'panel', equal: p } }],
    width: PANEL.width,
    height,
    layer: [
      {
        transform: [{ filter: "datum.kind !== 'projected' && datum.y !== null && (datum.status === 'valid' || datum.status === 'harness')" }],
        mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 },
        encoding: {
          x,
          y,
          color: colorOf(input, true),
          strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['measured', 'harness'], range: [[1, 0], [2, 3]] }, legend: null },
          tooltip,
        },
      },
      ...(input.projection
        ? [
            {
              transform: [{ filter: "datum.kind === 'projected'" }],
              mark: { type: 'line', point: { filled: false, size: 50, strokeWidth: 1.5 }, strokeWidth: 1.5, strokeDash: [6, 4] },
              encoding: { x, y, color: colorOf(input, true), tooltip },
            },
          ]
        : []),
      ...oversubLayers(anyOver, 'datum.flag !== null && datum.y !== null', x, y, tooltip),
      ...failLayers(x, y, present, tooltip, height),
    ],
  });
  const panels = [...new Set(values.map((v) => (v as { panel: string }).panel))].sort(byText);
  return {
    title: title(heading, [
      "every CPU's ops ÷ the slowest CPU's replay (median over forks of each fork's fastest); higher is better; log2 x, log y; grey dotted: the null tracker;",
      ...(input.projection ? [`dashed, hollow: PROJECTED by the queueing model (hand-off ${input.projection.handoffNs} ns), not measured;`] : []),
      ...(anyOver ? ['square: OVERSUBSCRIBED (more CPUs than the host\u2019s cores)'] : []),
      baselineNote(input),
    ]),
    ...cpuPanels(values, panels, panel),
  } as TopLevelSpec;
}

/** The panels of an SMP chart against CPUs: one per workload, up to three a row, each with its own y scale. */
function cpuPanels(values: object[], panels: string[], panel: (p: string) => object): object {
  return { data: { values }, concat: panels.map(panel), columns: Math.min(3, panels.length), resolve: { scale: { y: 'independent' } }, config: CONFIG };
}

/** The square drawn around OVERSUBSCRIBED points (rows matching `filter`) of an SMP chart; none when no point is oversubscribed. */
function oversubLayers(anyOver: boolean, filter: string, x: object, y: object, tooltip: object[]): object[] {
  if (!anyOver) return [];
  return [
    {
      transform: [{ filter }],
      mark: { type: 'point', filled: false, color: UNSTABLE_COLOR, strokeWidth: 1.5, size: 260 },
      encoding: { x, y, shape: { field: 'flag', type: 'nominal', scale: { domain: [OVERSUB], range: ['square'] }, legend: { title: 'marks' } }, tooltip },
    },
  ];
}

/** The lock-wait share against CPUs per locking scheme and workload. */
export function smpLockSpec(input: ChartInput): TopLevelSpec {
  const heading = 'Lock wait vs CPUs';
  const cells = smpSweepCells(input).filter((c) => c.status !== 'harness' && c.waitShare !== null && c.waitShare !== undefined && (c.status === 'valid' || c.status === 'invalid'));
  if (cells.length === 0) return placeholderSpec(heading, 'No lock statistics in this run.');
  const values = cells.map((c) => ({ cellId: c.cellId, panel: `${c.workload} @ ${c.size} ${unitOf(input, c.workload)}`, label: c.label, cpus: c.cpus!, y: c.waitShare!, status: c.status, flag: c.oversubscribed ? OVERSUB : null }));
  const cpus = [...new Set(values.map((v) => v.cpus))].sort((a, b) => a - b);
  const x = cpuAxis(cpus);
  const y = { field: 'y', type: 'quantitative', title: 'share of CPU time waiting for the lock', axis: { format: '.0%' } };
  const tooltip = [
    { field: 'cellId', type: 'nominal', title: 'cell' },
    { field: 'y', type: 'quantitative', title: 'lock wait', format: '.2%' },
    { field: 'status', type: 'nominal' },
  ];
  const anyOver = values.some((v) => v.flag !== null);
  const panel = (p: string): object => ({
    title: p,
    transform: [{ filter: { field: 'panel', equal: p } }],
    width: PANEL.width,
    height: PANEL.height,
    layer: [
      { mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 2 }, encoding: { x, y, color: colorOf(input, true), tooltip } },
      ...oversubLayers(anyOver, 'datum.flag !== null', x, y, tooltip),
    ],
  });
  const panels = [...new Set(values.map((v) => v.panel))].sort(byText);
  return {
    title: title(heading, ["the CPUs' time spent waiting for the tracker's lock (counted inside the lock), per locking scheme; lower is better; log2 x", ...(anyOver ? ['square: OVERSUBSCRIBED (more CPUs than the host\u2019s cores)'] : []), baselineNote(input)]),
    ...cpuPanels(values, panels, panel),
  } as TopLevelSpec;
}
