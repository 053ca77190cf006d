/**
 * The summary table printed at the end of a run: one row per cell, aligned
 * columns, numbers with thousands separators.
 */
import { cellStatus } from './charts.js';
import type { CellRecord } from './results.js';

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer with thousands separators (`1,234,567`), `-` for null/NaN. Rounds to the nearest integer. */
export function formatCount(n: number | null): string {
  return n === null || !Number.isFinite(n) ? '-' : INTEGER.format(Math.round(n));
}

/** The valid column: `yes`, `INVALID` (digest differs or the cell failed) or `baseline`. */
export function validLabel(c: Pick<CellRecord, 'baseline' | 'valid'>): string {
  const s = cellStatus(c);
  return s === 'valid' ? 'yes' : s;
}

interface Column {
  title: string;
  align: 'left' | 'right';
  get(c: CellRecord): string;
}

const COLUMNS: Column[] = [
  { title: 'tracker', align: 'left', get: (c) => c.tracker },
  { title: 'workload', align: 'left', get: (c) => c.workload },
  { title: 'size', align: 'right', get: (c) => formatCount(c.size) },
  { title: 'ops/s', align: 'right', get: (c) => formatCount(c.opsPerSec) },
  { title: 'modeled bytes', align: 'right', get: (c) => formatCount(c.modeledBytes) },
  { title: 'valid', align: 'left', get: (c) => validLabel(c) },
];

/**
 * Formats the table: a header, a rule, one row per cell in the given order.
 * Columns are separated by two spaces; text left-aligned, numbers right-aligned;
 * no trailing spaces.
 * @returns the lines joined with `\n`, ending with `\n`
 */
export function formatTable(cells: readonly CellRecord[]): string {
  const rows = cells.map((c) => COLUMNS.map((col) => col.get(c)));
  const widths = COLUMNS.map((col, i) => Math.max(col.title.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]): string =>
    cols
      .map((v, i) => (COLUMNS[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}
