/**
 * The publishable report of a run: `<run>/report.html`, one self-contained
 * file (inline SVG charts and styles; no script, no font, no network), and
 * `publish`, a static folder for any static host (index.html = the report,
 * the charts as SVG + PNG + vega-lite spec, the raw results files).
 *
 * Contents, in order: the findings (per workload the fastest and slowest
 * tracker at the largest size, the designs whose cost grows with size); the
 * verdict — red for invalid, errored or missing cells, amber with its
 * reasons for noisy figures, green otherwise; the run's facts; validity
 * (every invalid, errored or missing cell, with digests and errors); the
 * charts (bench/present/chart-specs.ts, rendered by render.ts); the summary
 * table per workload (the column model's `table` view); complexity fits;
 * precision and harness overhead; with a baseline run, the comparison per
 * cell; the environment (env.json); the matrix (run.json).
 *
 * Everything is derived from one loaded run (bench/summarise/run.ts): the
 * summary its caller built once. The same folder gives the same bytes (no
 * generation time is written).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../../core/errors.js';
import { MSG } from '../messages.js';
import type { RunEnv } from '../store/env.js';
import { FILES, writeFileAtomic, type RunManifest } from '../store/results.js';
import { formatShard } from '../store/shard.js';
import { compareRuns, type CompareResult } from '../summarise/compare.js';
import { GROWTH_FACTOR } from '../summarise/findings.js';
import { loadRun, type LoadedRun } from '../summarise/run.js';
import { cellFailed, UNSTABLE_RATIO } from '../summarise/summary.js';
import { chartInput, chartSpecs, type ChartDef } from './chart-specs.js';
import { textRows } from './columns.js';
import { COMPARE_COLUMNS, compareFacts, unsafeTexts } from './compare.js';
import { findingLines, noiseTexts, precisionFacts, runFacts, sizeUnit, smpTables } from './facts.js';
import { fmtInt, fmtPct, validityLabel } from './format.js';
import { pngFonts, renderSvg, svgToPng } from './render.js';

/** The report's file name inside a run folder. */
export const REPORT_FILE = 'report.html';
/** The generator mark in a report's <head>: `publish` only overwrites folders whose index.html carries it. */
export const GENERATOR = 'memtype-bench report';
/** Subfolders of a published folder. */
export const PUBLISH_DIRS = { charts: 'charts', data: 'data' } as const;
/** Run files copied into a published folder's data/ when present (projection.json: after `memtype-bench project`). */
export const PUBLISHED_FILES = [FILES.manifest, FILES.lines, FILES.env, FILES.aggregate, FILES.csv, FILES.summary, FILES.projection] as const;

