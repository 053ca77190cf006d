/**
 * The publishable report of a run: `<run>/report.html`, one self-contained
 * file (inline SVG charts and styles; no script, no font, no network), and
 * `publish`, a static folder for any static host (index.html = the report,
 * the charts as SVG + PNG + vega-lite spec, the raw results files).
 *
 * Contents, in order: the run's facts and verdict; validity (every invalid,
 * errored or missing cell, with digests and errors); the charts
 * (bench/present/chart-specs.ts, rendered by bench/present/render.ts); the summary table per
 * workload; complexity fits; precision and harness overhead; with a
 * baseline run, the comparison per cell (bench/summarise/compare.ts: ratio, 95%
 * interval over forks, Welch p-value on fork medians, Benjamini–Hochberg q, mark);
 * the environment (env.json); the matrix (run.json).
 *
 * Everything is derived from the run folder's results.jsonl (the source of
 * truth), run.json and env.json; the same folder gives the same bytes (no
 * generation time is written).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../../core/errors.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { chartInput, chartSpecs, type ChartDef } from './chart-specs.js';
import { compareLines, compareMark, type CompareResult } from '../summarise/compare.js';
import type { RunEnv } from '../store/env.js';
import { MSG } from '../messages.js';
import { renderSvg, svgToPng, pngFonts } from './render.js';
import { FILES, readManifest, readResultLines, resolveRunDir, writeFileAtomic, type ResultLine, type RunManifest } from '../store/results.js';
import { formatShard } from '../store/shard.js';
import {
  cellFailed,
  expectedCells,
  fmtFixed,
  fmtInt,
  fmtPct,
  fmtRatio,
  forksLabel,
  summarize,
  UNSTABLE_RATIO,
  validityLabel,
  type RunSummary,
  type SummaryHeader,
} from '../summarise/summary.js';

/** The report's file name inside a run folder. */
export const REPORT_FILE = 'report.html';
/** The generator mark in a report's <head>: `publish` only overwrites folders whose index.html carries it. */
export const GENERATOR = 'memtype-bench report';
/** Subfolders of a published folder. */
export const PUBLISH_DIRS = { charts: 'charts', data: 'data' } as const;
/** Run files copied into a published folder's data/ when present. */
export const PUBLISHED_FILES = [FILES.manifest, FILES.lines, FILES.env, FILES.aggregate, FILES.csv, FILES.summary] as const;

/** The report's user-facing messages (candidates for bench/messages.ts `MSG.report`). */
export const REPORT_MSG = {
  noFolder: (dir: string) => `${dir}: no such run folder (expected a folder holding ${FILES.manifest} and ${FILES.lines})`,
  notFolder: (dir: string) => `${dir}: not a folder (expected a run folder holding ${FILES.manifest} and ${FILES.lines})`,
  noLines: (path: string) => `${path}: no result lines to report (expected one JSON line per cell × fork)`,
  sameFolder: (dir: string) => `publish: --out ${dir} is the run folder itself; give another folder`,
  outNotEmpty: (dir: string) => `publish: ${dir} exists, is not empty and is not a folder written by publish (no ${GENERATOR} index.html); give a new or empty folder`,
  written: (path: string) => `report: ${path}\n`,
  published: (dir: string, index: string, charts: number, files: number) => `published ${dir}: ${index}, ${charts} charts (SVG + PNG + vega-lite spec), ${files} results files\n`,
  chartFailed: (name: string, why: string) => `chart ${name} could not be rendered: ${why}`,
  fontNote: (note: string) => `note: ${note}\n`,
} as const;

/** A run folder, read and summarized. */
export interface LoadedRun {
  dir: string;
  manifest: RunManifest;
  lines: ResultLine[];
  /** env.json; null when absent or unreadable. */
  env: RunEnv | null;
  summary: RunSummary;
  /** results.jsonl ended in a torn (dropped) line. */
  tornTail: boolean;
}

