/**
 * Results storage, one folder per run: `results/<run-id>/`.
 *
 * - `run.json` — the manifest: run id, matrix (groups, trackers, timing,
 *   machine), matrix hash, shard, the groups this run owns. Written
 *   atomically at the start (and on resume/finish).
 * - `results.jsonl` — the source of truth: one JSON line per cell × fork
 *   (`ResultLine`), appended one group at a time with a single write and an
 *   fsync, so an interrupted run keeps every finished group and never a
 *   half-written one (a torn last line is detected and dropped on resume).
 * - `env.json` — the machine and software the run measured on.
 * - `results.json`, `summary.md`, `results.csv`, the charts, `report.html` —
 *   written from one summary of the lines (bench/summarise/, then
 *   bench/present/run-files.ts), each atomically.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { Validity } from '../measure/fork.js';
import type { CellResult, GroupResult } from '../measure/group.js';
import { meanRme } from '../measure/sample-stats.js';
import type { SampleSummary, Warmup } from '../measure/timing.js';
import type { MachineChoice } from '../plan/machine.js';
import { cellId, SCHEMA_VERSION, type Matrix, type MatrixGroup } from '../plan/matrix.js';
import { MSG } from '../messages.js';
import type { Shard } from './shard.js';
import type { Isolation } from '../measure/isolate.js';
import type { SmpForkFigures } from '../measure/smp-types.js';

export { SCHEMA_VERSION } from '../plan/matrix.js';

/** File names inside a run folder. */
export const FILES = {
  manifest: 'run.json',
  lines: 'results.jsonl',
  env: 'env.json',
  aggregate: 'results.json',
  summary: 'summary.md',
  csv: 'results.csv',
  /** An SMP run projected past its host (`memtype-bench project`). */
  projection: 'projection.json',
} as const;

/** A fork's statistics as stored: its samples' summary plus throughput. */
export interface StoredStats extends SampleSummary {
  /** Relative margin of error of the fork's mean, percent (95%, Student's t; `meanRme`) — of its samples only. */
  rme: number;
  /** Operations per second at the fork's figure: ops / its fastest replay, seconds (bench/summarise/stats.ts `forkFigure`). */
  opsPerSec: number;
  /** ns per operation at the fork's figure: its fastest replay, ns / ops. */
  nsPerOp: number;
}

/** One line of results.jsonl: one cell in one fork (a fresh isolate). */
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
  /** 0-based fork, of `forks`: fork k of every tracker of a group runs in block k, in a random order of its own. */
  fork: number;
  forks: number;
  /** 0-based position in its block's random order (-1 when never run). */
  position: number;
  /** Operations in the stream, and up to its peak state; null when it could not be built. */
  ops: number | null;
  peakOps: number | null;
  /**
   * Memtype reservations live at the peak state (the oracle's, what
   * `pat_memtype_list` would show): the denominator of bytes per
   * reservation. Null when unknown; absent from lines written before it
   * was recorded (readers take absent as null).
   */
  peakReservations?: number | null;
  /** The fork's warm-up (its first, digest replay included); null when it did not get that far. */
  warmup: Warmup | null;
  /** Wall time of the fork inside its isolate (start-up excluded), ms; 0 when it never ran. */
  wallMs: number;
  /** Timing in ns per replay of the whole stream; null when the fork failed. */
  stats: StoredStats | null;
  memory: {
    /** Modeled kernel bytes at the peak state (deterministic; measured in fork 0). */
    modeledBytes: number | null;
    /** The page tables' share of `modeledBytes` (absent from lines written before it was recorded: read as null). */
    pageTableBytes?: number | null;
    /** JS heap + ArrayBuffer bytes of one machine + tracker at the peak state, after forced GC (fork 0). */
    jsBytes: number | null;
    /** GCs started during this fork's timed replays, and their pause, ms. */
    gcCount: number;
    gcPauseMs: number;
  };
  harness: {
    /** Median empty-replay time, ns, measured in the `null` tracker's forks (null on other lines): the harness's own cost per replay. */
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
  /**
   * An SMP cell's CPUs (worker threads sharing one memtype state); absent on
   * single-CPU lines. The line's `ops` are every CPU's, its times the
   * slowest CPU's per replay, its digests the per-CPU digests joined by `.`.
   */
  cpus?: number;
  /** SMP lines: the measuring host's `os.availableParallelism()`, CPUs the host can run at once. */
  availableParallelism?: number;
  /** SMP lines: `cpus` > `availableParallelism` — the cell's CPU threads time-share the host's cores. */
  oversubscribed?: boolean;
  /** SMP lines: what the fork measured per CPU and inside the lock (bench/measure/smp-types.ts); null when the fork did not measure. */
  smp?: SmpForkFigures | null;
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
  /** Forks measuring at once (groups in parallel). */
  threads: number;
  /** How forks were isolated. */
  isolation: Isolation;
  /** Raw samples kept per fork. */
  maxSamples: number;
  /**
   * `verify` of each module-loaded tracker in the lineup (absent: none, or a
   * run recorded before modules existed): pending until the run checks it,
   * `skipped` with `--no-verify` (its cells are then `unchecked`), `failed`
   * with why (never timed, its cells errored).
   */
  verification?: Record<string, Verification>;
}

