/**
 * `memtype-bench run`: expands the matrix, measures its groups on the worker
 * pool with progress, writes results.json after every group and the charts
 * at the end, prints the summary table.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { InputError } from '../core/errors.js';
import { NULL_TRACKER } from '../impls/registry.js';
import { DEFAULT_TIMING, type GroupResult, type GroupTask, type TimingOptions } from './cell.js';
import { writeCharts } from './charts.js';
import { expandMatrix, type MatrixFilters, type MatrixGroup, type MatrixSources } from './matrix.js';
import { createPool, type GroupPool } from './pool.js';
import { cellRecords, createRunDir, newRunResults, writeResults, type CellRecord } from './results.js';
import { formatCount, formatTable } from './table.js';

/** Options of a run (what `memtype-bench run` parses). */
export interface RunOptions extends MatrixFilters {
  /** Worker threads measuring at once. Default 1 (stable timing on 2 cores). */
  parallel?: number;
  /** tinybench time budget per cell, ms. Default `DEFAULT_TIMING.timeMs`. */
  timeMs?: number;
  /** Folder that receives `<run-id>/`. Default `results`. */
  outDir?: string;
}

/** Injection points (tests). */
export interface RunDeps {
  /** Creates the pool (default: `createPool({ maxThreads })`). */
  createPool?: (maxThreads: number) => GroupPool;
  /** Where the header, table and summary go. Default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Where progress goes. Default process.stderr. */
  stderr?: NodeJS.WritableStream;
  /** Draw a progress bar (default: stderr is a TTY); else one line per group. */
  tty?: boolean;
  /** Registry access for the matrix. */
  matrixSources?: MatrixSources;
  /** Clock for the run id and timestamps. */
  now?: () => Date;
}

/** What a finished run reports. */
export interface RunOutcome {
  /** 0 when every non-baseline cell is valid and no cell errored, else 1. */
  exitCode: number;
  runId: string;
  /** The run folder. */
  dir: string;
  resultsFile: string;
  charts: string[];
  cells: CellRecord[];
}

/** Timing options for a run. @throws InputError for a non-positive time */
export function timingFor(options: RunOptions): TimingOptions {
  const t = { ...DEFAULT_TIMING };
  if (options.timeMs !== undefined) {
    if (!Number.isFinite(options.timeMs) || options.timeMs <= 0) throw new InputError(`--time must be a positive number of milliseconds, got ${options.timeMs}`);
    t.timeMs = options.timeMs;
    t.warmupTimeMs = Math.min(t.warmupTimeMs, options.timeMs);
  }
  return t;
}

function groupLabel(g: Pick<MatrixGroup, 'workload' | 'size' | 'seed'>): string {
  return `${g.workload} size=${formatCount(g.size)} seed=${g.seed}`;
}

function failedGroup(g: MatrixGroup, error: string): GroupResult {
  return {
    workload: g.workload,
    size: g.size,
    seed: g.seed,
    ops: null,
    oracleDigest: null,
    error,
    gc: 'none',
    wallMs: 0,
    cells: g.trackers.map((tracker) => ({
      tracker,
      baseline: tracker === NULL_TRACKER,
      opsPerSec: null,
      nsPerOp: null,
      rme: null,
      samples: 0,
      modeledBytes: null,
      jsBytes: null,
      digest: null,
      valid: tracker === NULL_TRACKER ? null : false,
      error,
    })),
  };
}

/** True when the cell makes the run fail: invalid, or errored (baseline included). */
export function cellFailed(c: Pick<CellRecord, 'valid' | 'baseline' | 'error'>): boolean {
  return c.error !== null || (!c.baseline && c.valid !== true);
}

/**
 * Runs the benchmark.
 * @returns the outcome; `exitCode` 1 when any cell is invalid or errored
 * @throws InputError for bad filters or an empty matrix (nothing is written then)
 */
