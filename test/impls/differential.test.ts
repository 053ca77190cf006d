/**
 * Every tracker against the oracle: every registered composition (the
 * tutorial's module-loaded store included) × every workload at small sizes,
 * and random traces on real maps, must give the oracle's
 * outcome stream op for op — run in test mode, so each store's (and the
 * `tree` RAM policy's) invariants are also checked after every mutation; the
 * oracle's own machine must stay alias-free; a deliberately wrong tracker
 * must be caught.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalTreeStore } from '../../impls/interval-tree.js';
import { loadTrackerModules } from '../../impls/modules.js';
import { PageBitPolicy } from '../../impls/page-bit.js';
import { ORACLE, compose, createTracker, isModuleTracker, trackerNames } from '../../impls/registry.js';
import { SinglePagePolicy } from '../../impls/single-page.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { PROFILES, buildStream, cmdsArb } from '../../workloads/random-trace.js';
import { record } from '../helpers/record.js';

await loadTrackerModules([fileURLToPath(new URL('../../examples/sorted-array-store.ts', import.meta.url))]);

it('runs module-loaded compositions beside the built-in ones', () => {
  expect(trackerNames().filter(isModuleTracker).length).toBeGreaterThan(0);
});

describe('workloads: every tracker gives the oracle\'s outcomes', () => {
  for (const w of workloadNames()) {
    const wl = getWorkload(w);
    const size = wl.defaultSizes[0]!;
    const stream = wl.generate(size, 7);
    const oracle = record(stream, ORACLE);
    it(`${w} (size ${size}) keeps the oracle's machine alias-free`, () => {
      expect(oracle.machine.check()).toEqual([]);
    });
    for (const t of trackerNames()) {
      it(`${t} on ${w}`, () => {
        expect(record(stream, createTracker(t, { checkInvariants: true })).recs).toEqual(oracle.recs);
      });
    }
  }
});

describe('random traces on real maps', () => {
  it('every tracker matches the oracle', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const stream = buildStream(profile, cmds);
        const oracle = record(stream, ORACLE);
        for (const t of trackerNames()) expect(record(stream, createTracker(t, { checkInvariants: true })).recs).toEqual(oracle.recs);
      }),
      { numRuns: 150, seed: 20261121 },
    );
  }, 30_000); // 150 traces × every composition: a few seconds, more on a loaded machine

  it('replay is deterministic: the same stream twice gives the same outcomes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const stream = buildStream(profile, cmds);
        const t = trackerNames()[0]!;
        expect(record(stream, t).recs).toEqual(record(stream, t).recs);
      }),
      { numRuns: 30 },
    );
  });
});

/** A tracker with one bug: it never reports the second, different alias. */
class ForgetfulStore extends IntervalTreeStore {
  override scan(start: number, end: number): void {
    super.scan(start, end);
    this.other = -1;
  }
}

describe('a wrong tracker is caught', () => {
  it('the differential check finds a tracker that misses conflicts', () => {
    const wrong = () => compose(new ForgetfulStore(), new PageBitPolicy(), new SinglePagePolicy());
    const details = fc.check(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const stream = buildStream(profile, cmds);
        return JSON.stringify(record(stream, ORACLE).recs) === JSON.stringify(record(stream, wrong()).recs);
      }),
      { numRuns: 300, seed: 42 },
    );
    expect(details.failed).toBe(true);
  });
});