/** The verdict of `verify` on a module-loaded tracker, as run.json records it. */
export interface Verification {
  state: 'pending' | 'passed' | 'failed' | 'skipped';
  /** Why it failed. */
  error?: string;
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
    if (typeof v !== 'object' || v === null || typeof l.cellId !== 'string') {
      throw new InputError(MSG.results.badLine(path, lineNo, 'expected a result line with cellId'));
    }
    if (l.schemaVersion !== SCHEMA_VERSION) throw new InputError(MSG.results.schema(path, l.schemaVersion, SCHEMA_VERSION));
    if (typeof l.fork !== 'number') throw new InputError(MSG.results.badLine(path, lineNo, 'expected a result line with cellId and fork'));
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
  forks: number;
  shard: string | null;
  finishedAt: string;
  /** The host's `os.availableParallelism()`, stamped on SMP lines. */
  availableParallelism?: number;
}

/** The SMP fields of a line of an SMP group (nothing for a single-CPU group). */
function smpFields(cpus: number | undefined, ctx: LineContext, figures: SmpForkFigures | null): Pick<ResultLine, 'cpus' | 'availableParallelism' | 'oversubscribed' | 'smp'> {
  if (cpus === undefined) return {};
  const host = ctx.availableParallelism;
  return { cpus, ...(host !== undefined ? { availableParallelism: host, oversubscribed: cpus > host } : {}), smp: figures };
}

function storedStats(s: SampleSummary | null, ops: number | null): StoredStats | null {
  if (s === null || ops === null || !(s.minNs > 0)) return null;
  return { ...s, rme: meanRme(s.samples, s.meanNs, s.sdNs), opsPerSec: ops / (s.minNs / 1e9), nsPerOp: s.minNs / Math.max(1, ops) };
}

/** Flattens a group result into result lines: one per cell × fork, in fork-then-position order. */
export function groupLines(group: GroupResult, ctx: LineContext): ResultLine[] {
  const out: ResultLine[] = [];
  const byCell = new Map<string, CellResult>(group.cells.map((c) => [c.tracker, c]));
  for (let fork = 0; fork < ctx.forks; fork++) {
    const order = group.orders[fork] ?? group.cells.map((c) => c.tracker);
    for (const tracker of order) {
      const c = byCell.get(tracker);
      if (!c) continue;
      const f = c.forks.find((x) => x.fork === fork);
      out.push({
        ...lineHead(group, tracker, fork, ctx),
        position: f?.position ?? -1,
        ops: group.ops,
        peakOps: group.peakOps,
        peakReservations: group.peakReservations,
        warmup: f?.warmup ?? null,
        wallMs: f?.wallMs ?? 0,
        stats: storedStats(f?.stats ?? null, group.ops),
        memory: { modeledBytes: c.modeledBytes, pageTableBytes: c.pageTableBytes, jsBytes: c.jsBytes, gcCount: f?.gcCount ?? 0, gcPauseMs: f?.gcPauseMs ?? 0 },
        harness: { emptyReplayNs: f?.emptyReplayNs ?? null },
        digest: c.digest,
        oracleDigest: group.oracleDigest,
        validity: c.validity,
        error: f?.error ?? c.error ?? group.error,
        shard: ctx.shard,
        finishedAt: ctx.finishedAt,
        ...smpFields(group.cpus, ctx, f?.smp ?? null),
      });
    }
  }
  return out;
}

