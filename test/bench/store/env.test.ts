import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectEnv, gitHead, packageVersions } from '../../../bench/store/env.js';

const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);

describe('env.json', () => {
  it('reads the commit from .git files: loose ref, packed ref, detached HEAD; falls back to CI variables', () => {
    const root = mkdtempSync(join(tmpdir(), 'mb-env-'));
    expect(gitHead(root, { GITHUB_SHA: SHA2 })).toEqual({ commit: SHA2, branch: null });
    mkdirSync(join(root, '.git', 'refs', 'heads'), { recursive: true });
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(root, '.git', 'refs', 'heads', 'main'), `${SHA}\n`);
    expect(gitHead(root, {})).toEqual({ commit: SHA, branch: 'main' });
    writeFileSync(join(root, '.git', 'HEAD'), 'ref: refs/heads/dev\n');
    writeFileSync(join(root, '.git', 'packed-refs'), `# pack-refs with: peeled\n${SHA2} refs/heads/dev\n`);
    expect(gitHead(root, {})).toEqual({ commit: SHA2, branch: 'dev' });
    writeFileSync(join(root, '.git', 'HEAD'), `${SHA}\n`);
    expect(gitHead(root, {})).toEqual({ commit: SHA, branch: null });
  });

  it('lists package versions from node_modules and the host facts', () => {
    const root = mkdtempSync(join(tmpdir(), 'mb-env-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x', version: '1.2.3', dependencies: { dep: '^1' } }));
    mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'dep', 'package.json'), JSON.stringify({ version: '1.4.0' }));
    expect(packageVersions(root)).toEqual({ x: '1.2.3', dep: '1.4.0' });
    const env = collectEnv();
    expect(env.node).toBe(process.version);
    expect(env.cores).toBeGreaterThan(0);
    expect(env.totalMemoryBytes).toBeGreaterThan(0);
    expect(env.kernel).not.toBe('');
    expect(env.packages.tinybench).toMatch(/^\d/);
  });
});
