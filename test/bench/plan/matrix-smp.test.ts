/**
 * The `cpus` axis of a matrix (config files and `--cpus`): groups per CPU
 * count, `host` resolved to the host's parallelism, the SMP lineup and
 * workloads, refusals with one line, and the built-in SMP matrices.
 */
import { describe, it, expect } from 'vitest';
import { InputError } from '../../../core/errors.js';
import { expandMatrix, REGISTRY_SOURCES, SMP_BASELINE, type MatrixSources } from '../../../bench/plan/matrix.js';
import { builtInMatrixPath, loadMatrixConfig, parseMatrixConfig } from '../../../bench/plan/matrix-config.js';

/** The real registries on a host of `host` CPUs. */
const on = (host: number): MatrixSources => ({ ...REGISTRY_SOURCES, hostParallelism: () => host });

const SPIN = 'btree+page-bit-ram-walk+single-page+spinlock';
const smpConfig = (over: Record<string, unknown> = {}) =>
  parseMatrixConfig(
    JSON.stringify({
      trackers: [SPIN],
      workloads: ['xpmem-insert'],
      sizes: { 'xpmem-insert': [16] },
      timing: { timeMs: 5, warmupMs: 1, minSamples: 3 },
      ...over,
    }),
    'smp-test.json',
  );

