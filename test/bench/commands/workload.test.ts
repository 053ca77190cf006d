/**
 * `memtype-bench trace` and `memtype-bench describe` (bench/commands/workload.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplayCommand } from '../../../bench/commands/replay.js';
import { runDescribeCommand, runTraceCommand, workloadStream, type WorkloadCmdOptions } from '../../../bench/commands/workload.js';
import { InputError } from '../../../core/errors.js';
import { OP_NAMES, STRIDE } from '../../../core/ops.js';
import { parseTrace } from '../../../core/trace.js';
import { loadMachine, repoRoot } from '../../../workloads/profiles.js';
import { getWorkload } from '../../../workloads/registry.js';
import { record } from '../../helpers/record.js';

const data = (rel: string): string => join(repoRoot(), 'data', rel);

async function capture(fn: (out: (s: string) => void) => Promise<number>): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await fn((s) => (text += s));
  return { code, text };
}

async function rejects(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('trace', () => {
  it('writes a comment, the machine line (the profile) and one line per op to stdout', async () => {
    const { code, text } = await capture((out) => runTraceCommand('xorg-fb', { size: 8, seed: 3 }, out));
    expect(code).toBe(0);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# memtype-bench trace: workload xorg-fb, size 8, seed 3, machine dell-precision-3540; \d+ operations/);
    expect(JSON.parse(lines[1]!)).toEqual({ op: 'machine', profile: 'dell-precision-3540' });
    const stream = getWorkload('xorg-fb').generate(8, 3);
    expect(lines.length).toBe(2 + stream.count);
    expect(JSON.parse(lines[2]!).op).toBe(OP_NAMES[stream.ops[0]!]);
  });

  it('--machine-file puts the map text itself in the trace; --mtrr-file with a profile carries both', async () => {
    const file = data('iomem/kvm-guest-24g-6.18.iomem');
    const { text } = await capture((out) => runTraceCommand('ioremap-churn', { size: 20, seed: 1, machineFile: file }, out));
    const machine = JSON.parse(text.split('\n')[1]!);
    expect(machine.iomem).toBe(readFileSync(file, 'utf8'));
    expect(machine.profile).toBeUndefined();
    expect(text.split('\n')[0]).toContain(`machine file ${file}`);

    const mtrr = data('mtrr/nvidia-desktop.proc-mtrr');
    const opts: WorkloadCmdOptions = { size: 20, seed: 1, machine: 'dell-precision-3540', mtrrFile: mtrr };
    const r = await capture((out) => runTraceCommand('ioremap-churn', opts, out));
    const m2 = JSON.parse(r.text.split('\n')[1]!);
    expect(m2.iomem).toContain('System RAM');
    expect(m2.mtrr_text).toBe(readFileSync(mtrr, 'utf8'));
    // And the trace replays as the in-memory stream does.
    const parsed = parseTrace(r.text, { loadMachine });
    expect(parsed.errors).toEqual([]);
    expect(record(parsed.stream, 'oracle').recs).toEqual(record(workloadStream('ioremap-churn', opts), 'oracle').recs);
  });

  it('a trace file replays with `memtype-bench replay`: one outcome per op, exit 0', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mtb-cmd-')), 'desktop.jsonl');
    expect(await runTraceCommand('desktop-day', { size: 32, seed: 1, out: path })).toBe(0);
    const { code, text } = await capture((out) => runReplayCommand({}, path, out, () => {}));
    expect(code).toBe(0);
    const outcomes = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { line: number; op: string });
    const stream = getWorkload('desktop-day').generate(32, 1);
    expect(outcomes.length).toBe(stream.count);
    // Line numbers count the comment and the machine line.
    expect(outcomes[0]!.line).toBe(3);
    expect(outcomes.map((o) => o.op)).toEqual(Array.from({ length: stream.count }, (_, i) => OP_NAMES[stream.ops[i * STRIDE]!]));
  });

  it('refuses bad input with InputError', async () => {
    expect((await rejects(runTraceCommand('nope', { size: 1, seed: 1 }, () => {}))).message).toMatch(/unknown workload "nope"; valid workloads: xorg-fb/);
    expect((await rejects(runTraceCommand('xorg-fb', { size: 1, seed: 1, machine: 'vax' }, () => {}))).message).toMatch(/unknown profile "vax"/);
    expect((await rejects(runTraceCommand('xorg-fb', { size: 0, seed: 1 }, () => {}))).message).toMatch(/size 0 is out of range/);
    const both = { size: 1, seed: 1, machine: 'kvm-guest-24g', machineFile: data('iomem/kvm-guest-24g-6.18.iomem') };
    expect((await rejects(runTraceCommand('xorg-fb', both, () => {}))).message).toMatch(/--machine and --machine-file exclude each other/);
    expect((await rejects(runTraceCommand('xorg-fb', { size: 1, seed: 1, out: '/nonexistent/dir/t.jsonl' }))).message).toMatch(
      /cannot write trace \/nonexistent\/dir\/t.jsonl: ENOENT/,
    );
  });
});

describe('describe', () => {
  it('prints the op mix (count and share of every op) and the live state at ten points', async () => {
    const { code, text } = await capture((out) => runDescribeCommand('alias-storm', { size: 16, seed: 1 }, out));
    expect(code).toBe(0);
    const stream = getWorkload('alias-storm').generate(16, 1);
    expect(text).toContain(`size 16 (contended windows), seed 1, machine kvm-guest-24g`);
    expect(text).toContain(`${stream.count} operations; peak state after operation ${stream.peak}`);
    const counts = new Map<string, number>();
    for (let i = 0; i < stream.count; i++) {
      const n = OP_NAMES[stream.ops[i * STRIDE]!]!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [op, n] of counts) {
      expect(text).toMatch(new RegExp(`\\n  ${op} +${n} +${((100 * n) / stream.count).toFixed(1)}%\\n`));
    }
    expect(text).toContain('live state over time (replayed on oracle)');
    const rows = text.split('\n').filter((l) => /^ +\d+( \(peak\))? +\d+ +\d+ +\d+ +\d+$/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.some((r) => r.includes('(peak)'))).toBe(true);
    // The last point is the end of the stream: everything released.
    expect(rows[rows.length - 1]).toMatch(new RegExp(`^ +${stream.count} +0 +0 +0 +0$`));
    expect(text).toMatch(/reservations +[▁▂▃▄▅▆▇█]{40} +max \d+/);
  });

  it('shows non-WB RAM pages for ram-attr (reservations stay at zero there)', async () => {
    const { text } = await capture((out) => runDescribeCommand('ram-attr', { size: 16, seed: 1 }, out));
    expect(text).toMatch(/non-WB RAM pages +[▁▂▃▄▅▆▇█]{40} +max [1-9]\d*/);
    expect(text).toMatch(/reservations +▁{40} +max 0/);
  });
});
