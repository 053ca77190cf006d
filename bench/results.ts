/**
 * Results storage, one folder per run: `results/<run-id>/`.
 *
 * - `run.json` — the manifest: run id, matrix (groups, trackers, timing,
 *   machine), matrix hash, shard, the groups this run owns. Written
 *   atomically at the start (and on resume/finish).
 * - `results.jsonl` — the source of truth: one JSON line per cell × round
 *   (`ResultLine`), appended one group at a time with a single write and an
 *   fsync, so an interrupted run keeps every finished group and never a
 *   half-written one (a torn last line is detected and dropped on resume).
 * - `env.json` — the machine and software the run measured on.
 * - `results.json`, `summary.md`, `results.csv`, charts — derived from the
 *   lines (bench/summary.ts), rewritten atomically.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import type { CellResult, GroupResult, RoundStats, Validity } from './cell.js';
import type { MachineChoice } from './machine-input.js';
import { cellId, SCHEMA_VERSION, type Matrix, type MatrixGroup } from './matrix.js';
import { MSG } from './messages.js';
import type { Shard } from './shard.js';

export { SCHEMA_VERSION } from './matrix.js';

/** File names inside a run folder. */
export const FILES = {
  manifest: 'run.json',
  lines: 'results.jsonl',
  env: 'env.json',
  aggregate: 'results.json',
  summary: 'summary.md',
  csv: 'results.csv',
} as const;

/** Round statistics as stored: `RoundStats` plus throughput. */
export interface StoredStats extends RoundStats {
  /** Operations per second: ops / median replay seconds. */
  opsPerSec: number;
  /** Median ns per operation: median replay ns / ops. */
  nsPerOp: number;
}

/** One line of results.jsonl: one cell in one round. */
export interface ResultLine {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  matrixHash: string;
  /** `workload/size/seed/tracker`. */
  cellId: string;
  /** `workload/size/seed`. */
  groupId: string;
  workload: string;
  size: number;
  seed: number;
  tracker: string;
  /** Machine label (profile or `file:NAME`). */
  machine: string;
  /** 0-based round, of `rounds`. */
  round: number;
  rounds: number;
  /** 0-based position in the round's random order (-1 when never run). */
  position: number;
  /** Operations in the stream, and up to its peak state; null when it could not be built. */
  ops: number | null;
  peakOps: number | null;
  /** Timing in ns per replay of the whole stream; null when the cell-round failed. */
  stats: StoredStats | null;
  memory: {
    /** Modeled kernel bytes at the peak state (deterministic). */
    modeledBytes: number | null;
    /** JS heap + ArrayBuffer bytes of one machine + tracker at the peak state (after forced GC). */
    jsBytes: number | null;
    /** GCs started during this cell-round's timed replays, and their pause, ms. */
    gcCount: number;
    gcPauseMs: number;
  };
  harness: {
    /** Median time of this group-round's empty replay, ns: the harness's own cost per replay. */
    emptyReplayNs: number | null;
  };
  /** The tracker's outcome digest and the oracle's. */
  digest: string | null;
  oracleDigest: string | null;
  validity: Validity;
  error: string | null;
  /** `i/n` when the run is a shard. */
  shard: string | null;
  /** ISO 8601 UTC time the group finished. */
  finishedAt: string;
}

/** run.json. */
export interface RunManifest {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  matrixHash: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  /** ISO times of `--resume` restarts. */
  resumedAt: string[];
  /** ISO time the last group finished; null while running or interrupted. */
  finishedAt: string | null;
  matrix: Matrix;
  /** The machine choice, with a user's file texts (so `--resume` needs nothing else). */
  machineChoice: MachineChoice;
  shard: Shard | null;
  /** Ids of the groups this run measures (its shard's), in run order. */
  groupIds: string[];
  /** Worker threads measuring at once. */
  threads: number;
  /** Raw samples kept per cell-round. */
  maxSamples: number;
}

/** Run id from a date: UTC, second resolution, filesystem-safe, e.g. `2026-11-21T14-03-05Z`; `-s2of4` for shard 2/4. */
export function makeRunId(date: Date = new Date(), shard: Shard | null = null): string {
  const base = date.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
  return shard ? `${base}-s${shard.index}of${shard.count}` : base;
}

/** A run id given by the user: letters, digits, `._-` only. @throws InputError otherwise */
export function checkRunId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) throw new InputError(MSG.results.badRunId(id));
  return id;
}

/**
 * Creates a fresh run folder `<baseDir>/<id>` (suffix `-2`, `-3`, … if that
 * id is taken, unless `exact`).
 * @throws InputError when `exact` and the folder exists
 */
