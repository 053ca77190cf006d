/**
 * The CLI under test, two ways: `main()` in-process (scripts/cli.ts loaded
 * once per test file without autorunning), and a child process from the
 * sources (`node --import tsx scripts/cli.ts ...`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, vi } from 'vitest';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a CLI call ended with and wrote. */
export interface CliOutcome<Code> {
  code: Code;
  stdout: string;
  stderr: string;
}

/**
 * Loads scripts/cli.ts before the file's tests and returns a runner of its
 * `main()` in-process, capturing what it writes to stdout and stderr.
 */
export function useCliMain(): (...args: string[]) => Promise<CliOutcome<number>> {
  let main: (argv: readonly string[]) => Promise<number>;
  beforeAll(async () => {
    (globalThis as { __memtypeBenchNoAutorun?: boolean }).__memtypeBenchNoAutorun = true;
    ({ main } = await import('../../scripts/cli.js'));
  });
  return async (...args) => {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += c.toString()), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += c.toString()), true));
    try {
      const code = await main(args);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };
}

/** Runs the CLI from the sources in a child process (`node --import tsx scripts/cli.ts ...`). */
export function spawnCli(...args: string[]): Promise<CliOutcome<number | null>> {
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
