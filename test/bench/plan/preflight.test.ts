/**
 * bench/plan/preflight.ts: a group whose workload cannot fit its machine is
 * dropped before the run, with the generator's one line of why; the matrix
 * then holds (and hashes) only the groups that run.
 */
import { describe, expect, it } from 'vitest';
import { expandMatrix, REGISTRY_SOURCES } from '../../../bench/plan/matrix.js';
import { loadMachineChoice } from '../../../bench/plan/machine.js';
import { cannotFit } from '../../../bench/plan/preflight.js';
import { config } from '../../helpers/fakes.js';

const SMALL = loadMachineChoice({ machine: 'lp594965' }); // 1.5 GiB, 32-bit

describe('preflight', () => {
  it('says why a workload cannot fit a machine, null when it can', () => {
    expect(cannotFit('ram-attr', 100_000, 1, SMALL)).toMatch(/^ram-attr: size 100000 needs more RAM than the machine's largest RAM chunk \(\d+ pages\)$/);
    expect(cannotFit('ram-attr', 16, 1, SMALL)).toBeNull();
    expect(cannotFit('ttm-fault', 30_000, 1, SMALL)).toMatch(/ttm-fault: size 30000 is out of range; expected an integer 1\.\.20000/);
    // Not the preflight's to judge: an unknown workload is an input error of its own.
    expect(() => cannotFit('no-such', 1, 1, SMALL)).toThrow(/unknown workload "no-such"/);
  });

  it('drops those groups from the matrix, which hashes only the groups that run', () => {
    const cfg = config(['interval-tree+page-bit-ram-walk+single-page'], { baseline: 'interval-tree+page-bit-ram-walk+single-page' });
    const both = expandMatrix(cfg, { workloads: ['ram-attr'], sizes: [{ sizes: [16, 100_000] }] }, REGISTRY_SOURCES, SMALL);
    expect(both.groups.map((g) => g.id)).toEqual(['ram-attr/16/1']);
    expect(both.dropped).toEqual([{ id: 'ram-attr/100000/1', machine: 'lp594965', why: expect.stringMatching(/needs more RAM/) }]);
    const fits = expandMatrix(cfg, { workloads: ['ram-attr'], sizes: [{ sizes: [16] }] }, REGISTRY_SOURCES, SMALL);
    expect(fits.dropped).toEqual([]);
    expect(fits.hash).toBe(both.hash);
  });
});