/** The identifying fields of a line. */
function lineHead(
  g: Pick<GroupResult, 'groupId' | 'workload' | 'size' | 'seed' | 'machine' | 'cpus'>,
  tracker: string,
  fork: number,
  ctx: LineContext,
): Pick<ResultLine, 'schemaVersion' | 'runId' | 'matrixHash' | 'cellId' | 'groupId' | 'workload' | 'size' | 'seed' | 'tracker' | 'machine' | 'fork' | 'forks'> {
  return {
    schemaVersion: SCHEMA_VERSION,
    runId: ctx.runId,
    matrixHash: ctx.matrixHash,
    cellId: cellId(g, tracker),
    groupId: g.groupId,
    workload: g.workload,
    size: g.size,
    seed: g.seed,
    tracker,
    machine: g.machine,
    fork,
    forks: ctx.forks,
  };
}

/** Result lines for a group that could not be measured at all (its preparation's worker died). */
export function failedGroupLines(g: MatrixGroup, error: string, ctx: LineContext): ResultLine[] {
  const out: ResultLine[] = [];
  for (let fork = 0; fork < ctx.forks; fork++) {
    for (const tracker of g.trackers) {
      out.push({
        ...lineHead({ groupId: g.id, workload: g.workload, size: g.size, seed: g.seed, machine: g.machine, ...(g.cpus !== undefined ? { cpus: g.cpus } : {}) }, tracker, fork, ctx),
        position: -1,
        ops: null,
        peakOps: null,
        peakReservations: null,
        warmup: null,
        wallMs: 0,
        stats: null,
        memory: { modeledBytes: null, pageTableBytes: null, jsBytes: null, gcCount: 0, gcPauseMs: 0 },
        harness: { emptyReplayNs: null },
        digest: null,
        oracleDigest: null,
        validity: 'errored',
        error,
        shard: ctx.shard,
        finishedAt: ctx.finishedAt,
        ...smpFields(g.cpus, ctx, null),
      });
    }
  }
  return out;
}

/**
 * The first line of each cell × fork, grouped by cell (in first-seen
 * order): duplicates — from a resumed or merged run — are dropped.
 */
export function linesByCell(lines: readonly ResultLine[]): Map<string, ResultLine[]> {
  const byCell = new Map<string, ResultLine[]>();
  const seen = new Set<string>();
  for (const l of lines) {
    const key = `${l.cellId}#${l.fork}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let list = byCell.get(l.cellId);
    if (!list) byCell.set(l.cellId, (list = []));
    list.push(l);
  }
  return byCell;
}

/**
 * Which groups of `manifest` are complete in `lines` (every tracker × every
 * fork present, and not a group that could not be prepared — those are run
 * again), and the lines belonging to them (first occurrence of each
 * cell × fork kept).
 */
export function completeGroups(manifest: Pick<RunManifest, 'matrix' | 'groupIds'>, lines: readonly ResultLine[]): { done: Set<string>; kept: ResultLine[] } {
  const want = new Map(manifest.matrix.groups.map((g) => [g.id, g]));
  const byCell = linesByCell(lines);
  const done = new Set<string>();
  for (const id of manifest.groupIds) {
    const g = want.get(id);
    if (!g) continue;
    if (g.trackers.every((t) => (byCell.get(cellId(g, t))?.length ?? 0) >= manifest.matrix.forks)) done.add(id);
  }
  // A group never measured (its preparation died, or the stream could not be built) is run again.
  for (const l of lines) if (l.position === -1 && l.ops === null && l.validity === 'errored') done.delete(l.groupId);
  // The first line of each cell × fork, in file order, so a rewritten file keeps finished groups byte for byte.
  const seen = new Set<string>();
  const kept = lines.filter((l) => {
    const key = `${l.cellId}#${l.fork}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return done.has(l.groupId);
  });
  return { done, kept };
}
