/**
 * The critical-section log and the replay order it gives the oracle
 * (impls/smp/cs-log.ts): hand-made interleavings with their expected order,
 * straddling ops (another CPU's write between an op's sections, or another
 * CPU reading its half-done state) reported, versions going back refused;
 * and, for random serial executions of single-section ops on several CPUs,
 * the merged order reproduces what every op saw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsLog, replayOrder, type CsRow } from '../../../impls/smp/cs-log.js';

const row = (op: number, first: number, last: number, writes: number, firstWrote = writes > 0): CsRow => ({ op, first, last, writes, firstWrote });

describe('CsLog', () => {
  it('one row per op, first and last version, writes counted; readable through the shared buffer', () => {
    const log = new CsLog(4);
    log.note(0, 1, true);
    log.note(0, 1, false);
    log.note(2, 1, false);
    log.note(3, 2, true);
    log.note(3, 3, true);
    expect(log.rows()).toEqual([row(0, 1, 1, 1), row(2, 1, 1, 0), row(3, 2, 3, 2)]);
    expect(new CsLog(4, log.f.buffer as SharedArrayBuffer).rows()).toEqual(log.rows());
    log.note(4, 3, false);
    expect(() => log.note(5, 3, false)).toThrow(/more than 4 ops/);
    expect(() => new CsLog(10, new SharedArrayBuffer(16))).toThrow(RangeError);
  });
});

describe('replayOrder', () => {
  it('writes where they went, reads after the write they saw, section-less ops after their predecessor', () => {
    // cpu 0: op0 writes v1, op1 reads v1, op2 no section; cpu 1: op0 reads v0, op1 writes v2, op2 reads v2.
    const order = replayOrder([3, 3], [[row(0, 1, 1, 1), row(1, 1, 1, 0)], [row(0, 0, 0, 0), row(1, 2, 2, 1), row(2, 2, 2, 0)]]);
    expect(order.steps).toEqual([
      { cpu: 1, op: 0 },
      { cpu: 0, op: 0 },
      { cpu: 0, op: 1 },
      { cpu: 0, op: 2 },
      { cpu: 1, op: 1 },
      { cpu: 1, op: 2 },
    ]);
    expect(order.straddling).toEqual([]);
  });

  it('an op with another CPU\'s write between its sections straddles', () => {
    // cpu 0 op0: writes v1, later reads v3 (cpu 1 wrote v2 and v3 meanwhile).
    const order = replayOrder([1, 2], [[row(0, 1, 3, 1)], [row(0, 2, 2, 1), row(1, 3, 3, 1)]]);
    expect(order.straddling).toEqual([{ cpu: 0, op: 0 }]);
  });

  it('an op whose half-done state another CPU read straddles', () => {
    // cpu 0 op0 writes v1 and v2; cpu 1 op0 reads v1 in between.
    const order = replayOrder([1, 1], [[row(0, 1, 2, 2)], [row(0, 1, 1, 0)]]);
    expect(order.straddling).toEqual([{ cpu: 0, op: 0 }]);
    // Reading before (v0) or after (v2) is fine.
    expect(replayOrder([1, 1], [[row(0, 1, 2, 2)], [row(0, 2, 2, 0)]]).straddling).toEqual([]);
    // An op that read first, then wrote once, is whole.
    expect(replayOrder([1], [[row(0, 0, 1, 1, false)]]).straddling).toEqual([]);
  });

  it('refuses versions that go back on one CPU', () => {
    expect(() => replayOrder([2], [[row(0, 3, 3, 1), row(1, 2, 2, 0)]])).toThrow(/saw version 2 after 3/);
  });

  it('for random serial executions, the merged order gives every op the version it saw', () => {
    const exec = fc.array(fc.record({ cpu: fc.nat(3), kind: fc.constantFrom('read', 'write', 'none') }), { maxLength: 60 });
    fc.assert(
      fc.property(exec, (steps) => {
        // Run the steps in this order under one lock: writes bump the version.
        let version = 0;
        const counts = [0, 0, 0, 0];
        const logs = [0, 1, 2, 3].map(() => new CsLog(64));
        const saw = new Map<string, number>();
        for (const s of steps) {
          const op = counts[s.cpu]!++;
          if (s.kind === 'none') continue;
          if (s.kind === 'write') version++;
          logs[s.cpu]!.note(op, version, s.kind === 'write');
          saw.set(`${s.cpu}/${op}`, s.kind === 'write' ? version : version);
        }
        const order = replayOrder(counts, logs.map((l) => l.rows()));
        expect(order.straddling).toEqual([]);
        expect(order.steps.length).toBe(steps.length);
        // Replay: count writes as they come; each logged op must see what it saw.
        const kinds = new Map<string, string>();
        const c2 = [0, 0, 0, 0];
        for (const s of steps) kinds.set(`${s.cpu}/${c2[s.cpu]!++}`, s.kind);
        let v = 0;
        const last = [-1, -1, -1, -1];
        for (const { cpu, op } of order.steps) {
          expect(op).toBe(last[cpu]! + 1);
          last[cpu] = op;
          const k = kinds.get(`${cpu}/${op}`)!;
          if (k === 'write') v++;
          if (k !== 'none') expect(v).toBe(saw.get(`${cpu}/${op}`));
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
