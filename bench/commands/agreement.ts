/**
 * `memtype-bench agreement RUN1 RUN2`: how far two runs of the same matrix
 * agree (bench/summarise/agreement.ts), and whether their noise lets one
 * judge it. `memtype-bench reproduce` runs a matrix twice and prints this.
 */
import { basename } from 'node:path';
import { formatAgreement } from '../present/compare.js';
import { resolveRunDir } from '../store/results.js';
import { agreement, AGREEMENT_TOLERANCE } from '../summarise/agreement.js';
import { loadRun } from '../summarise/run.js';

/**
 * Loads two runs (folders or run ids under `baseDir`) and prints their agreement.
 * @returns 0
 * @throws InputError for a missing or malformed run
 */
export function runAgreementCommand(a: string, b: string, tolerance = AGREEMENT_TOLERANCE, baseDir = 'results', stdout: NodeJS.WritableStream = process.stdout): number {
  const ra = loadRun(resolveRunDir(a, baseDir));
  const rb = loadRun(resolveRunDir(b, baseDir));
  const names = { a: basename(ra.dir), b: basename(rb.dir) };
  stdout.write(formatAgreement(agreement(ra.summary, rb.summary, tolerance, names), names));
  return 0;
}
