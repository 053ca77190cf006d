import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCompareCommand } from '../../../bench/commands/compare.js';
import { compareMark, formatCompare } from '../../../bench/present/compare.js';
import { compareLines, unsafeRuns } from '../../../bench/summarise/compare.js';
import { FILES, type ResultLine } from '../../../bench/store/results.js';
import { bootstrapForks, ratioCI } from '../../../bench/summarise/stats.js';
import { Rng } from '../../../workloads/rng.js';
import { line, sink } from '../../helpers/fakes.js';

const FORKS = 5;

interface RunShape {
  /** Scale of a tracker's times. */
  factor?: (tracker: string) => number;
  /** Relative spread of a fork's level around its cell's (the JIT lottery: each fork compiles its own way). */
  forkSigma?: number;
  /** Relative noise of samples within a fork. */
  sampleSigma?: number;
  trackers?: string[];
  /** Scale of every tracker's fork k (machine drift during block k). */
  drift?: (fork: number) => number;
  /** Explicit fork levels of a tracker (overrides the lottery). */
  levels?: (tracker: string) => number[] | undefined;
}

/** Lines of one run: 5 forks per cell of 40 lognormal samples each, seeded. */
function run(seed: number, o: RunShape = {}): ResultLine[] {
  const u = new Rng(seed);
  const z = (): number => Math.sqrt(-2 * Math.log(1 - u.next())) * Math.cos(2 * Math.PI * u.next());
  const { factor = () => 1, forkSigma = 0.01, sampleSigma = 0.01, trackers = ['a', 'b', 'c', 'd'], drift = () => 1, levels = () => undefined } = o;
  const out: ResultLine[] = [];
  for (let k = 0; k < FORKS; k++)
    for (const tracker of trackers) {
      const level = (levels(tracker)?.[k] ?? Math.exp(forkSigma * z())) * 10_000 * factor(tracker) * drift(k);
      const xs = Array.from({ length: 40 }, () => level * Math.exp(sampleSigma * z()));
      out.push(line({ tracker, fork: k, forks: FORKS, position: 0, samplesNs: xs }));
    }
  return out;
}

function writeRun(dir: string, lines: ResultLine[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FILES.lines), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const manifest = { schemaVersion: 3, runId: 'r', matrixHash: 'h', createdAt: 'a', resumedAt: [], finishedAt: 'b', matrix: { baseline: 'a', forks: FORKS, groups: [] }, groupIds: [] };
  writeFileSync(join(dir, FILES.manifest), JSON.stringify(manifest));
  return dir;
}

