/**
 * bench/measure/prepare.ts: a group's stream, built once into a
 * SharedArrayBuffer, and the oracle's digest — with the real workloads,
 * hardware and oracle, in-process.
 */
import { describe, it, expect } from 'vitest';
import { Bugs } from '../../../core/bugs.js';
import { Hardware } from '../../../core/hardware.js';
import { Machine } from '../../../core/machine.js';
import { Op, OpStreamBuilder, STRIDE } from '../../../core/ops.js';
import { DigestSink } from '../../../core/outcome.js';
import { prepareGroup, shareStream } from '../../../bench/measure/prepare.js';
import { createTracker, LINUX_TRACKER, ORACLE } from '../../../impls/registry.js';
import { getWorkload } from '../../../workloads/registry.js';
import { TINY_MACHINE, tinyStream } from '../../helpers/fakes.js';

const TASK = { workload: 'ttm-fault', size: 16, seed: 1, bugs: [] as string[] };

describe('shareStream', () => {
  it('copies exactly count records into a SharedArrayBuffer, with the machine, peak and strings', () => {
    const s = tinyStream(5); // its builder's buffer is larger than 5 records
    const shared = shareStream(s);
    expect(shared.ops.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.ops.length).toBe(5 * STRIDE);
    expect(Array.from(shared.ops)).toEqual(Array.from(s.ops.subarray(0, 5 * STRIDE)));
    expect(shared).toMatchObject({ count: 5, peak: s.peak, machine: s.machine, strings: s.strings });
    expect(shared.strings).not.toBe(s.strings);
    // An empty stream still gets one (zeroed) record of room.
    expect(shareStream({ ...s, count: 0 }).ops.length).toBe(STRIDE);
  });
});

describe('prepareGroup', () => {
  it('builds the workload stream once into shared memory, and the oracle digest of a replay of it', () => {
    const r = prepareGroup(TASK);
    if (!r.ok) throw new Error(r.error);
    const direct = getWorkload('ttm-fault').generate(16, 1);
    expect(r.stream.count).toBe(direct.count);
    expect(r.stream.peak).toBe(direct.peak);
    expect(r.stream.ops.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(r.stream.ops)).toEqual(Array.from(direct.ops.subarray(0, direct.count * STRIDE)));
    // The digest is the oracle's on that stream, and the Linux composition agrees with it.
    const replay = (tracker: string): string => {
      const sink = new DigestSink();
      new Machine(Hardware.fromParsed(r.stream.machine), createTracker(tracker), { bugs: Bugs.parse([]) }).run(r.stream, sink);
      return sink.digest();
    };
    expect(r.oracleDigest).toBe(replay(ORACLE));
    // The reservations live at the peak: the oracle's pat_memtype_list there (ttm-fault holds the VRAM aperture's one).
    const atPeak = new Machine(Hardware.fromParsed(r.stream.machine), createTracker(ORACLE));
    atPeak.run(r.stream, new DigestSink(), r.stream.peak);
    expect(r.peakReservations).toBe(atPeak.memtypeList().length);
    expect(r.peakReservations).toBe(1);
    expect(replay(LINUX_TRACKER)).toBe(r.oracleDigest);
    // Deterministic: the same task, the same digest; another seed, another stream.
    expect((prepareGroup(TASK) as { oracleDigest: string }).oracleDigest).toBe(r.oracleDigest);
    expect((prepareGroup({ ...TASK, seed: 2 }) as { oracleDigest: string }).oracleDigest).not.toBe(r.oracleDigest);
  });

  it('a workload that fails is `workload: …` with no counts; an oracle that fails is `oracle: …` with them', () => {
    expect(prepareGroup({ ...TASK, workload: 'no-such-workload' })).toEqual({ ok: false, error: expect.stringMatching(/^workload: .*unknown workload "no-such-workload"/), ops: null, peakOps: null });
    expect(
      prepareGroup(TASK, () => {
        throw new RangeError('too big');
      }),
    ).toEqual({ ok: false, error: 'workload: RangeError: too big', ops: null, peakOps: null });
    // A stream the emulator refuses (an op on an mm never spawned): the stream builds, the oracle's replay cannot.
    const b = new OpStreamBuilder(TINY_MACHINE, 8);
    for (let i = 0; i < 6; i++) b.push(Op.LookupMemtype, -1, i * 4096);
    b.munmap(3, 0x1000, 0x1000);
    const bad = b.build();
    const r = prepareGroup(TASK, () => bad);
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^oracle: OpError: unknown mm/), ops: 7, peakOps: bad.peak });
  });

  it('uses the given build function with the task (machine and all)', () => {
    const seen: unknown[] = [];
    const spec = getWorkload('ttm-fault').generate(16, 1).machine;
    const r = prepareGroup({ ...TASK, machine: spec }, (t) => {
      seen.push(t);
      return getWorkload(t.workload).generate(t.size, t.seed, t.machine);
    });
    expect(r.ok).toBe(true);
    expect(seen).toEqual([{ ...TASK, machine: spec }]);
  });
});