/** The charts of a loaded run, in report order. */
export function runCharts(run: LoadedRun): ChartDef[] {
  const units = Object.fromEntries([...new Set(run.summary.cells.map((c) => c.workload))].map((w) => [w, sizeUnit(w)]));
  const projection = run.projection ? { series: run.projection.series, handoffNs: run.projection.handoffNs, perWaiterNs: run.projection.perWaiterNs } : undefined;
  return chartSpecs(chartInput(run.summary, run.lines, units, projection));
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
.cells td:first-child { white-space: nowrap; }
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

/** Options of `buildReport` and `publish`. */
export interface ReportOptions {
  /** Another run folder to compare against (base = that run, head = this one). */
  baseline?: string;
}

/** The findings, first thing on the page. */
function findingsSection(run: LoadedRun): string {
  return `<h2 id="findings">${esc(MSG.findings.title())}</h2>\n<ul class="findings">${findingLines(run.summary)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('\n')}</ul>\n<p class="muted">${esc(MSG.findings.growthRule(GROWTH_FACTOR))}.</p>`;
}

/** The verdict: red for failed or missing cells, amber (saying why) for noisy figures, green otherwise. */
function verdictSection(run: LoadedRun): string {
  const s = run.summary;
  const failed = s.cells.filter(cellFailed);
  const measured = s.cells.filter((c) => c.role !== 'null').length;
  const validity =
    failed.length === 0 && s.missing.length === 0
      ? `<div class="verdict ok">${esc(MSG.summary.verdictOk(measured))}</div>`
      : `<div class="verdict bad">${esc(MSG.summary.verdictBad(failed.length, s.cells.length, s.missing.length))} — see <a href="#validity">Validity</a>.</div>`;
  const noise = noiseTexts(s);
  return noise.length === 0 ? validity : `${validity}\n<div class="verdict warn">${esc(MSG.summary.noisy(noise))} See <a href="#precision">Precision</a>.</div>`;
}

function factsSection(run: LoadedRun): string {
  const facts = MSG.summary.facts(runFacts(run)).map((f) => `<li>${mdInline(f)}</li>`);
  if (run.tornTail) facts.push(`<li>${esc(MSG.summary.tornTail(FILES.lines))}</li>`);
  return `<h2 id="run">Run</h2>\n<ul class="facts">${facts.join('\n')}</ul>`;
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
      c.svg !== null ? inlineSvg(c.svg, `c-${c.def.name}`) : `<div class="chart-error">${esc(MSG.report.chartFailed(c.def.name, c.error ?? 'unknown error'))}</div>`;
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
    `<p class="muted">Per cell, measured in several forks (fresh isolates): ops/s = ops ÷ the median over forks of each fork's fastest replay; ±95% = half the 95% interval of that median (a two-level bootstrap: forks, then samples within a fork); forks = forks timed, UNSTABLE when their figures disagree by more than ×${UNSTABLE_RATIO}; tracker-only ns/op = the cell minus the null tracker, fork by fork (measured side by side), with its 95% interval; time ÷ <code>${esc(s.baseline)}</code> = time ratio to the baseline in the same group (&lt; 1 = faster) with its 95% interval; tracker B/reservation = modeled bytes of the tracker\u2019s own structures (page tables excluded) per memtype reservation live at the peak; JS B ≈0 = a reading at or near zero, a GC artefact.</p>`,
  );
  for (const t of smpTables(run)) {
    out.push(`<h3>${esc(t.title)}</h3>`);
    out.push(table(t.head.map((h, i) => ({ head: h, num: t.right[i]! })), t.rows.map((r) => ({ cls: r.some((x) => /INVALID|ERRORED/.test(x)) ? 'failed' : '', cells: r.map(esc) }))));
  }
  for (const w of [...new Set(s.cells.map((c) => c.workload))]) {
    const cells = s.cells.filter((c) => c.workload === w);
    const { cols, head, rows } = textRows('table', cells);
    out.push(`<h3 id="summary-${esc(w)}">${esc(w)}${sizeUnit(w) ? ` <span class="muted">(size: ${esc(sizeUnit(w))})</span>` : ''}</h3>`);
    out.push(
      `<div class="cells">${table(
        head.map((h, i) => ({ head: h, num: cols[i]!.align === 'right' })),
        rows.map((r, i) => ({ cls: cellFailed(cells[i]!) ? 'failed' : cells[i]!.unstable ? 'unstable' : '', cells: r.map(esc) })),
      )}</div>`,
    );
  }
  return out.join('\n');
}

