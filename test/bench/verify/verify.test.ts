/**
 * `verify`: a tracker is replayed against the oracle on the conformance
 * traces and seeded random traces, invariants checked after every mutation;
 * the tutorial store passes, the deliberately broken one is caught, and the
 * first divergence is shrunk to a minimal trace that still diverges when
 * replayed from the file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runReplayCommand } from '../../../bench/commands/replay.js';
import { ddmin, oracleOutcomes, verifyTracker, type VerifyResult } from '../../../bench/verify/verify.js';
import { InputError } from '../../../core/errors.js';
import { readTraceFile } from '../../../core/trace.js';
import { loadMachine } from '../../../workloads/profiles.js';
import { loadTrackerModules } from '../../../impls/modules.js';
import { registerParts } from '../../../impls/registry.js';
import { SortedArrayStore } from '../../../examples/sorted-array-store.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'sorted-array-store.ts');
const BROKEN = join(ROOT, 'examples', 'broken-store.ts');
await loadTrackerModules([EXAMPLE, BROKEN]);

const GOOD = 'sorted-array+page-bit-ram-walk+single-page';
const BAD = 'first-overlap-only+page-bit-ram-walk+single-page';

function failed(r: VerifyResult): Extract<VerifyResult, { state: 'failed' }> {
  if (r.state !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

/** Replays `text` (a trace) on `tracker`; the outcome objects by line. */
async function replayText(text: string, tracker: string): Promise<Map<number, Record<string, unknown>>> {
  const file = join(mkdtempSync(join(tmpdir(), 'mtb-verify-')), 'trace.jsonl');
  writeFileSync(file, text);
  let out = '';
  const code = await runReplayCommand({ tracker, trackerModules: [BROKEN] }, file, (s) => (out += s), () => {});
  expect(code).toBe(0);
  const byLine = new Map<number, Record<string, unknown>>();
  for (const l of out.split('\n').filter((x) => x !== '')) {
    const { line, ...rest } = JSON.parse(l) as Record<string, unknown>;
    byLine.set(line as number, rest);
  }
  return byLine;
}

/** A folder with one conformance trace that no tracker can get wrong (no reservation overlaps another). */
function boringConformance(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtb-conf-'));
  writeFileSync(
    join(dir, 'one.jsonl'),
    ['{"op":"machine","profile":"kvm-guest-24g"}', '{"op":"memtype_reserve","start":"0xf0000000","end":"0xf0001000","req":"WC"}', '{"op":"memtype_list"}'].join('\n') + '\n',
  );
  return dir;
}

