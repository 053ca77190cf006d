import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeRuns } from '../../../bench/store/merge.js';
import { FILES, readManifest, readResultLines, writeManifest } from '../../../bench/store/results.js';
import { runBench } from '../../../bench/commands/run.js';
import { shardRunDeps, shards } from '../../helpers/shards.js';


describe('mergeRuns', () => {
  it('drops the duplicates of a cell × fork (the first kept), in matrix order', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const dirs = await shards(out, 3, [1, 3]);
    const r = mergeRuns(join(out, 'm'), [dirs[0]!, dirs[1]!, dirs[0]!], out);
    expect(r.duplicates).toBe(readResultLines(join(dirs[0]!, FILES.lines)).lines.length);
    expect(r.lines).toHaveLength(readResultLines(join(dirs[0]!, FILES.lines)).lines.length + readResultLines(join(dirs[1]!, FILES.lines)).lines.length);
    expect(readResultLines(join(r.dir, FILES.lines)).lines).toEqual(r.lines);
    expect(r.manifest.groupIds).toHaveLength(6);
    expect(r.env).toMatchObject({ mergedFrom: [{ run: 's1' }, { run: 's3' }, { run: 's1' }] });
  });

  it('refuses runs of different matrices, other schema versions and a non-empty output folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-merge-'));
    const [a] = await shards(out, 2, [1]);
    const b = (await runBench({ outDir: out, runId: 'other', workloads: ['v'], charts: false }, shardRunDeps())).dir;
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
