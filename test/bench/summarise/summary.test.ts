import { describe, it, expect } from 'vitest';
import { forksLabel } from '../../../bench/present/format.js';
import { cellBootstrap, forkSamples, NOISE_RME_PCT, summarize, summarizeCell, UNSTABLE_RATIO } from '../../../bench/summarise/summary.js';
import type { ResultLine } from '../../../bench/store/results.js';
import { percentileInterval, ratioCI } from '../../../bench/summarise/stats.js';
import { line } from '../../helpers/fakes.js';

const FORKS = 3;
const CTX = { runId: 'r', matrixHash: 'h', baseline: 'base', forks: FORKS, expected: [] as string[] };

/** Fork `fork` of a cell: `n` samples from `ns` (its figure, the fastest) to 2% above. */
function fork(tracker: string, k: number, ns: number, over: Partial<ResultLine> = {}, n = 10): ResultLine {
  return line({ tracker, fork: k, forks: FORKS, samplesNs: Array.from({ length: n }, (_, i) => ns * (1 + (0.02 * i) / (n - 1))), ...over });
}

/** Lines of one group at `size`: null at 500 ns, base at 1000 ns, good at `goodNs`; three forks each (fork k ±0.5%). */
function group(size: number, goodNs: number, ops = 100): ResultLine[] {
  const out: ResultLine[] = [];
  for (let k = 0; k < FORKS; k++)
    for (const [tracker, ns] of [
      ['null', 500],
      ['base', 1000],
      ['good', goodNs],
    ] as const)
      out.push(fork(tracker, k, ns * (1 + 0.005 * (k - 1)), { size, ops, cellId: `w/${size}/1/${tracker}`, groupId: `w/${size}/1` }));
  return out;
}

describe('cell summaries: the fork is the unit', () => {
  it('medianNs is the median of the fork figures (each fork\'s fastest sample), not of the pooled samples; descriptive figures over all samples', () => {
    // Fork 0 has many fast samples; pooled, the median would be 100.
    const lines = [
      fork('good', 2, 310, {}, 3),
      line({ tracker: 'good', fork: 0, forks: 3, samplesNs: Array.from({ length: 9 }, () => 100) }),
      fork('good', 1, 300, {}, 3),
    ];
    const c = summarizeCell(lines, 'base', 3);
    expect(c.forkFiguresNs).toEqual([100, 300, 310]); // in fork order
    expect(c.medianNs).toBe(300);
    expect(c.forks).toBe(3);
    expect(c.samples).toBe(15);
    expect(c.meanNs).toBeCloseTo((9 * 100 + 3 * 300 * 1.01 + 3 * 310 * 1.01) / 15, 6);
    // 100 ops at 100, 300 and 310 ns per replay: the harmonic mean of the fork throughputs.
    expect(c.hmeanOpsPerSec).toBeCloseTo(3 / (100e-9 / 100 + 300e-9 / 100 + 310e-9 / 100), 0);
    expect(c.opsPerSec).toBeCloseTo(100 / 300e-9, 0);
    expect(c.nsPerOp).toBeCloseTo(3, 12);
    expect(c.forkSpread).toBeCloseTo(((310 - 100) / 300) * 100, 9);
    expect(c.unstable).toBe(true);
  });

  it('the interval is the two-level bootstrap of that median; rme is half its width ÷ the median, percent', () => {
    const lines = [0, 1, 2, 3, 4].map((k) => fork('good', k, 1000 * (1 + 0.01 * k)));
    const c = summarizeCell(lines, 'base', 5);
    const ci = percentileInterval(cellBootstrap(lines, c.cellId)!.draws);
    expect(c.medianNs).toBeCloseTo(1020, 9);
    expect(c.medianLowNs).toBe(ci.low);
    expect(c.medianHighNs).toBe(ci.high);
    expect(c.medianLowNs!).toBeLessThan(c.medianNs!);
    expect(c.medianHighNs!).toBeGreaterThan(c.medianNs!);
    expect(c.rme).toBeCloseTo(((ci.high - ci.low) / 2 / c.medianNs!) * 100, 12);
    expect(c.rme!).toBeGreaterThan(0.3); // the forks (1000…1040) dominate, not the 2% spread of the samples
    expect(c.unstable).toBe(false);
  });

  it(`unstable when the slowest fork figure exceeds the fastest by more than ×${UNSTABLE_RATIO}`, () => {
    const cell = (...ns: number[]) => summarizeCell(ns.map((x, k) => line({ tracker: 'good', fork: k, forks: ns.length, samplesNs: [x, x, x] })), 'base', ns.length);
    expect(cell(100, 120).unstable).toBe(false);
    expect(cell(100, 121).unstable).toBe(true);
    expect(cell(121, 100, 110).unstable).toBe(true);
    expect(cell(100).unstable).toBe(false);
    expect(forksLabel(cell(100, 110, 105))).toBe('3');
    expect(forksLabel(cell(100, 135, 110))).toBe('3 UNSTABLE ×1.35');
  });

  it('forks without timing count against the plan; warm-up figures are medians over the forks', () => {
    const lines = [
      fork('good', 0, 1000, { warmup: { replays: 10, ms: 30, firstMs: 2, steady: true, lastMedianNs: 1000 } }),
      fork('good', 1, 1000, { warmup: { replays: 20, ms: 50, firstMs: 2, steady: false, lastMedianNs: 1000 } }),
      fork('good', 2, 0, { stats: null, warmup: null, validity: 'errored', error: 'Error: boom' }),
    ];
    const c = summarizeCell(lines, 'base', 3);
    expect(c).toMatchObject({ forks: 2, forksPlanned: 3, validity: 'errored', error: 'Error: boom', warmupReplays: 15, warmupMs: 40, warmupSteadyShare: 0.5 });
    expect(forksLabel(c)).toBe('2/3');
    expect(forkSamples(lines)).toHaveLength(2);
  });
});

