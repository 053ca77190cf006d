/**
 * Measures one group — (workload, size, seed) — for a list of trackers, in
 * one worker:
 *
 * 1. the op stream is built once (outside any timing), on the task's machine;
 * 2. the oracle replays it untimed: the reference digest;
 * 3. each tracker replays it untimed once: its digest (and a first estimate
 *    of the replay time, and the JIT's first look at its code);
 * 4. `rounds` rounds: in each, the trackers run in a seeded random order
 *    (Google Benchmark's random interleaving, asv's rounds), each timed by
 *    tinybench with warm-up; every timed sample replays the whole stream on a
 *    fresh machine + tracker built in `beforeEach`, outside the timed
 *    region, followed by a forced minor GC (also outside it) so that each
 *    replay starts with an empty young generation. GC events that start
 *    inside a timed replay are counted per cell-round. Each round also times
 *    an *empty replay* — the digest sink fed every op's outcome with no
 *    machine or tracker — the harness's own per-replay cost;
 * 5. after all rounds, each tracker's memory at the stream's `peak` state:
 *    modeled kernel bytes, and JS bytes (heap delta after forced full GC:
 *    full GCs slow the replays after them, so none runs between timed
 *    phases).
 *
 * Runs inside a worker (bench/worker.ts) or directly in tests; everything it
 * returns is plain data — one message per group.
 */
import { Bench, type FnReturnedObject } from 'tinybench';
import { Bugs } from '../core/bugs.js';
import { Hardware } from '../core/hardware.js';
import { Machine } from '../core/machine.js';
import type { MachineSpec } from '../core/machine-spec.js';
import type { OpStream } from '../core/ops.js';
import { DigestSink, type OutcomeSink } from '../core/outcome.js';
import type { MemtypeTracker } from '../core/tracker.js';
import { createTracker, NULL_TRACKER, ORACLE } from '../impls/registry.js';
import { getWorkload } from '../workloads/registry.js';
import type { TimingOptions } from './matrix.js';
import { findGc, GcRecorder, JS_BYTES_READINGS, measureJsBytes, type GcFn, type GcMode } from './memory.js';
import { MSG } from './messages.js';
import { hashSeed, sampleStats, seededShuffle, thinSorted } from './stats.js';

/** Re-exported: the timing of one cell-round (bench/matrix.ts). */
export type { TimingOptions } from './matrix.js';

/** The task a worker receives: one group and how to measure it. Plain data. */
export interface GroupTask {
  /** `workload/size/seed`. */
  groupId: string;
  workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  size: number;
  seed: number;
  /** The machine to generate for; undefined = the workload's default profile. */
  machine?: MachineSpec;
  /** Label of that machine, recorded with the results. */
  machineLabel: string;
  /** Historical bug switches enabled in every machine of the group (core/bugs.ts). */
  bugs?: string[];
  /** Trackers to measure (the `null` tracker among them). */
  trackers: string[];
  /** Interleaved rounds (≥ 1). */
  rounds: number;
  /** Seed of the interleaving order (the round order is derived from it, the group id and the round). */
  orderSeed: number;
  timing: TimingOptions;
  /** Raw samples kept per cell-round (order statistics at even ranks beyond that). */
  maxSamples: number;
}

/** Statistics of one cell's timed samples in one round. Times in ns per replay of the whole stream. */
export interface RoundStats {
  /** Timed samples (replays). */
  samples: number;
  medianNs: number;
  meanNs: number;
  p99Ns: number;
  minNs: number;
  maxNs: number;
  /** Sample standard deviation, ns. */
  sdNs: number;
  /** Relative margin of error of the mean, percent (95%, Student's t). */
  rme: number;
  /** Relative margin of error of the median, percent (95%, order statistics). */
  medianRme: number;
  /** Raw samples, ns, ascending; at most `GroupTask.maxSamples` (evenly spaced order statistics when `thinned`). */
  samplesNs: number[];
  thinned: boolean;
}

/** One cell in one round. */
export interface CellRound {
  /** 0-based round. */
  round: number;
  /** 0-based position of the cell in that round's random order. */
  position: number;
  /** null when the round failed (see `error`). */
  stats: RoundStats | null;
  /** GCs that started during this cell-round's timed replays. */
  gcCount: number;
  /** Their total pause, ms. */
  gcPauseMs: number;
  error: string | null;
}

/**
 * Correctness of a cell: `valid` (digest = oracle's, stable across replays),
 * `invalid` (differs), `errored` (threw; see `error`), `unchecked` (the
 * `null` tracker, which implements no semantics).
 */
export type Validity = 'valid' | 'invalid' | 'errored' | 'unchecked';

