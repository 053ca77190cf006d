import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureFork } from '../../../bench/measure/fork.js';
import { mergeRuns, runMergeCommand } from '../../../bench/store/merge.js';
import type { PreparePool } from '../../../bench/measure/pool.js';
import { FILES, readManifest, readResultLines, writeManifest } from '../../../bench/store/results.js';
import { runBench, type RunDeps } from '../../../bench/commands/run.js';
import { config, fakeDeps, fakePrepare, noVerify, sink, sources } from '../../helpers/fakes.js';

const pool = (n: number): PreparePool => ({ threads: n, prepare: fakePrepare(30), verify: noVerify, destroy: async () => {} });
const forkDeps = fakeDeps();

function deps(): RunDeps {
  return {
    matrixSources: sources(['base', 'good']),
    loadConfig: () => config(['base', 'good'], { forks: 2, seeds: [1, 2] }),
    createPool: pool,
    runFork: (t) => measureFork(t, forkDeps),
    stdout: sink().stream,
    stderr: sink().stream,
    tty: false,
  };
}

/** Runs shards `which` of `n` into `out`, named s<i>. */
async function shards(out: string, n: number, which: number[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const i of which) {
    const r = await runBench({ outDir: out, runId: `s${i}`, shard: `${i}/${n}`, workloads: ['w'], charts: false }, deps());
    dirs.push(r.dir);
  }
  return dirs;
}

describe('merge', () => {
  it('unions shards by cellId into a complete run; every group exactly once', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const dirs = await shards(out, 3, [1, 2, 3]);
    const groupsPerShard = dirs.map((d) => readManifest(d).groupIds);
    expect(groupsPerShard.flat().sort()).toEqual(['w/16/1', 'w/16/2', 'w/4/1', 'w/4/2', 'w/8/1', 'w/8/2']);
    const stdout = sink();
    const code = await runMergeCommand(join(out, 'merged'), dirs, out, stdout.stream);
    expect(code).toBe(0);
    expect(stdout.text()).toMatch(/merged 3 runs into .*merged: 36 lines\ncomplete: every cell of the matrix is present/);
    const merged = join(out, 'merged');
    const lines = readResultLines(join(merged, FILES.lines)).lines;
    expect(lines).toHaveLength(6 * 3 * 2);
    expect(new Set(lines.map((l) => `${l.cellId}#${l.fork}`)).size).toBe(36);
    // In matrix order: group by group, each block by block (fork, then position).
    const rank = new Map(readManifest(merged).groupIds.map((g, i) => [g, i]));
    const order = lines.map((l) => [rank.get(l.groupId)!, l.fork, l.position]);
    expect(order).toEqual([...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!));
    expect(new Set(lines.map((l) => l.shard))).toEqual(new Set(['1/3', '2/3', '3/3']));
    const m = readManifest(merged);
    expect(m.shard).toBeNull();
    expect(m.groupIds).toHaveLength(6);
    const agg = JSON.parse(readFileSync(join(merged, FILES.aggregate), 'utf8'));
    expect(agg.complete).toBe(true);
    const env = JSON.parse(readFileSync(join(merged, FILES.env), 'utf8'));
    expect(env.mergedFrom).toHaveLength(3);
    expect(readFileSync(join(merged, 'throughput.svg'), 'utf8')).toContain('<svg');
  });

  it('reports missing cells (exit 1) and drops duplicates', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const dirs = await shards(out, 3, [1, 3]);
    const r = mergeRuns(join(out, 'm'), [dirs[0]!, dirs[1]!, dirs[0]!], out);
    expect(r.exitCode).toBe(1);
    expect(r.duplicates).toBe(readResultLines(join(dirs[0]!, FILES.lines)).lines.length);
    expect(r.summary.missing).toEqual(['w/4/2/null', 'w/4/2/base', 'w/4/2/good', 'w/16/1/null', 'w/16/1/base', 'w/16/1/good']);
  });

  it('refuses runs of different matrices, other schema versions and a non-empty output folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const [a] = await shards(out, 2, [1]);
    const b = (await runBench({ outDir: out, runId: 'other', workloads: ['v'], charts: false }, deps())).dir;
    expect(() => mergeRuns(join(out, 'm1'), [a!, b], out)).toThrow(/different matrices \(matrix hashes differ\): s1 [0-9a-f]{16}, other [0-9a-f]{16}/);
    const m = readManifest(b);
    writeManifest(b, { ...m, schemaVersion: 1 as unknown as 3 });
    expect(() => mergeRuns(join(out, 'm2'), [b], out)).toThrow(/schema version 1/);
    writeFileSync(join(out, 'full'), 'x');
    expect(() => mergeRuns(out, [a!], out)).toThrow(/exists and is not empty/);
    expect(() => mergeRuns(join(out, 'm3'), [], out)).toThrow(/at least one run/);
    expect(() => mergeRuns(join(out, 'm4'), ['no-such-run'], out)).toThrow(/no run "no-such-run"/);
  });
});
