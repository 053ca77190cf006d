/**
 * Test helpers: run a trace (given as objects or text) through the real
 * replay command and get its outcome objects back.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplayCommand } from '../../bench/commands/replay.js';

/**
 * A small machine: RAM below 640 KiB and 1 MiB–1 GiB; everything else is
 * MMIO. MTRRs are enabled with a write-back default (as BIOSes that only
 * carve UC holes program them — none here), so the PAT rules alone decide;
 * tests of MTRR effects give their own `mtrr`.
 */
export const SMALL_MACHINE = {
  op: 'machine',
  mtrr: { default: 'WB' },
  e820: [
    { start: 0, end: 0x9f000, type: 'usable' },
    { start: 0x9f000, end: 0x100000, type: 'reserved' },
    { start: 0x100000, end: 0x40000000, type: 'usable' },
    { start: 0xfec00000, end: 0xfec01000, type: 'reserved' },
  ],
};

export interface Replayed {
  out: Record<string, unknown>[];
  stderr: string;
  code: number;
}

/** Runs `lines` (objects are JSON-encoded, strings kept verbatim) as a trace file. */
export async function replay(lines: (object | string)[], opts: { tracker?: string; keepGoing?: boolean; bug?: string[]; check?: boolean; trackerModules?: readonly string[] } = {}): Promise<Replayed> {
  const dir = mkdtempSync(join(tmpdir(), 'mtb-'));
  const path = join(dir, 'trace.jsonl');
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  let stdout = '';
  let stderr = '';
  const code = await runReplayCommand(opts, path, (s) => (stdout += s), (s) => (stderr += s));
  const out = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { out, stderr, code };
}

/** The outcome for trace line `line` (1-based). */
export function at(r: Replayed, line: number): Record<string, unknown> {
  const o = r.out.find((x) => x.line === line);
  if (!o) throw new Error(`no outcome for line ${line}: ${JSON.stringify(r.out)} ${r.stderr}`);
  return o;
}