/** One measured cell (all rounds). Plain data. */
export interface CellResult {
  tracker: string;
  /** Outcome digest of the tracker's untimed replay (16 hex digits). */
  digest: string | null;
  validity: Validity;
  /** Modeled kernel bytes at the workload's peak state (`OpStream.peak`): tracker state + page tables. */
  modeledBytes: number | null;
  /**
   * Measured JS bytes retained by one machine + tracker at the peak state:
   * the delta of heapUsed + arrayBuffers around building and replaying it,
   * after forced full GC (median of 3 readings).
   */
  jsBytes: number | null;
  /** Why the cell failed, when it did. */
  error: string | null;
  /** One per round, in round order. */
  rounds: CellRound[];
}

/** A measured group. Plain data: one message per group from a worker. */
export interface GroupResult {
  groupId: string;
  workload: string;
  size: number;
  seed: number;
  machine: string;
  /** Operations in the stream; null when it could not be built. */
  ops: number | null;
  /** Operations up to the peak state. */
  peakOps: number | null;
  /** The oracle's outcome digest; null when it could not be computed. */
  oracleDigest: string | null;
  /** One per requested tracker, in request order. */
  cells: CellResult[];
  /** Median empty-replay time per round, ns (the harness's own cost per replay of this stream). */
  harnessNs: (number | null)[];
  /** Tracker order of each round. */
  orders: string[][];
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
  /** Builds the group's stream (default: `getWorkload(w).generate(size, seed, machine)`). */
  buildStream(workload: string, size: number, seed: number, machine?: MachineSpec): OpStream;
  /** A fresh tracker (default: the registry's `createTracker`). */
  newTracker(name: string): MemtypeTracker;
  /** A factory of fresh machines for `stream` with bug switches `bugs` (default: `Hardware` built once from `stream.machine`). */
  machineFactory(stream: OpStream, bugs?: readonly string[]): (tracker: MemtypeTracker) => Replayable;
  /** Sample clock, ms (default `performance.now`); tests inject a fake. */
  now?: () => number;
  /** Forced GC (default `findGc().fn`); null for none. */
  gc?: GcFn | null;
}

/** The real registries, hardware and machine. */
export const DEFAULT_DEPS: CellDeps = {
  buildStream: (w, size, seed, machine) => getWorkload(w).generate(size, seed, machine),
  newTracker: createTracker,
  machineFactory(stream, bugs = []) {
    const hw = Hardware.fromSpec(stream.machine);
    const opts = { bugs: Bugs.parse(bugs) };
    return (tracker) => new Machine(hw, tracker, opts);
  },
};

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function failedCell(tracker: string, error: string, rounds = 0): CellResult {
  return {
    tracker,
    digest: null,
    validity: 'errored',
    modeledBytes: null,
    jsBytes: null,
    error,
    rounds: Array.from({ length: rounds }, (_, r) => ({ round: r, position: -1, stats: null, gcCount: 0, gcPauseMs: 0, error })),
  };
}

/** What the untimed preparation of one tracker found. */
interface Prepared {
  cell: CellResult;
  /** The untimed replay's wall time, ms (first budget estimate). */
  replayMs: number;
}

function prepare(name: string, stream: OpStream, newMachine: (t: MemtypeTracker) => Replayable, newTracker: (n: string) => MemtypeTracker, oracleDigest: string): Prepared {
  try {
    const sink = new DigestSink();
    const machine = newMachine(newTracker(name));
    const r0 = performance.now();
    machine.run(stream, sink);
    const replayMs = performance.now() - r0;
    const digest = sink.digest();
    const validity = name === NULL_TRACKER ? 'unchecked' : digest === oracleDigest ? 'valid' : 'invalid';
    return { cell: { tracker: name, digest, validity, modeledBytes: null, jsBytes: null, error: null, rounds: [] }, replayMs };
  } catch (e) {
    return { cell: failedCell(name, describeError(e)), replayMs: 0 };
  }
}

/** Converts tinybench's latency samples (ms) to round statistics in ns. */
function roundStats(samplesMs: readonly number[], maxSamples: number): RoundStats {
  const ns = samplesMs.map((x) => x * 1e6).sort((a, b) => a - b);
  const s = sampleStats(ns);
  const kept = thinSorted(ns, maxSamples).map((x) => Math.round(x * 10) / 10);
  return {
    samples: s.n,
    medianNs: s.median,
    meanNs: s.mean,
    p99Ns: s.p99,
    minNs: s.min,
    maxNs: s.max,
    sdNs: s.sd,
    rme: s.rme,
    medianRme: s.medianRme,
    samplesNs: kept,
    thinned: kept.length < ns.length,
  };
}

