/**
 * `memtype-bench replay --check`: every outcome compared with the oracle's
 * on the same machine; each difference named on standard error, exit 1; a
 * trace error still exits 2. (Replay's outcomes themselves are tested with
 * the core, through test/helpers/replay.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replay, SMALL_MACHINE } from '../../helpers/replay.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BROKEN = join(ROOT, 'examples', 'broken-store.ts');
const BAD = 'first-overlap-only+page-bit-ram-walk+single-page';
const conformance = (name: string): string[] => readFileSync(join(ROOT, 'conformance', name), 'utf8').split('\n').filter((l) => l !== '');

describe('replay --check', () => {
  it("a tracker that gives the oracle's outcomes: exit 0, and a line saying so", async () => {
    const r = await replay(conformance('conflict-inherit.jsonl'), { check: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^check: interval-tree\+page-bit-ram-walk\+single-page gives the oracle's outcome on all \d+ operations\n$/);
  });

  it('a tracker that does not: every differing operation named with both outcomes, exit 1', async () => {
    const r = await replay(conformance('conflict-inherit.jsonl'), { check: true, tracker: BAD, trackerModules: [BROKEN] });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^check: line 26 \\(memtype_reserve\\): ${BAD.replace(/\+/g, '\\+')} gives \\{"op":"memtype_reserve","ret":0,"type":"WC"\\}, the oracle \\{"op":"memtype_reserve","ret":-16,"errno":"EBUSY"`));
    expect(lines.at(-1)).toMatch(/^check: \d+ operations? differ from the oracle \(exit status 1\)$/);
    // Without --check, the same replay is not judged.
    expect((await replay(conformance('conflict-inherit.jsonl'), { tracker: BAD, trackerModules: [BROKEN] })).code).toBe(0);
  });

  it('a trace error is still exit 2', async () => {
    const r = await replay([SMALL_MACHINE, { op: 'memtype_reserve', start: '0x80000000', end: '0x80001000', req: 'WC' }, '{"op": "nonsense"}'], { check: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trace error: 3:\d+: unknown op "nonsense"/);
  });
});
