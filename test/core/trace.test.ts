/**
 * The trace format's numbers (docs/trace-format.md, "Lines"): every numeric
 * field of every op and of the machine line — MTRR ranges included — is a
 * JSON integer, a "0x..." string (any case) or a string of decimal digits,
 * with identical outcomes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrace, writeTrace } from '../../core/trace.js';
import { LINUX_TRACKER } from '../../impls/registry.js';
import { machineResources } from '../../workloads/devices.js';
import { loadMachine, profileMachine } from '../../workloads/profiles.js';
import { PROFILES, buildStream, cmdsArb } from '../../workloads/random-trace.js';
import { record } from '../helpers/record.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

/** Fields holding numbers, wherever they appear (ops, e820 entries, MTRR ranges, the machine line). */
const NUMERIC = new Set(['start', 'end', 'addr', 'size', 'len', 'offset', 'pfn', 'pid', 'npages', 'page_table_levels', 'base']);

/** `n` written in form `f`: 0 JSON number, 1 "0x" lower hex, 2 "0X" upper hex, 3 "0x" mixed case, 4 decimal digits. */
function form(n: number, f: number): number | string {
  const h = n.toString(16);
  switch (f % 5) {
    case 0:
      return n;
    case 1:
      return '0x' + h;
    case 2:
      return '0X' + h.toUpperCase();
    case 3:
      return '0x' + [...h].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    default:
      return String(n);
  }
}

/** Rewrites every numeric field of `v` (recursively) with forms drawn from `pick`. */
function rewrite(v: unknown, pick: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => rewrite(x, pick));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (NUMERIC.has(k) && (typeof x === 'number' || typeof x === 'string')) {
      const n = typeof x === 'number' ? x : Number(x.toLowerCase().startsWith('0x') ? parseInt(x.slice(2), 16) : x);
      out[k] = form(n, pick());
    } else out[k] = rewrite(x, pick);
  }
  return out;
}

/** A machine line with explicit numbers: the profile's top-level map as e820 entries, MTRRs with fixed and variable ranges. */
function explicitMachine(profile: string): Record<string, unknown> {
  const res = machineResources(profileMachine(profile)).filter((r) => r.depth === 0 && r.end > r.start);
  const e820 = res.map((r) => ({ start: r.start, end: r.end, type: r.name === 'System RAM' ? 'usable' : 'reserved' }));
  const ram = res.filter((r) => r.name === 'System RAM' && r.start >= 0x100000);
  return {
    op: 'machine',
    e820,
    mtrr: {
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0xc0000, type: 'UC' },
        { start: 0xc0000, end: 0x100000, type: 'WP' },
      ],
      variable: ram.map((r) => ({ base: Math.floor(r.start / 4096) * 4096, size: Math.ceil(r.end / 4096) * 4096 - Math.floor(r.start / 4096) * 4096, type: 'WB' })),
    },
    page_table_levels: 4,
  };
}

/** Outcome records of a trace text on Linux's composition. */
function outcomes(text: string): unknown {
  const parsed = parseTrace(text, { loadMachine });
  expect(parsed.errors).toEqual([]);
  return record(parsed.stream, LINUX_TRACKER).recs;
}

describe('trace numbers: JSON integer, "0x..." (any case) or decimal string', () => {
  it('machine.mtrr: fixed start/end and variable base/size take hex and decimal strings', async () => {
    const r = await replay([
      {
        ...SMALL_MACHINE,
        mtrr: {
          default: 'UC',
          fixed: [{ start: '0x0', end: '0XA0000', type: 'WB' }],
          variable: [
            { base: '0', size: '0x40000000', type: 'WB' },
            { base: '3489660928', size: 268435456, type: 'WC' },
          ],
        },
      },
      { op: 'mtrr_type', addr: '0x9f000' },
      { op: 'mtrr_type', addr: '0x3ffff000' },
      { op: 'mtrr_type', addr: '0xd0000000' },
      { op: 'mtrr_type', addr: '0xc0000000' },
    ]);
    expect(r.stderr).toBe('');
    expect([2, 3, 4, 5].map((l) => at(r, l).type)).toEqual(['WB', 'WB', 'WC', 'UC']);
  });

  it('machine.mtrr: a malformed number is a trace error at the mtrr field, naming the entry', async () => {
    const r = await replay([{ ...SMALL_MACHINE, mtrr: { default: 'UC', variable: [{ base: '0xZZ', size: 4096, type: 'WB' }] } }]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace error: 1:\d+: "mtrr\.variable\[0\]\.base" must be an integer or a "0x\.\.\." \/ decimal string, got "0xZZ"\n$/);
  });

  it('rewriting every number between the three forms gives identical outcomes (ops and machine line)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), cmdsArb, fc.array(fc.nat(4), { minLength: 1, maxLength: 64 }), (profile, cmds, forms) => {
        const lines = writeTrace(buildStream(profile, cmds)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        lines[0] = explicitMachine(profile);
        const canonical = lines.map((l) => JSON.stringify(l)).join('\n');
        let k = 0;
        const pick = (): number => forms[k++ % forms.length]!;
        const rewritten = lines.map((l) => JSON.stringify(rewrite(l, pick))).join('\n');
        expect(outcomes(rewritten)).toEqual(outcomes(canonical));
      }),
      { numRuns: 40, seed: 12 },
    );
  });
});