/**
 * Minimum timed samples per round for a replay of `replayMs` within
 * `timing`: `timing.iterations`, fewer when that many replays would take
 * more than twice the budget, and a single one for a replay longer than the
 * budget (rounds still give several samples per cell).
 */
export function minSamplesFor(timing: TimingOptions, replayMs: number): number {
  if (!(replayMs > 0)) return timing.iterations;
  return Math.max(1, Math.min(timing.iterations, Math.floor((2 * timing.timeMs) / replayMs)));
}

/**
 * Warm-up of one cell-round: as configured for replays shorter than the
 * warm-up budget; one iteration in the first round for longer ones; none
 * for replays longer than the timed budget, or in later rounds of long
 * replays (the untimed digest replay and round 0 already ran the code).
 */
export function warmupFor(timing: TimingOptions, replayMs: number, round: number): TimingOptions {
  if (!(replayMs >= timing.warmupTimeMs)) return timing;
  if (replayMs >= timing.timeMs || round > 0) return { ...timing, warmup: false };
  return { ...timing, warmupIterations: 1 };
}

/**
 * Times `replay` with tinybench: `setup` runs before every sample outside
 * the timed region (and is charged to the time budget, not the sample),
 * then a forced minor GC; `check` runs after every sample.
 */
function timeIt(
  name: string,
  timing: TimingOptions,
  budgetMs: number,
  minSamples: number,
  estimateMs: number,
  setup: () => void,
  replay: () => void,
  check: () => void,
  deps: { now?: () => number; gc: GcFn | null },
  maxSamples: number,
): { stats: RoundStats; windows: number[] } {
  const windows: number[] = [];
  const cost = { overriddenIterationCost: estimateMs } satisfies FnReturnedObject;
  let replayStart = 0;
  let lastReplayMs = estimateMs;
  let setupMs = 0;
  const gc = deps.gc;
  const bench = new Bench({
    time: budgetMs,
    iterations: minSamples,
    warmup: timing.warmup,
    warmupTime: timing.warmupTimeMs,
    warmupIterations: timing.warmupIterations,
    retainSamples: true,
    throws: true,
    ...(deps.now ? { now: deps.now } : {}),
  });
  bench.add(
    name,
    () => {
      replay();
      return cost;
    },
    {
      beforeEach() {
        const a = performance.now();
        setup();
        gc?.({ type: 'minor' });
        const b = performance.now();
        setupMs = b - a;
        cost.overriddenIterationCost = setupMs + lastReplayMs;
        replayStart = performance.now();
      },
      afterEach(mode) {
        const end = performance.now();
        lastReplayMs = end - replayStart;
        if (mode === 'run') windows.push(replayStart, end);
        check();
      },
    },
  );
  bench.runSync();
  const res = bench.tasks[0]!.result;
  if (res.state === 'errored') throw res.error;
  if (res.state !== 'completed' && res.state !== 'aborted-with-statistics') throw new Error(MSG.cell.timingState(res.state));
  const samples = res.latency.samples;
  if (!samples || samples.length === 0) throw new Error(MSG.cell.noSamples());
  if (!(res.latency.p50 > 0)) throw new Error(MSG.cell.belowResolution());
  return { stats: roundStats(samples, maxSamples), windows };
}

/** Minimal stand-in for a machine in the empty replay: no query result. */
const EMPTY_MACHINE = { query: null } as unknown as Machine;

/**
 * Measures a group (see the module comment).
 * @returns plain data; never rejects for a failing workload, oracle or tracker (they become `error`s)
 */
