/**
 * Measures one group — (workload, size, seed) — for a list of trackers: the
 * op stream is built once, replayed untimed on the oracle for the reference
 * digest, then for each tracker replayed untimed once (digest, modeled
 * bytes, JS heap bytes) and timed with tinybench, every timed iteration
 * replaying the stream on a fresh machine + tracker built outside the timed
 * region.
 *
 * Runs inside a worker (bench/worker.ts) or directly in tests; everything it
 * returns is plain data.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { median } from 'simple-statistics';
import { Bench, type FnReturnedObject } from 'tinybench';
import { Hardware } from '../core/hardware.js';
import { Machine } from '../core/machine.js';
import type { OpStream } from '../core/ops.js';
import { DigestSink, type OutcomeSink } from '../core/outcome.js';
import type { MemtypeTracker } from '../core/tracker.js';
import { createTracker, NULL_TRACKER, ORACLE } from '../impls/registry.js';
import { getWorkload } from '../workloads/registry.js';

/** tinybench budgets for one cell. Times in milliseconds. */
export interface TimingOptions {
  /** Time budget of the timed phase, ms (counts machine construction too, so wall time stays bounded). */
  timeMs: number;
  /** Minimum number of timed iterations (samples). */
  iterations: number;
  /** Warm-up on/off. */
  warmup: boolean;
  /** Time budget of the warm-up phase, ms. */
  warmupTimeMs: number;
  /** Minimum number of warm-up iterations. */
  warmupIterations: number;
}

/** Defaults sized so the default matrix finishes in minutes on 2 cores (~0.5 s per cell). */
export const DEFAULT_TIMING: Readonly<TimingOptions> = {
  timeMs: 300,
  iterations: 5,
  warmup: true,
  warmupTimeMs: 100,
  warmupIterations: 2,
};

/** The task a worker receives: one group and how to time it. Plain data. */
export interface GroupTask {
  workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  size: number;
  seed: number;
  /** Trackers to measure, in order (the `null` baseline among them). */
  trackers: string[];
  timing: TimingOptions;
}

/** How the JS heap was measured: `global.gc` present, exposed at run time through the V8 flag, or no forced GC. */
export type GcMode = 'exposed' | 'runtime-flag' | 'none';

/** One measured cell. Plain data. */
export interface CellResult {
  tracker: string;
  /** True for the `null` tracker: the harness + core cost, not a tracker. */
  baseline: boolean;
  /** Operations per second: stream op count / median replay seconds; null when not measured. */
  opsPerSec: number | null;
  /** Median nanoseconds per operation; null when not measured. */
  nsPerOp: number | null;
  /** Relative margin of error of the replay latency, percent (95%, Student's t). */
  rme: number | null;
  /** Number of timed samples (replays). */
  samples: number;
  /** Modeled kernel bytes at the workload's peak state (`OpStream.peak`): tracker state + page tables. */
  modeledBytes: number | null;
  /**
   * Measured JS bytes retained by one machine + tracker at the workload's peak state:
   * the delta of heapUsed + arrayBuffers (typed arrays live outside the V8
   * heap) around building and replaying it, after forced GC (see `GroupResult.gc`).
   */
  jsBytes: number | null;
  /** Outcome digest of the tracker's replay (16 hex digits). */
  digest: string | null;
  /** digest === oracle digest; null for the baseline (not applicable). False when errored. */
  valid: boolean | null;
  /** Why the cell failed, when it did (the cell is kept and counts as invalid). */
  error: string | null;
}

/** A measured group. Plain data: one message per group from a worker. */
export interface GroupResult {
  workload: string;
  size: number;
  seed: number;
  /** Operations in the stream; null when it could not be built. */
  ops: number | null;
  /** The oracle's outcome digest; null when it could not be computed. */
  oracleDigest: string | null;
  /** One per requested tracker, in request order. */
  cells: CellResult[];
  /** Group-level failure (stream or oracle), also copied into every cell's `error`. */
  error: string | null;
  gc: GcMode;
  /** Wall time spent on the group, ms. */
  wallMs: number;
}

/** What a replay needs of a machine: `core/machine.ts` `Machine` satisfies it. */
export interface Replayable {
  /** Replays ops `[0, end)` (default all). */
  run(stream: OpStream, sink: OutcomeSink, end?: number): void;
  /** Modeled bytes of all page tables. */
  pageTableBytes(): number;
}

