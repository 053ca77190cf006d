/**
 * `memtype-bench merge OUT RUN...`: unions shard runs of one matrix into OUT
 * (bench/store/merge.ts), summarises the union once and writes its
 * summaries, charts and report, like a run's own folder; lists the cells no
 * input has (exit status 1, the merged folder is still written).
 */
import { MSG } from '../messages.js';
import { writeRunFiles } from '../present/run-files.js';
import { mergeRuns } from '../store/merge.js';
import { summarizeRun } from '../summarise/run.js';

/**
 * Merges, writes the merged run's files, prints what was merged and what is missing.
 * @returns the exit status: 0 complete, 1 cells missing
 * @throws InputError as `mergeRuns`
 */
export async function runMergeCommand(outDir: string, inputs: readonly string[], baseDir = 'results', stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const m = mergeRuns(outDir, inputs, baseDir);
  const run = summarizeRun(m.dir, m.manifest, m.lines, m.env);
  const files = await writeRunFiles(run);
  stdout.write(MSG.merge.done(m.dir, m.inputs.length, m.lines.length, m.duplicates, run.summary.missing));
  if (files.report !== null) stdout.write(MSG.report.written(files.report));
  return run.summary.complete ? 0 : 1;
}
