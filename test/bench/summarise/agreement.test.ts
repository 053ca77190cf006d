/**
 * bench/summarise/agreement.ts (and its text and command): do two runs of one matrix agree (time ÷ baseline per
 * tracker cell: intervals overlapping and ratios within 10%, no cell
 * significant in opposite directions)?
 */
import { describe, it, expect } from 'vitest';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAgreementCommand } from '../../../bench/commands/agreement.js';
import { formatAgreement } from '../../../bench/present/compare.js';
import { agreement, AGREEMENT_TOLERANCE } from '../../../bench/summarise/agreement.js';
import type { ResultLine } from '../../../bench/store/results.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { line, sink } from '../../helpers/fakes.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/results/fixture-run', import.meta.url));

/** A run's summary: per tracker, three forks of samples around `ns` (fork k ±0.5%). */
function runOf(ns: Record<string, number>): ReturnType<typeof summarize> {
  const lines: ResultLine[] = [];
  for (const [tracker, x] of Object.entries(ns))
    for (let k = 0; k < 3; k++) {
      const m = x * (1 + 0.005 * (k - 1));
      lines.push(line({ tracker, fork: k, forks: 3, samplesNs: Array.from({ length: 10 }, (_, i) => m * (0.995 + 0.001 * i)) }));
    }
  return summarize(lines, { runId: 'r', matrixHash: 'h', baseline: 'base', forks: 3, expected: [] });
}

describe('agreement', () => {
  it('two runs alike: every tracker cell consistent, none contradictory; null and the baseline are not counted', () => {
    const a = runOf({ null: 500, base: 1000, good: 800, slow: 1300 });
    const b = runOf({ null: 520, base: 1010, good: 805, slow: 1310 });
    const g = agreement(a, b);
    expect(g.rows.map((r) => r.cellId)).toEqual(['w/16/1/good', 'w/16/1/slow']);
    expect(g.rows.every((r) => r.overlap && r.consistent && !r.contradictory && !r.unstable)).toBe(true);
    expect(g).toMatchObject({ consistentShare: 1, contradictory: 0, tolerance: AGREEMENT_TOLERANCE });
    expect(g.medianDrift!).toBeLessThan(0.01);
    const text = formatAgreement(g, { a: 'A', b: 'B' });
    expect(text).toBe(
      [
        'agreement of A and B: 2 tracker cells in both (time ÷ baseline, < 1 = faster)',
        'consistent (intervals overlap, ratios within 10%): 2 of 2 = 100.0%',
        'contradictory (significant in opposite directions): 0',
        `median |r1/r2 − 1|: ${(g.medianDrift! * 100).toFixed(2)}% (max ${(g.maxDrift! * 100).toFixed(1)}%)`,
        '',
      ].join('\n'),
    );
  });

  it('a cell faster in one run and slower in the other is contradictory; disjoint intervals or ratios > 10% apart are inconsistent', () => {
    const a = runOf({ null: 500, base: 1000, flip: 800, far: 1000, near: 1300 });
    const b = runOf({ null: 500, base: 1000, flip: 1250, far: 1000 * 1.15, near: 1310 });
    const g = agreement(a, b);
    const by = new Map(g.rows.map((r) => [r.cellId.split('/').pop(), r]));
    expect(by.get('flip')).toMatchObject({ contradictory: true, consistent: false, overlap: false });
    expect(by.get('flip')!.drift).toBeCloseTo(Math.abs(0.8 / 1.25 - 1), 9);
    expect(by.get('far')).toMatchObject({ contradictory: false, consistent: false });
    expect(by.get('far')!.drift).toBeGreaterThan(0.1);
    expect(by.get('near')).toMatchObject({ contradictory: false, consistent: true });
    expect(g.consistentShare).toBeCloseTo(1 / 3, 12);
    expect(g.contradictory).toBe(1);
    const text = formatAgreement(g, { a: 'A', b: 'B' });
    expect(text).toMatch(/ {2}w\/16\/1\/flip: 0\.800 \[.*\] vs 1\.25 \[.*\] — CONTRADICTORY, intervals disjoint, ratios 36\.0% apart/);
    expect(text).toMatch(/ {2}w\/16\/1\/far: 1\.00 \[.*\] vs 1\.15 \[.*\] — intervals disjoint, ratios 13\.0% apart$/m);
    expect(text).not.toMatch(/w\/16\/1\/near:/);
    expect(text).toContain('contradictory (significant in opposite directions): 1');
    // A looser tolerance forgives the ratios, not the disjoint intervals.
    expect(agreement(a, b, 0.5).rows.find((r) => r.cellId.endsWith('/far'))!.consistent).toBe(false);
  });

  it('cells in one run only, or without a ratio, are left out; no rows, no figures', () => {
    const g = agreement(runOf({ base: 1000, good: 800 }), runOf({ base: 1000, other: 800 }));
    expect(g).toMatchObject({ rows: [], consistentShare: null, medianDrift: null, maxDrift: null, contradictory: 0 });
  });

  it('runAgreementCommand: a run and its copy agree entirely (exit 0)', () => {
    const root = mkdtempSync(join(tmpdir(), 'mb-agree-'));
    cpSync(FIXTURE, join(root, 'one'), { recursive: true });
    cpSync(FIXTURE, join(root, 'two'), { recursive: true });
    const out = sink();
    expect(runAgreementCommand('one', 'two', AGREEMENT_TOLERANCE, root, out.stream)).toBe(0);
    // 6 groups × 2 tracker cells, less the errored one (no ratio; the invalid one has one).
    expect(out.text()).toMatch(/^agreement of one and two: 11 tracker cells in both/);
    expect(out.text()).toContain('= 100.0%');
    expect(out.text()).toContain('median |r1/r2 − 1|: 0.00% (max 0.0%)');
    expect(() => runAgreementCommand('one', 'nope', AGREEMENT_TOLERANCE, root, sink().stream)).toThrow(/no run "nope"/);
  });

  it('says when the runs are too noisy to judge agreement at the tolerance', () => {
    const a = runOf({ null: 500, base: 1000, good: 800 });
    const b = { ...runOf({ null: 500, base: 1000, good: 805 }), rmeMedian: 14 };
    const g = agreement(a, b, AGREEMENT_TOLERANCE, { a: 'A', b: 'B' });
    expect(g.unsafe).toEqual([{ run: 'B', rmeMedian: 14, rmeTooWide: true, needPct: 10, reasons: [] }]);
    expect(formatAgreement(g, { a: 'A', b: 'B' })).toContain("note: B's noise makes this verdict unsafe: its median ±95% is 14.0%, more than the 10% to tell apart");
    expect(agreement(a, a).unsafe).toEqual([]);
  });
});
