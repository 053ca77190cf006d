/**
 * A comparison of two runs and the agreement of two runs, rendered: one
 * column model for the comparison (the terminal table of `compare` and the
 * report's comparison section), the facts and notes the messages word, and
 * the agreement's text.
 */
import { MSG, ratioText, ratioTitle, type CompareFacts } from '../messages.js';
import type { Agreement } from '../summarise/agreement.js';
import type { CompareResult, CompareRow, UnsafeRun } from '../summarise/compare.js';
import { alignedTable } from './text-table.js';

/**
 * The mark of a row: `!!` regression beyond the threshold (FDR-controlled),
 * `+` significantly slower, `-` significantly faster, `INVALID` broken
 * correctness; `unstable` appended when either run's forks disagree.
 */
export function compareMark(r: CompareRow): string {
  const mark = r.brokeCorrectness ? 'INVALID' : r.regression ? '!! slower' : r.change === 'slower' ? '+ slower' : r.change === 'faster' ? '- faster' : '';
  return r.unstable ? `${mark}${mark ? ' ' : ''}unstable` : mark;
}

const fmtP = (x: number | null): string => (x === null ? '-' : x < 1e-4 ? '<0.0001' : x.toFixed(4));
const perOp = (ns: number | null, ops: number | null): string => (ns !== null && ops ? (ns / ops).toFixed(1) : '-');

/** One column of the comparison. */
export interface CompareColumn {
  title: string;
  text: (r: CompareRow) => string;
  right: boolean;
  /** Only in the report (the terminal table is narrower). */
  reportOnly?: boolean;
}

/** The comparison's columns. */
export const COMPARE_COLUMNS: readonly CompareColumn[] = [
  { title: 'cell', text: (r) => r.cellId, right: false },
  { title: 'base ns/op', text: (r) => perOp(r.baseNs, r.ops), right: true },
  { title: 'head ns/op', text: (r) => perOp(r.headNs, r.ops), right: true },
  { title: `${ratioTitle('base')} [95%]`, text: (r) => ratioText(r.ratio), right: true },
  { title: 'forks base/head', text: (r) => `${r.baseForks}/${r.headForks}`, right: true },
  { title: 'p (Welch)', text: (r) => fmtP(r.p), right: true },
  { title: 'q (BH)', text: (r) => fmtP(r.q), right: true, reportOnly: true },
  { title: 'significant', text: (r) => (r.significant ? 'yes' : 'no'), right: false, reportOnly: true },
  { title: 'validity base → head', text: (r) => `${r.baseValidity ?? '-'} → ${r.headValidity ?? '-'}`, right: false, reportOnly: true },
  { title: 'mark', text: compareMark, right: false },
];

/** The plain values of a comparison's header and footer. */
export function compareFacts(c: CompareResult): CompareFacts {
  return {
    base: c.base,
    head: c.head,
    rows: c.rows.length,
    normalize: c.options.normalize === 'null',
    alpha: c.options.alpha,
    minEffect: c.options.minEffect,
    threshold: c.options.threshold,
    matrixDiffers: c.matrixDiffers,
    onlyBase: c.onlyBase,
    onlyHead: c.onlyHead,
    significant: c.significant,
    significantShare: c.rows.length > 0 ? c.significant / c.rows.length : 0,
    regressions: c.regressions,
    brokeCorrectness: c.brokeCorrectness,
    unstable: c.unstable,
    exitCode: c.exitCode,
  };
}

/** The notes saying which run's noise makes a verdict unsafe, and why. */
export function unsafeTexts(unsafe: readonly UnsafeRun[]): string[] {
  return unsafe.map((u) => MSG.noise.unsafe({ run: u.run, tooWidePct: u.rmeTooWide ? u.rmeMedian : null, needPct: u.needPct, reasons: u.reasons.map((r) => MSG.noise.reason(r)) }));
}

/** The comparison as aligned text: the header, one row per cell, then the verdict. */
export function formatCompare(c: CompareResult): string {
  const cols = COMPARE_COLUMNS.filter((k) => !k.reportOnly);
  const f = compareFacts(c);
  const table = alignedTable(
    cols.map((k) => k.title),
    c.rows.map((r) => cols.map((k) => k.text(r))),
    cols.map((k) => k.right),
  );
  return `${MSG.compare.header(f)}\n${table}${MSG.compare.footer(f, unsafeTexts(c.unsafe)).join('\n')}\n`;
}

/** The agreement as text: the inconsistent cells, then the three figures and any unsafe note. */
export function formatAgreement(g: Agreement, names: { a: string; b: string }): string {
  const out = [MSG.agreement.header(names.a, names.b, g.rows.length)];
  for (const r of g.rows.filter((x) => !x.consistent || x.contradictory)) {
    const why = [
      ...(r.contradictory ? [MSG.agreement.contradictory()] : []),
      ...(!r.overlap ? [MSG.agreement.disjoint()] : []),
      ...(r.drift > g.tolerance ? [MSG.agreement.apart(r.drift)] : []),
      ...(r.unstable ? [MSG.agreement.unstable()] : []),
    ];
    out.push(MSG.agreement.row(r.cellId, ratioText(r.r1), ratioText(r.r2), why));
  }
  out.push(...MSG.agreement.figures(g.rows.filter((r) => r.consistent).length, g.rows.length, g.consistentShare, g.tolerance, g.contradictory, g.medianDrift, g.maxDrift));
  out.push(...unsafeTexts(g.unsafe));
  return out.join('\n') + '\n';
}