/** Dependencies of a group measurement, injectable for tests. */
export interface CellDeps {
  /** Builds the group's stream (default: `getWorkload(w).generate(size, seed)`). */
  buildStream(workload: string, size: number, seed: number): OpStream;
  /** A fresh tracker (default: the registry's `createTracker`). */
  newTracker(name: string): MemtypeTracker;
  /**
   * Returns a factory of fresh machines for `stream` (default: builds the
   * `Hardware` once from `stream.machine` and returns `t => new Machine(hw, t)`).
   */
  machineFactory(stream: OpStream): (tracker: MemtypeTracker) => Replayable;
}

/** The real registries, hardware and machine. */
export const DEFAULT_DEPS: CellDeps = {
  buildStream: (w, size, seed) => getWorkload(w).generate(size, seed),
  newTracker: createTracker,
  machineFactory(stream) {
    const hw = Hardware.fromSpec(stream.machine);
    return (tracker) => new Machine(hw, tracker);
  },
};

let gcCache: { fn: (() => void) | null; mode: GcMode } | undefined;

/**
 * The forced-GC function: `global.gc` when the process runs with
 * `--expose-gc` (workers inherit it), else one obtained by setting the V8
 * flag at run time and reading `gc` from a new context, else none.
 */
export function findGc(): { fn: (() => void) | null; mode: GcMode } {
  if (gcCache) return gcCache;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcCache = { fn: g, mode: 'exposed' });
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('gc');
    if (typeof f === 'function') return (gcCache = { fn: f as () => void, mode: 'runtime-flag' });
  } catch {
    // fall through: no forced GC
  }
  return (gcCache = { fn: null, mode: 'none' });
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function failedCell(tracker: string, error: string): CellResult {
  return {
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
  };
}

/** JS heap + ArrayBuffer bytes of this thread (typed arrays live outside the V8 heap). */
function jsHeapBytes(): number {
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}

/** Readings per JS-bytes figure; the median is kept (JIT code and lazy sweeping add ± tens of KiB per reading). */
export const JS_BYTES_READINGS = 3;

/**
 * Bytes retained by what `build` returns: (heapUsed + arrayBuffers) after
 * minus before, each read after a forced GC when one is available (else
 * the figure includes garbage); the median of `readings` readings, never
 * negative.
 */
export function measureJsBytes(build: () => unknown, gc: (() => void) | null, readings = JS_BYTES_READINGS): number {
  const deltas: number[] = [];
  for (let i = 0; i < readings; i++) {
    gc?.();
    gc?.();
    const before = jsHeapBytes();
    let keep: unknown = build();
    gc?.();
    const after = jsHeapBytes();
    // Keep the result reachable until after the second reading.
    if (keep === deltas) deltas.length = 0;
    keep = null;
    deltas.push(after - before);
  }
  return Math.max(0, Math.round(median(deltas)));
}

/**
 * Measures one tracker's time on one stream (everything but `jsBytes`, left null).
 * @param oracleDigest the reference digest the tracker's must equal
 * @returns the cell; failures are caught and returned as a cell with `error` set
 */
