/**
 * The conformance traces: each parses, names its Linux rule, and the oracle
 * (the reference semantics) gives every outcome its `# expect:` comments
 * state — so `verify`, which holds trackers to the oracle on these traces,
 * holds them to Linux's rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { conformanceDir, readConformanceTraces, traceExpectations } from '../../../bench/verify/conformance.js';
import { InputError } from '../../../core/errors.js';
import { replay } from '../../helpers/replay.js';

const traces = readConformanceTraces();

describe('conformance traces', () => {
  it('cover the rules the tracker contract is about', () => {
    expect(traces.map((t) => t.name)).toEqual(
      expect.arrayContaining(['conflict-inherit.jsonl', 'exact-free.jsonl', 'ioremap.jsonl', 'pfnmap-tracking.jsonl', 'ram-page-types.jsonl', 'set-memory.jsonl']),
    );
    expect(readFileSync(`${conformanceDir()}/README.md`, 'utf8')).toContain('conflict-inherit.jsonl');
  });

  for (const t of traces) {
    it(`${t.name}: names its rule, and the oracle gives every expected outcome`, async () => {
      const text = readFileSync(t.path, 'utf8');
      expect(text.split('\n')[1]).toMatch(/^# Rule: /);
      const exp = traceExpectations(text);
      expect(exp.length).toBeGreaterThanOrEqual(10);
      const lines = text.split('\n').filter((l) => l !== '');
      const r = await replay(lines, { tracker: 'oracle' });
      expect(r.code).toBe(0);
      for (const e of exp) {
        const got = r.out.find((o) => o.line === e.line);
        expect(got, `line ${e.line}`).toBeDefined();
        expect(got, `line ${e.line}`).toMatchObject(e.expect);
      }
    });
  }
});

describe('traceExpectations', () => {
  it('ties each expectation to the op line before it', () => {
    const text = ['{"op":"machine","profile":"x"}', '# a comment', '{"op":"lookup_memtype","addr":0}', '# expect: {"ret":0}', '', '# expect: {"type":"UC-"}', '{"op":"check"}'].join('\n');
    expect(traceExpectations(text)).toEqual([
      { line: 3, expect: { ret: 0 } },
      { line: 3, expect: { type: 'UC-' } },
    ]);
  });

  it('refuses an expectation that is not an object or follows no op', () => {
    expect(() => traceExpectations('{"op":"check"}\n# expect: [1]')).toThrow(/line 2: an expectation must be a JSON object/);
    expect(() => traceExpectations('# expect: {"ret":0}')).toThrow(InputError);
  });
});
