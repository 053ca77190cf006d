/**
 * summary.md: the run's facts, its findings, precision and noise, one table
 * per workload (the column model's `table` view), the complexity fits and
 * the failures.
 */
import { MSG } from '../messages.js';
import type { LoadedRun } from '../summarise/run.js';
import { cellFailed } from '../summarise/summary.js';
import { textRows } from './columns.js';
import { findingLines, noiseTexts, precisionFacts, runFacts, smpTables } from './facts.js';
import { fmtInt, fmtPct, validityLabel } from './format.js';

function mdTable(head: string[], rows: string[][], right: boolean[]): string {
  const sep = right.map((r) => (r ? '---:' : '---'));
  const line = (cols: string[]): string => `| ${cols.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(sep), ...rows.map(line)].join('\n') + '\n';
}

const bullets = (lines: readonly string[]): string => lines.map((l) => `- ${l}`).join('\n') + '\n';

/** summary.md of a run. */
export function formatSummaryMd(run: LoadedRun): string {
  const s = run.summary;
  const out: string[] = [`# memtype-bench run ${s.runId}\n`];
  out.push(`## ${MSG.findings.title()}\n`);
  out.push(bullets(findingLines(s)));
  out.push(bullets(MSG.summary.facts(runFacts(run))));
  out.push(`## Precision and overhead\n`);
  const noise = noiseTexts(s);
  out.push(bullets([...MSG.summary.precision(precisionFacts(s)), ...(noise.length > 0 ? [MSG.summary.noisy(noise)] : [])]));
  for (const t of smpTables(run)) {
    out.push(`## ${t.title}\n`);
    out.push(mdTable(t.head, t.rows, t.right));
  }
  for (const w of [...new Set(s.cells.map((c) => c.workload))]) {
    out.push(`## ${w}\n`);
    const { cols, head, rows } = textRows('table', s.cells.filter((c) => c.workload === w));
    out.push(mdTable(head, rows, cols.map((c) => c.align === 'right')));
  }
  const fits = s.complexity.filter((c) => c.fit !== null);
  if (fits.length > 0) {
    out.push(`## Complexity (ns per op across sizes; tracker-only: net of the null tracker)\n`);
    out.push(
      mdTable(
        ['workload', 'seed', 'tracker', 'sizes', 'ns/op', 'class', 'fit error', 'tracker-only ns/op', 'class (tracker-only)'],
        fits.map((c) => [
          c.workload,
          String(c.seed),
          c.tracker,
          c.sizes.map(fmtInt).join(', '),
          c.nsPerOp.map((x) => x.toFixed(1)).join(', '),
          c.fit!.class,
          fmtPct(c.fit!.rms, 1),
          c.trackerNsPerOp.map((x) => (x === null ? '-' : x.toFixed(1))).join(', '),
          c.trackerFit?.class ?? '-',
        ]),
        [false, true, false, false, false, false, true, false, false],
      ),
    );
  }
  const bad = s.cells.filter(cellFailed);
  if (bad.length > 0 || s.missing.length > 0) {
    out.push(`## Failures\n`);
    out.push(bullets([...bad.map((c) => MSG.summary.failedCell(c.cellId, validityLabel(c), c.error)), ...s.missing.map((id) => MSG.summary.missingCell(id))]));
  }
  return out.join('\n');
}