describe('compare (forks as the unit)', () => {
  it('A/A: two runs with forks drawn from the same distribution flag nothing and exit 0', () => {
    for (const [b, h] of [
      [1, 2],
      [3, 4],
      [5, 6],
    ]) {
      const c = compareLines(run(b!, { forkSigma: 0.03 }), run(h!, { forkSigma: 0.03 }), { base: 'A', head: 'A2' });
      expect(c.rows).toHaveLength(4);
      expect(c.regressions).toBe(0);
      expect(c.exitCode).toBe(0);
      for (const r of c.rows) {
        expect(r).toMatchObject({ baseForks: 5, headForks: 5, regression: false, unstable: false });
        expect(r.ratio!.low).toBeLessThan(1.05);
        expect(r.ratio!.high).toBeGreaterThan(0.95);
      }
    }
  });

  it('a 30% slowdown across all forks is a regression (exit 1); a 3% one is significant but below the 5% threshold; a speed-up is marked', () => {
    const head = run(2, { factor: (t) => (t === 'a' ? 1.3 : t === 'b' ? 1.03 : t === 'c' ? 0.8 : 1) });
    const c = compareLines(run(1), head, { base: 'B', head: 'H' });
    const by = new Map(c.rows.map((r) => [r.tracker, r]));
    expect(by.get('a')).toMatchObject({ significant: true, change: 'slower', regression: true });
    expect(by.get('a')!.p).toBeLessThan(1e-4);
    expect(by.get('a')!.ratio!.ratio).toBeCloseTo(1.3, 1);
    expect(by.get('a')!.ratio!.low).toBeGreaterThan(1.05);
    expect(by.get('b')).toMatchObject({ significant: true, change: 'slower', regression: false });
    expect(by.get('c')).toMatchObject({ significant: true, change: 'faster', regression: false });
    expect(by.get('d')).toMatchObject({ significant: false, change: 'same' });
    expect(c.exitCode).toBe(1);
    expect(c.regressions).toBe(1);
    // A higher threshold forgives the 30% slowdown; a lower one catches the 3%.
    expect(compareLines(run(1), head, { base: 'B', head: 'H' }, { threshold: 0.5 }).exitCode).toBe(0);
    expect(compareLines(run(1), head, { base: 'B', head: 'H' }, { threshold: 0.005 }).regressions).toBe(2);
    const text = formatCompare(c);
    expect(text).toMatch(/w\/16\/1\/a .* 1\.[23]\d \[1\.\d\d, 1\.\d\d\] +5\/5 +<0\.0001 +!! slower/);
    expect(text).toMatch(/- faster/);
    expect(text).toMatch(/verdict: REGRESSION \(exit status 1\)/);
  });

  it('forks that disagree between runs (the JIT lottery) are not a change, though their pooled samples would be', () => {
    const levels = (k: number[]) => () => k;
    const base = run(1, { trackers: ['a'], levels: levels([1.0, 1.06, 0.95, 1.02, 0.98]) });
    const head = run(2, { trackers: ['a'], levels: levels([1.04, 0.99, 1.07, 1.05, 1.03]) });
    const c = compareLines(base, head, { base: 'B', head: 'H' });
    expect(c.rows[0]!.significant).toBe(false);
    expect(c.rows[0]!.p!).toBeGreaterThan(0.05);
    expect(c.rows[0]!.ratio!.low).toBeLessThan(1);
    expect(c.exitCode).toBe(0);
    // The same samples pooled as if from one isolate each: an interval that excludes 1.
    const pooled = (ls: ResultLine[]) => bootstrapForks([ls.flatMap((l) => l.stats!.samplesNs)]);
    expect(ratioCI(pooled(head), pooled(base)).low).toBeGreaterThan(1);
  });

  it('a cell whose forks disagree within a run is marked unstable, in the rows, the marks and the footer', () => {
    const base = run(1, { levels: (t) => (t === 'c' ? [1, 1.4, 1, 1, 1.4] : undefined) });
    const c = compareLines(base, run(2), { base: 'B', head: 'H' });
    expect(c.rows.filter((r) => r.unstable).map((r) => r.tracker)).toEqual(['c']);
    expect(c.unstable).toBe(1);
    const row = c.rows.find((r) => r.tracker === 'c')!;
    expect(compareMark(row)).toMatch(/unstable$/);
    expect(compareMark(c.rows.find((r) => r.tracker === 'a')!)).not.toMatch(/unstable/);
    expect(formatCompare(c)).toMatch(/note: 1 cell marked unstable/);
    // Its interval is honest about the disagreement: wide.
    expect(row.ratio!.high - row.ratio!.low).toBeGreaterThan(0.2);
  });

  it('--normalize null divides each fork by the null fork of its block: cancels machine drift, still sees the tracker', () => {
    const trackers = ['null', 'a', 'b'];
    const base = run(1, { trackers, drift: (k) => [1, 1.05, 0.97, 1.02, 0.99][k]! });
    // The whole machine is 30% slower in HEAD, drifting per block; tracker b is also 20% slower on its own.
    const head = run(2, { trackers, factor: (t) => (t === 'b' ? 1.3 * 1.2 : 1.3), drift: (k) => [1.02, 0.96, 1.04, 1.0, 1.08][k]! });
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

  it('regressions are FDR-controlled: q ≥ p for every tested cell; no test with fewer than two forks a side', () => {
    const rows = compareLines(run(1), run(2, { factor: (t) => (t === 'a' ? 1.2 : 1) }), { base: 'B', head: 'H' }).rows;
    for (const r of rows) expect(r.q).toBeGreaterThanOrEqual(r.p!);
    const one = (ls: ResultLine[]) => ls.filter((l) => l.fork === 0);
    const single = compareLines(one(run(1)), one(run(2, { factor: () => 1.5 })), { base: 'B', head: 'H' });
    for (const r of single.rows) {
      expect(r).toMatchObject({ baseForks: 1, headForks: 1, p: null, q: null, significant: false, regression: false });
      expect(r.ratio!.ratio).toBeCloseTo(1.5, 1);
    }
  });

  it('a cell that loses correctness fails the comparison; cells in one run only are listed', () => {
    const base = run(1);
    const head = run(2, { trackers: ['a', 'b', 'c', 'e'] }).map((l) => (l.tracker === 'b' ? { ...l, validity: 'invalid' as const } : l));
    const c = compareLines(base, head, { base: 'B', head: 'H' });
    expect(c.brokeCorrectness).toBe(1);
    expect(c.exitCode).toBe(1);
    expect(c.onlyBase).toEqual(['w/16/1/d']);
    expect(c.onlyHead).toEqual(['w/16/1/e']);
    expect(formatCompare(c)).toMatch(/w\/16\/1\/b .*INVALID/);
  });

  it('runCompareCommand reads run folders; exit codes 0 and 1; bad options are InputErrors', () => {
    const root = mkdtempSync(join(tmpdir(), 'mb-cmp-'));
    const base = writeRun(join(root, 'base'), run(1));
    const same = writeRun(join(root, 'same'), run(3));
    writeRun(join(root, 'slow'), run(4, { factor: () => 1.5 }));
    expect(runCompareCommand(base, same, {}, root, sink().stream)).toBe(0);
    const out = sink();
    expect(runCompareCommand('base', 'slow', {}, root, out.stream)).toBe(1);
    expect(out.text()).toMatch(/the unit is the fork/);
    expect(out.text()).toMatch(/4 of 4 cells changed significantly \(100\.0%\); 4 regressions beyond 5\.0%/);
    expect(() => runCompareCommand(base, join(root, 'missing'), {}, root, sink().stream)).toThrow(/no run/);
    expect(() => compareLines([], [], { base: 'a', head: 'b' }, { alpha: 2 })).toThrow(/--alpha/);
    expect(() => compareLines([], [], { base: 'a', head: 'b' }, { threshold: -1 })).toThrow(/threshold/);
  });

  it("says when a run's noise makes the verdict unsafe: a median ±95% above the threshold, a load change, a slow null tracker", () => {
    const quiet = { rmeMedian: 1.5, noise: [] };
    expect(unsafeRuns([{ name: 'B', summary: quiet }, { name: 'H', summary: quiet }], 5)).toEqual([]);
    const wide = { rmeMedian: 8, noise: [{ kind: 'rme' as const, medianPct: 8, thresholdPct: 5 }, { kind: 'unstable' as const, cells: ['w/16/1/a'] }] };
    const loaded = { rmeMedian: 2, noise: [{ kind: 'load' as const, start: 0.1, end: 3.2 }] };
    const u = unsafeRuns([{ name: 'B', summary: wide }, { name: 'H', summary: loaded }], 5);
    // Unstable cells are marked per cell, not here; a 5% threshold cannot be judged on ±8% figures.
    expect(u).toEqual([
      { run: 'B', rmeMedian: 8, rmeTooWide: true, needPct: 5, reasons: [] },
      { run: 'H', rmeMedian: 2, rmeTooWide: false, needPct: 5, reasons: [{ kind: 'load', start: 0.1, end: 3.2 }] },
    ]);
    const c = { ...compareLines(run(1), run(2), { base: 'B', head: 'H' }), unsafe: u };
    const text = formatCompare(c);
    expect(text).toContain("note: B's noise makes this verdict unsafe: its median ±95% is 8.0%, more than the 5% to tell apart");
    expect(text).toContain("note: H's noise makes this verdict unsafe: the load average went from 0.1 to 3.2 during the run");
    expect(text).toMatch(/verdict: no confident regression \(exit status 0\), but see the notes: not a safe verdict$/m);
  });
});
