import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { appendLines, completeGroups, createRunDir, failedGroupLines, groupLines, linesByCell, makeRunId, readResultLines, SCHEMA_VERSION, writeFileAtomic } from '../../../bench/store/results.js';
import type { GroupResult } from '../../../bench/measure/group.js';
import { expandMatrix } from '../../../bench/plan/matrix.js';
import { config, line, sources, stubResult } from '../../helpers/fakes.js';

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
    // A schema-3 line without its fork (e.g. hand-edited from an older run).
    const { fork: _fork, ...noFork } = line({});
    writeFileSync(p, `${JSON.stringify(noFork)}\n`);
    expect(() => readResultLines(p)).toThrow(/results.jsonl line 1: not a result line: expected a result line with cellId and fork/);
  });

  it('linesByCell keeps the first line of each cell × fork, grouped by cell in first-seen order', () => {
    const a0 = line({ tracker: 'a', fork: 0, figureNs: 1 });
    const b0 = line({ tracker: 'b', fork: 0 });
    const a1 = line({ tracker: 'a', fork: 1 });
    const a0again = line({ tracker: 'a', fork: 0, figureNs: 2 });
    const m = linesByCell([a0, b0, a1, a0again]);
    expect([...m.keys()]).toEqual(['w/16/1/a', 'w/16/1/b']);
    expect(m.get('w/16/1/a')).toEqual([a0, a1]);
    expect(m.get('w/16/1/b')).toEqual([b0]);
  });

  it('groupLines: one line per cell × fork, block by block in run order, with the schema fields; completeGroups finds whole groups', () => {
    const m = expandMatrix(config(['base', 'good']), { workloads: ['w'], sizes: [{ sizes: [4, 8] }], forks: 2 }, sources());
    const g = m.groups[0]!;
    const orders = [
      ['good', 'null', 'base'],
      ['base', 'good', 'null'],
    ];
    const result: GroupResult = {
      groupId: g.id,
      workload: g.workload,
      size: g.size,
      seed: g.seed,
      machine: g.machine,
      ops: 100,
      peakOps: 80,
      peakReservations: 3,
      oracleDigest: 'ab',
      cells: g.trackers.map((t) => ({
        tracker: t,
        digest: 'ab',
        validity: t === 'null' ? ('unchecked' as const) : ('valid' as const),
        modeledBytes: 1,
        pageTableBytes: 0,
        jsBytes: 2,
        error: null,
        forks: [0, 1].map((fork) => ({
          ...stubResult({ tracker: t, fork }, { gcCount: 1, gcPauseMs: 0.5, wallMs: 7 + fork, emptyReplayNs: t === 'null' ? 10 + 2 * fork : null }, 2000),
          position: orders[fork]!.indexOf(t),
        })),
      })),
      orders,
      error: null,
      gc: 'exposed',
      wallMs: 1,
    };
    const lines = groupLines(result, { runId: 'r', matrixHash: m.hash, forks: 2, shard: null, finishedAt: 't' });
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => `${l.fork}:${l.position}:${l.tracker}`)).toEqual(['0:0:good', '0:1:null', '0:2:base', '1:0:base', '1:1:good', '1:2:null']);
    const l0 = lines[0]!;
    expect(l0).toMatchObject({ schemaVersion: SCHEMA_VERSION, cellId: 'w/4/1/good', groupId: 'w/4/1', matrixHash: m.hash, fork: 0, forks: 2, validity: 'valid', digest: 'ab', oracleDigest: 'ab', wallMs: 7 });
    expect(l0).not.toHaveProperty('round');
    expect(l0.stats!.opsPerSec).toBeCloseTo(100 / 2e-6, 3);
    expect(l0.stats!.nsPerOp).toBe(20);
    expect(l0.warmup).toEqual({ replays: 4, ms: 1, firstMs: 0.5, steady: true, lastMedianNs: 2000 });
    expect(l0.memory).toEqual({ modeledBytes: 1, pageTableBytes: 0, jsBytes: 2, gcCount: 1, gcPauseMs: 0.5 });
    expect(l0.peakReservations).toBe(3);
    expect(l0.harness.emptyReplayNs).toBeNull();
    expect(lines[5]!.harness.emptyReplayNs).toBe(12);
    // Only the first group is complete; a partial second group (fork 1 missing) is dropped, duplicates too.
    const partial = lines.slice(0, 3).map((l) => ({ ...l, cellId: l.cellId.replace('/4/', '/8/'), groupId: 'w/8/1' }));
    const manifest = { matrix: m, groupIds: m.groups.map((x) => x.id) };
    const { done, kept } = completeGroups(manifest, [...lines, ...partial, { ...lines[0]!, wallMs: 99 }]); // a duplicate (as read back: another object)
    expect([...done]).toEqual(['w/4/1']);
    expect(kept).toEqual(lines); // the first of each cell × fork, in file order
    // A group whose preparation died is run again, though every cell × fork has a line.
    const dead = failedGroupLines(m.groups[1]!, 'worker: died', { runId: 'r', matrixHash: m.hash, forks: 2, shard: null, finishedAt: 't' });
    expect(dead).toHaveLength(6);
    expect(dead.every((l) => l.validity === 'errored' && l.position === -1 && l.ops === null && l.error === 'worker: died')).toBe(true);
    expect([...completeGroups(manifest, [...lines, ...dead]).done]).toEqual(['w/4/1']);
  });
});
