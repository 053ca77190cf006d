import { describe, it, expect } from 'vitest';
import { CSV_COLUMNS, formatCsv, formatSummaryMd, summarize, summarizeCell } from '../../bench/summary.js';
import type { ResultLine } from '../../bench/results.js';
import { line } from './fakes.js';

const CTX = { runId: 'r', matrixHash: 'h', baseline: 'base', rounds: 2, expected: [] as string[] };

/** Lines of one group at `size`: base at 1000 ns, good at `goodNs`, null at 500 ns; two rounds. */
function group(size: number, goodNs: number, ops = 100): ResultLine[] {
  const out: ResultLine[] = [];
  for (const round of [0, 1])
    for (const [tracker, ns] of [
      ['null', 500],
      ['base', 1000],
      ['good', goodNs],
    ] as const)
      out.push(line({ tracker, size, round, rounds: 2, medianNs: ns, ops }));
  return out;
}

describe('summaries', () => {
  it('pools rounds: median of pooled samples, harmonic mean of round throughputs, round spread', () => {
    const a = line({ round: 0, samplesNs: [100, 100, 100] });
    const b = line({ round: 1, samplesNs: [300, 300, 300] });
    const c = summarizeCell([a, b], 'base', 2);
    expect(c.samples).toBe(6);
    expect(c.medianNs).toBe(200);
    expect(c.meanNs).toBe(200);
    // 100 ops at 100 ns and at 300 ns per replay: 1e9 and 3.33e8 ops/s → harmonic mean 5e8.
    expect(c.hmeanOpsPerSec).toBeCloseTo(5e8, 0);
    expect(c.roundSpread).toBeCloseTo(100, 6);
    expect(c.opsPerSec).toBeCloseTo(100 / 200e-9, 0);
    expect(c.rounds).toBe(2);
  });

  it('ratios to the baseline with intervals, harness and null shares, missing cells', () => {
    const lines = [...group(16, 800), ...group(64, 800), ...group(256, 800)];
    const s = summarize(lines, { ...CTX, expected: [...new Set(lines.map((l) => l.cellId)), 'w/1024/1/good'] });
    const good16 = s.cells.find((c) => c.cellId === 'w/16/1/good')!;
    expect(good16.role).toBe('tracker');
    expect(good16.vsBaseline!.ratio).toBeCloseTo(0.8, 2);
    expect(good16.vsBaseline!.low).toBeLessThanOrEqual(0.8);
    expect(good16.vsBaseline!.high).toBeGreaterThanOrEqual(0.79);
    expect(s.cells.find((c) => c.cellId === 'w/16/1/base')!.vsBaseline!.ratio).toBe(1);
    expect(good16.harnessShare).toBeCloseTo(10 / 800, 2);
    expect(good16.nullShare).toBeCloseTo(500 / 800, 2);
    expect(s.harness.emptyNsPerOpMedian).toBeCloseTo(0.1, 6);
    expect(s.complete).toBe(false);
    expect(s.missing).toEqual(['w/1024/1/good']);
    expect(s.counts).toEqual({ valid: 6, invalid: 0, errored: 0, unchecked: 3 });
    expect(s.rmeMedian).toBeGreaterThan(0);
  });

  it('fits a complexity class per tracker across sizes', () => {
    const lines = [...group(16, 16 * 100), ...group(64, 64 * 100), ...group(256, 256 * 100), ...group(1024, 1024 * 100)];
    const s = summarize(lines, CTX);
    const good = s.complexity.find((c) => c.tracker === 'good')!;
    expect(good.sizes).toEqual([16, 64, 256, 1024]);
    expect(good.fit!.class).toBe('O(n)');
    expect(s.complexity.find((c) => c.tracker === 'base')!.fit!.class).toBe('O(1)');
  });

  it('renders CSV with a fixed header and quoting, and a Markdown summary', () => {
    const lines = [...group(16, 800), line({ tracker: 'bad', size: 16, validity: 'invalid', error: 'digest, "differs"', stats: null })];
    const s = summarize(lines, CTX);
    const csv = formatCsv(s).trimEnd().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 4);
    expect(csv.at(-1)).toContain('"digest, ""differs"""');
    const md = formatSummaryMd(s, {
      matrix: { source: 'm.json', description: 'd', rounds: 2, timingNote: 't', machine: 'fake', cellCount: 4, skipped: ['maple+*'] },
      env: null,
      threads: 1,
      shard: null,
      startedAt: 'a',
      finishedAt: 'b',
    });
    expect(md).toContain('# memtype-bench run r');
    expect(md).toContain('| tracker | size |');
    expect(md).toContain('base (baseline)');
    expect(md).toContain('INVALID');
    expect(md).toContain('optional lineup entries not registered: maple+*');
    expect(md).toMatch(/harness overhead: empty replay = /);
  });
});