export async function measureGroup(task: GroupTask, deps: CellDeps = DEFAULT_DEPS): Promise<GroupResult> {
  const t0 = performance.now();
  const found = findGc();
  const gc = deps.gc === undefined ? found.fn : deps.gc;
  const gcMode: GcMode = gc === null ? 'none' : found.mode;
  const base = { groupId: task.groupId, workload: task.workload, size: task.size, seed: task.seed, machine: task.machineLabel, gc: gcMode, orders: [] as string[][], harnessNs: [] as (number | null)[] };
  const failAll = (error: string, ops: number | null, peakOps: number | null): GroupResult => ({
    ...base,
    ops,
    peakOps,
    oracleDigest: null,
    cells: task.trackers.map((t) => failedCell(t, error, task.rounds)),
    error,
    wallMs: performance.now() - t0,
  });

  let stream: OpStream;
  try {
    stream = deps.buildStream(task.workload, task.size, task.seed, task.machine);
  } catch (e) {
    return failAll(MSG.cell.workloadFailed(describeError(e)), null, null);
  }
  let newMachine: (tracker: MemtypeTracker) => Replayable;
  let oracleDigest: string;
  try {
    newMachine = deps.machineFactory(stream, task.bugs);
    const sink = new DigestSink();
    newMachine(deps.newTracker(ORACLE)).run(stream, sink);
    oracleDigest = sink.digest();
  } catch (e) {
    return failAll(MSG.cell.oracleFailed(describeError(e)), stream.count, stream.peak);
  }

  const prepared = new Map<string, Prepared>();
  for (const name of task.trackers) prepared.set(name, prepare(name, stream, newMachine, deps.newTracker, oracleDigest));

  const recorder = new GcRecorder().start();
  const timing = task.timing;
  try {
    for (let round = 0; round < task.rounds; round++) {
      const order = seededShuffle(task.trackers, hashSeed(task.orderSeed, task.groupId, round));
      base.orders.push(order);

      // The harness's own cost: the sink fed every op's outcome, nothing replayed.
      let harness: number | null = null;
      try {
        let sink: DigestSink = new DigestSink();
        const n = stream.count;
        const t = timeIt(
          '(empty replay)',
          { ...timing, warmupTimeMs: Math.min(timing.warmupTimeMs, timing.harnessTimeMs) },
          timing.harnessTimeMs,
          Math.min(timing.iterations, 5),
          0,
          () => (sink = new DigestSink()),
          () => {
            for (let i = 0; i < n; i++) sink.done(i, 0, -1, EMPTY_MACHINE);
          },
          () => {},
          { ...(deps.now ? { now: deps.now } : {}), gc },
          8,
        );
        harness = t.stats.medianNs;
      } catch {
        harness = null;
      }
      base.harnessNs.push(harness);

      for (let position = 0; position < order.length; position++) {
        const name = order[position]!;
        const p = prepared.get(name)!;
        const cell = p.cell;
        if (cell.digest === null) {
          cell.rounds.push({ round, position, stats: null, gcCount: 0, gcPauseMs: 0, error: cell.error });
          continue;
        }
        let m: Replayable | null = null;
        let s: DigestSink | null = null;
        let unstable: string | null = null;
        try {
          const t = timeIt(
            name,
            warmupFor(timing, p.replayMs, round),
            timing.timeMs,
            minSamplesFor(timing, p.replayMs),
            p.replayMs,
            () => {
              m = newMachine(deps.newTracker(name));
              s = new DigestSink();
            },
            () => m!.run(stream, s!),
            () => {
              if (unstable === null && s!.digest() !== cell.digest) unstable = s!.digest();
              m = null;
              s = null;
            },
            { ...(deps.now ? { now: deps.now } : {}), gc },
            task.maxSamples,
          );
          await recorder.flush();
          const g = recorder.tally(t.windows);
          recorder.clear();
          const error = unstable === null ? null : MSG.cell.unstable(unstable, cell.digest ?? '');
          if (error !== null && cell.validity !== 'unchecked') {
            cell.validity = 'invalid';
            cell.error ??= error;
          }
          cell.rounds.push({ round, position, stats: t.stats, gcCount: g.count, gcPauseMs: g.pauseMs, error });
        } catch (e) {
          const error = describeError(e);
          cell.validity = 'errored';
          cell.error ??= error;
          cell.rounds.push({ round, position, stats: null, gcCount: 0, gcPauseMs: 0, error });
        }
      }
    }
  } finally {
    recorder.stop();
  }

  // Memory at the workload's peak state, after every timed phase (the
  // forced full GCs of the JS-bytes readings slow the replays after them):
  // modeled kernel bytes (deterministic) and JS bytes (one reading for
  // replays over 50 ms, else the median of three).
  const cells = task.trackers.map((n) => prepared.get(n)!.cell);
  for (const cell of cells) {
    if (cell.digest === null) continue;
    try {
      let modeled: number | null = null;
      const readings = prepared.get(cell.tracker)!.replayMs > 50 ? 1 : JS_BYTES_READINGS;
      cell.jsBytes = measureJsBytes(
        () => {
          const t = deps.newTracker(cell.tracker);
          const m = newMachine(t);
          m.run(stream, new DigestSink(), stream.peak);
          modeled = t.modeledBytes() + m.pageTableBytes();
          return m;
        },
        gc,
        readings,
      );
      cell.modeledBytes = modeled;
    } catch (e) {
      cell.error ??= MSG.cell.jsBytesFailed(describeError(e));
    }
  }
  return { ...base, ops: stream.count, peakOps: stream.peak, oracleDigest, cells, error: null, wallMs: performance.now() - t0 };
}