describe('the cpus axis', () => {
  it('a config axis gives one group per CPU count, "host" resolved, duplicates merged, ascending; ids end in /<n>cpu', () => {
    const m = expandMatrix(smpConfig({ cpus: [4, 'host', 1, 2] }), {}, on(2));
    expect(m.groups.map((g) => g.id)).toEqual(['xpmem-insert/16/1/1cpu', 'xpmem-insert/16/1/2cpu', 'xpmem-insert/16/1/4cpu']);
    expect(m.groups.map((g) => g.cpus)).toEqual([1, 2, 4]);
    expect(m.smp).toEqual({ cpus: [1, 2, 4], hostParallelism: 2 });
    // The SMP baseline: Linux today (cmpxchg on page flags, the tree under memtype_lock).
    expect(m.baseline).toBe(SMP_BASELINE);
    expect(m.groups[0]!.trackers).toEqual(['null', SMP_BASELINE, SPIN]);
    // "host" on a 64-CPU host is 64.
    expect(expandMatrix(smpConfig({ cpus: ['host'] }), {}, on(64)).groups.map((g) => g.cpus)).toEqual([64]);
  });

  it('--cpus replaces the config axis, and makes a single-CPU config an SMP one', () => {
    expect(expandMatrix(smpConfig({ cpus: [1, 2] }), { cpus: [8] }, on(2)).groups.map((g) => g.id)).toEqual(['xpmem-insert/16/1/8cpu']);
    // Without an axis the matrix is a single-CPU one: an SMP composition there is refused, with the flag to add.
    expect(() => expandMatrix(smpConfig(), {}, on(2))).toThrow(/^btree\+page-bit-ram-walk\+single-page\+spinlock is an SMP composition .*: run it on an SMP machine, e\.g\. --cpus 1,2$/);
    const plain = expandMatrix(smpConfig({ trackers: ['btree+page-bit+single-page'], workloads: ['ttm-fault'], sizes: { 'ttm-fault': [16] }, baseline: 'btree+page-bit+single-page' }), {}, on(2));
    expect(plain.smp).toBeUndefined();
    expect(plain.groups.map((g) => g.id)).toEqual(['ttm-fault/16/1']);
    expect(plain.groups[0]!.cpus).toBeUndefined();
    expect(expandMatrix(smpConfig(), { cpus: [1, 'host'] }, on(3)).groups.map((g) => g.cpus)).toEqual([1, 3]);
  });

  it('the hash depends on the CPU counts', () => {
    expect(expandMatrix(smpConfig(), { cpus: [1, 2] }, on(2)).hash).not.toBe(expandMatrix(smpConfig(), { cpus: [1, 4] }, on(2)).hash);
  });

  it('an object-graph store, a single-CPU workload or a bad CPU count above 1 CPU: one clear InputError', () => {
    const refuse = (over: Record<string, unknown>, cpus: (number | 'host')[]): string => {
      try {
        expandMatrix(smpConfig(over), { cpus }, on(2));
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refuse({ trackers: ['interval-tree+page-bit+single-page'] }, [2])).toMatch(
      /^interval-tree\+page-bit\+single-page cannot run on 2 CPUs: .*\. The SMP lineup is btree\+\{page-bit,page-bit-ram-walk\}/,
    );
    expect(refuse({ workloads: ['ttm-fault'], sizes: {} }, [1, 2])).toMatch(/^ttm-fault is a single-CPU workload .* cannot run on 2 CPUs; the SMP workloads .* are xpmem-insert, ttm-fault-smp, probe-smp$/);
    expect(refuse({}, [0])).toMatch(/^--cpus: a CPU count must be an integer from 1 to 1024 or "host"/);
    expect(refuse({}, [1.5])).toMatch(/^--cpus: a CPU count must be an integer/);
    expect(refuse({}, [100000])).toMatch(/^--cpus: .*got 100000$/);
    for (const msg of [refuse({ trackers: ['list+page-bit+single-page'] }, [2]), refuse({}, [0])]) expect(msg).not.toMatch(/\n|\bat \w+ \(/);
  });

  it('at --cpus 1 any tracker and any workload runs (the cost of sharing at one CPU, beside today\'s single-CPU mode)', () => {
    const m = expandMatrix(smpConfig({ trackers: ['btree+page-bit-ram-walk+single-page', SPIN], workloads: ['ttm-fault'], sizes: { 'ttm-fault': [16] } }), { cpus: [1] }, on(2));
    expect(m.groups.map((g) => g.id)).toEqual(['ttm-fault/16/1/1cpu']);
    expect(m.groups[0]!.trackers).toContain('btree+page-bit-ram-walk+single-page');
  });

  it('the broken nolock scheme is accepted by exact name only, never by a glob', () => {
    const nolock = 'btree+page-bit-ram-walk+single-page+nolock';
    expect(expandMatrix(smpConfig({ trackers: [nolock] }), { cpus: [2] }, on(2)).groups[0]!.trackers).toContain(nolock);
    expect(expandMatrix(smpConfig({ trackers: ['btree+*'] }), { cpus: [2] }, on(2)).groups[0]!.trackers).not.toContain(nolock);
  });

  it('a config\'s cpus must be a non-empty list of counts or "host"', () => {
    for (const bad of [[], [0], ['many'], 'host', [2.5]]) {
      expect(() => smpConfig({ cpus: bad }), JSON.stringify(bad)).toThrow(InputError);
    }
  });
});

describe('the built-in SMP matrices', () => {
  it('smp.json: 1, 2 and the host\'s CPUs, the four schemes, the three SMP workloads; smp-quick.json: 1 and 2', () => {
    const full = expandMatrix(loadMatrixConfig(builtInMatrixPath('smp')), {}, on(8));
    expect(full.smp!.cpus).toEqual([1, 2, 8]);
    expect(full.workloads).toEqual(['xpmem-insert', 'ttm-fault-smp', 'probe-smp']);
    expect(full.trackers.map((t) => t.split('+')[3]).sort()).toEqual(['cmpxchg', 'rwlock', 'seqlock', 'spinlock']);
    // On a 2-CPU host "host" is 2: no third count, nothing assumes 2 cores.
    expect(expandMatrix(loadMatrixConfig(builtInMatrixPath('smp')), {}, on(2)).smp!.cpus).toEqual([1, 2]);
    const quick = expandMatrix(loadMatrixConfig(builtInMatrixPath('smp-quick')), {}, on(8));
    expect(quick.smp!.cpus).toEqual([1, 2]);
    expect(quick.groups).toHaveLength(6);
  });
});