describe('verifyTracker', () => {
  it('passes the tutorial store: every conformance trace and 500 random traces, invariants after every mutation', () => {
    const r = verifyTracker(GOOD);
    expect(r).toMatchObject({ state: 'passed', tracker: GOOD, conformance: 6, random: 500, invariants: true });
    expect(r.ops).toBeGreaterThan(10_000);
  });

  it('catches the broken store on the conformance trace of the conflict rule, and shrinks it to the three ops that matter', async () => {
    const r = failed(verifyTracker(BAD));
    expect(r.first).toMatchObject({
      trace: relative(process.cwd(), join(ROOT, 'conformance', 'conflict-inherit.jsonl')),
      op: 'memtype_reserve',
      oracle: { ret: -16, errno: 'EBUSY' },
      tracker: { ret: 0, type: 'WC' },
    });
    expect(r.first.text.split('\n')[r.first.line - 1]).toBe(r.first.opLine);
    const m = r.minimal!;
    expect(m.ops).toBe(3); // two reservations of different types, and a request spanning both
    expect(m.oracle).toEqual(r.first.oracle);
    // The written file diverges where it says: the oracle and the tracker, replayed from the text.
    const oracle = await replayText(m.text, 'oracle');
    const tracker = await replayText(m.text, BAD);
    expect(oracle.get(m.line)).toEqual(m.oracle);
    expect(tracker.get(m.line)).toEqual(m.tracker);
    expect(m.text).toMatch(/^# memtype-bench verify: first-overlap-only\+page-bit-ram-walk\+single-page diverges from the oracle at op 3/);
  });

  it('catches it on random traces alone, with a small minimal trace', async () => {
    const r = failed(verifyTracker(BAD, { conformanceDir: boringConformance() }));
    expect(r.first.trace).toMatch(/^random trace #\d+ \(profile [a-z0-9-]+, seed 20261206\)$/);
    expect(r.first.text.split('\n')[r.first.line - 1]).toBe(r.first.opLine);
    expect(r.minimal!.ops).toBeLessThanOrEqual(6);
    const tracker = await replayText(r.minimal!.text, BAD);
    expect(tracker.get(r.minimal!.line)).toEqual(r.minimal!.tracker);
  });

  it('reports a broken invariant as the tracker\'s outcome, and only in test mode', () => {
    class LyingStore extends SortedArrayStore {
      override readonly name: string = 'lying-invariants';
      override checkInvariants(): void {
        if (this.size > 2) throw new Error('lying-invariants: more than two entries');
      }
    }
    registerParts({ stores: { 'lying-invariants': { make: () => new LyingStore(), history: 'throws from checkInvariants' } } }, '/test/lying.ts');
    const name = 'lying-invariants+page-bit+single-page';
    const r = failed(verifyTracker(name, { randomTraces: 0 }));
    expect(r.first.tracker).toEqual({ op: 'memtype_reserve', threw: 'Error: lying-invariants: more than two entries' });
    expect(r.minimal!.ops).toBe(3);
    expect(verifyTracker(name, { randomTraces: 50, checkInvariants: false })).toMatchObject({ state: 'passed', invariants: false });
  });

  it('is deterministic for a seed, and another seed gives other traces', () => {
    const a = verifyTracker(GOOD, { randomTraces: 40, seed: 7 });
    const b = verifyTracker(GOOD, { randomTraces: 40, seed: 7 });
    const c = verifyTracker(GOOD, { randomTraces: 40, seed: 8 });
    expect(a).toEqual(b);
    expect(c.ops).not.toBe(a.ops);
    expect(failed(verifyTracker(BAD, { shrink: false })).minimal).toBeNull();
  });

  it('refuses unknown trackers and bad counts', () => {
    expect(() => verifyTracker('nope+page-bit+single-page')).toThrow(InputError);
    expect(() => verifyTracker(GOOD, { randomTraces: -1 })).toThrow(/--random must be a non-negative integer/);
  });
});

describe('ddmin', () => {
  it('finds a 1-minimal subset, and cuts what follows the divergence', () => {
    // "Diverges" when ops 3 and 11 are both kept; the divergence is at op 11.
    let calls = 0;
    const keep = ddmin(
      20,
      (k) => {
        calls++;
        return k.includes(3) && k.includes(11) ? k.indexOf(11) : -1;
      },
      1000,
    );
    expect(keep).toEqual([3, 11]);
    expect(calls).toBeLessThan(100);
    expect(ddmin(20, (k) => (k.includes(3) && k.includes(11) ? k.indexOf(11) : -1), 0)).toHaveLength(20);
  });
});

describe('oracleOutcomes', () => {
  it("gives the oracle's outcome of every op, as replay prints it", async () => {
    const file = join(ROOT, 'conformance', 'exact-free.jsonl');
    const replayed = await replayText(readFileSync(file, 'utf8'), 'oracle');
    const parsed = readTraceFile(file, { loadMachine });
    const outcomes = oracleOutcomes(parsed.stream).map((o) => JSON.parse(o) as Record<string, unknown>);
    expect(outcomes).toHaveLength(parsed.stream.count);
    expect(outcomes).toEqual(parsed.lines.map((l) => replayed.get(l)));
  });
});