export async function runBench(options: RunOptions = {}, deps: RunDeps = {}): Promise<RunOutcome> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => new Date());
  const matrix = expandMatrix(options, deps.matrixSources);
  if (matrix.groups.length === 0) {
    throw new InputError(
      `nothing to run: the matrix is empty (workloads: ${matrix.workloads.join(', ') || 'none registered'}; trackers: ${matrix.trackers.join(', ') || 'none registered'})`,
    );
  }
  const timing = timingFor(options);
  const threads = options.parallel ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new InputError(`--parallel must be a positive integer, got ${threads}`);

  const started = now();
  const { runId, dir } = createRunDir(resolve(options.outDir ?? 'results'), started);
  const results = newRunResults(runId, matrix, timing, threads, started);
  const resultsFile = writeResults(dir, results);
  const perGroup: (CellRecord[] | undefined)[] = new Array(matrix.groups.length);

  const trackerCount = matrix.groups[0]!.trackers.length;
  stdout.write(
    `memtype-bench run ${runId}: ${matrix.groups.length} groups × ${trackerCount} trackers (incl. null baseline) = ${matrix.cellCount} cells\n` +
      `pool: ${threads} worker thread${threads === 1 ? '' : 's'} measuring at once` +
      (threads === 1 ? ' (one busy worker for stable timing; --parallel N to change)' : ' (--parallel; timings may interfere)') +
      ` on ${results.env.cores} cores; time budget ${timing.timeMs} ms per cell\n` +
      `results: ${resultsFile}\n`,
  );

  const tty = deps.tty ?? Boolean((stderr as NodeJS.WriteStream).isTTY);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'groups {bar} {value}/{total} {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted} | {last}',
          stream: stderr,
          hideCursor: true,
          etaBuffer: 8,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(matrix.groups.length, 0, { last: '' });

  const pool = (deps.createPool ?? ((n: number) => createPool({ maxThreads: n })))(threads);
  let done = 0;
  const runGroup = async (i: number): Promise<void> => {
    const g = matrix.groups[i]!;
    const task: GroupTask = { workload: g.workload, size: g.size, seed: g.seed, trackers: [...g.trackers], timing };
    let r: GroupResult;
    try {
      r = await pool.run(task);
    } catch (e) {
      r = failedGroup(g, `worker: ${e instanceof Error ? e.message : String(e)}`);
    }
    perGroup[i] = cellRecords(r);
    if (results.env.gc === null && r.error === null) results.env.gc = r.gc;
    results.cells = perGroup.flatMap((c) => c ?? []);
    writeResults(dir, results);
    done++;
    const bad = perGroup[i]!.filter(cellFailed).length;
    const note = r.error !== null ? `ERROR ${r.error}` : bad > 0 ? `${bad} INVALID` : 'all valid';
    if (bar) bar.increment(1, { last: `${groupLabel(g)}: ${note}` });
    else
      stderr.write(
        `[${done}/${matrix.groups.length}] ${groupLabel(g)}: ${r.cells.length} cells, ${formatCount(r.ops)} ops, ${(r.wallMs / 1000).toFixed(1)} s, ${note}\n`,
      );
  };
  // Hand groups to the pool in matrix order, at most `threads` at a time, so
  // the order (and with one thread, each worker's JIT history) is the same
  // from run to run.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < matrix.groups.length) await runGroup(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads, matrix.groups.length) }, lane));
  } finally {
    bar?.stop();
    await pool.destroy();
  }

  results.finishedAt = now().toISOString();
  results.cells = perGroup.flatMap((c) => c ?? []);
  writeResults(dir, results);
  const charts = await writeCharts(dir, results.cells);

  stdout.write('\n' + formatTable(results.cells) + '\n');
  const failed = results.cells.filter(cellFailed);
  for (const c of failed.filter((x) => x.error !== null)) {
    stdout.write(`error: ${c.tracker} on ${groupLabel(c)}: ${c.error}\n`);
  }
  stdout.write(`results: ${resultsFile}\ncharts: ${charts.join(', ')}\n`);
  const measured = results.cells.filter((c) => !c.baseline).length;
  if (failed.length === 0) {
    stdout.write(`all ${measured} tracker cells valid\n`);
  } else {
    stdout.write(`FAILED: ${failed.length} of ${results.cells.length} cells are INVALID or errored (exit status 1)\n`);
  }
  return { exitCode: failed.length === 0 ? 0 : 1, runId, dir, resultsFile, charts, cells: results.cells };
}