export function measureTracker(
  name: string,
  stream: OpStream,
  newMachine: (tracker: MemtypeTracker) => Replayable,
  newTracker: (name: string) => MemtypeTracker,
  timing: TimingOptions,
  oracleDigest: string,
): CellResult {
  const baseline = name === NULL_TRACKER;
  try {
    // 1. One untimed full replay: the digest, the modeled bytes and a first
    //    estimate of the replay's wall time (for the time budget).
    const tracker = newTracker(name);
    const machine = newMachine(tracker);
    const sink = new DigestSink();
    const r0 = performance.now();
    machine.run(stream, sink);
    let lastReplayMs = performance.now() - r0;
    const digest = sink.digest();
    // Memory is read at the workload's peak state, before its teardown.
    const atPeak = newTracker(name);
    const peakMachine = newMachine(atPeak);
    peakMachine.run(stream, new DigestSink(), stream.peak);
    const modeledBytes = atPeak.modeledBytes() + peakMachine.pageTableBytes();

    // 2. Timed replays. beforeEach (untimed) builds a fresh tracker, machine
    //    and sink; the task function only replays. The returned
    //    overriddenIterationCost charges construction + replay to the time
    //    budget (not to the sample), so wall time per cell stays bounded even
    //    when construction dwarfs a short replay.
    let m: Replayable | null = null;
    let s: DigestSink | null = null;
    let replayStart = 0;
    let unstable: string | null = null;
    const cost = { overriddenIterationCost: lastReplayMs } satisfies FnReturnedObject;
    const bench = new Bench({
      time: timing.timeMs,
      iterations: timing.iterations,
      warmup: timing.warmup,
      warmupTime: timing.warmupTimeMs,
      warmupIterations: timing.warmupIterations,
      throws: true,
    });
    bench.add(
      name,
      () => {
        m!.run(stream, s!);
        return cost;
      },
      {
        beforeEach() {
          const a = performance.now();
          m = newMachine(newTracker(name));
          s = new DigestSink();
          const b = performance.now();
          cost.overriddenIterationCost = b - a + lastReplayMs;
          replayStart = performance.now();
        },
        afterEach() {
          lastReplayMs = performance.now() - replayStart;
          if (unstable === null && s!.digest() !== digest) unstable = s!.digest();
          m = null;
          s = null;
        },
      },
    );
    bench.runSync();
    const res = bench.tasks[0]!.result;
    if (res.state === 'errored') throw res.error;
    if (res.state !== 'completed' && res.state !== 'aborted-with-statistics') throw new Error(`timing ended in state ${res.state}`);
    const medianMs = res.latency.p50 > 0 ? res.latency.p50 : res.latency.mean;
    if (!(medianMs > 0)) throw new Error('replay below timer resolution');
    const valid = baseline ? null : unstable === null && digest === oracleDigest;
    return {
      tracker: name,
      baseline,
      opsPerSec: stream.count / (medianMs / 1000),
      nsPerOp: (medianMs * 1e6) / Math.max(1, stream.count),
      rme: res.latency.rme,
      samples: res.latency.samplesCount,
      modeledBytes,
      jsBytes: null,
      digest,
      valid,
      error: unstable === null ? null : `non-deterministic: a timed replay gave digest ${unstable}, the first gave ${digest}`,
    };
  } catch (e) {
    return failedCell(name, describeError(e));
  }
}

/**
 * Measures a group: builds the stream once, replays it on the oracle
 * (untimed) for the reference digest, times every tracker of
 * `task.trackers` in order, then reads each one's JS bytes.
 * @returns plain data; never throws for a failing workload, oracle or tracker (they become `error`s)
 */
export function measureGroup(task: GroupTask, deps: CellDeps = DEFAULT_DEPS): GroupResult {
  const t0 = performance.now();
  const gcMode = findGc().mode;
  const base = { workload: task.workload, size: task.size, seed: task.seed, gc: gcMode };
  let stream: OpStream;
  let newMachine: (tracker: MemtypeTracker) => Replayable;
  let oracleDigest: string;
  try {
    stream = deps.buildStream(task.workload, task.size, task.seed);
  } catch (e) {
    const error = `workload: ${describeError(e)}`;
    return { ...base, ops: null, oracleDigest: null, cells: task.trackers.map((t) => failedCell(t, error)), error, wallMs: performance.now() - t0 };
  }
  try {
    newMachine = deps.machineFactory(stream);
    const sink = new DigestSink();
    newMachine(deps.newTracker(ORACLE)).run(stream, sink);
    oracleDigest = sink.digest();
  } catch (e) {
    const error = `oracle: ${describeError(e)}`;
    return { ...base, ops: stream.count, oracleDigest: null, cells: task.trackers.map((t) => failedCell(t, error)), error, wallMs: performance.now() - t0 };
  }
  // Timed phases back to back; the forced GCs of the JS-bytes readings come
  // after all of them (a forced GC shrinks the young generation, which
  // slows the replays that follow it).
  const cells = task.trackers.map((name) => measureTracker(name, stream, newMachine, deps.newTracker, task.timing, oracleDigest));
  const gc = findGc().fn;
  for (const cell of cells) {
    if (cell.error !== null && cell.digest === null) continue;
    try {
      cell.jsBytes = measureJsBytes(() => {
        const m = newMachine(deps.newTracker(cell.tracker));
        m.run(stream, new DigestSink(), stream.peak);
        return m;
      }, gc);
    } catch (e) {
      cell.error ??= `js bytes: ${describeError(e)}`;
    }
  }
  return { ...base, ops: stream.count, oracleDigest, cells, error: null, wallMs: performance.now() - t0 };
}
