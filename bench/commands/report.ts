/**
 * `memtype-bench report RUN [--baseline RUN]` and `memtype-bench publish RUN
 * --out DIR`: the report of a run (bench/present/report.ts), written into
 * its folder or into a static folder for any static host.
 */
import { join, resolve } from 'node:path';
import { MSG } from '../messages.js';
import { buildReport, publishFolder, REPORT_FILE, type ReportChart } from '../present/report.js';
import { pngFonts } from '../present/render.js';
import { resolveRunDir, writeFileAtomic } from '../store/results.js';

/** Streams of the commands (tests inject them). */
export interface CommandIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Folder holding run ids (`results`). */
  baseDir?: string;
}

function warnFailedCharts(charts: readonly ReportChart[], stderr: NodeJS.WritableStream): number {
  const failed = charts.filter((c) => c.svg === null);
  for (const c of failed) stderr.write(`memtype-bench: ${MSG.report.chartFailed(c.def.name, c.error ?? 'unknown error')}\n`);
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
  stdout.write(MSG.report.written(path));
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
  if (fonts.note) stderr.write(MSG.report.fontNote(fonts.note));
  const failed = warnFailedCharts(p.report.charts, stderr);
  stdout.write(MSG.report.published(resolve(opts.out), p.index, p.report.charts.length - failed, p.data.length));
  return failed > 0 ? 1 : 0;
}
