import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CLI from sources (`node --import tsx scripts/cli.ts ...`). */
function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('memtype-bench CLI', () => {
  it('usage errors and bad input exit 2 with one line, never a stack', async () => {
    const [flag, num, name, list] = await Promise.all([
      cli('run', '--bogus'),
      cli('run', '--parallel', 'two'),
      cli('run', '--tracker', 'no-such-tracker'),
      cli('list', 'nothing'),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^memtype-bench: unknown option '--bogus'/);
    expect(num.code).toBe(2);
    expect(num.stderr).toMatch(/^memtype-bench: option '--parallel <n>' argument 'two' is invalid\. not a positive integer/);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/^memtype-bench: unknown tracker "no-such-tracker"; valid trackers: .*oracle, null\n$/);
    expect(list.code).toBe(2);
    for (const r of [flag, num, name, list]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('list trackers: name, two spaces, description, one per line', async () => {
    const r = await cli('list', 'trackers');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^\S+ {2}\S/);
    expect(lines.map((l) => l.split('  ')[0])).toContain('oracle');
  }, 30_000);
});