describe('run summaries', () => {
  it('ratios to the baseline with two-level intervals, harness and null shares, missing cells', () => {
    const lines = [...group(16, 800), ...group(64, 800), ...group(256, 800)];
    // A cell with only two of its three forks is missing.
    const partial = lines.filter((l) => !(l.cellId === 'w/256/1/good' && l.fork === 2));
    const s = summarize(partial, { ...CTX, expected: [...new Set(lines.map((l) => l.cellId)), 'w/1024/1/good'] });
    const good16 = s.cells.find((c) => c.cellId === 'w/16/1/good')!;
    expect(good16.role).toBe('tracker');
    expect(good16.vsBaseline!.ratio).toBeCloseTo(0.8, 9);
    const byCell = (id: string) => lines.filter((l) => l.cellId === id);
    expect(good16.vsBaseline).toEqual(ratioCI(cellBootstrap(byCell('w/16/1/good'), 'w/16/1/good')!, cellBootstrap(byCell('w/16/1/base'), 'w/16/1/base')!));
    expect(good16.vsBaseline!.low).toBeLessThan(0.8);
    expect(good16.vsBaseline!.high).toBeGreaterThan(0.8);
    expect(s.cells.find((c) => c.cellId === 'w/16/1/base')!.vsBaseline!.ratio).toBe(1);
    expect(good16.harnessShare).toBeCloseTo(10 / 800, 9);
    expect(good16.nullShare).toBeCloseTo(500 / 800, 9);
    expect(s.harness.emptyNsPerOpMedian).toBeCloseTo(0.1, 9);
    expect(s.complete).toBe(false);
    expect(s.missing).toEqual(['w/256/1/good', 'w/1024/1/good']);
    expect(s.counts).toEqual({ valid: 6, invalid: 0, errored: 0, unchecked: 3 });
    expect(s.rmeMedian).toBeGreaterThan(0);
    expect(s.unstable).toEqual([]);
    expect(s.nullNotFastest).toEqual([]);
    expect(s.warmup).toEqual({ replaysMedian: 5, msMedian: 2, steadyShare: 1 });
  });

  it('lists unstable cells, and groups where the null tracker is not the fastest', () => {
    const lines = [
      ...group(16, 800),
      // At size 64, good beats null (400 < 500): the sanity check fails there.
      ...group(64, 400),
    ].map((l) => (l.cellId === 'w/16/1/base' && l.fork === 1 ? fork('base', 1, 1300, { cellId: l.cellId, groupId: l.groupId, size: 16 }) : l));
    const s = summarize(lines, CTX);
    expect(s.unstable).toEqual(['w/16/1/base']);
    expect(s.nullNotFastest).toEqual([{ groupId: 'w/64/1', faster: [{ tracker: 'good', ratio: expect.closeTo(0.8, 9) }] }]);
  });

  it('fits a complexity class per tracker across sizes', () => {
    const lines = [...group(16, 16 * 100), ...group(64, 64 * 100), ...group(256, 256 * 100), ...group(1024, 1024 * 100)];
    const s = summarize(lines, CTX);
    const good = s.complexity.find((c) => c.tracker === 'good')!;
    expect(good.sizes).toEqual([16, 64, 256, 1024]);
    expect(good.fit!.class).toBe('O(n)');
    expect(s.complexity.find((c) => c.tracker === 'base')!.fit!.class).toBe('O(1)');
  });


  it('tracker-only cost: the cell minus the null tracker fork by fork (paired), with its interval, per op', () => {
    // Fork k of null and of good drift together (1.0, 1.1, 1.2): paired, the differences are steady.
    const drift = [1, 1.1, 1.2];
    const lines = [0, 1, 2].flatMap((k) => [fork('null', k, 500 * drift[k]!, { ops: 100 }), fork('base', k, 1000 * drift[k]!, { ops: 100 }), fork('good', k, 800 * drift[k]!, { ops: 100 })]);
    const s = summarize(lines, CTX);
    const good = s.cells.find((c) => c.tracker === 'good')!;
    expect(good.trackerNsPerOp).toBeCloseTo(((800 - 500) * 1.1) / 100, 6);
    expect(good.trackerNsPerOpLow!).toBeLessThanOrEqual(good.trackerNsPerOp!);
    expect(good.trackerNsPerOpHigh!).toBeGreaterThanOrEqual(good.trackerNsPerOp!);
    expect(good.trackerNsPerOpLow!).toBeGreaterThan(2.5);
    expect(good.trackerNsPerOpHigh!).toBeLessThan(3.8);
    expect(s.cells.find((c) => c.tracker === 'null')!.trackerNsPerOp).toBeNull();
    // Without the null tracker there is nothing to subtract.
    expect(summarize(lines.filter((l) => l.tracker !== 'null'), CTX).cells.every((c) => c.trackerNsPerOp === null)).toBe(true);
  });

  it('modeled bytes without the page tables, per live reservation; a JS-bytes reading near zero is flagged', () => {
    const mem = (modeledBytes: number, pageTableBytes: number | undefined, jsBytes: number) => ({ memory: { modeledBytes, ...(pageTableBytes !== undefined ? { pageTableBytes } : {}), jsBytes, gcCount: 0, gcPauseMs: 0 } });
    const s = summarize(
      [
        fork('good', 0, 800, { peakReservations: 4, ...mem(8192 + 256, 8192, 20_000) }),
        fork('base', 0, 900, { peakReservations: 4, ...mem(8192 + 256, 8192, 300) }),
        fork('old', 0, 900, { peakReservations: undefined, ...mem(8192, undefined, 20_000) }),
      ],
      { ...CTX, forks: 1 },
    );
    const [good, base, old] = s.cells;
    expect(good).toMatchObject({ trackerModeledBytes: 256, peakReservations: 4, bytesPerReservation: 64, jsBytesSuspect: false });
    expect(base!.jsBytesSuspect).toBe(true);
    // Lines written before these figures were recorded: unknown, not zero.
    expect(old).toMatchObject({ trackerModeledBytes: null, peakReservations: null, bytesPerReservation: null });
  });

  it('says why its figures are noisy: rme above the threshold, a load change, unstable cells, null not the fastest', () => {
    const calm = summarize([...group(16, 800)], { ...CTX, load: { start: 0.2, end: 0.4 } });
    expect(calm.noise).toEqual([]);
    expect(calm.load).toEqual({ start: 0.2, end: 0.4 });
    const loaded = summarize([...group(16, 800)], { ...CTX, load: { start: 0.2, end: 1.5 } });
    expect(loaded.noise).toEqual([{ kind: 'load', start: 0.2, end: 1.5 }]);
    // Forks 30% apart: a wide interval (rme above the threshold) and an unstable cell.
    const wide = [0, 1, 2].flatMap((k) => [fork('null', k, 100), fork('base', k, 1000 * [1, 1.3, 1][k]!), fork('good', k, 900 * [1, 1.3, 0.9][k]!)]);
    const noisy = summarize(wide, CTX);
    expect(noisy.rmeMedian!).toBeGreaterThan(NOISE_RME_PCT);
    expect(noisy.noise.map((r) => r.kind)).toEqual(['rme', 'unstable']);
    const slowNull = summarize([...group(16, 400)], CTX);
    expect(slowNull.noise).toEqual([{ kind: 'null-not-fastest', groups: ['w/16/1'] }]);
  });

  it('fits the tracker-only cost across sizes too (net of the null tracker)', () => {
    // null and base constant per op; good's own cost grows as n on top of the null tracker's.
    const lines = [16, 64, 256, 1024].flatMap((n) => group(n, 500 + n * 10));
    const good = summarize(lines, CTX).complexity.find((c) => c.tracker === 'good')!;
    expect(good.trackerNsPerOp.map((x) => Math.round(x!))).toEqual([2, 6, 26, 102]);
    expect(good.trackerFit!.class).toBe('O(n)');
  });
});
