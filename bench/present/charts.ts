/**
 * Charts: vega-lite specs kept as data (functions of the cell records that
 * return plain spec objects), rendered headlessly to SVG with vega.
 *
 * Every chart is size on a log x axis against a log y axis, one line per
 * tracker, one panel per workload (sizes mean different things per
 * workload, so each panel has its own scales). Cells whose digest differs
 * from the oracle's are overdrawn with a red cross and named `INVALID` in
 * the legend; errored cells have no value and are absent (the table,
 * summary.md and results.json list them). Input: the per-cell summaries of
 * bench/summarise/summary.ts (rounds pooled).
 */
import { join } from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Validity } from '../measure/fork.js';
import { writeFileAtomic } from '../store/results.js';
import type { CellSummary } from '../summarise/summary.js';

/** Font family used for every text in every chart (fixed for deterministic output). */
export const CHART_FONT = 'DejaVu Sans';
/** Panel width, px. */
export const PANEL_WIDTH = 360;
/** Panel height, px. */
export const PANEL_HEIGHT = 240;
/** Colour of invalid-cell marks. */
export const INVALID_COLOR = '#d62728';
/** Tracker colours: no red (reserved for invalid cells); the `null` tracker is drawn dashed. */
export const TRACKER_PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#72b7b2', '#b279a2', '#9d755d', '#eeca3b', '#79706e', '#1b9e77', '#7570b3'];

/** What the charts need of a cell: a `CellSummary` has it. */
export type ChartCell = Pick<CellSummary, 'workload' | 'size' | 'tracker' | 'validity' | 'opsPerSec' | 'nsPerOp' | 'modeledBytes' | 'jsBytes'>;

/** One plotted point. */
export interface ChartRow {
  workload: string;
  size: number;
  tracker: string;
  /** `valid`, `INVALID` (digest differs, or the cell errored) or `harness` (the `null` tracker). */
  status: 'valid' | 'INVALID' | 'harness';
  opsPerSec: number | null;
  nsPerOp: number | null;
  modeledBytes: number | null;
  jsBytes: number | null;
}

/** Status label of a cell, as shown in charts. */
export function cellStatus(c: { validity: Validity }): ChartRow['status'] {
  if (c.validity === 'unchecked') return 'harness';
  return c.validity === 'valid' ? 'valid' : 'INVALID';
}

/** Chart rows from cell summaries (seeds are separate points at the same size). */
export function chartRows(cells: readonly ChartCell[]): ChartRow[] {
  return cells.map((c) => ({
    workload: c.workload,
    size: c.size,
    tracker: c.tracker,
    status: cellStatus(c),
    opsPerSec: c.opsPerSec,
    nsPerOp: c.nsPerOp,
    modeledBytes: c.modeledBytes,
    jsBytes: c.jsBytes,
  }));
}

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  title: { font: CHART_FONT, fontSize: 15, anchor: 'start' },
  axis: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  header: { labelFont: CHART_FONT, titleFont: CHART_FONT, labelFontSize: 13, titleFontSize: 13 },
  view: { stroke: '#ccc' },
} as const;

/**
 * A size-sweep chart: `field` against size (log x axis), one line per
 * tracker, one panel per workload, invalid cells as red crosses.
 * @param field the y value (ops/s or bytes); missing values are left out, and non-positive ones too on a `log` y scale
 * @param yScale `log`, or `symlog` where 0 is a meaningful value (bytes)
 */
export function sweepSpec(
  rows: readonly ChartRow[],
  field: 'opsPerSec' | 'modeledBytes',
  title: string,
  yTitle: string,
  yScale: 'log' | 'symlog' = 'log',
): TopLevelSpec {
  const values = rows
    .filter((r) => typeof r[field] === 'number' && Number.isFinite(r[field]) && (yScale === 'symlog' ? (r[field] as number) >= 0 : (r[field] as number) > 0))
    .map((r) => ({ ...r, kind: r.status === 'harness' ? 'harness' : 'tracker' }));
  const hasInvalid = values.some((r) => r.status === 'INVALID');
  const x = { field: 'size', type: 'quantitative', scale: { type: 'log' }, title: 'size' } as const;
  const y = { field, type: 'quantitative', scale: { type: yScale }, title: yTitle, axis: { format: '~s' } } as const;
  const tooltip = [
    { field: 'tracker', type: 'nominal' },
    { field: 'workload', type: 'nominal' },
    { field: 'size', type: 'quantitative', format: ',' },
    { field, type: 'quantitative', format: ',.0f' },
    { field: 'status', type: 'nominal' },
  ] as const;
  const layers: object[] = [
    {
      mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.5 },
      encoding: {
        x,
        y,
        color: { field: 'tracker', type: 'nominal', title: 'tracker', sort: 'ascending', scale: { range: TRACKER_PALETTE } },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          scale: { domain: ['tracker', 'harness'], range: [[1, 0], [5, 3]] },
          legend: null,
        },
        tooltip,
      },
    },
  ];
  if (hasInvalid) {
    layers.push({
      transform: [{ filter: "datum.status === 'INVALID'" }],
      mark: { type: 'point', shape: 'cross', filled: true, size: 220, color: INVALID_COLOR, stroke: INVALID_COLOR, strokeWidth: 1 },
      encoding: {
        x,
        y,
        shape: {
          field: 'status',
          type: 'nominal',
          title: 'correctness',
          scale: { domain: ['INVALID'], range: ['cross'] },
          legend: { title: 'correctness', labelExpr: "'INVALID (digest ≠ oracle)'", symbolFillColor: INVALID_COLOR, symbolStrokeColor: INVALID_COLOR },
        },
        tooltip,
      },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { field: 'workload', type: 'nominal', title: null, header: { labelFontSize: 13 } },
    columns: 2,
    spec: { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Throughput (ops/s) against size, log–log. */
export function throughputSpec(rows: readonly ChartRow[]): TopLevelSpec {
  return sweepSpec(rows, 'opsPerSec', 'Throughput vs size (ops/s, higher is better; log–log)', 'ops/s');
}

/** Modeled kernel bytes (tracker state + page tables) against size: log x, symlog y (0 bytes is a result, not a gap). */
export function memorySpec(rows: readonly ChartRow[]): TopLevelSpec {
  return sweepSpec(rows, 'modeledBytes', 'Modeled kernel bytes after the replay vs size (lower is better; log x, symlog y)', 'modeled bytes', 'symlog');
}

/**
 * Renders a vega-lite spec to SVG text headlessly (no canvas: vega's text
 * metrics estimate, so the output depends only on the spec).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders and writes `throughput.svg` and `memory.svg` into `dir` (atomically).
 * @returns the written paths
 */
export async function writeCharts(dir: string, cells: readonly ChartCell[]): Promise<string[]> {
  const rows = chartRows(cells);
  const out: string[] = [];
  for (const [name, spec] of [
    ['throughput.svg', throughputSpec(rows)],
    ['memory.svg', memorySpec(rows)],
  ] as const) {
    const path = join(dir, name);
    writeFileAtomic(path, await renderSvg(spec));
    out.push(path);
  }
  return out;
}
