import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { appendLines, completeGroups, createRunDir, groupLines, makeRunId, readResultLines, SCHEMA_VERSION, writeFileAtomic } from '../../bench/results.js';
import type { GroupResult } from '../../bench/cell.js';
import { expandMatrix } from '../../bench/matrix.js';
import { config, line, sources } from './fakes.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mb-res-'));
}

describe('results files', () => {
  it('run id is a filesystem-safe UTC timestamp; shards are named', () => {
    const d = new Date(Date.UTC(2026, 10, 21, 14, 3, 5));
    expect(makeRunId(d)).toBe('2026-11-21T14-03-05Z');
    expect(makeRunId(d, { index: 2, count: 4 })).toBe('2026-11-21T14-03-05Z-s2of4');
  });

  it('createRunDir never reuses a folder; exact ids refuse an existing one', () => {
    const base = tmp();
    const a = createRunDir(base, 'x');
    const b = createRunDir(base, 'x');
    expect([a.runId, b.runId]).toEqual(['x', 'x-2']);
    expect(() => createRunDir(base, 'x', true)).toThrow(InputError);
  });

  it('writeFileAtomic leaves no temp file behind', () => {
    const dir = tmp();
    writeFileAtomic(join(dir, 'f.json'), '{"a":1}\n');
    writeFileAtomic(join(dir, 'f.json'), '{"a":2}\n');
    expect(readdirSync(dir)).toEqual(['f.json']);
    expect(readFileSync(join(dir, 'f.json'), 'utf8')).toBe('{"a":2}\n');
  });

  it('appends lines one group at a time; a torn last line is detected and dropped', () => {
    const p = join(tmp(), 'results.jsonl');
    writeFileSync(p, '');
    appendLines(p, [line({ tracker: 'a' }), line({ tracker: 'b' })]);
    appendLines(p, [line({ tracker: 'c' })]);
    expect(readResultLines(p)).toMatchObject({ tornTail: false });
    expect(readResultLines(p).lines.map((l) => l.tracker)).toEqual(['a', 'b', 'c']);
    appendFileSync(p, JSON.stringify(line({ tracker: 'd' })).slice(0, 40));
    const r = readResultLines(p);
    expect(r.tornTail).toBe(true);
    expect(r.lines.map((l) => l.tracker)).toEqual(['a', 'b', 'c']);
  });

  it('a malformed middle line, a foreign schema or a missing file are InputErrors', () => {
    const dir = tmp();
    const p = join(dir, 'results.jsonl');
    writeFileSync(p, `${JSON.stringify(line({}))}\nnot json\n${JSON.stringify(line({}))}\n`);
    expect(() => readResultLines(p)).toThrow(/results.jsonl line 2: not a result line/);
    writeFileSync(p, `${JSON.stringify({ ...line({}), schemaVersion: 1 })}\n`);
    expect(() => readResultLines(p)).toThrow(new RegExp(`schema version 1, this memtype-bench reads version ${SCHEMA_VERSION}`));
    expect(() => readResultLines(join(dir, 'nope.jsonl'))).toThrow(/cannot read the results \(ENOENT\)/);
  });

  it('groupLines: one line per cell × round with the schema fields; completeGroups finds whole groups', () => {
    const m = expandMatrix(config(['base', 'good']), { workloads: ['w'], sizes: [{ sizes: [4, 8] }], rounds: 2 }, sources());
    const g = m.groups[0]!;
    const stats = { samples: 3, medianNs: 2000, meanNs: 2000, p99Ns: 2100, minNs: 1900, maxNs: 2100, sdNs: 100, rme: 1, medianRme: 1, samplesNs: [1900, 2000, 2100], thinned: false };
    const result: GroupResult = {
      groupId: g.id,
      workload: g.workload,
      size: g.size,
      seed: g.seed,
      machine: g.machine,
      ops: 100,
      peakOps: 80,
      oracleDigest: 'ab',
      cells: g.trackers.map((t) => ({
        tracker: t,
        digest: 'ab',
        validity: t === 'null' ? ('unchecked' as const) : ('valid' as const),
        modeledBytes: 1,
        jsBytes: 2,
        error: null,
        rounds: [0, 1].map((round) => ({ round, position: 0, stats, gcCount: 1, gcPauseMs: 0.5, error: null })),
      })),
      harnessNs: [10, 12],
      orders: [
        ['good', 'null', 'base'],
        ['base', 'good', 'null'],
      ],
      error: null,
      gc: 'exposed',
      wallMs: 1,
    };
    const lines = groupLines(result, { runId: 'r', matrixHash: m.hash, rounds: 2, shard: null, finishedAt: 't' });
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => `${l.round}:${l.tracker}`)).toEqual(['0:good', '0:null', '0:base', '1:base', '1:good', '1:null']);
    const l0 = lines[0]!;
    expect(l0).toMatchObject({ schemaVersion: SCHEMA_VERSION, cellId: 'w/4/1/good', groupId: 'w/4/1', matrixHash: m.hash, validity: 'valid', digest: 'ab', oracleDigest: 'ab' });
    expect(l0.stats!.opsPerSec).toBeCloseTo(100 / 2e-6, 3);
    expect(l0.stats!.nsPerOp).toBe(20);
    expect(l0.memory).toEqual({ modeledBytes: 1, jsBytes: 2, gcCount: 1, gcPauseMs: 0.5 });
    expect(lines[3]!.harness.emptyReplayNs).toBe(12);
    // Only the first group is complete; a partial second group is dropped.
    const partial = lines.slice(0, 4).map((l) => ({ ...l, cellId: l.cellId.replace('/4/', '/8/'), groupId: 'w/8/1' }));
    const manifest = { matrix: m, groupIds: m.groups.map((x) => x.id) };
    const { done, kept } = completeGroups(manifest, [...lines, ...partial, lines[0]!]);
    expect([...done]).toEqual(['w/4/1']);
    expect(kept).toHaveLength(6);
  });
});
