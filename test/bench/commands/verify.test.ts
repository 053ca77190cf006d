/**
 * `memtype-bench verify`: one line per tracker, the first divergence with a
 * minimal trace written, exit 1 (bench/commands/verify.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runVerifyCommand } from '../../../bench/commands/verify.js';
import { loadTrackerModules } from '../../../impls/modules.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'sorted-array-store.ts');
const BROKEN = join(ROOT, 'examples', 'broken-store.ts');
await loadTrackerModules([EXAMPLE, BROKEN]);

describe('memtype-bench verify', () => {
  async function verify(o: Parameters<typeof runVerifyCommand>[0]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await runVerifyCommand(o, (s) => (out += s));
    return { code, out };
  }

  it('checks every composition of the loaded module, one line each', async () => {
    const { code, out } = await verify({ trackerModules: [EXAMPLE], randomTraces: 20 });
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^ok {4}sorted-array\+\S+ {2}6 conformance traces \+ 20 random traces, [\d,]+ ops, invariants checked after every mutation$/);
  });

  it('stops at the first failure: prints the divergence, writes the minimal trace, exits 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mtb-v-')), 'min.jsonl');
    const { code, out } = await verify({ trackerModules: [BROKEN], trackers: ['first-overlap-only+*'], out: file });
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('FAIL  first-overlap-only+page-bit+single-page  diverges from the oracle');
    expect(lines[1]).toMatch(/^ {2}conformance\/conflict-inherit\.jsonl, line 26: \{"op":"memtype_reserve",/);
    expect(lines[2]).toBe('  op:      memtype_reserve');
    expect(lines[3]).toMatch(/^ {2}oracle: {2}\{"op":"memtype_reserve","ret":-16,"errno":"EBUSY"/);
    expect(lines[4]).toBe('  tracker: {"op":"memtype_reserve","ret":0,"type":"WC"}');
    expect(lines[5]).toBe(`  minimal trace (3 ops, diverging at line 8): ${file}`);
    expect(lines[6]).toContain(`--tracker-module ${BROKEN} --tracker first-overlap-only+page-bit+single-page ${file}`);
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{'))).toHaveLength(4);
  });

  it('needs something to verify', async () => {
    await expect(verify({})).rejects.toThrow(/nothing to verify: load parts with --tracker-module PATH, or name trackers with --tracker/);
    await expect(verify({ trackers: ['no-such-*'] })).rejects.toThrow(/no tracker matches "no-such-\*"/);
    expect((await verify({ trackers: ['interval-tree+page-bit-ram-walk+single-page'], randomTraces: 5 })).code).toBe(0);
  });
});