/**
 * Reads a run folder: run.json, results.jsonl (summarized against the
 * run's baseline tracker) and env.json.
 * @param dir the run folder (a path)
 * @throws InputError for a missing folder, a missing or malformed run.json or results.jsonl, another schema version (naming the file and the version expected), or no result lines
 */
export function loadRun(dir: string): LoadedRun {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new InputError(REPORT_MSG.noFolder(abs));
  if (!statSync(abs).isDirectory()) throw new InputError(REPORT_MSG.notFolder(abs));
  const manifest = readManifest(abs);
  const linesPath = join(abs, FILES.lines);
  const read = readResultLines(linesPath);
  if (read.lines.length === 0) throw new InputError(REPORT_MSG.noLines(linesPath));
  let env: RunEnv | null = null;
  try {
    env = JSON.parse(readFileSync(join(abs, FILES.env), 'utf8')) as RunEnv;
  } catch {
    env = null;
  }
  const m = manifest.matrix;
  const summary = summarize(read.lines, {
    runId: manifest.runId,
    matrixHash: manifest.matrixHash,
    baseline: m.baseline,
    forks: m.forks,
    expected: expectedCells(m, manifest.groupIds),
  });
  return { dir: abs, manifest, lines: read.lines, env, summary, tornTail: read.tornTail };
}

/** What the size of each workload of the run counts (from the workload registry; unknown names are left out). */
function sizeUnits(workloads: Iterable<string>): Record<string, string> {
  const known = new Set(workloadNames());
  const out: Record<string, string> = {};
  for (const w of workloads) if (known.has(w)) out[w] = getWorkload(w).sizeUnit;
  return out;
}

/** The charts of a loaded run, in report order. */
export function runCharts(run: LoadedRun): ChartDef[] {
  const input = chartInput(run.summary, run.lines, sizeUnits(new Set(run.summary.cells.map((c) => c.workload))));
  return chartSpecs(input, { baseline: run.manifest.matrix.baseline });
}

// ------------------------------------------------------------------ HTML pieces

/** Escapes text for HTML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Escaped text with `code` spans (the summary facts' backticks) as <code>. */
function mdInline(s: string): string {
  return esc(s).replace(/`([^`]*)`/g, '<code>$1</code>');
}

/**
 * Prepares a standalone SVG for inlining into HTML: drops the XML namespace
 * declarations (the HTML parser supplies them) and prefixes every id (and
 * its `url(#…)` / `href="#…"` uses) so that several charts on one page do
 * not share clip paths or gradients.
 */
export function inlineSvg(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  let out = svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  if (ids.size === 0) return out;
  out = out.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => (ids.has(id) ? `${lead}${prefix}-${id}` : whole));
  return out;
}

interface Col {
  head: string;
  num?: boolean;
}

