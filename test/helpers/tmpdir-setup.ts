/**
 * Vitest global setup: every test file's temporary directories (mkdtempSync
 * under os.tmpdir(), run folders, minimal traces) go under one directory per
 * `npm test`, removed when the run ends, so repeated runs leave nothing in
 * /tmp. Test workers and the processes they start inherit TMPDIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'memtype-bench-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