function complexitySection(run: LoadedRun): string {
  const fits = run.summary.complexity.filter((c) => c.fit !== null);
  const out: string[] = ['<h2 id="complexity">Complexity</h2>'];
  out.push(
    '<p class="muted">ns per op across sizes per (workload, seed, tracker), and the tracker-only ns per op (net of the null tracker), each fitted to c·f(n) by least squares; the class with the least normalized RMS residual (Google Benchmark\u2019s fit). Needs three sizes or more.</p>',
  );
  if (fits.length === 0) out.push('<p>No series with three sizes or more: no complexity fit.</p>');
  else
    out.push(
      table(
        [
          { head: 'workload' },
          { head: 'seed', num: true },
          { head: 'tracker' },
          { head: 'sizes', num: true },
          { head: 'ns/op', num: true },
          { head: 'class' },
          { head: 'fit error', num: true },
          { head: 'tracker-only ns/op', num: true },
          { head: 'class (tracker-only)' },
        ],
        fits.map((c) => ({
          cells: [
            esc(c.workload),
            String(c.seed),
            esc(c.tracker),
            c.sizes.map(fmtInt).join(', '),
            c.nsPerOp.map((x) => x.toFixed(1)).join(', '),
            esc(c.fit!.class),
            fmtPct(c.fit!.rms, 1),
            c.trackerNsPerOp.map((x) => (x === null ? '-' : x.toFixed(1))).join(', '),
            esc(c.trackerFit?.class ?? '-'),
          ],
        })),
      ),
    );
  return out.join('\n');
}

function precisionSection(run: LoadedRun): string {
  const noise = noiseTexts(run.summary);
  const lines = [...MSG.summary.precision(precisionFacts(run.summary)), ...(noise.length > 0 ? [MSG.summary.noisy(noise)] : [])];
  return `<h2 id="precision">Precision and overhead</h2>\n<ul>${lines.map((l) => `<li>${mdInline(l)}</li>`).join('\n')}</ul>`;
}

function comparisonSection(c: CompareResult): string {
  const f = compareFacts(c);
  const out: string[] = ['<h2 id="comparison">Comparison with a baseline run</h2>'];
  out.push(`<p>${MSG.compare.header(f).split('\n').map(mdInline).join('<br>')}</p>`);
  out.push(
    table(
      COMPARE_COLUMNS.map((k) => ({ head: k.title, num: k.right })),
      c.rows.map((r) => ({
        cls: r.brokeCorrectness || r.regression ? 'regression' : r.significant ? 'changed' : '',
        cells: COMPARE_COLUMNS.map((k, i) => (i === 0 ? `<code>${esc(k.text(r))}</code>` : esc(k.text(r)))),
      })),
    ),
  );
  out.push(`<ul>${MSG.compare.footer(f, unsafeTexts(c.unsafe)).map((l) => `<li>${mdInline(l)}</li>`).join('\n')}</ul>`);
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
    ['findings', 'Findings'],
    ['run', 'Run'],
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
    findingsSection(run),
    verdictSection(run),
    `<nav><ul>${nav.map(([id, t]) => `<li><a href="#${id}">${t}</a></li>`).join('')}</ul></nav>`,
    factsSection(run),
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
    comparison = compareRuns(base, run, { base: basename(base.dir), head: basename(run.dir) });
  }
  const charts = await renderCharts(runCharts(run));
  return { html: page(run, charts, comparison, links), charts, run, comparison };
}

/** The vega-lite spec as published (with its `$schema`, so editors recognize it). */
function publishedSpec(spec: TopLevelSpec): string {
  return JSON.stringify({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec }, null, 2) + '\n';
}

function checkOutDir(out: string, runDir: string): void {
  if (out === runDir) throw new InputError(MSG.report.sameFolder(out));
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new InputError(MSG.report.outNotEmpty(out, GENERATOR));
  if (readdirSync(out).length === 0) return;
  let index = '';
  try {
    index = readFileSync(join(out, 'index.html'), 'utf8');
  } catch {
    index = '';
  }
  if (!index.includes(`<meta name="generator" content="${GENERATOR}">`)) throw new InputError(MSG.report.outNotEmpty(out, GENERATOR));
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
 * @throws InputError as `loadRun`, for `outDir` = the run folder, or a non-empty foreign `outDir`
 */
export async function publish(runDir: string, outDir: string, opts: ReportOptions = {}): Promise<string> {
  return (await publishFolder(runDir, outDir, opts)).index;
}

/** What `publishFolder` wrote. */
export interface Published {
  index: string;
  report: BuiltReport;
  /** Results files copied into data/. */
  data: string[];
}

export async function publishFolder(runDir: string, outDir: string, opts: ReportOptions): Promise<Published> {
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