function table(cols: readonly Col[], rows: readonly { cells: string[]; cls?: string }[], caption?: string): string {
  const head = cols.map((c) => `<th${c.num ? ' class="num"' : ''}>${esc(c.head)}</th>`).join('');
  const body = rows
    .map((r) => `<tr${r.cls ? ` class="${r.cls}"` : ''}>${r.cells.map((v, i) => `<td${cols[i]?.num ? ' class="num"' : ''}>${v}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 14px; line-height: 1.45; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 1400px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12.5px; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
nav ul { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav a, figcaption a, .files a { color: #1f5fa8; }
.verdict { padding: 8px 12px; border-radius: 4px; margin: 12px 0; font-weight: bold; }
.verdict.ok { background: #e8f4ea; border: 1px solid #9fcca8; }
.verdict.bad { background: #fdecea; border: 1px solid #d62728; color: #8b1014; }
.verdict.warn { background: #fff4e0; border: 1px solid #e0a040; color: #6b4300; font-weight: normal; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 12.5px; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
tr.failed td { background: #fdecea; }
tr.unstable td { background: #fff7e0; }
tr.failed td:last-child, .bad-text { color: #b3141a; font-weight: bold; }
tr.changed td { background: #fff7e0; }
tr.regression td { background: #fdecea; }
figure.chart { margin: 16px 0 28px; overflow-x: auto; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { max-width: 980px; font-size: 13px; color: #333; margin-top: 6px; }
.chart-error { border: 2px solid #d62728; padding: 8px; color: #8b1014; }
details { margin: 6px 0 12px; }
summary { cursor: pointer; }
.muted { color: #555; }
`;

/** Links shown in publish mode: the chart files and the data files, relative to index.html. */
export interface ReportLinks {
  /** Chart stem → file links (svg, png, spec). */
  charts: boolean;
  /** Data files present in data/. */
  data: string[];
}

/** A rendered chart of the report. */
export interface ReportChart {
  def: ChartDef;
  /** Standalone SVG; null when rendering failed (`error`). */
  svg: string | null;
  error: string | null;
}

/** A built report. */
export interface BuiltReport {
  html: string;
  charts: ReportChart[];
  run: LoadedRun;
  comparison: CompareResult | null;
}

/** Options of `writeReport` and `publish`. */
export interface ReportOptions {
  /** Another run folder to compare against (base = that run, head = this one). */
  baseline?: string;
}

function header(run: LoadedRun): SummaryHeader {
  const m = run.manifest;
  return {
    matrix: m.matrix,
    env: run.env,
    threads: m.threads,
    shard: m.shard ? formatShard(m.shard) : null,
    startedAt: m.createdAt,
    finishedAt: m.finishedAt,
  };
}

function factsSection(run: LoadedRun): string {
  const s = run.summary;
  const failed = s.cells.filter(cellFailed);
  const measured = s.cells.filter((c) => c.role !== 'null').length;
  const verdict =
    failed.length === 0 && s.missing.length === 0
      ? `<div class="verdict ok">All ${measured} tracker cells match the oracle.</div>`
      : `<div class="verdict bad">${failed.length > 0 ? `${failed.length} of ${s.cells.length} cells are INVALID or ERRORED` : ''}${failed.length > 0 && s.missing.length > 0 ? '; ' : ''}${s.missing.length > 0 ? `${s.missing.length} cells missing` : ''} — see <a href="#validity">Validity</a>.</div>`;
  const noise =
    s.unstable.length > 0 || s.nullNotFastest.length > 0
      ? `<div class="verdict warn">${esc([...(s.unstable.length > 0 ? [MSG.summary.unstable(s, UNSTABLE_RATIO)] : []), ...(s.nullNotFastest.length > 0 ? [MSG.summary.sanity(s)] : [])].join(' — '))} — see <a href="#precision">Precision</a>.</div>`
      : '';
  const facts = MSG.summary.facts(s, header(run)).map((f) => `<li>${mdInline(f)}</li>`);
  if (run.tornTail) facts.push(`<li>${esc(`${FILES.lines} ended in a torn line (an interrupted write), which was dropped`)}</li>`);
  return `${verdict}\n${noise}${noise ? '\n' : ''}<ul class="facts">${facts.join('\n')}</ul>`;
}

function validitySection(run: LoadedRun): string {
  const s = run.summary;
  const failed = s.cells.filter(cellFailed);
  const out: string[] = ['<h2 id="validity">Validity</h2>'];
  out.push(
    `<p>Every tracker replays each cell's op stream and its outcome digest is compared with the reference oracle's. ${s.counts.valid} valid, ${s.counts.invalid} invalid, ${s.counts.errored} errored, ${s.counts.unchecked} null-tracker (harness) cells.</p>`,
  );
  if (failed.length === 0) out.push('<p>No invalid or errored cells.</p>');
  else
    out.push(
      table(
        [{ head: 'cell' }, { head: 'validity' }, { head: 'digest' }, { head: 'oracle digest' }, { head: 'error' }],
        failed.map((c) => ({
          cls: 'failed',
          cells: [`<code>${esc(c.cellId)}</code>`, esc(validityLabel(c)), esc(c.digest ?? '-'), esc(c.oracleDigest ?? '-'), esc(c.error ?? '')],
        })),
        'Invalid and errored cells (drawn as red marks in every chart)',
      ),
    );
  if (s.missing.length > 0) {
    out.push(`<p class="bad-text">Missing cells (no line, or fewer forks than planned): ${s.missing.length}</p>`);
    out.push(`<ul>${s.missing.map((id) => `<li><code>${esc(id)}</code></li>`).join('')}</ul>`);
  }
  return out.join('\n');
}

function chartsSection(charts: readonly ReportChart[], links: ReportLinks | null): string {
  const out: string[] = ['<h2 id="charts">Charts</h2>'];
  for (const c of charts) {
    const body =
      c.svg !== null ? inlineSvg(c.svg, `c-${c.def.name}`) : `<div class="chart-error">${esc(REPORT_MSG.chartFailed(c.def.name, c.error ?? 'unknown error'))}</div>`;
    const files = links?.charts
      ? ` <span class="files">[<a href="${PUBLISH_DIRS.charts}/${c.def.name}.svg">SVG</a> · <a href="${PUBLISH_DIRS.charts}/${c.def.name}.png">PNG</a> · <a href="${PUBLISH_DIRS.charts}/${c.def.name}.vl.json">vega-lite spec</a>]</span>`
      : '';
    out.push(
      `<figure class="chart" id="chart-${c.def.name}" data-chart="${c.def.name}">\n${body}\n<figcaption><b>${esc(c.def.title)}.</b> ${esc(c.def.caption)}${files}</figcaption>\n</figure>`,
    );
  }
  return out.join('\n');
}

function summarySection(run: LoadedRun): string {
  const s = run.summary;
  const out: string[] = ['<h2 id="summary">Summary</h2>'];
  out.push(
    `<p class="muted">Per cell, measured in several forks (fresh isolates): ops/s = ops ÷ the median of the fork medians; ±95% = half the 95% interval of that median (a two-level bootstrap: forks, then samples within a fork); forks = forks timed, UNSTABLE when their medians disagree by more than ×${UNSTABLE_RATIO}; time ÷ <code>${esc(s.baseline)}</code> = time ratio to the baseline in the same group (&lt; 1 faster) with its 95% interval.</p>`,
  );
  const cols: Col[] = [
    { head: 'tracker' },
    { head: 'size', num: true },
    { head: 'seed', num: true },
    { head: 'ops/s', num: true },
    { head: '±95%', num: true },
    { head: 'forks' },
    { head: 'ns/op', num: true },
    { head: 'p99 ns/op', num: true },
    { head: `time ÷ baseline [95% CI]`, num: true },
    { head: 'modeled B', num: true },
    { head: 'JS B', num: true },
    { head: 'GCs / ms', num: true },
    { head: 'valid' },
  ];
  const workloads = [...new Set(s.cells.map((c) => c.workload))];
  for (const w of workloads) {
    const rows = s.cells
      .filter((c) => c.workload === w)
      .map((c) => ({
        cls: cellFailed(c) ? 'failed' : c.unstable ? 'unstable' : '',
        cells: [
          esc(c.tracker) + (c.role === 'baseline' ? ' <span class="muted">(baseline)</span>' : ''),
          fmtInt(c.size),
          String(c.seed),
          fmtInt(c.opsPerSec),
          c.rme === null ? '-' : `±${c.rme.toFixed(1)}%`,
          esc(forksLabel(c)),
          fmtFixed(c.nsPerOp, 1),
          fmtFixed(c.p99Ns === null || !c.ops ? null : c.p99Ns / c.ops, 1),
          c.role === 'baseline' ? '1' : esc(fmtRatio(c.vsBaseline)),
          fmtInt(c.modeledBytes),
          fmtInt(c.jsBytes),
          `${c.gcCount} / ${fmtFixed(c.gcPauseMs, 1)}`,
          esc(validityLabel(c)),
        ],
      }));
    out.push(`<h3 id="summary-${esc(w)}">${esc(w)}</h3>`);
    out.push(table(cols, rows));
  }
  return out.join('\n');
}

function complexitySection(run: LoadedRun): string {
  const fits = run.summary.complexity.filter((c) => c.fit !== null);
  const out: string[] = ['<h2 id="complexity">Complexity</h2>'];
  out.push('<p class="muted">ns per op across sizes per (workload, seed, tracker), fitted to c·f(n) by least squares; the class with the least normalized RMS residual (Google Benchmark\u2019s fit). Needs three sizes or more.</p>');
  if (fits.length === 0) out.push('<p>No series with three sizes or more: no complexity fit.</p>');
  else
    out.push(
      table(
        [{ head: 'workload' }, { head: 'seed', num: true }, { head: 'tracker' }, { head: 'sizes', num: true }, { head: 'ns/op', num: true }, { head: 'class' }, { head: 'fit error', num: true }],
        fits.map((c) => ({
          cells: [esc(c.workload), String(c.seed), esc(c.tracker), c.sizes.map(fmtInt).join(', '), c.nsPerOp.map((x) => x.toFixed(1)).join(', '), esc(c.fit!.class), fmtPct(c.fit!.rms, 1)],
        })),
      ),
    );
  return out.join('\n');
}

function precisionSection(run: LoadedRun): string {
  return `<h2 id="precision">Precision and overhead</h2>\n<ul>${MSG.summary.precision(run.summary, UNSTABLE_RATIO).map((l) => `<li>${mdInline(l)}</li>`).join('\n')}</ul>`;
}

function comparisonSection(c: CompareResult): string {
  const out: string[] = ['<h2 id="comparison">Comparison with a baseline run</h2>'];
  out.push(`<p>${MSG.compare.header(c).split('\n').map(mdInline).join('<br>')}</p>`);
  const fmtP = (x: number | null): string => (x === null ? '-' : x < 1e-4 ? '&lt;0.0001' : x.toFixed(4));
  const perOp = (ns: number | null, ops: number | null): string => (ns !== null && ops ? (ns / ops).toFixed(1) : '-');
  out.push(
    table(
      [
        { head: 'cell' },
        { head: 'base ns/op', num: true },
        { head: 'head ns/op', num: true },
        { head: 'head ÷ base [95% CI]', num: true },
        { head: 'forks base/head', num: true },
        { head: 'p (Welch)', num: true },
        { head: 'q (BH)', num: true },
        { head: 'significant' },
        { head: 'validity base → head' },
        { head: 'mark' },
      ],
      c.rows.map((r) => ({
        cls: r.brokeCorrectness || r.regression ? 'regression' : r.significant ? 'changed' : '',
        cells: [
          `<code>${esc(r.cellId)}</code>`,
          perOp(r.baseNs, r.ops),
          perOp(r.headNs, r.ops),
          r.ratio ? `${r.ratio.ratio.toFixed(3)} [${r.ratio.low.toFixed(3)}, ${r.ratio.high.toFixed(3)}]` : '-',
          `${r.baseForks}/${r.headForks}`,
          fmtP(r.p),
          fmtP(r.q),
          r.significant ? 'yes' : 'no',
          esc(`${r.baseValidity ?? '-'} → ${r.headValidity ?? '-'}`),
          esc(compareMark(r)),
        ],
      })),
    ),
  );
  out.push(`<ul>${MSG.compare.footer(c).map((l) => `<li>${mdInline(l)}</li>`).join('\n')}</ul>`);
  return out.join('\n');
}

function envSection(env: RunEnv | null): string {
  const out: string[] = ['<h2 id="environment">Environment</h2>'];
  if (env === null) {
    out.push(`<p>No readable ${FILES.env} in the run folder.</p>`);
    return out.join('\n');
  }
  const rows: { cells: string[] }[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (k === 'packages') continue;
    const text = k === 'totalMemoryBytes' && typeof v === 'number' ? `${fmtInt(v)} (${(v / 2 ** 30).toFixed(1)} GiB)` : v === null ? '-' : String(v);
    rows.push({ cells: [esc(k), esc(text)] });
  }
  out.push(table([{ head: 'key' }, { head: 'value' }], rows, FILES.env));
  const pk = Object.entries(env.packages ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (pk.length > 0) out.push(table([{ head: 'package' }, { head: 'version' }], pk.map(([n, v]) => ({ cells: [esc(n), esc(v)] })), 'packages'));
  return out.join('\n');
}

function matrixSection(m: RunManifest): string {
  const x = m.matrix;
  const out: string[] = ['<h2 id="matrix">Matrix</h2>'];
  const timing = Object.entries(x.timing)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  const rows: [string, string][] = [
    ['run id', m.runId],
    ['source', x.source],
    ['description', x.description],
    ['hash', x.hash],
    ['baseline tracker', x.baseline],
    ['trackers selected', x.trackers.join(', ')],
    ['optional entries not registered', x.skipped.length > 0 ? x.skipped.join(', ') : '-'],
    ['workloads', x.workloads.join(', ')],
    ['seeds', x.seeds.join(', ')],
    ['forks per cell (fresh isolates, interleaved)', String(x.forks)],
    ['order seed', String(x.orderSeed)],
    ['timing', `${x.timingNote}; ${timing}`],
    ['machine', `${x.machine} (${m.machineChoice.kind})`],
    ['groups × trackers = cells', `${x.groups.length} groups, ${x.cellCount} cells`],
    ['shard', m.shard ? formatShard(m.shard) : '-'],
    ['forks measuring at once', `${m.threads} (${m.isolation === 'process' ? 'child processes' : 'worker threads'})`],
    ['raw samples kept per fork', String(m.maxSamples)],
    ['created', m.createdAt],
    ['resumed', m.resumedAt.length > 0 ? m.resumedAt.join(', ') : '-'],
    ['finished', m.finishedAt ?? '(not finished)'],
  ];
  out.push(table([{ head: 'key' }, { head: 'value' }], rows.map(([k, v]) => ({ cells: [esc(k), esc(v)] })), FILES.manifest));
  const own = new Set(m.groupIds);
  out.push(
    `<details><summary>${x.groups.length} groups (workload/size/seed) and their trackers</summary>\n${table(
      [{ head: 'group' }, { head: 'machine' }, { head: 'trackers' }, { head: 'in this run' }],
      x.groups.map((g) => ({ cells: [`<code>${esc(g.id)}</code>`, esc(g.machine), esc(g.trackers.join(', ')), own.has(g.id) ? 'yes' : 'no (other shard)'] })),
    )}\n</details>`,
  );
  return out.join('\n');
}

function filesSection(data: readonly string[]): string {
  if (data.length === 0) return '';
  return `<h2 id="files">Results files</h2>\n<ul class="files">${data.map((f) => `<li><a href="${PUBLISH_DIRS.data}/${esc(f)}">${esc(f)}</a></li>`).join('\n')}</ul>`;
}

/** The whole page. */
function page(run: LoadedRun, charts: readonly ReportChart[], comparison: CompareResult | null, links: ReportLinks | null): string {
  const runId = run.manifest.runId;
  const nav: [string, string][] = [
    ['validity', 'Validity'],
    ['charts', 'Charts'],
    ['summary', 'Summary'],
    ['complexity', 'Complexity'],
    ['precision', 'Precision'],
    ...(comparison ? ([['comparison', 'Comparison']] as [string, string][]) : []),
    ['environment', 'Environment'],
    ['matrix', 'Matrix'],
    ...(links && links.data.length > 0 ? ([['files', 'Files']] as [string, string][]) : []),
  ];
  const sections = [
    factsSection(run),
    `<nav><ul>${nav.map(([id, t]) => `<li><a href="#${id}">${t}</a></li>`).join('')}</ul></nav>`,
    validitySection(run),
    chartsSection(charts, links),
    summarySection(run),
    complexitySection(run),
    precisionSection(run),
    ...(comparison ? [comparisonSection(comparison)] : []),
    envSection(run.env),
    matrixSection(run.manifest),
    ...(links ? [filesSection(links.data)] : []),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${GENERATOR}">
<title>memtype-bench run ${esc(runId)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>memtype-bench run ${esc(runId)}</h1>
${sections.join('\n')}
<p class="muted">Written by memtype-bench from ${esc(FILES.lines)}, ${esc(FILES.manifest)} and ${esc(FILES.env)} of run ${esc(runId)}.</p>
</main>
</body>
</html>
`;
}

/** Renders every chart to SVG; a chart that fails keeps its error instead (the report still gets written). */
async function renderCharts(defs: readonly ChartDef[]): Promise<ReportChart[]> {
  const out: ReportChart[] = [];
  for (const def of defs) {
    try {
      out.push({ def, svg: await renderSvg(def.spec), error: null });
    } catch (e) {
      out.push({ def, svg: null, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/**
 * Builds the report of a run in memory.
 * @param runDir a run folder (path), or a run `loadRun` already read
 * @param links publish mode: link the chart files and data files (relative paths)
 * @throws InputError as `loadRun`, for either folder
 */
export async function buildReport(runDir: string | LoadedRun, opts: ReportOptions = {}, links: ReportLinks | null = null): Promise<BuiltReport> {
  const run = typeof runDir === 'string' ? loadRun(runDir) : runDir;
  let comparison: CompareResult | null = null;
  if (opts.baseline !== undefined) {
    const base = loadRun(opts.baseline);
    comparison = compareLines(base.lines, run.lines, { base: basename(base.dir), head: basename(run.dir) });
  }
  const charts = await renderCharts(runCharts(run));
  return { html: page(run, charts, comparison, links), charts, run, comparison };
}

/**
 * Writes `<runDir>/report.html`: the run's facts and verdict, validity,
 * charts (inline SVG), summary and complexity tables, precision, the
 * comparison with `opts.baseline` when given, the environment and the
 * matrix — one file, no external resource, no script.
 * @param runDir a run folder (path)
 * @param opts.baseline another run folder to compare against (base = it, head = this run)
 * @returns the report's path
 * @throws InputError for a missing run folder, a missing/malformed run.json or results.jsonl, another schema version, or no result lines
 */
export async function writeReport(runDir: string, opts: ReportOptions = {}): Promise<string> {
  const r = await buildReport(runDir, opts);
  const path = join(r.run.dir, REPORT_FILE);
  writeFileAtomic(path, r.html);
  return path;
}

/** The vega-lite spec as published (with its `$schema`, so editors recognize it). */
function publishedSpec(spec: TopLevelSpec): string {
  return JSON.stringify({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec }, null, 2) + '\n';
}

function checkOutDir(out: string, runDir: string): void {
  if (out === runDir) throw new InputError(REPORT_MSG.sameFolder(out));
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InputError(REPORT_MSG.outNotEmpty(out));
  if (readdirSync(out).length === 0) return;
  let index = '';
  try {
    index = readFileSync(join(out, 'index.html'), 'utf8');
  } catch {
    index = '';
  }
  if (!index.includes(`<meta name="generator" content="${GENERATOR}">`)) throw new InputError(REPORT_MSG.outNotEmpty(out));
}

/**
 * Writes a static folder for any static host:
 * `index.html` (the report, linking the files below by relative paths),
 * `charts/<name>.svg`, `.png` (DejaVu Sans, white background) and
 * `.vl.json` (the vega-lite spec), and `data/` holding copies of the run's
 * results files (run.json, results.jsonl, env.json, results.json,
 * results.csv, summary.md, those present). A folder written by an earlier
 * `publish` is overwritten; any other non-empty folder is refused.
 * @param runDir a run folder (path)
 * @param outDir the folder to write (created when missing)
 * @returns the path of `index.html`
 * @throws InputError as `writeReport`, for `outDir` = the run folder, or a non-empty foreign `outDir`
 */
export async function publish(runDir: string, outDir: string, opts: ReportOptions = {}): Promise<string> {
  return (await publishFolder(runDir, outDir, opts)).index;
}

/** What `publishFolder` wrote. */
interface Published {
  index: string;
  report: BuiltReport;
  /** Results files copied into data/. */
  data: string[];
}

async function publishFolder(runDir: string, outDir: string, opts: ReportOptions): Promise<Published> {
  const out = resolve(outDir);
  const loaded = loadRun(runDir); // the run's errors before touching outDir
  const run = loaded.dir;
  checkOutDir(out, run);
  const data = PUBLISHED_FILES.filter((f) => existsSync(join(run, f)));
  const report = await buildReport(loaded, opts, { charts: true, data: [...data] });
  mkdirSync(join(out, PUBLISH_DIRS.charts), { recursive: true });
  mkdirSync(join(out, PUBLISH_DIRS.data), { recursive: true });
  const fonts = pngFonts();
  for (const c of report.charts) {
    const stem = join(out, PUBLISH_DIRS.charts, c.def.name);
    writeFileAtomic(`${stem}.vl.json`, publishedSpec(c.def.spec));
    if (c.svg === null) continue;
    writeFileAtomic(`${stem}.svg`, c.svg);
    writeFileAtomic(`${stem}.png`, svgToPng(c.svg, fonts).png);
  }
  for (const f of data) copyFileSync(join(run, f), join(out, PUBLISH_DIRS.data, f));
  const index = join(out, 'index.html');
  writeFileAtomic(index, report.html);
  return { index, report, data: [...data] };
}

/** Streams of the commands (tests inject them). */
export interface CommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Folder holding run ids (`results`). */
  baseDir?: string;
}

function warnFailedCharts(charts: readonly ReportChart[], stderr: NodeJS.WritableStream): number {
  const failed = charts.filter((c) => c.svg === null);
  for (const c of failed) stderr.write(`memtype-bench: ${REPORT_MSG.chartFailed(c.def.name, c.error ?? 'unknown error')}\n`);
  return failed.length;
}

/**
 * `memtype-bench report RUN [--baseline RUN]`: writes `<RUN>/report.html`
 * and prints its path.
 * @param run a run folder or a run id under `io.baseDir` (default `results`)
 * @param opts.baseline a run (folder or id) to compare against
 * @returns 0 when the report was written with every chart, 1 when a chart could not be rendered (the report is still written)
 * @throws InputError for a missing run, a malformed or other-schema results file, or no result lines
 */
export async function runReportCommand(run: string, opts: { baseline?: string } = {}, io: CommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const baseDir = io.baseDir ?? 'results';
  const dir = resolveRunDir(run, baseDir);
  const baseline = opts.baseline !== undefined ? resolveRunDir(opts.baseline, baseDir) : undefined;
  const r = await buildReport(dir, baseline !== undefined ? { baseline } : {});
  const path = join(r.run.dir, REPORT_FILE);
  writeFileAtomic(path, r.html);
  const failed = warnFailedCharts(r.charts, stderr);
  stdout.write(REPORT_MSG.written(path));
  return failed > 0 ? 1 : 0;
}

/**
 * `memtype-bench publish RUN --out DIR`: writes the static folder and
 * prints what it holds.
 * @param run a run folder or a run id under `io.baseDir` (default `results`)
 * @param opts.out the folder to write
 * @param opts.baseline a run (folder or id) to compare against
 * @returns 0 on success, 1 when a chart could not be rendered (the rest is still written)
 * @throws InputError as `publish`
 */
export async function runPublishCommand(run: string, opts: { out: string; baseline?: string }, io: CommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const baseDir = io.baseDir ?? 'results';
  const dir = resolveRunDir(run, baseDir);
  const baseline = opts.baseline !== undefined ? resolveRunDir(opts.baseline, baseDir) : undefined;
  const p = await publishFolder(dir, opts.out, baseline !== undefined ? { baseline } : {});
  const fonts = pngFonts();
  if (fonts.note) stderr.write(REPORT_MSG.fontNote(fonts.note));
  const failed = warnFailedCharts(p.report.charts, stderr);
  stdout.write(REPORT_MSG.published(resolve(opts.out), p.index, p.report.charts.length - failed, p.data.length));
  return failed > 0 ? 1 : 0;
}
