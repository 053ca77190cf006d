/**
 * bench/measure/group.ts: one group's schedule — K forks per tracker in
 * seeded blocks — and how the forks add up to cells. Forks run in-process:
 * a recording stub, or `measureFork` over the fakes.
 */
import { describe, it, expect } from 'vitest';
import type { ForkResult, ForkTask } from '../../../bench/measure/fork.js';
import { GroupAborted, measureGroup, type GroupDeps, type GroupTask } from '../../../bench/measure/group.js';
import type { PrepareTask } from '../../../bench/measure/prepare.js';
import { turnTaker } from '../../../bench/measure/turns.js';
import { FAST_TIMING, fakeGroupDeps, fakePrepare, stubResult, TINY_MACHINE } from '../../helpers/fakes.js';

const TRACKERS = ['null', 'base', 'good', 'bad'];

function task(trackers: string[] = TRACKERS, over: Partial<GroupTask> = {}): GroupTask {
  return { groupId: 'w/16/1', workload: 'w', size: 16, seed: 1, machineLabel: 'fake', trackers, forks: 4, orderSeed: 1, timing: FAST_TIMING, maxSamples: 50, modules: [], unverified: [], refused: {}, ...over };
}

/** Deps whose forks are not measured: each call is recorded and answered by `answer` (default: valid). */
function recording(answer: (t: ForkTask) => Partial<ForkResult> = () => ({}), prepared: PrepareTask[] = []): GroupDeps & { calls: ForkTask[] } {
  const calls: ForkTask[] = [];
  return {
    calls,
    prepare: fakePrepare(20, prepared),
    runFork: async (t) => {
      calls.push(t);
      return stubResult(t, answer(t));
    },
  };
}

/** Deps whose forks take `turns` turns each (bench/measure/turns.ts), logging `fork:tracker:turn` in each, then answer valid. */
function turnTaking(turns: number, log: string[], seen: ForkTask[] = []): GroupDeps {
  return {
    prepare: fakePrepare(20),
    runFork: async (t) => {
      seen.push(t);
      const taker = turnTaker(t.turn);
      for (let i = 0; i < turns; i++) {
        await taker.acquire();
        log.push(`${t.fork}:${t.tracker}:${i}`);
        taker.release();
      }
      return stubResult(t);
    },
  };
}

describe('measureGroup: the forks of a block take turns', () => {
  it('a block\'s forks are alive together; each gets its warm-up turn, one turn per slice — block order, then reversed, alternately — and a last turn', async () => {
    const log: string[] = [];
    const slices = 3;
    const r = await measureGroup(task(TRACKERS, { forks: 2, timing: { ...FAST_TIMING, slices } }), turnTaking(slices + 2, log));
    const expected = r.orders.flatMap((o, k) => Array.from({ length: slices + 2 }, (_, i) => (i % 2 === 1 ? [...o].reverse() : o).map((t) => `${k}:${t}:${i}`)).flat());
    expect(log).toEqual(expected);
    expect(r.cells.every((c) => c.validity === 'valid' || c.validity === 'unchecked')).toBe(true);
  });

  it('sequential (child processes) and SMP groups: no turn flag, each fork runs through, one after another', async () => {
    const log: string[] = [];
    const seen: ForkTask[] = [];
    const r = await measureGroup(task(TRACKERS, { forks: 2, timing: { ...FAST_TIMING, slices: 3 } }), { ...turnTaking(2, log, seen), sequential: true });
    expect(seen.every((t) => t.turn === undefined)).toBe(true);
    expect(log).toEqual(r.orders.flatMap((o, k) => o.flatMap((t) => [`${k}:${t}:0`, `${k}:${t}:1`])));
  });

  it('real forks (measureFork over the fakes) in turns: every cell timed, with its samples', async () => {
    const r = await measureGroup(task(TRACKERS, { forks: 2, timing: { ...FAST_TIMING, slices: 4 } }), fakeGroupDeps());
    for (const c of r.cells) for (const f of c.forks) expect(f.stats!.samples, `${c.tracker} fork ${f.fork}`).toBeGreaterThanOrEqual(FAST_TIMING.minSamples);
  });
});

