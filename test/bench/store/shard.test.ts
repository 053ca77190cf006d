import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../core/errors.js';
import { envIndex, formatShard, parseShard, shardIndices, shardItems } from '../../../bench/store/shard.js';
import { expandMatrix } from '../../../bench/plan/matrix.js';
import { config, sources } from '../../helpers/fakes.js';

describe('shards', () => {
  it('every group lands in exactly one shard, whatever n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 30 }), (total, n) => {
        const seen = new Array<number>(total).fill(0);
        for (let i = 1; i <= n; i++) for (const k of shardIndices(total, { index: i, count: n })) seen[k]!++;
        expect(seen.every((c) => c === 1)).toBe(true);
      }),
    );
  });

  it('assignment is stable and balanced (sizes differ by at most one)', () => {
    const m = expandMatrix(config(['base', 'good'], { seeds: [1, 2, 3] }), {}, sources());
    const a = [1, 2, 3, 4].map((i) => shardItems(m.groups, { index: i, count: 4 }).map((g) => g.id));
    const b = [1, 2, 3, 4].map((i) => shardItems(m.groups, { index: i, count: 4 }).map((g) => g.id));
    expect(a).toEqual(b);
    const sizes = a.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(a.flat().sort()).toEqual(m.groups.map((g) => g.id).sort());
    // Groups are never split: a shard holds whole groups, each with all its trackers.
    for (const g of shardItems(m.groups, { index: 2, count: 4 })) expect(g.trackers).toEqual(['null', 'base', 'good']);
  });

  it('parses i/n and auto from Kubernetes and Slurm variables', () => {
    expect(parseShard('2/5', {})).toEqual({ index: 2, count: 5 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '2' })).toEqual({ index: 3, count: 3 });
    expect(parseShard('auto/3', { SLURM_ARRAY_TASK_ID: '11', SLURM_ARRAY_TASK_MIN: '10' })).toEqual({ index: 2, count: 3 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 1, count: 8 });
    expect(envIndex({})).toBeNull();
    expect(formatShard({ index: 2, count: 5 })).toBe('2/5');
  });

  it('rejects bad shard values with one clear message', () => {
    const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
      ['0/3', {}, /index 0 is outside 1..3/],
      ['4/3', {}, /index 4 is outside 1..3/],
      ['1/0', {}, /--shard must be i\/n/],
      ['x', {}, /--shard must be i\/n/],
      ['2', {}, /--shard must be i\/n/],
      ['auto/2', {}, /neither JOB_COMPLETION_INDEX/],
      ['auto', { JOB_COMPLETION_INDEX: '0' }, /needs SLURM_ARRAY_TASK_COUNT/],
      ['auto/2', { JOB_COMPLETION_INDEX: '2' }, /index 3 is outside 1..2 \(from the environment\)/],
      ['auto/2', { JOB_COMPLETION_INDEX: 'one' }, /JOB_COMPLETION_INDEX="one" is not a non-negative integer/],
    ];
    for (const [spec, env, re] of bad) {
      expect(() => parseShard(spec, env), spec).toThrow(InputError);
      expect(() => parseShard(spec, env), spec).toThrow(re);
    }
  });
});
