/**
 * results.csv: a header and one row per cell, the column model's CSV view
 * (RFC 4180 quoting; lists space-separated; numbers to nine significant
 * digits).
 */
import type { RunSummary } from '../summarise/summary.js';
import { columnsFor, hasSmp } from './columns.js';

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const num = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(9))));
  const s = typeof v === 'number' ? num(v) : Array.isArray(v) ? v.map((x) => num(x as number)).join(' ') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header names, in order (with the SMP columns after the others for a run with SMP cells). */
export function csvHeader(smp = false): string[] {
  return columnsFor('csv', smp).map((c) => c.csv!);
}

/** results.csv of a run. */
export function formatCsv(s: RunSummary): string {
  const cols = columnsFor('csv', hasSmp(s.cells));
  const rows = [cols.map((c) => c.csv!).join(',')];
  for (const cell of s.cells) rows.push(cols.map((c) => csvField(c.value!(cell))).join(','));
  return rows.join('\n') + '\n';
}