export function createRunDir(baseDir: string, id: string, exact = false): { runId: string; dir: string } {
  mkdirSync(baseDir, { recursive: true });
  for (let n = 1; ; n++) {
    const runId = n === 1 ? id : `${id}-${n}`;
    const dir = join(baseDir, runId);
    try {
      mkdirSync(dir);
      return { runId, dir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (exact) throw new InputError(MSG.results.runExists(dir));
    }
  }
}

let tmpCounter = 0;

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, fsync,
 * rename over `path`. Readers see the old content or the new, never a part.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/**
 * Appends `lines` (each one JSON document, no newline inside) to `path` in a
 * single write, then fsyncs: a crash leaves either all of them or a torn
 * tail that `readResultLines` detects.
 */
export function appendLines(path: string, lines: readonly unknown[]): void {
  if (lines.length === 0) return;
  const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What `readResultLines` found. */
export interface ReadLines {
  lines: ResultLine[];
  /** True when the file ended in a partial line (an interrupted write), which was dropped. */
  tornTail: boolean;
}

/**
 * Reads results.jsonl. A last line without its newline that does not parse
 * is an interrupted append: dropped and reported in `tornTail`.
 * @throws InputError for a missing file, a malformed complete line (naming the line), or a line of another schema version
 */
export function readResultLines(path: string): ReadLines {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(MSG.results.unreadable(path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  const parts = text.split('\n');
  const last = parts.pop()!; // '' when the file ends with a newline
  const lines: ResultLine[] = [];
  let tornTail = false;
  const check = (v: unknown, lineNo: number): ResultLine => {
    const l = v as Partial<ResultLine>;
    if (typeof v !== 'object' || v === null || typeof l.cellId !== 'string' || typeof l.round !== 'number') {
      throw new InputError(MSG.results.badLine(path, lineNo, 'expected a result line with cellId and round'));
    }
    if (l.schemaVersion !== SCHEMA_VERSION) throw new InputError(MSG.results.schema(path, l.schemaVersion, SCHEMA_VERSION));
    return v as ResultLine;
  };
  parts.forEach((p, i) => {
    if (p.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(p);
    } catch (e) {
      throw new InputError(MSG.results.badLine(path, i + 1, e instanceof Error ? e.message : String(e)));
    }
    lines.push(check(v, i + 1));
  });
  if (last.trim() !== '') {
    let v: unknown;
    let parsed = true;
    try {
      v = JSON.parse(last);
    } catch {
      parsed = false;
    }
    if (parsed) lines.push(check(v, parts.length + 1));
    else tornTail = true;
  }
  return { lines, tornTail };
}

/**
 * Reads and checks run.json.
 * @throws InputError for a missing folder or manifest, malformed JSON, or another schema version
 */
export function readManifest(dir: string): RunManifest {
  const path = join(dir, FILES.manifest);
  if (!existsSync(dir)) throw new InputError(MSG.results.noRun(dir));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(MSG.results.noManifest(dir));
  }
  let m: Partial<RunManifest>;
  try {
    m = JSON.parse(text) as Partial<RunManifest>;
  } catch (e) {
    throw new InputError(MSG.results.badManifest(path, e instanceof Error ? e.message : String(e)));
  }
  if (m.schemaVersion !== SCHEMA_VERSION) throw new InputError(MSG.results.schema(path, m.schemaVersion, SCHEMA_VERSION));
  if (typeof m.matrixHash !== 'string' || !m.matrix || !Array.isArray(m.groupIds)) throw new InputError(MSG.results.badManifest(path, 'missing matrix, matrixHash or groupIds'));
  return m as RunManifest;
}

/** Writes run.json atomically. */
export function writeManifest(dir: string, m: RunManifest): void {
  writeFileAtomic(join(dir, FILES.manifest), JSON.stringify(m, null, 2) + '\n');
}

/**
 * Finds a run folder from a user's argument: a path to a folder, or a run id
 * under `baseDir`.
 * @throws InputError when neither exists
 */
export function resolveRunDir(arg: string, baseDir = 'results'): string {
  const direct = resolve(arg);
  if (existsSync(join(direct, FILES.manifest)) || existsSync(join(direct, FILES.lines))) return direct;
  const under = resolve(baseDir, arg);
  if (existsSync(join(under, FILES.manifest)) || existsSync(join(under, FILES.lines))) return under;
  if (existsSync(direct)) throw new InputError(MSG.results.noManifest(direct));
  throw new InputError(MSG.results.noRun(arg));
}

/** Context stamped on every line of a run. */
export interface LineContext {
  runId: string;
  matrixHash: string;
  rounds: number;
  shard: string | null;
  finishedAt: string;
}

function storedStats(s: RoundStats | null, ops: number | null): StoredStats | null {
  if (s === null || ops === null || !(s.medianNs > 0)) return null;
  return { ...s, opsPerSec: ops / (s.medianNs / 1e9), nsPerOp: s.medianNs / Math.max(1, ops) };
}

/** Flattens a group result into result lines: one per cell × round, in round-then-position order. */
export function groupLines(group: GroupResult, ctx: LineContext): ResultLine[] {
  const out: ResultLine[] = [];
  const byCell = new Map<string, CellResult>(group.cells.map((c) => [c.tracker, c]));
  for (let round = 0; round < ctx.rounds; round++) {
    const order = group.orders[round] ?? group.cells.map((c) => c.tracker);
    for (const tracker of order) {
      const c = byCell.get(tracker);
      if (!c) continue;
      const r = c.rounds.find((x) => x.round === round);
      out.push({
        schemaVersion: SCHEMA_VERSION,
        runId: ctx.runId,
        matrixHash: ctx.matrixHash,
        cellId: cellId(group, tracker),
        groupId: group.groupId,
        workload: group.workload,
        size: group.size,
        seed: group.seed,
        tracker,
        machine: group.machine,
        round,
        rounds: ctx.rounds,
        position: r?.position ?? -1,
        ops: group.ops,
        peakOps: group.peakOps,
        stats: storedStats(r?.stats ?? null, group.ops),
        memory: { modeledBytes: c.modeledBytes, jsBytes: c.jsBytes, gcCount: r?.gcCount ?? 0, gcPauseMs: r?.gcPauseMs ?? 0 },
        harness: { emptyReplayNs: group.harnessNs[round] ?? null },
        digest: c.digest,
        oracleDigest: group.oracleDigest,
        validity: c.validity,
        error: r?.error ?? c.error ?? group.error,
        shard: ctx.shard,
        finishedAt: ctx.finishedAt,
      });
    }
  }
  return out;
}

/** Result lines for a group the worker could not measure at all (the worker died). */
export function failedGroupLines(g: MatrixGroup, error: string, ctx: LineContext): ResultLine[] {
  const out: ResultLine[] = [];
  for (let round = 0; round < ctx.rounds; round++) {
    for (const tracker of g.trackers) {
      out.push({
        schemaVersion: SCHEMA_VERSION,
        runId: ctx.runId,
        matrixHash: ctx.matrixHash,
        cellId: cellId(g, tracker),
        groupId: g.id,
        workload: g.workload,
        size: g.size,
        seed: g.seed,
        tracker,
        machine: g.machine,
        round,
        rounds: ctx.rounds,
        position: -1,
        ops: null,
        peakOps: null,
        stats: null,
        memory: { modeledBytes: null, jsBytes: null, gcCount: 0, gcPauseMs: 0 },
        harness: { emptyReplayNs: null },
        digest: null,
        oracleDigest: null,
        validity: 'errored',
        error,
        shard: ctx.shard,
        finishedAt: ctx.finishedAt,
      });
    }
  }
  return out;
}

/**
 * Which groups of `manifest` are complete in `lines` (every tracker × every
 * round present, and not a group whose worker died before measuring it —
 * those are run again), and the lines belonging to them (first occurrence
 * of each cell-round kept).
 */
export function completeGroups(manifest: Pick<RunManifest, 'matrix' | 'groupIds'>, lines: readonly ResultLine[]): { done: Set<string>; kept: ResultLine[] } {
  const want = new Map(manifest.matrix.groups.map((g) => [g.id, g]));
  const seen = new Map<string, ResultLine>();
  for (const l of lines) {
    const key = `${l.cellId}#${l.round}`;
    if (!seen.has(key)) seen.set(key, l);
  }
  const done = new Set<string>();
  for (const id of manifest.groupIds) {
    const g = want.get(id);
    if (!g) continue;
    let all = true;
    for (const t of g.trackers) for (let r = 0; r < manifest.matrix.rounds && all; r++) if (!seen.has(`${cellId(g, t)}#${r}`)) all = false;
    if (all) done.add(id);
  }
  // A group the worker never measured (it died, or the stream could not be built) is run again.
  for (const l of seen.values()) if (l.position === -1 && l.ops === null && l.validity === 'errored') done.delete(l.groupId);
  const kept = [...seen.values()].filter((l) => done.has(l.groupId));
  return { done, kept };
}
