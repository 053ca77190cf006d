import { LINUX_TRACKER } from '../../../impls/registry.js';
import { describe, it, expect } from 'vitest';
import { InputError } from '../../../core/errors.js';
import { AUTO_WARMUP_FACTOR, cellId, expandMatrix, globToRegExp, matchNames, resolveTiming, selectNames, type MatrixSources } from '../../../bench/plan/matrix.js';
import { estimateSeconds } from '../../../bench/commands/run.js';
import { builtInMatrixPath, loadMatrixConfig, parseMatrixConfig } from '../../../bench/plan/matrix-config.js';
import { config } from '../../helpers/fakes.js';

const TRACKERS = [
  'interval-tree+page-bit+single-page',
  'interval-tree+page-bit+whole-vma',
  'interval-tree+tree+single-page',
  'list+page-bit+single-page',
  'rbtree+page-bit+single-page',
  'vma-walk+page-bit+single-page',
];
const sources: MatrixSources = {
  trackerNames: () => TRACKERS,
  workloadNames: () => ['ttm-fault', 'ioremap-churn'],
  defaultSizes: (w) => (w === 'ttm-fault' ? [4096, 16, 256] : [8, 64, 512, 4096]),
  defaultProfile: (w) => (w === 'ttm-fault' ? 'icelake-tb-dock' : 'kvm-guest-24g'),
};
const LINUX = 'interval-tree+page-bit+single-page';
const cfg = (trackers: string[], over: Record<string, unknown> = {}) => config(trackers, { baseline: LINUX, ...over });

describe('globs', () => {
  it('* ? and {a,b}; everything else literal', () => {
    expect(globToRegExp('a+b*').test('a+b+c')).toBe(true);
    expect(globToRegExp('a+b*').test('aab+c')).toBe(false);
    expect(matchNames('{list,rbtree}+page-bit+*', TRACKERS)).toEqual(['list+page-bit+single-page', 'rbtree+page-bit+single-page']);
    expect(matchNames('*+whole-vma', TRACKERS)).toEqual(['interval-tree+page-bit+whole-vma']);
    expect(matchNames('interval-tree+?ree+*', TRACKERS)).toEqual(['interval-tree+tree+single-page']);
    expect(matchNames('nope', TRACKERS)).toEqual([]);
    expect(selectNames('tracker', ['a+b*'], ['a+b+c', 'aab+c'])).toEqual(['a+b+c']);
  });
});

