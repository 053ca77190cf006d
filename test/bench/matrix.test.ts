import { describe, it, expect } from 'vitest';
import { InputError } from '../../core/errors.js';
import { expandMatrix, selectNames, type MatrixSources } from '../../bench/matrix.js';

const sources: MatrixSources = {
  trackerNames: () => ['interval-tree+page-bit+single-page', 'interval-tree+ram-walk+whole-vma', 'list+page-bit+single-page'],
  workloadNames: () => ['ttm-fault', 'ioremap-churn'],
  defaultSizes: (w) => (w === 'ttm-fault' ? [4096, 16, 256] : [8, 64, 512, 4096]),
};

describe('expandMatrix', () => {
  it('default: every tracker × workload × default size × seed 1, null baseline first', () => {
    const m = expandMatrix({}, sources);
    expect(m.trackers).toEqual(sources.trackerNames());
    expect(m.groups.map((g) => `${g.workload}/${g.size}/${g.seed}`)).toEqual([
      'ttm-fault/16/1',
      'ttm-fault/256/1',
      'ttm-fault/4096/1',
      'ioremap-churn/8/1',
      'ioremap-churn/64/1',
      'ioremap-churn/512/1',
      'ioremap-churn/4096/1',
    ]);
    for (const g of m.groups) expect(g.trackers).toEqual(['null', ...sources.trackerNames()]);
    expect(m.cellCount).toBe(7 * 4);
    expect(m.sizes).toBeNull();
  });

  it('filters by glob and exact name, keeping registry order', () => {
    const m = expandMatrix({ trackers: ['list+page-bit+single-page', 'interval-*'], workloads: ['ioremap-*'], sizes: [64, 8], seeds: [7] }, sources);
    expect(m.trackers).toEqual(['interval-tree+page-bit+single-page', 'interval-tree+ram-walk+whole-vma', 'list+page-bit+single-page']);
    expect(m.groups.map((g) => [g.workload, g.size, g.seed])).toEqual([
      ['ioremap-churn', 8, 7],
      ['ioremap-churn', 64, 7],
    ]);
  });

  it('? matches one character; the oracle may be asked for by name; null is never doubled', () => {
    const m = expandMatrix({ trackers: ['list+page-bi?+single-page', 'oracle', 'null'] }, sources);
    expect(m.trackers).toEqual(['list+page-bit+single-page', 'oracle']);
    expect(m.groups[0]!.trackers).toEqual(['null', 'list+page-bit+single-page', 'oracle']);
  });

  it('unknown names and empty globs are InputErrors listing the valid names', () => {
    expect(() => expandMatrix({ trackers: ['rbtree'] }, sources)).toThrow(InputError);
    expect(() => expandMatrix({ trackers: ['rbtree'] }, sources)).toThrow(/unknown tracker "rbtree"; valid trackers: interval-tree\+page-bit\+single-page, .*oracle, null/);
    expect(() => expandMatrix({ workloads: ['fork-*'] }, sources)).toThrow(/no workload matches "fork-\*"; valid workloads: ttm-fault, ioremap-churn/);
    expect(() => expandMatrix({ workloads: ['nope'] }, sources)).toThrow(InputError);
  });

  it('bad sizes and seeds are InputErrors', () => {
    expect(() => expandMatrix({ sizes: [0] }, sources)).toThrow(InputError);
    expect(() => expandMatrix({ sizes: [1.5] }, sources)).toThrow(InputError);
    expect(() => expandMatrix({ seeds: [2 ** 40] }, sources)).toThrow(InputError);
  });

  it('selectNames treats regex characters in names literally', () => {
    expect(selectNames('tracker', ['a+b*'], ['a+b+c', 'aab+c'])).toEqual(['a+b+c']);
  });
});
