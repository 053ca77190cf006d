import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { DEFAULT_TIMING_CONFIG, loadMatrixConfig, parseMatrixConfig } from '../../../bench/plan/matrix-config.js';

const parse = (doc: unknown) => parseMatrixConfig(JSON.stringify(doc), 'm.json');

describe('matrix config files', () => {
  it('fills defaults and keeps lineup annotations', () => {
    const c = parse({ trackers: ['a', { match: 'b*', optional: true, why: 'history' }] });
    expect(c.trackers).toEqual([
      { match: 'a', optional: false, why: null },
      { match: 'b*', optional: true, why: 'history' },
    ]);
    expect(c).toMatchObject({ workloads: ['*'], seeds: [1], forks: 3, orderSeed: 1, baseline: undefined, machine: undefined, sizes: {}, source: 'm.json' });
    expect(c.timing).toEqual(DEFAULT_TIMING_CONFIG);
  });

  it('reads every key', () => {
    const c = parse({
      description: 'd',
      trackers: ['a'],
      baseline: 'a',
      workloads: ['w*'],
      sizes: { w: [1, 2], v: 'smallest', '*': 'default', u: 'largest', t: 'smaller' },
      seeds: [3, -4],
      forks: 7,
      orderSeed: 9,
      machine: 'kvm-guest-24g',
      timing: { timeMs: 250, warmupMs: 0, minSamples: 4, budgetSeconds: 10, groupOverheadSeconds: 2, forkOverheadSeconds: 0.5, minTimeMs: 1, maxTimeMs: 2, slices: 5 },
    });
    expect(c).toMatchObject({ description: 'd', baseline: 'a', workloads: ['w*'], seeds: [3, -4], forks: 7, orderSeed: 9, machine: 'kvm-guest-24g' });
    expect(c.sizes).toEqual({ w: [1, 2], v: 'smallest', '*': 'default', u: 'largest', t: 'smaller' });
    expect(c.timing).toEqual({ timeMs: 250, warmupMs: 0, minSamples: 4, budgetSeconds: 10, groupOverheadSeconds: 2, forkOverheadSeconds: 0.5, minTimeMs: 1, maxTimeMs: 2, slices: 5 });
  });

  it('resolves tracker modules relative to the matrix file', () => {
    expect(parseMatrixConfig('{"trackers": ["a"], "modules": ["../ex/s.ts", "/abs/t.js"]}', '/work/m/matrix.json').modules).toEqual(['/work/ex/s.ts', '/abs/t.js']);
    expect(parse({ trackers: ['a'] }).modules).toEqual([]);
  });

  it('rejects malformed files with one message naming the file and key', () => {
    const cases: [string, RegExp][] = [
      ['{', /^matrix m.json: not valid JSON/],
      ['[]', /"\(top level\)" must be an object/],
      ['{}', /missing "trackers"/],
      ['{"trackers": []}', /"trackers" must be a non-empty list/],
      ['{"trackers": [3]}', /"trackers\[0\]" must be a name, a glob/],
      ['{"trackers": ["a"], "forks": 0}', /"forks" must be an integer in \[1, 100\], got 0/],
      ['{"trackers": ["a"], "forks": 2.5}', /"forks" must be an integer/],
      // The old key is not silently ignored: forks are not rounds.
      ['{"trackers": ["a"], "rounds": 3}', /^matrix m.json: "rounds" was replaced by "forks"/],
      ['{"trackers": ["a"], "timing": {"warmupIterations": 2}}', /unknown key "timing.warmupIterations"/],
      ['{"trackers": ["a"], "timing": {"forkOverheadSeconds": -0.1}}', /"timing.forkOverheadSeconds" must be a number ≥ 0/],
      ['{"trackers": ["a"], "sizes": {"w": [0]}}', /"sizes.w\[0\]" must be an integer/],
      ['{"trackers": ["a"], "sizes": {"w": "many"}}', /"sizes.w" must be a non-empty list/],
      ['{"trackers": ["a"], "seeds": []}', /"seeds" must be a non-empty list/],
      ['{"trackers": ["a"], "colour": 1}', /unknown key "colour"; expected one of: /],
      ['{"trackers": [{"match": "a", "optinal": true}]}', /unknown key "trackers\[0\].optinal"/],
      ['{"trackers": ["a"], "timing": {"timeMs": "soon"}}', /"timing.timeMs" must be a positive number/],
      ['{"trackers": ["a"], "timing": {"groupOverheadSeconds": -1}}', /"timing.groupOverheadSeconds" must be a number ≥ 0/],
      ['{"trackers": ["a"], "timing": {"minTimeMs": 10, "maxTimeMs": 5}}', /"timing.minTimeMs" must be at most/],
      ['{"trackers": ["a"], "modules": "x.ts"}', /"modules" must be a non-empty list of strings/],
      ['{"trackers": ["a"], "modules": [""]}', /"modules\[0\]" must be a non-empty string/],
    ];
    for (const [text, re] of cases) {
      expect(() => parseMatrixConfig(text, 'm.json'), text).toThrow(InputError);
      expect(() => parseMatrixConfig(text, 'm.json'), text).toThrow(re);
    }
  });

  it('an unreadable file is an InputError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-cfg-'));
    expect(() => loadMatrixConfig(join(dir, 'missing.json'))).toThrow(/missing.json: cannot read the file \(ENOENT\)/);
    writeFileSync(join(dir, 'ok.json'), '{"trackers": ["x"]}');
    expect(loadMatrixConfig(join(dir, 'ok.json')).trackers[0]!.match).toBe('x');
  });
});
