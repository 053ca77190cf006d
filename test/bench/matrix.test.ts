import { LINUX_TRACKER } from '../../impls/registry.js';
import { describe, it, expect } from 'vitest';
import { InputError } from '../../core/errors.js';
import { cellId, expandMatrix, globToRegExp, matchNames, resolveTiming, selectNames, type MatrixSources } from '../../bench/matrix.js';
import { builtInMatrixPath, loadMatrixConfig, parseMatrixConfig } from '../../bench/matrix-config.js';
import { config } from './fakes.js';

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

  it('CLI overrides replace the axes: trackers (strict), workloads, sizes (all or per workload), seeds, rounds, time, baseline', () => {
    const m = expandMatrix(
      cfg([LINUX]),
      { trackers: ['rbtree+*', 'oracle'], workloads: ['ttm-*'], sizes: [{ sizes: [32, 8] }, { workload: 'ttm-fault', sizes: [2] }], seeds: [9], rounds: 5, timeMs: 42, baseline: 'list+page-bit+single-page' },
      sources,
    );
    expect(m.trackers).toEqual(['rbtree+page-bit+single-page', 'oracle']);
    expect(m.baseline).toBe('list+page-bit+single-page');
    expect(m.groups.map((g) => g.id)).toEqual(['ttm-fault/2/9']);
    expect(m.groups[0]!.trackers).toEqual(['null', 'list+page-bit+single-page', 'rbtree+page-bit+single-page', 'oracle']);
    expect(m.rounds).toBe(5);
    expect(m.timing.timeMs).toBe(42);
  });

  it('the hash changes with what is measured, not with the baseline', () => {
    const a = expandMatrix(cfg([LINUX, 'list+*']), {}, sources);
    expect(expandMatrix(cfg([LINUX, 'list+*']), {}, sources).hash).toBe(a.hash);
    expect(expandMatrix(cfg([LINUX, 'list+*']), { rounds: 4 }, sources).hash).not.toBe(a.hash);
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

  it('bad sizes, seeds, rounds and times are InputErrors', () => {
    expect(() => expandMatrix(cfg([LINUX]), { sizes: [{ sizes: [0] }] }, sources)).toThrow(/size must be a positive integer, got 0/);
    expect(() => expandMatrix(cfg([LINUX]), { sizes: [{ sizes: [1.5] }] }, sources)).toThrow(InputError);
    expect(() => expandMatrix(cfg([LINUX]), { seeds: [2 ** 40] }, sources)).toThrow(/seed must be a 32-bit integer/);
    expect(() => expandMatrix(cfg([LINUX]), { rounds: 0 }, sources)).toThrow(/rounds/);
    expect(() => expandMatrix(cfg([LINUX]), { timeMs: -1 }, sources)).toThrow(/--time/);
  });
});

describe('timing', () => {
  it('auto spreads the budget over cell-rounds and clamps; fixed wins', () => {
    const c = parseMatrixConfig(JSON.stringify({ trackers: ['x'], timing: { budgetSeconds: 100, minTimeMs: 50, maxTimeMs: 400, warmupMs: 30 } }), 'f');
    expect(resolveTiming(c, 1000).timing.timeMs).toBe(80); // 100 s / 1000 / 1.25
    expect(resolveTiming(c, 10).timing.timeMs).toBe(400);
    expect(resolveTiming(c, 10).note).toMatch(/clamped to the maximum/);
    expect(resolveTiming(c, 100000).timing.timeMs).toBe(50);
    expect(resolveTiming(c, 1000, 7).timing.timeMs).toBe(7);
    expect(resolveTiming(c, 1000, 7).timing.warmupTimeMs).toBe(2);
    expect(resolveTiming(c, 1000).timing.warmupTimeMs).toBe(20);
    // Per-group overhead comes off the budget first.
    const o = parseMatrixConfig(JSON.stringify({ trackers: ['x'], timing: { budgetSeconds: 100, groupOverheadSeconds: 5, minTimeMs: 10, maxTimeMs: 400 } }), 'f');
    expect(resolveTiming(o, 1000, undefined, 10).timing.timeMs).toBe(40); // (100 − 50) s / 1000 / 1.25
    expect(resolveTiming(o, 1000, undefined, 10).note).toMatch(/auto: 100 s less 50 s of per-group overhead over 1000 cell-rounds = 40 ms each/);
  });
});

describe('built-in matrices', () => {
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
