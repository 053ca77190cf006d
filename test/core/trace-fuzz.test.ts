/**
 * Malformed traces (fast-check): mutated real traces and random field
 * values never crash or hang replay — it always ends with outcomes and exit
 * status 0, or a `trace error: LINE:COLUMN: ...` and status 2.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay } from '../helpers/replay.js';

const smoke = readFileSync(new URL('../fixtures/smoke.jsonl', import.meta.url), 'utf8').trim().split('\n');
const OPS = ['machine', 'memtype_reserve', 'memtype_free', 'lookup_memtype', 'ioremap', 'iounmap', 'set_memory', 'spawn', 'mmap', 'remap_pfn_range', 'vm_insert_pfn', 'vm_insert_pfn_prot', 'vm_insert_mixed', 'fault', 'mprotect', 'munmap', 'fork', 'exit', 'pte', 'memtype_list', 'check', 'bogus'];
const FIELDS = ['mm', 'addr', 'len', 'start', 'end', 'req', 'new', 'pfn', 'size', 'cache', 'type', 'handle', 'dev', 'offset', 'prot', 'flags', 'comm', 'pid', 'child', 'npages', 'write', 'profile', 'pat', 'page_table_levels'];
const value = fc.oneof(
  fc.integer({ min: -5, max: 2 ** 20 }),
  fc.constantFrom(2 ** 52, 2 ** 53, -1, 0.5, 1e300),
  fc.constantFrom('0x1000', '0x7f0000000000', '0xc0000000', '0xZZ', '', 'WC', 'uc-', 'write-back', 'mem', 'resource_wc', 'pfnmap', 'anon', 'rw', 'x', 'shared', 'kvm-guest-24g', 'nope', 'full', 'none'),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const randomLine = fc
  .record({ op: fc.constantFrom(...OPS), fields: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }) })
  .map(({ op, fields }) => JSON.stringify({ op, ...fields }));
const mutated = fc
  .tuple(fc.constantFrom(...smoke), fc.nat(200), fc.constantFrom('', '}', '"', ',', '0x', '{', ':', '\\', 'null'))
  .map(([line, at, ins]) => line.slice(0, at % (line.length + 1)) + ins + line.slice((at % (line.length + 1)) + 1));

describe('malformed traces', () => {
  it('never crash: outcomes with status 0, or a positioned trace error with status 2', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(randomLine, mutated, fc.constantFrom(...smoke)), { minLength: 1, maxLength: 25 }), fc.boolean(), async (lines, keepGoing) => {
        const r = await replay(lines, { keepGoing });
        expect([0, 2]).toContain(r.code);
        if (r.code === 2 && !keepGoing) expect(r.stderr).toMatch(/^trace error: (\d+:\d+|machine): .+\n$/);
        if (r.code === 0) expect(r.stderr).toBe('');
        for (const o of r.out) expect(typeof o.line).toBe('number');
        if (r.out.some((o) => o.ret !== undefined)) ran++;
      }),
      { numRuns: 250, seed: 8 },
    );
    // The fuzzer must reach the machine, not only the parser.
    expect(ran).toBeGreaterThan(50);
  });
});
