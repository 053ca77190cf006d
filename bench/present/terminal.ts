/**
 * What a run prints when it ends: the per-cell table (the column model's
 * `terminal` view), then the findings, the precision and noise lines.
 */
import { MSG } from '../messages.js';
import type { RunSummary } from '../summarise/summary.js';
import { textRows } from './columns.js';
import { findingLines, noiseTexts, precisionFacts } from './facts.js';
import { alignedTable } from './text-table.js';

/**
 * The table: a header, a rule, one row per cell in summary order
 * (`alignedTable`).
 */
export function formatTable(s: RunSummary): string {
  const { cols, head, rows } = textRows('terminal', s.cells);
  return alignedTable(head, rows, cols.map((c) => c.align === 'right'));
}

/** The end of the terminal output after the table: precision, noise, then the findings. */
export function formatRunEnd(s: RunSummary): string {
  const noise = noiseTexts(s);
  return [
    ...MSG.summary.precision(precisionFacts(s)),
    ...(noise.length > 0 ? [MSG.summary.noisy(noise)] : []),
    '',
    `${MSG.findings.title()}:`,
    ...findingLines(s).map((l) => `  ${l}`),
  ].join('\n') + '\n';
}
