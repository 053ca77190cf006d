/**
 * Everything a run folder holds besides its lines, manifest and environment,
 * written from one loaded run: results.json (the summary, for CI and
 * scripts), summary.md, results.csv, one SVG per chart (the one chart
 * stack: bench/present/chart-specs.ts + render.ts) and report.html. `run`,
 * `merge` and `report` write through here.
 */
import { join } from 'node:path';
import { writeFileAtomic, FILES } from '../store/results.js';
import type { LoadedRun } from '../summarise/run.js';
import { formatCsv } from './csv.js';
import { formatSummaryMd } from './markdown.js';
import { buildReport, REPORT_FILE, type ReportChart, type ReportOptions } from './report.js';

/** What `writeRunFiles` wrote. */
export interface RunFiles {
  /** results.json, summary.md, results.csv. */
  summaries: string[];
  /** One SVG per chart that rendered. */
  charts: string[];
  /** report.html; null with `charts: false`. */
  report: string | null;
  /** Charts that could not be rendered (named in the report instead). */
  failedCharts: ReportChart[];
}

/**
 * Writes the summaries, the charts and the report of `run` into its folder
 * (each file atomically).
 * @param o.charts render the charts and the report (default true)
 * @param o.baseline another run folder to compare against in the report
 */
export async function writeRunFiles(run: LoadedRun, o: { charts?: boolean } & ReportOptions = {}): Promise<RunFiles> {
  const summaries: [string, string][] = [
    [FILES.aggregate, JSON.stringify(run.summary, null, 1) + '\n'],
    [FILES.summary, formatSummaryMd(run)],
    [FILES.csv, formatCsv(run.summary)],
  ];
  const written = summaries.map(([name, text]) => {
    const p = join(run.dir, name);
    writeFileAtomic(p, text);
    return p;
  });
  if (o.charts === false) return { summaries: written, charts: [], report: null, failedCharts: [] };
  const report = await buildReport(run, o.baseline !== undefined ? { baseline: o.baseline } : {});
  const charts: string[] = [];
  for (const c of report.charts) {
    if (c.svg === null) continue;
    const p = join(run.dir, `${c.def.name}.svg`);
    writeFileAtomic(p, c.svg);
    charts.push(p);
  }
  const path = join(run.dir, REPORT_FILE);
  writeFileAtomic(path, report.html);
  return { summaries: written, charts, report: path, failedCharts: report.charts.filter((c) => c.svg === null) };
}
