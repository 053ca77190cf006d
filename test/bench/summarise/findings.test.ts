/**
 * bench/summarise/findings.ts: the findings are written from the results —
 * a synthetic run with a known winner, a known loser and a design whose own
 * cost grows with size; and the checked-in fixture run.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findingLines } from '../../../bench/present/facts.js';
import type { ResultLine } from '../../../bench/store/results.js';
import { GROWTH_FACTOR } from '../../../bench/summarise/findings.js';
import { loadRun } from '../../../bench/summarise/run.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { line } from '../../helpers/fakes.js';

const BASE = 'interval-tree+page-bit-ram-walk+single-page';
const FAST = 'btree+page-bit-ram-walk+single-page';
const SLOW = 'list+page-bit-ram-walk+single-page';
const SIZES = [16, 128, 1024];
const FORKS = 3;

/** ns per op of each tracker at size n: the null tracker 100, the baseline 100 + 40, btree 100 + 25, the list 100 + 0.5 n (its scan grows). */
const MODEL: Record<string, (n: number) => number> = { null: () => 100, [BASE]: () => 140, [FAST]: () => 125, [SLOW]: (n) => 100 + 0.5 * n };

/** A run of workload `w` over SIZES: three forks per cell, ±1% samples, 1000 ops per replay. */
function runLines(w: string, extra: (n: number, k: number) => ResultLine[] = () => []): ResultLine[] {
  const out: ResultLine[] = [];
  for (const n of SIZES)
    for (let k = 0; k < FORKS; k++) {
      for (const [t, f] of Object.entries(MODEL)) {
        const ns = f(n) * 1000 * (1 + 0.003 * (k - 1));
        out.push(line({ workload: w, size: n, tracker: t, fork: k, forks: FORKS, ops: 1000, samplesNs: Array.from({ length: 12 }, (_, i) => ns * (1 + 0.02 * (i / 11))) }));
      }
      out.push(...extra(n, k));
    }
  return out;
}

const CTX = { runId: 'r', matrixHash: 'h', baseline: BASE, forks: FORKS, expected: [] as string[] };

describe('findings', () => {
  it('name the fastest and slowest tracker at the largest size, with time ÷ baseline and slowest ÷ fastest intervals', () => {
    const s = summarize(runLines('ttm-fault'), CTX);
    const [f] = s.findings.workloads;
    expect(s.findings.workloads).toHaveLength(1);
    expect(f).toMatchObject({ workload: 'ttm-fault', size: 1024, seed: 1, compared: 3 });
    expect(f!.fastest.tracker).toBe(FAST);
    expect(f!.fastest.vsBaseline!.ratio).toBeCloseTo(125 / 140, 2);
    expect(f!.fastest.vsBaseline!.high).toBeLessThan(1);
    expect(f!.slowest.tracker).toBe(SLOW);
    expect(f!.slowest.nsPerOp).toBeCloseTo(612, 0);
    expect(f!.spread.ratio).toBeCloseTo(612 / 125, 2);
    expect(f!.spread.low).toBeLessThan(f!.spread.ratio);
    expect(f!.spread.high).toBeGreaterThan(f!.spread.ratio);
  });

  it('name the designs whose own cost grows with size, from the fit net of the null tracker', () => {
    const s = summarize(runLines('ttm-fault'), CTX);
    expect(s.findings.grows).toEqual([{ workload: 'ttm-fault', seed: 1, tracker: SLOW, class: 'O(n)', fromSize: 16, toSize: 1024, fromNsPerOp: expect.closeTo(8, 0), toNsPerOp: expect.closeTo(512, 0) }]);
  });

  it('leave out the null tracker, the oracle, and invalid or errored cells; a failed series does not grow', () => {
    const broken = (n: number, k: number): ResultLine[] => [line({ workload: 'ttm-fault', size: n, tracker: 'oracle', fork: k, forks: FORKS, ops: 1000, figureNs: 50_000 })];
    const lines = runLines('ttm-fault', broken).map((l) => (l.tracker === FAST && l.size === 1024 ? { ...l, validity: 'invalid' as const } : l.tracker === SLOW && l.size === 16 ? { ...l, validity: 'errored' as const, stats: null } : l));
    const s = summarize(lines, CTX);
    const [f] = s.findings.workloads;
    expect(f!.fastest.tracker).toBe(BASE); // btree is invalid at 1024, the oracle and null take no part
    expect(f!.slowest.tracker).toBe(SLOW);
    expect(s.findings.grows).toEqual([]);
  });

  it('are worded from the results, one line per workload and per growing design', () => {
    const s = summarize([...runLines('ttm-fault'), ...runLines('xorg-fb')], CTX);
    const lines = findingLines(s);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^ttm-fault @ 1024 buffer objects: fastest btree, 125\.\d ns\/op, time ÷ baseline 0\.89\d \[[\d.]+, [\d.]+\]; slowest list, 61\d\.\d ns\/op, time ÷ baseline 4\.\d\d \[[\d.]+, [\d.]+\]; slowest ÷ fastest 4\.\d\d \[[\d.]+, [\d.]+\] \(3 trackers compared\)$/);
    expect(lines[1]).toMatch(/^xorg-fb @ 1024 display clients: fastest btree/);
    expect(lines[2]).toMatch(/^grows with size: list on ttm-fault, tracker-only cost 8\.\d → 51\d\.\d ns\/op from size 16 to 1024 \(fit O\(n\), net of the null tracker\)$/);
    expect(summarize(runLines('w').filter((l) => l.tracker !== SLOW), CTX).findings.grows).toEqual([]);
    expect(findingLines(summarize(runLines('w').filter((l) => l.tracker !== SLOW), CTX)).at(-1)).toBe(
      `no design's own cost grows with size (fit net of the null tracker, at least ×${GROWTH_FACTOR} across three or more sizes)`,
    );
  });

  it('of the checked-in fixture run: the baseline wins both workloads; vma-walk grows on ttm-bo-pages', () => {
    const s = loadRun(fileURLToPath(new URL('../../fixtures/results/fixture-run', import.meta.url))).summary;
    const byW = Object.fromEntries(s.findings.workloads.map((f) => [f.workload, f]));
    expect(byW['ttm-bo-pages']).toMatchObject({ size: 512, compared: 2, fastest: { tracker: 'interval-tree+page-bit+single-page' }, slowest: { tracker: 'vma-walk+page-bit+single-page' } });
    // The unstable whole-vma cell takes part, flagged; the invalid vma-walk cell does not.
    expect(byW['xorg-fb']).toMatchObject({ size: 256, compared: 2, slowest: { tracker: 'interval-tree+page-bit+whole-vma', unstable: true } });
    expect(s.findings.grows.map((g) => `${g.workload}/${g.tracker}/${g.class}`)).toEqual(['ttm-bo-pages/vma-walk+page-bit+single-page/O(n)']);
  });
});
