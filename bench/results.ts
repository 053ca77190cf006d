/**
 * Results storage: `results/<run-id>/results.json`, versioned, rewritten
 * atomically (temp file + rename) after every finished group so that an
 * interrupted run keeps the cells it finished.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CellResult, GcMode, GroupResult, TimingOptions } from './cell.js';
import type { Matrix } from './matrix.js';

/** Version of the results.json layout; bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** One cell of results.json. */
export interface CellRecord {
  workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  size: number;
  seed: number;
  tracker: string;
  /** Operations in the replayed stream (null when it could not be built). */
  ops: number | null;
  /** Operations per second (stream ops / median replay seconds). */
  opsPerSec: number | null;
  /** Median nanoseconds per operation. */
  nsPerOp: number | null;
  /** Relative margin of error of the replay time, percent. */
  rme: number | null;
  /** Timed samples. */
  samples: number;
  /** Modeled kernel bytes (tracker state + page tables) after one full replay. */
  modeledBytes: number | null;
  /** Measured JS heap bytes of one machine + tracker after a full replay. */
  jsBytes: number | null;
  /** The tracker's outcome digest (16 hex digits). */
  digest: string | null;
  /** The oracle's outcome digest for this group. */
  oracleDigest: string | null;
  /** digest === oracleDigest; null for the baseline; false when errored. */
  valid: boolean | null;
  /** True for the `null` tracker (harness + core cost). */
  baseline: boolean;
  /** Failure message, when the cell failed. */
  error: string | null;
}

/** The machine the run measured on. */
export interface RunEnv {
  node: string;
  v8: string;
  platform: string;
  arch: string;
  cpuModel: string;
  /** Logical CPUs. */
  cores: number;
  /** Total memory, bytes. */
  totalMemoryBytes: number;
  /** How workers forced GC for `jsBytes` (null until a group has reported). */
  gc: GcMode | null;
}

/** results.json. */
export interface RunResults {
  schemaVersion: typeof SCHEMA_VERSION;
  runId: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  /** ISO 8601 UTC; null while the run is in progress (or was interrupted). */
  finishedAt: string | null;
  /** Worker threads measuring at once. */
  threads: number;
  timing: TimingOptions;
  matrix: {
    trackers: readonly string[];
    workloads: readonly string[];
    sizes: readonly number[] | null;
    seeds: readonly number[];
    groups: { workload: string; size: number; seed: number }[];
    cellCount: number;
  };
  env: RunEnv;
  /** Finished cells, in matrix order. */
  cells: CellRecord[];
}

/** Run id from a date: UTC, second resolution, filesystem-safe, e.g. `2026-11-21T14-03-05Z`. */
export function makeRunId(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
}

/**
 * Creates a fresh run folder `<baseDir>/<run-id>` (suffix `-2`, `-3`, … if
 * that id is taken).
 * @returns the run id (with suffix) and the folder path
 */
export function createRunDir(baseDir: string, date: Date = new Date()): { runId: string; dir: string } {
  mkdirSync(baseDir, { recursive: true });
  const id = makeRunId(date);
  for (let n = 1; ; n++) {
    const runId = n === 1 ? id : `${id}-${n}`;
    const dir = join(baseDir, runId);
    try {
      mkdirSync(dir);
      return { runId, dir };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
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

/** The host's basics. */
export function collectEnv(gc: GcMode | null = null): RunEnv {
  const cpu = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    totalMemoryBytes: totalmem(),
    gc,
  };
}

/** A fresh results document for a run, with no cells yet. */
export function newRunResults(runId: string, matrix: Matrix, timing: TimingOptions, threads: number, startedAt: Date = new Date()): RunResults {
  return {
    schemaVersion: SCHEMA_VERSION,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: null,
    threads,
    timing: { ...timing },
    matrix: {
      trackers: matrix.trackers,
      workloads: matrix.workloads,
      sizes: matrix.sizes,
      seeds: matrix.seeds,
      groups: matrix.groups.map((g) => ({ workload: g.workload, size: g.size, seed: g.seed })),
      cellCount: matrix.cellCount,
    },
    env: collectEnv(),
    cells: [],
  };
}

/** Flattens a group result into results.json cell records. */
export function cellRecords(group: GroupResult): CellRecord[] {
  return group.cells.map((c: CellResult) => ({
    workload: group.workload,
    size: group.size,
    seed: group.seed,
    tracker: c.tracker,
    ops: group.ops,
    opsPerSec: c.opsPerSec,
    nsPerOp: c.nsPerOp,
    rme: c.rme,
    samples: c.samples,
    modeledBytes: c.modeledBytes,
    jsBytes: c.jsBytes,
    digest: c.digest,
    oracleDigest: group.oracleDigest,
    valid: c.valid,
    baseline: c.baseline,
    error: c.error,
  }));
}

/** Path of results.json in a run folder. */
export function resultsPath(dir: string): string {
  return join(dir, 'results.json');
}

/**
 * Writes (or rewrites) `<dir>/results.json` atomically.
 * @returns the file's path
 */
export function writeResults(dir: string, results: RunResults): string {
  const path = resultsPath(dir);
  writeFileAtomic(path, JSON.stringify(results, null, 2) + '\n');
  return path;
}