describe('expandMatrix', () => {
  it('groups by (workload, size, seed): null and the baseline first, sizes ascending, then seeds', () => {
    const m = expandMatrix(cfg(['vma-walk+*', LINUX], { seeds: [1, 2], sizes: { 'ioremap-*': [64, 8] } }), {}, sources);
    expect(m.trackers).toEqual([LINUX, 'vma-walk+page-bit+single-page']);
    expect(m.baseline).toBe(LINUX);
    expect(m.groups.map((g) => g.id)).toEqual([
      'ttm-fault/16/1',
      'ttm-fault/16/2',
      'ttm-fault/256/1',
      'ttm-fault/256/2',
      'ttm-fault/4096/1',
      'ttm-fault/4096/2',
      'ioremap-churn/8/1',
      'ioremap-churn/8/2',
      'ioremap-churn/64/1',
      'ioremap-churn/64/2',
    ]);
    for (const g of m.groups) expect(g.trackers).toEqual(['null', LINUX, 'vma-walk+page-bit+single-page']);
    expect(m.groups[0]!.machine).toBe('icelake-tb-dock');
    expect(m.cellCount).toBe(10 * 3);
    expect(cellId(m.groups[0]!, 'null')).toBe('ttm-fault/16/1/null');
    expect(m.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('the baseline is added to every group even when not selected', () => {
    const m = expandMatrix(cfg(['list+*']), {}, sources);
    expect(m.groups[0]!.trackers).toEqual(['null', LINUX, 'list+page-bit+single-page']);
  });

  it('optional lineup entries that match nothing are skipped, not errors', () => {
    const m = expandMatrix(cfg([LINUX, '?btree+*', '?maple+page-bit+single-page']), {}, sources);
    expect(m.trackers).toEqual([LINUX]);
    expect(m.skipped).toEqual(['btree+*', 'maple+page-bit+single-page']);
  });

  it('CLI overrides replace the axes: trackers (strict), workloads, sizes (all or per workload), seeds, forks, time, baseline', () => {
    const m = expandMatrix(
      cfg([LINUX]),
      { trackers: ['rbtree+*', 'oracle'], workloads: ['ttm-*'], sizes: [{ sizes: [32, 8] }, { workload: 'ttm-fault', sizes: [2] }], seeds: [9], forks: 5, timeMs: 42, baseline: 'list+page-bit+single-page' },
      sources,
    );
    expect(m.trackers).toEqual(['rbtree+page-bit+single-page', 'oracle']);
    expect(m.baseline).toBe('list+page-bit+single-page');
    expect(m.groups.map((g) => g.id)).toEqual(['ttm-fault/2/9']);
    expect(m.groups[0]!.trackers).toEqual(['null', 'list+page-bit+single-page', 'rbtree+page-bit+single-page', 'oracle']);
    expect(m.forks).toBe(5);
    expect(m.timing.timeMs).toBe(42);
    // Without the override, the config's forks (3 by default).
    expect(expandMatrix(cfg([LINUX]), {}, sources).forks).toBe(3);
    expect(expandMatrix(cfg([LINUX], { forks: 7 }), {}, sources).forks).toBe(7);
  });

  it('the hash changes with what is measured, not with the baseline', () => {
    const a = expandMatrix(cfg([LINUX, 'list+*']), {}, sources);
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources).hash).toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), { forks: 4 }, sources).hash).not.toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), { timeMs: 77 }, sources).hash).not.toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), { seeds: [2] }, sources).hash).not.toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources, { kind: 'profile', name: 'qemu-q35-128g' }).hash).not.toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*'], { baseline: 'list+page-bit+single-page' }), {}, sources).hash).toBe(a.hash);
    // Tracker modules: by the digest of their code, not by path; none gives the hash runs had before modules.
    const d = (digest: string, path = '/a/m.ts') => [{ path, digest }];
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources, undefined, []).hash).toBe(a.hash);
    const m = expandMatrix(cfg([LINUX, 'list+*']), {}, sources, undefined, d('0123456789abcdef'));
    expect(m.hash).not.toBe(a.hash);
    expect(m.modules).toEqual(d('0123456789abcdef'));
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources, undefined, d('0123456789abcdef', '/b/m.ts')).hash).toBe(m.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources, undefined, d('fedcba9876543210')).hash).not.toBe(m.hash);
  });

  it('unknown names and empty globs are InputErrors listing the valid names', () => {
    expect(() => expandMatrix(cfg(['rbtree']), {}, sources)).toThrow(InputError);
    expect(() => expandMatrix(cfg(['rbtree']), {}, sources)).toThrow(/matrix test.json: unknown tracker "rbtree"; valid trackers: interval-tree\+page-bit\+single-page, .*oracle, null/);
    expect(() => expandMatrix(cfg(['maple+*']), {}, sources)).toThrow(/no tracker matches "maple\+\*" \(mark the entry "optional"/);
    expect(() => expandMatrix(cfg([LINUX]), { trackers: ['nope'] }, sources)).toThrow(/^unknown tracker "nope"; valid trackers: /);
    expect(() => expandMatrix(cfg([LINUX]), { workloads: ['fork-*'] }, sources)).toThrow(/no workload matches "fork-\*"; valid workloads: ttm-fault, ioremap-churn/);
    expect(() => expandMatrix(cfg([LINUX], { workloads: ['nope'] }), {}, sources)).toThrow(/unknown workload "nope"/);
    expect(() => expandMatrix(cfg([LINUX], { sizes: { 'nope-*': [1] } }), {}, sources)).toThrow(/matrix test.json: no workload matches "nope-\*"/);
    expect(() => expandMatrix(cfg([LINUX]), { baseline: 'nope' }, sources)).toThrow(/--baseline: unknown tracker "nope"/);
    expect(() => expandMatrix(cfg([LINUX]), { baseline: 'null' }, sources)).toThrow(/--baseline/);
    expect(() => expandMatrix(cfg([LINUX]), { workloads: ['ttm-fault'], sizes: [{ workload: 'ioremap-churn', sizes: [4] }] }, sources)).toThrow(/not among the selected workloads/);
  });

  it('bad sizes, seeds, forks and times are InputErrors', () => {
    expect(() => expandMatrix(cfg([LINUX]), { sizes: [{ sizes: [0] }] }, sources)).toThrow(/size must be a positive integer, got 0/);
    expect(() => expandMatrix(cfg([LINUX]), { sizes: [{ sizes: [1.5] }] }, sources)).toThrow(InputError);
    expect(() => expandMatrix(cfg([LINUX]), { seeds: [2 ** 40] }, sources)).toThrow(/seed must be a 32-bit integer/);
    expect(() => expandMatrix(cfg([LINUX]), { forks: 0 }, sources)).toThrow(/forks must be an integer from 1 to 100, got 0/);
    expect(() => expandMatrix(cfg([LINUX]), { forks: 101 }, sources)).toThrow(InputError);
    expect(() => expandMatrix(cfg([LINUX]), { timeMs: -1 }, sources)).toThrow(/--time/);
  });
});

