/**
 * `memtype-bench compare BASE HEAD`: the same cells of two runs, side by
 * side (bench/summarise/compare.ts), printed as a table and a verdict that
 * says when the runs' noise makes it unsafe.
 */
import { basename } from 'node:path';
import { formatCompare } from '../present/compare.js';
import { resolveRunDir } from '../store/results.js';
import { compareRuns, type CompareOptions } from '../summarise/compare.js';
import { loadRun } from '../summarise/run.js';

/**
 * Compares, prints the table and the verdict.
 * @param base,head run folders or run ids under `baseDir`
 * @returns the exit status: 1 on a confident regression beyond the threshold or lost correctness, else 0
 * @throws InputError for a missing or malformed run, no result lines, or an option out of range
 */
export function runCompareCommand(base: string, head: string, options: CompareOptions = {}, baseDir = 'results', stdout: NodeJS.WritableStream = process.stdout): number {
  const b = loadRun(resolveRunDir(base, baseDir));
  const h = loadRun(resolveRunDir(head, baseDir));
  const c = compareRuns(b, h, { base: basename(b.dir), head: basename(h.dir) }, options);
  stdout.write(formatCompare(c));
  return c.exitCode;
}
