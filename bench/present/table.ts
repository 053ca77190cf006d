/**
 * The summary table printed at the end of a run: one row per cell, aligned
 * columns, numbers with thousands separators.
 */
import { fmtInt, forksLabel, validityLabel, type CellSummary } from '../summarise/summary.js';

/** An integer with thousands separators (`1,234,567`), `-` for null/NaN. Rounds to the nearest integer. */
export function formatCount(n: number | null): string {
  return fmtInt(n);
}

interface Column {
  title: string;
  align: 'left' | 'right';
  get(c: CellSummary): string;
}

function columns(baseline: string): Column[] {
  return [
    { title: 'tracker', align: 'left', get: (c) => c.tracker },
    { title: 'workload', align: 'left', get: (c) => c.workload },
    { title: 'size', align: 'right', get: (c) => formatCount(c.size) },
    { title: 'ops/s', align: 'right', get: (c) => formatCount(c.opsPerSec) },
    { title: '±95%', align: 'right', get: (c) => (c.rme === null ? '-' : `±${c.rme.toFixed(1)}%`) },
    {
      title: `time ÷ ${baseline.length > 14 ? 'baseline' : baseline}`,
      align: 'right',
      get: (c) => (c.role === 'baseline' ? '1' : c.vsBaseline ? `${c.vsBaseline.ratio.toFixed(2)} [${c.vsBaseline.low.toFixed(2)}-${c.vsBaseline.high.toFixed(2)}]` : '-'),
    },
    { title: 'modeled bytes', align: 'right', get: (c) => formatCount(c.modeledBytes) },
    { title: 'JS bytes', align: 'right', get: (c) => formatCount(c.jsBytes) },
    { title: 'forks', align: 'left', get: (c) => forksLabel(c) },
    { title: 'valid', align: 'left', get: (c) => validityLabel(c) },
  ];
}

/**
 * Formats the table: a header, a rule, one row per cell in the given order.
 * Columns are separated by two spaces; text left-aligned, numbers right-aligned;
 * no trailing spaces.
 * @param baseline the ratio reference (named in the ratio column's title)
 * @returns the lines joined with `\n`, ending with `\n`
 */
export function formatTable(cells: readonly CellSummary[], baseline: string): string {
  const cols = columns(baseline);
  const rows = cells.map((c) => cols.map((col) => col.get(c)));
  const widths = cols.map((col, i) => Math.max(col.title.length, ...rows.map((r) => r[i]!.length)));
  const line = (vals: string[]): string =>
    vals
      .map((v, i) => (cols[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(cols.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}
