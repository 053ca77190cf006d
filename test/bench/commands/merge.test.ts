import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMergeCommand } from '../../../bench/commands/merge.js';
import { FILES, readManifest, readResultLines } from '../../../bench/store/results.js';
import { shards } from '../../helpers/shards.js';
import { sink } from '../../helpers/fakes.js';


describe('memtype-bench merge', () => {
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
    // The merged folder is a run folder like any: the summaries, the charts of the one stack and the report.
    expect(readFileSync(join(merged, 'throughput.svg'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(merged, 'vs-baseline.svg'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(merged, 'report.html'), 'utf8')).toContain('<h2 id="findings">');
    expect(stdout.text()).toContain(`report: ${join(merged, 'report.html')}`);
  });

  it('reports missing cells (exit 1), and still writes the merged folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const dirs = await shards(out, 3, [1, 3]);
    const stdout = sink();
    expect(await runMergeCommand(join(out, 'm'), dirs, out, stdout.stream)).toBe(1);
    expect(stdout.text()).toMatch(/INCOMPLETE: 6 cells missing \(exit status 1\):\n  w\/4\/2\/null\n/);
    const agg = JSON.parse(readFileSync(join(out, 'm', FILES.aggregate), 'utf8'));
    expect(agg.missing).toEqual(['w/4/2/null', 'w/4/2/base', 'w/4/2/good', 'w/16/1/null', 'w/16/1/base', 'w/16/1/good']);
  });
});
