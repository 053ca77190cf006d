import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDir, makeRunId, newRunResults, SCHEMA_VERSION, writeFileAtomic, writeResults } from '../../bench/results.js';
import { DEFAULT_TIMING } from '../../bench/cell.js';
import type { Matrix } from '../../bench/matrix.js';
import { record } from './fakes.js';

const matrix: Matrix = {
  trackers: ['good'],
  workloads: ['w'],
  sizes: null,
  seeds: [1],
  groups: [{ workload: 'w', size: 16, seed: 1, trackers: ['null', 'good'] }],
  cellCount: 2,
};

describe('results', () => {
  it('run id is a filesystem-safe UTC timestamp', () => {
    expect(makeRunId(new Date(Date.UTC(2026, 10, 21, 14, 3, 5, 678)))).toBe('2026-11-21T14-03-05Z');
  });

  it('run folders never collide', () => {
    const base = mkdtempSync(join(tmpdir(), 'mb-results-'));
    const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    const a = createRunDir(base, d);
    const b = createRunDir(base, d);
    expect(a.runId).toBe('2026-01-02T03-04-05Z');
    expect(b.runId).toBe('2026-01-02T03-04-05Z-2');
    expect(readdirSync(base).sort()).toEqual([a.runId, b.runId]);
  });

  it('writes atomically and rewrites in place, leaving no temp files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-results-'));
    const r = newRunResults('run', matrix, DEFAULT_TIMING, 1);
    const path = writeResults(dir, r);
    expect(JSON.parse(readFileSync(path, 'utf8')).cells).toEqual([]);
    r.cells = [record({ tracker: 'null', baseline: true, valid: null }), record({})];
    writeResults(dir, r);
    const back = JSON.parse(readFileSync(path, 'utf8'));
    expect(back.schemaVersion).toBe(SCHEMA_VERSION);
    expect(back.cells).toHaveLength(2);
    expect(back.cells[1]).toMatchObject({ workload: 'w', size: 16, seed: 1, tracker: 'good', valid: true, baseline: false });
    expect(back.env.cores).toBeGreaterThan(0);
    expect(back.matrix.groups).toEqual([{ workload: 'w', size: 16, seed: 1 }]);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('a failed write leaves the previous file intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-results-'));
    const path = join(dir, 'x.json');
    writeFileAtomic(path, 'old');
    // Renaming a file over a directory fails: the old content must survive and no temp file remain.
    expect(() => writeFileAtomic(dir, 'new')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['x.json']);
  });
});