describe('timing', () => {
  const timingOf = (t: Record<string, unknown>) => parseMatrixConfig(JSON.stringify({ trackers: ['x'], timing: { groupOverheadSeconds: 0, forkOverheadSeconds: 0, ...t } }), 'f');

  it('auto spreads the budget over every fork (timed phase plus warm-up) and clamps; fixed wins', () => {
    const c = timingOf({ budgetSeconds: 100, minTimeMs: 50, maxTimeMs: 400, warmupMs: 30 });
    expect(AUTO_WARMUP_FACTOR).toBe(2);
    expect(resolveTiming(c, 1000).timing.timeMs).toBe(50); // 100 s / 1000 forks / 2
    expect(resolveTiming(c, 1000).note).toBe('auto: 100 s over 1000 forks = 50 ms timed each');
    expect(resolveTiming(c, 800).timing.timeMs).toBe(63); // 100 s / 800 forks / 2
    expect(resolveTiming(c, 10).timing.timeMs).toBe(400);
    expect(resolveTiming(c, 10).note).toMatch(/clamped to the maximum/);
    expect(resolveTiming(c, 100000).timing.timeMs).toBe(50);
    expect(resolveTiming(c, 100000).note).toMatch(/clamped to the minimum/);
    expect(resolveTiming(c, 1000, 7).timing.timeMs).toBe(7);
    expect(resolveTiming(c, 1000, 7).note).toBe('7 ms timed per fork (from --time)');
    expect(resolveTiming(timingOf({ timeMs: 33 }), 1000).timing.timeMs).toBe(33);
  });

  it('warm-up lasts from a quarter of the timed budget up to warmupMs (at most the budget); the empty replay a quarter, ≤ 50 ms', () => {
    const c = timingOf({ budgetSeconds: 100, minTimeMs: 50, maxTimeMs: 400, warmupMs: 30 });
    expect(resolveTiming(c, 1000).timing).toEqual({ timeMs: 50, minSamples: 8, warmupMinMs: 13, warmupMaxMs: 30, harnessTimeMs: 13, slices: 8 });
    expect(resolveTiming(c, 1000, 7).timing).toEqual({ timeMs: 7, minSamples: 8, warmupMinMs: 2, warmupMaxMs: 7, harnessTimeMs: 2, slices: 8 });
    expect(resolveTiming(timingOf({ slices: 3 }), 10, 40).timing.slices).toBe(3);
    expect(resolveTiming(c, 1000, 1000).timing).toMatchObject({ warmupMinMs: 30, warmupMaxMs: 30, harnessTimeMs: 50 });
    expect(resolveTiming(timingOf({ warmupMs: 0 }), 10, 40).timing).toMatchObject({ warmupMinMs: 1, warmupMaxMs: 1 });
  });

  it('group and fork overheads come off the budget first', () => {
    const o = timingOf({ budgetSeconds: 100, groupOverheadSeconds: 5, forkOverheadSeconds: 0.01, minTimeMs: 10, maxTimeMs: 400 });
    // (100 − 10 × 5 − 1000 × 0.01) s / 1000 forks / 2
    expect(resolveTiming(o, 1000, undefined, 10).timing.timeMs).toBe(20);
    expect(resolveTiming(o, 1000, undefined, 10).note).toBe('auto: 100 s less 60 s of group and fork overhead over 1000 forks = 20 ms timed each');
  });

  it('the estimate of an auto matrix is its budget; a small matrix is estimated (and timed) far shorter', () => {
    const c = config([LINUX, 'list+*', 'rbtree+*'], { baseline: LINUX, timing: { budgetSeconds: 280, groupOverheadSeconds: 0.3, forkOverheadSeconds: 0.07, minTimeMs: 5, maxTimeMs: 500 } });
    const big = expandMatrix(c, { sizes: [{ sizes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] }] }, sources);
    expect(big.groups).toHaveLength(30);
    expect(big.overheads).toEqual({ groupSeconds: 0.3, forkSeconds: 0.07 });
    expect(big.timing.timeMs).toBe(341); // (280 − 30 × 0.3 − 360 × 0.07) s / 360 forks / 2
    expect(estimateSeconds(big, big.groups.length)).toBeCloseTo(280, 0);
    const small = expandMatrix(c, { workloads: ['ttm-fault'], sizes: [{ sizes: [1, 2, 3] }] }, sources);
    expect(small.timing.timeMs).toBe(500); // clamped: a small matrix does not sample longer
    expect(estimateSeconds(small, 3)).toBeLessThan(280 / 5);
    // (0.3 + 4 trackers × 3 forks × (0.07 + 0.5 × 2)) per group
    expect(estimateSeconds(small, 3)).toBeCloseTo(3 * (0.3 + 12 * (0.07 + 1)), 9);
  });
});