describe('measureGroup: the schedule', () => {
  it('block k holds fork k of every tracker, once each, in an order of its own; runs follow the blocks', async () => {
    const deps = recording();
    const r = await measureGroup(task(), deps);
    expect(r.orders).toHaveLength(4);
    for (const o of r.orders) expect([...o].sort()).toEqual([...TRACKERS].sort());
    // Random per block: not every block in the same order.
    expect(new Set(r.orders.map((o) => o.join())).size).toBeGreaterThan(1);
    // The forks ran one at a time, block by block, in each block's order.
    expect(deps.calls.map((c) => `${c.fork}:${c.tracker}`)).toEqual(r.orders.flatMap((o, k) => o.map((t) => `${k}:${t}`)));
    // Each fork records its position in its block.
    for (const c of r.cells) {
      expect(c.forks.map((f) => f.fork)).toEqual([0, 1, 2, 3]);
      for (const f of c.forks) expect(r.orders[f.fork]![f.position]).toBe(c.tracker);
    }
  });

  it('the order is seeded: the same seed gives the same blocks, another seed other blocks', async () => {
    const a = await measureGroup(task(), recording());
    const b = await measureGroup(task(), recording());
    expect(b.orders).toEqual(a.orders);
    const c = await measureGroup(task(TRACKERS, { orderSeed: 2 }), recording());
    expect(c.orders).not.toEqual(a.orders);
    // …and it depends on the group: another group, other blocks.
    const d = await measureGroup(task(TRACKERS, { groupId: 'w/32/1', size: 32 }), recording());
    expect(d.orders).not.toEqual(a.orders);
  });

  it('memory is measured in fork 0 only, the empty replay in null forks only; every fork gets the shared stream and the oracle digest', async () => {
    const deps = recording();
    await measureGroup(task(), deps);
    expect(deps.calls).toHaveLength(16);
    for (const c of deps.calls) {
      expect(c.measureMemory, `${c.tracker} fork ${c.fork}`).toBe(c.fork === 0);
      expect(c.measureHarness, `${c.tracker} fork ${c.fork}`).toBe(c.tracker === 'null');
      expect(c.stream).toBe(deps.calls[0]!.stream);
      expect(c.stream.ops.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(c.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
      expect(c).toMatchObject({ groupId: 'w/16/1', timing: FAST_TIMING, maxSamples: 50 });
    }
  });

  it('prepares once, with the group, machine and bug switches', async () => {
    const prepared: PrepareTask[] = [];
    const spec = TINY_MACHINE;
    const deps = recording(undefined, prepared);
    await measureGroup(task(TRACKERS, { machine: spec, bugs: ['wc-del-race'] }), deps);
    expect(prepared).toEqual([{ workload: 'w', size: 16, seed: 1, machine: spec, bugs: ['wc-del-race'] }]);
    expect(deps.calls.every((c) => c.bugs.join() === 'wc-del-race')).toBe(true);
  });

  it("after an errored fork the cell's later forks are skipped and recorded as errored; other cells go on", async () => {
    const deps = recording((t) => (t.tracker === 'bad' && t.fork === 1 ? { validity: 'errored', error: 'Error: boom', stats: null } : {}));
    const r = await measureGroup(task(), deps);
    expect(deps.calls.filter((c) => c.tracker === 'bad').map((c) => c.fork)).toEqual([0, 1]);
    expect(deps.calls.filter((c) => c.tracker === 'good').map((c) => c.fork)).toEqual([0, 1, 2, 3]);
    const bad = r.cells.find((c) => c.tracker === 'bad')!;
    expect(bad.validity).toBe('errored');
    expect(bad.error).toBe('Error: boom');
    expect(bad.forks.map((f) => [f.fork, f.validity, f.position === -1, f.error])).toEqual([
      [0, 'valid', false, null],
      [1, 'errored', false, 'Error: boom'],
      [2, 'errored', true, 'not run: fork 1 errored'],
      [3, 'errored', true, 'not run: fork 1 errored'],
    ]);
    expect(r.cells.find((c) => c.tracker === 'good')!.validity).toBe('valid');
  });

  it('a cell is as bad as its worst fork; digest and memory come from the forks that have them', async () => {
    const deps = recording((t) => ({
      ...(t.tracker === 'bad' && t.fork === 2 ? { validity: 'invalid' as const, digest: 'bbbb', error: 'differs' } : {}),
      ...(t.fork === 0 ? { modeledBytes: 4096 + t.tracker.length, jsBytes: 100 } : {}),
    }));
    const r = await measureGroup(task(), deps);
    const cell = (t: string) => r.cells.find((c) => c.tracker === t)!;
    expect(r.cells.map((c) => c.tracker)).toEqual(TRACKERS); // request order
    expect(cell('bad')).toMatchObject({ validity: 'invalid', digest: 'aaaa', error: 'differs', modeledBytes: 4099, jsBytes: 100 });
    expect(cell('good')).toMatchObject({ validity: 'valid', error: null, modeledBytes: 4100 });
    expect(cell('null').validity).toBe('unchecked');
  });

  it('a group that cannot be prepared: every cell errored with its K forks, no fork run', async () => {
    const deps = recording();
    const r = await measureGroup(task(['null', 'good'], { workload: 'broken', forks: 2 }), deps);
    expect(deps.calls).toHaveLength(0);
    expect(r.error).toBe('workload: Error: cannot build');
    expect(r).toMatchObject({ ops: null, oracleDigest: null, orders: [] });
    expect(r.cells.map((c) => [c.tracker, c.validity, c.error, c.forks.length])).toEqual([
      ['null', 'errored', 'workload: Error: cannot build', 2],
      ['good', 'errored', 'workload: Error: cannot build', 2],
    ]);
  });

  it('an aborted group throws GroupAborted: after preparation, or while a fork runs', async () => {
    const before = new AbortController();
    before.abort();
    const idle = recording();
    await expect(measureGroup(task(), idle, before.signal)).rejects.toBeInstanceOf(GroupAborted);
    expect(idle.calls).toHaveLength(0);

    const during = new AbortController();
    const calls: ForkTask[] = [];
    const deps: GroupDeps = {
      prepare: fakePrepare(20),
      runFork: async (t, signal) => {
        calls.push(t);
        expect(signal).toBe(during.signal);
        if (calls.length === 3) during.abort(); // the runner stops the isolate and answers
        return stubResult(t, calls.length === 3 ? { validity: 'errored', error: 'interrupted', stats: null } : {});
      },
    };
    await expect(measureGroup(task(), deps, during.signal)).rejects.toThrow(GroupAborted);
    expect(calls).toHaveLength(3);
  });
});

describe('measureGroup over in-process forks (fakes)', () => {
  it('measures every tracker against the oracle digest; keeps invalid and errored cells', async () => {
    const r = await measureGroup(task(['null', 'good', 'bad', 'boom'], { forks: 2 }), fakeGroupDeps(200));
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ groupId: 'w/16/1', workload: 'w', size: 16, seed: 1, machine: 'fake', ops: 200, peakOps: 200 });
    expect(r.oracleDigest).toMatch(/^[0-9a-f]{16}$/);
    const [nul, good, bad, boom] = r.cells;
    expect(nul).toMatchObject({ tracker: 'null', validity: 'unchecked', error: null, modeledBytes: 4096 });
    expect(nul!.forks.every((f) => f.emptyReplayNs! > 0)).toBe(true);
    expect(good).toMatchObject({ tracker: 'good', validity: 'valid', error: null, digest: r.oracleDigest, modeledBytes: 128 + 4096 });
    expect(good!.forks.map((f) => f.fork)).toEqual([0, 1]);
    expect(good!.forks.map((f) => f.modeledBytes)).toEqual([128 + 4096, null]);
    for (const f of good!.forks) {
      expect(f.stats!.samples).toBeGreaterThanOrEqual(3);
      expect(f.stats!.samplesNs.length).toBeLessThanOrEqual(50);
      expect(f.emptyReplayNs).toBeNull();
    }
    expect(bad).toMatchObject({ tracker: 'bad', validity: 'invalid' });
    expect(bad!.digest).not.toBe(r.oracleDigest);
    expect(bad!.forks.every((f) => f.stats !== null)).toBe(true);
    expect(boom).toMatchObject({ tracker: 'boom', validity: 'errored', error: 'Error: tracker exploded' });
    expect(boom!.forks.map((f) => f.error)).toEqual(['Error: tracker exploded', 'not run: fork 0 errored']);
    expect(r.gc).toBe('none');
    expect(structuredClone(r)).toEqual(r);
  });
});
