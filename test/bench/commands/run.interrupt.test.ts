/**
 * Interruptions lose nothing: a run stopped midway (SIGINT, or killed
 * outright) keeps every finished group in results.jsonl; `--resume` finishes
 * it without losing or duplicating a cell × fork.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
// Three groups; the baseline alone, so each group holds null and the baseline (forks from sources take ~1 s each).
const ARGS = ['run', '--workload', 'ttm-fault', '--size', '8,16,32', '--tracker', 'interval-tree+page-bit-ram-walk+single-page', '--time', '5', '--forks', '1', '--no-charts'];

interface Line {
  cellId: string;
  fork: number;
}

function lines(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** Runs the CLI; calls `interrupt(child)` once results.jsonl holds a finished group. */
function cli(args: string[], linesFile?: string, interrupt?: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { cwd: ROOT });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.resume();
    let timer: NodeJS.Timeout | undefined;
    if (interrupt && linesFile) {
      timer = setInterval(() => {
        if (lines(linesFile).length > 0) {
          clearInterval(timer);
          interrupt(p.pid!);
        }
      }, 25);
    }
    p.on('error', fail);
    p.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      done({ code, signal, stderr });
    });
  });
}

describe('interrupted runs', () => {
  for (const sig of ['SIGINT', 'SIGKILL'] as const) {
    it(`${sig} midway, then --resume: every cell exactly once, finished ones untouched`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'mtb-int-'));
      const file = join(out, 'r', 'results.jsonl');
      const first = await cli([...ARGS, '--out', out, '--run-id', 'r'], file, (pid) => process.kill(pid, sig));
      const before = readFileSync(file, 'utf8');
      const kept = lines(file);
      expect(kept.length).toBeGreaterThan(0);
      if (sig === 'SIGINT') {
        expect(first.code).toBe(130);
        expect(first.stderr).toMatch(/SIGINT: stopped after \d+ of 3 groups[\s\S]*resume with: memtype-bench run --resume r/);
      } else {
        expect(first.signal).toBe('SIGKILL');
      }
      expect(kept.length).toBeLessThan(6);

      const second = await cli(['run', '--resume', join(out, 'r')]);
      expect(second.code).toBe(0);
      const after = readFileSync(file, 'utf8');
      expect(after.startsWith(before.slice(0, before.lastIndexOf('\n') + 1))).toBe(true);
      const all = lines(file).map((l) => `${l.cellId}#${l.fork}`);
      expect(new Set(all).size).toBe(all.length);
      // 3 groups × (null, the Linux baseline) × 1 fork.
      expect(all.length).toBe(6);
    }, 120_000);
  }
});
