/**
 * Properties of the machine under random operation sequences on real maps
 * (fast-check): the oracle's machine stays alias-free and structurally
 * consistent (VMAs, page tables, tracking-context and page references),
 * and replay is deterministic.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORACLE } from '../../impls/registry.js';
import { PROFILES, buildStream, cmdsArb } from '../../workloads/random-trace.js';
import { checkConsistency } from '../helpers/consistency.js';
import { record } from '../helpers/record.js';

describe('random traces on real maps', () => {
  it('keep page tables, VMAs and references consistent, whatever the ops', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const { machine } = record(buildStream(profile, cmds), ORACLE);
        expect(checkConsistency(machine)).toEqual([]);
      }),
      { numRuns: 150, seed: 3 },
    );
  });

  it('keep the machine alias-free when drivers follow the rules', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const { machine } = record(buildStream(profile, cmds, true), ORACLE);
        expect(machine.check()).toEqual([]);
      }),
      { numRuns: 150, seed: 4 },
    );
  });

  it('replay is deterministic: same stream, same outcome records', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, (profile, cmds) => {
        const s = buildStream(profile, cmds);
        expect(record(s, ORACLE).recs).toEqual(record(s, ORACLE).recs);
      }),
      { numRuns: 40 },
    );
  });
});