describe('built-in matrices', () => {
  it('the default matrix measures each workload at its larger default sizes ("larger": all but the smallest), ttm-bo-pages at all three; quick at the smaller ones', () => {
    const sizesOf = (name: 'default' | 'quick', w: string) => [...new Set(expandMatrix(loadMatrixConfig(builtInMatrixPath(name))).groups.filter((g) => g.workload === w).map((g) => g.size))].sort((a, b) => a - b);
    expect(sizesOf('default', 'ttm-fault')).toEqual([128, 1024]);
    expect(sizesOf('default', 'ttm-bo-pages')).toEqual([1, 16, 256]);
    expect(sizesOf('quick', 'ttm-fault')).toEqual([16, 128]);
  });
  it('default.json and quick.json parse and expand against the real registries', () => {
    for (const name of ['default', 'quick'] as const) {
      const c = loadMatrixConfig(builtInMatrixPath(name));
      expect(c.trackers.length).toBeGreaterThan(3);
      const m = expandMatrix(c);
      expect(m.groups.length).toBeGreaterThan(0);
      expect(m.trackers).toContain(LINUX_TRACKER);
      expect(m.trackers).toContain('vma-walk+page-bit-ram-walk+single-page');
      expect(m.trackers).toContain('btree+page-bit-ram-walk+single-page');
      expect(m.baseline).toBe(LINUX_TRACKER);
    }
  });
});
