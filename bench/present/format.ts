/**
 * Number and label formats shared by every rendering (terminal, Markdown,
 * CSV, HTML, charts): integers with thousands separators, fixed decimals,
 * percentages, the forks and validity labels, and the short tracker labels
 * of chart legends. Ratios are written by bench/messages.ts `ratioText`.
 */
import type { CellSummary } from '../summarise/summary.js';

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer with thousands separators, `-` for null. */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : INT.format(Math.round(n));
}

/** A number with `digits` decimals, `-` for null. */
export function fmtFixed(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits);
}

/** A fraction as a percentage with `digits` decimals. */
export function fmtPct(f: number | null | undefined, digits = 1): string {
  return f === null || f === undefined || !Number.isFinite(f) ? '-' : `${(f * 100).toFixed(digits)}%`;
}

/**
 * The forks column: `3` (forks timed), `2/3` when some were not,
 * `3 UNSTABLE ×1.35` when they disagree (slowest ÷ fastest fork figure).
 */
export function forksLabel(c: Pick<CellSummary, 'forks' | 'forksPlanned' | 'unstable' | 'forkFiguresNs'>): string {
  const n = c.forks === c.forksPlanned ? String(c.forks) : `${c.forks}/${c.forksPlanned}`;
  if (!c.unstable) return n;
  return `${n} UNSTABLE ×${(Math.max(...c.forkFiguresNs) / Math.min(...c.forkFiguresNs)).toFixed(2)}`;
}

/**
 * The validity label shown in tables: `yes`, `INVALID`, `ERROR`, `harness`
 * (the null tracker), `unchecked` (a module-loaded tracker timed with
 * `--no-verify`).
 */
export function validityLabel(c: Pick<CellSummary, 'validity' | 'role'>): string {
  const v = c.validity;
  return v === 'valid' ? 'yes' : v === 'invalid' ? 'INVALID' : v === 'errored' ? 'ERROR' : c.role === 'null' ? 'harness' : 'unchecked';
}

/**
 * A tracker as chart legends and the findings name it: the part(s) of its
 * composition that differ from `baseline` (`list`, `rbtree`, `whole-vma`,
 * `btree+tree`), `baseline` for the baseline itself; a name that is not a
 * composition of as many parts (`null`, `oracle`) is kept whole.
 */
export function partLabel(tracker: string, baseline: string): string {
  if (tracker === baseline) return 'baseline';
  const t = tracker.split('+');
  const b = baseline.split('+');
  if (t.length !== b.length || t.length < 2) return tracker;
  const differ = t.filter((p, i) => p !== b[i]);
  return differ.length === 0 ? tracker : differ.join('+');
}

/**
 * `partLabel` of each tracker, or the whole name where two trackers would
 * get the same label.
 */
export function partLabels(trackers: Iterable<string>, baseline: string): Map<string, string> {
  const names = [...new Set(trackers)];
  const labels = names.map((t) => partLabel(t, baseline));
  return new Map(names.map((t, i) => [t, labels.indexOf(labels[i]!) === labels.lastIndexOf(labels[i]!) ? labels[i]! : t]));
}
