import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLines, formatCompare, runCompareCommand } from '../../bench/compare.js';
import { FILES, type ResultLine } from '../../bench/results.js';
import { createRng } from '../../bench/stats.js';
import { line, sink } from './fakes.js';

/**
 * Lines of one run: `factor(tracker)` scales the samples; lognormal noise σ
 * per sample, and `drift(round)` scales a whole round (machine load).
 */
function run(factor: (tracker: string) => number, seed: number, sigma = 0.02, trackers = ['a', 'b', 'c', 'd'], drift: (round: number) => number = () => 1): ResultLine[] {
  const u = createRng(seed);
  const z = (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const out: ResultLine[] = [];
  for (const tracker of trackers)
    for (let round = 0; round < 3; round++) {
      const xs = Array.from({ length: 60 }, () => 10_000 * factor(tracker) * drift(round) * Math.exp(sigma * z()));
      out.push(line({ tracker, round, rounds: 3, samplesNs: xs }));
    }
  return out;
}

function writeRun(dir: string, lines: ResultLine[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FILES.lines), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}

describe('compare', () => {
  it('A/A: the same distribution twice flags nothing and exits 0', () => {
    const c = compareLines(run(() => 1, 1), run(() => 1, 2), { base: 'A', head: 'A2' });
    expect(c.rows).toHaveLength(4);
    expect(c.significant).toBe(0);
    expect(c.exitCode).toBe(0);
    for (const r of c.rows) {
      expect(r.ratio!.low).toBeLessThan(1.01);
      expect(r.ratio!.high).toBeGreaterThan(0.99);
    }
  });

  it('a 20% slowdown is a regression (exit 1); a 3% one is significant but below the 5% threshold; a speed-up is marked', () => {
    const head = run((t) => (t === 'a' ? 1.2 : t === 'b' ? 1.03 : t === 'c' ? 0.8 : 1), 2);
    const c = compareLines(run(() => 1, 1), head, { base: 'B', head: 'H' });
    const by = new Map(c.rows.map((r) => [r.tracker, r]));
    expect(by.get('a')).toMatchObject({ significant: true, change: 'slower', regression: true });
    expect(by.get('a')!.p).toBeLessThan(1e-6);
    expect(by.get('a')!.ratio!.ratio).toBeCloseTo(1.2, 1);
    expect(by.get('b')).toMatchObject({ significant: true, change: 'slower', regression: false });
    expect(by.get('c')).toMatchObject({ significant: true, change: 'faster', regression: false });
    expect(by.get('d')).toMatchObject({ significant: false, change: 'same' });
    expect(c.exitCode).toBe(1);
    expect(c.regressions).toBe(1);
    // A higher threshold forgives the 20% slowdown; a lower one catches the 3%.
    expect(compareLines(run(() => 1, 1), head, { base: 'B', head: 'H' }, { threshold: 0.5 }).exitCode).toBe(0);
    expect(compareLines(run(() => 1, 1), head, { base: 'B', head: 'H' }, { threshold: 0.005 }).regressions).toBe(2);
    const text = formatCompare(c);
    expect(text).toMatch(/w\/16\/1\/a .* 1\.2\d\d \[.*\] +<0\.0001 +\S+ +!! slower/);
    expect(text).toMatch(/- faster/);
    expect(text).toMatch(/verdict: REGRESSION \(exit status 1\)/);
  });

  it('run-level drift that the raw samples cannot see is not flagged: the round medians must also differ', () => {
    const base = run(() => 1, 1, 0.01, ['a', 'b', 'c', 'd'], (r) => [1.0, 1.06, 0.95][r]!);
    const head = run(() => 1, 2, 0.01, ['a', 'b', 'c', 'd'], (r) => [1.04, 0.98, 1.07][r]!);
    const c = compareLines(base, head, { base: 'B', head: 'H' });
    for (const r of c.rows) {
      expect(r.p).toBeLessThan(0.05); // raw samples alone would flag it
      expect(r.pRounds).toBeGreaterThan(0.05);
      expect(r.significant).toBe(false);
    }
    expect(c.exitCode).toBe(0);
  });

  it('--normalize null cancels a machine-wide slowdown but still sees a slowdown of the tracker itself', () => {
    const trackers = ['null', 'a', 'b'];
    const base = run(() => 1, 1, 0.01, trackers, (r) => [1, 1.05, 0.97][r]!);
    // The whole machine is 30% slower in HEAD; tracker b is also 20% slower on its own.
    const head = run((t) => (t === 'b' ? 1.3 * 1.2 : 1.3), 2, 0.01, trackers, (r) => [1.02, 0.96, 1.04][r]!);
    const abs = compareLines(base, head, { base: 'B', head: 'H' });
    expect(abs.rows.filter((r) => r.change === 'slower').map((r) => r.tracker)).toEqual(['null', 'a', 'b']);
    const rel = compareLines(base, head, { base: 'B', head: 'H' }, { normalize: 'null' });
    expect(rel.rows.map((r) => r.tracker)).toEqual(['a', 'b']);
    const by = new Map(rel.rows.map((r) => [r.tracker, r]));
    expect(by.get('a')!.significant).toBe(false);
    expect(by.get('b')).toMatchObject({ significant: true, change: 'slower', regression: true });
    expect(by.get('b')!.ratio!.ratio).toBeCloseTo(1.2, 1);
    // Absolute times are still reported.
    expect(by.get('a')!.headNs! / by.get('a')!.baseNs!).toBeCloseTo(1.3, 1);
  });

  it('regressions are FDR-controlled: one borderline p among many cells is not a confident regression', () => {
    const rows = compareLines(run(() => 1, 1), run((t) => (t === 'a' ? 1.2 : 1), 2), { base: 'B', head: 'H' }).rows;
    for (const r of rows) expect(r.q).toBeGreaterThanOrEqual(Math.max(r.p!, r.pRounds ?? 0));
  });

  it('a cell that loses correctness fails the comparison; cells in one run only are listed', () => {
    const base = run(() => 1, 1);
    const head = run(() => 1, 2, 0.02, ['a', 'b', 'c', 'e']).map((l) => (l.tracker === 'b' ? { ...l, validity: 'invalid' as const } : l));
    const c = compareLines(base, head, { base: 'B', head: 'H' });
    expect(c.brokeCorrectness).toBe(1);
    expect(c.exitCode).toBe(1);
    expect(c.onlyBase).toEqual(['w/16/1/d']);
    expect(c.onlyHead).toEqual(['w/16/1/e']);
    expect(formatCompare(c)).toMatch(/w\/16\/1\/b .*INVALID/);
  });

  it('runCompareCommand reads run folders; exit codes 0 and 1; bad options are InputErrors', () => {
    const root = mkdtempSync(join(tmpdir(), 'mb-cmp-'));
    const base = writeRun(join(root, 'base'), run(() => 1, 1));
    const same = writeRun(join(root, 'same'), run(() => 1, 3));
    writeRun(join(root, 'slow'), run(() => 1.5, 4));
    expect(runCompareCommand(base, same, {}, root, sink().stream)).toBe(0);
    const out = sink();
    expect(runCompareCommand('base', 'slow', {}, root, out.stream)).toBe(1);
    expect(out.text()).toMatch(/4 of 4 cells changed significantly \(100\.0%\); 4 regressions beyond 5\.0%/);
    expect(() => runCompareCommand(base, join(root, 'missing'), {}, root, sink().stream)).toThrow(/no run/);
    expect(() => compareLines([], [], { base: 'a', head: 'b' }, { alpha: 2 })).toThrow(/--alpha/);
  });
});
