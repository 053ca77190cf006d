/**
 * One fork: one tracker measured on one group's op stream inside a fresh
 * isolate that has run nothing else (JMH's fork). Which code V8 compiles
 * depends on every type the isolate has seen and on when background
 * compilation finished, and that choice holds for the isolate's life; so a
 * fork holds exactly one tracker, and a cell is measured in several forks —
 * the unit of replication (bench/measure/group.ts schedules them).
 *
 * Inside the fork:
 * 1. the first replay, untimed, gives the tracker's outcome digest, compared
 *    with the oracle's (computed once per group, outside the forks);
 * 2. warm-up to a steady state (bench/measure/timing.ts `warmUp`, bounded),
 *    recorded;
 * 3. the timed phase: tinybench, every sample a replay of the whole stream
 *    on a fresh machine + tracker built outside the timed region, followed
 *    by a forced minor GC (also outside it); each sample's digest is checked;
 *    GC events inside timed replays are counted;
 * 4. the `null` tracker's forks also time the *empty replay* — the digest
 *    sink fed every operation, no machine, no tracker: the harness's own cost;
 * 5. when asked (one fork per cell), memory at the stream's peak state:
 *    modeled kernel bytes and JS bytes (heap delta after forced full GCs,
 *    which is why it comes after every timed phase).
 *
 * Everything returned is plain data — one message per fork.
 */
import { Bugs } from '../../core/bugs.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { TablePool } from '../../core/pagetable.js';
import type { OpStream } from '../../core/ops.js';
import { DigestSink } from '../../core/outcome.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { createTracker, NULL_TRACKER } from '../../impls/registry.js';
import { findGc, GcRecorder, measureJsBytes, type GcFn, type GcMode } from './memory.js';
import type { SmpForkFigures, SmpForkSpec } from './smp-types.js';
import { turnTaker } from './turns.js';
import { summarizeSamples, timeReplays, warmUp, type SampleSummary, type TimeOptions, type Warmup } from './timing.js';

/**
 * Correctness of a cell: `valid` (digest = oracle's, stable across replays),
 * `invalid` (differs), `errored` (threw; see `error`), `unchecked` (the
 * `null` tracker, which implements no semantics; or a module-loaded tracker
 * timed with `--no-verify` whose digest matched).
 */
export type Validity = 'valid' | 'invalid' | 'errored' | 'unchecked';

/** How one fork is timed. Times in ms. */
export interface ForkTiming {
  /** Budget of the timed phase, ms (machine construction counts, so wall time stays bounded). */
  timeMs: number;
  /** Minimum timed samples (fewer for replays so long that they would exceed twice the budget; at least 1). */
  minSamples: number;
  /** Warm-up bounds, ms: at least `warmupMinMs`, at most `warmupMaxMs` (the first replay included). */
  warmupMinMs: number;
  warmupMaxMs: number;
  /** Budget of the empty-replay timing in `null` forks, ms. */
  harnessTimeMs: number;
  /**
   * Turns the timed phase is split into when the fork takes turns with the
   * other forks of its block (`ForkTask.turn`); default 1. Each slice gets
   * `timeMs / slices` and its share of `minSamples` (fewer slices when the
   * fork has fewer samples than that).
   */
  slices?: number;
}

/**
 * Machines built for the one JS-bytes reading (fewer when replays to the
 * peak would take over `MEMORY_COPY_BUDGET_MS`): the heap's own noise
 * (tens of KiB of compiled code, feedback, lazy sweeping) is spread over them.
 */
export const MEMORY_COPIES = 16;
export const MEMORY_COPY_BUDGET_MS = 60;

/** Warm-up chunk length, ms, fewest replays per chunk, and the agreement two consecutive chunks need to count as steady. */
export const WARMUP_CHUNK_MS = 10;
export const WARMUP_MIN_CHUNK = 3;
export const WARMUP_TOLERANCE = 0.05;

/** What a fork is given. Plain data (the stream's ops live in a SharedArrayBuffer, shared, not copied). */
export interface ForkTask {
  /** `workload/size/seed`. */
  groupId: string;
  tracker: string;
  /** 0-based index of this fork among the cell's forks. */
  fork: number;
  stream: OpStream;
  /** The oracle's outcome digest on `stream` (16 hex digits). */
  oracleDigest: string;
  /** Historical bug switches of every machine (core/bugs.ts). */
  bugs: readonly string[];
  timing: ForkTiming;
  /** Raw samples kept. */
  maxSamples: number;
  /** Measure modeled and JS bytes at the peak state (one fork per cell). */
  measureMemory: boolean;
  /** Time the empty replay too (the `null` tracker's forks). */
  measureHarness: boolean;
  /** Tracker modules (absolute paths) the isolate loads before creating the tracker (impls/modules.ts). */
  modules: readonly string[];
  /**
   * False for a module-loaded tracker timed without `verify` (`run
   * --no-verify`): a digest equal to the oracle's then makes the fork
   * `unchecked`, not `valid`.
   */
  verified: boolean;
  /**
   * Incremented (Atomics) after every replay, so that the parent can stop
   * a fork whose replay runs past its time limit (a tracker in an endless
   * loop) without any message per replay. Absent in tests.
   */
  progress?: Int32Array;
  /**
   * The turn flag (one Int32 in a SharedArrayBuffer) of a fork that takes
   * turns with the other forks of its block (bench/measure/group.ts): the
   * fork runs only while it holds the turn, and hands it back after its
   * warm-up, after each of its `timing.slices` timing slices, and at the
   * end — so that its samples spread over the block's whole timed phase
   * instead of one window of it, and drift of the machine (on these shared
   * hosts, phases of 0.1 s to several seconds in which memory-bound code
   * runs ~1.5× slower) reaches every tracker of the block alike. Absent: the fork runs
   * through at once (child processes, SMP forks, tests).
   */
  turn?: Int32Array;
  /**
   * An SMP cell's fork (bench/measure/smp-fork.ts): the CPUs' streams (the
   * first is `stream`) and the reference they are checked against; absent
   * for a single-CPU cell.
   */
  smp?: SmpForkSpec;
}

/** What a fork measured. Plain data. Times in ns per replay of the whole stream. */
export interface ForkResult {
  tracker: string;
  fork: number;
  /** The tracker's outcome digest (first replay); null when it threw before one. */
  digest: string | null;
  validity: Validity;
  /** Why the fork failed, or why it is invalid; null when it did not. */
  error: string | null;
  warmup: Warmup | null;
  stats: SampleSummary | null;
  /** GCs that started during timed replays, and their total pause, ms. */
  gcCount: number;
  gcPauseMs: number;
  /** Modeled kernel bytes at the peak state (tracker + page tables); null unless measured. */
  modeledBytes: number | null;
  /** The page tables' share of `modeledBytes` (4 KiB per table page); null unless measured. */
  pageTableBytes: number | null;
  /** JS heap + ArrayBuffer bytes of one machine + tracker at the peak state; null unless measured. */
  jsBytes: number | null;
  /** Fastest empty-replay time, ns; null unless measured. */
  emptyReplayNs: number | null;
  gc: GcMode;
  /** Wall time of the whole fork inside its isolate, ms. */
  wallMs: number;
  /** An SMP cell's figures (per-CPU times, the lock's counts, the order check); absent for a single-CPU cell or a fork that never measured. */
  smp?: SmpForkFigures;
}

/** What a replay needs of a machine: `core/machine.ts` `Machine` satisfies it. */
export interface Replayable {
  /** Replays ops `[0, end)` (default all). */
  run(stream: OpStream, sink: DigestSink, end?: number): void;
  /** Modeled bytes of all page tables. */
  pageTableBytes(): number;
}

/** Dependencies of a fork, injectable for tests. */
export interface ForkDeps {
  /** A fresh tracker (default: the registry's `createTracker`). */
  newTracker(name: string): MemtypeTracker;
  /** A factory of fresh machines for `stream` with bug switches `bugs` (default: `Hardware` built once from the parsed `stream.machine`). */
  machineFactory(stream: OpStream, bugs: readonly string[]): (tracker: MemtypeTracker) => Replayable;
  /** Sample clock, ms (default `performance.now`); tests inject a fake. */
  now?: () => number;
  /** Forced GC (default `findGc().fn`); null for none. */
  gc?: GcFn | null;
  /** Wait for turns blocking the thread (bench/measure/turns.ts `turnTaker`): only in a fork's own isolate (fork-worker.ts). */
  blockingTurns?: boolean;
}

/** The real registry, hardware and machine. */
export const FORK_DEPS: ForkDeps = {
  newTracker: createTracker,
  machineFactory(stream, bugs) {
    const hw = Hardware.fromParsed(stream.machine);
    const opts = { bugs: Bugs.parse(bugs) };
    return (tracker) => new Machine(hw, tracker, opts);
  },
};

/** The result of a fork that never measured: errored with `error`, nothing else known. */
export function erroredFork(tracker: string, fork: number, error: string | null): ForkResult {
  return {
    tracker,
    fork,
    digest: null,
    validity: 'errored',
    error,
    warmup: null,
    stats: null,
    gcCount: 0,
    gcPauseMs: 0,
    modeledBytes: null,
    pageTableBytes: null,
    jsBytes: null,
    emptyReplayNs: null,
    gc: 'none',
    wallMs: 0,
  };
}

/** `Error: message` for an Error, else its text. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * The harness's own cost of a replay of `ops` operations, ns: a fresh digest
 * sink fed `ops` outcomes with nothing replayed (the *empty replay*), timed
 * like any replay for `o.budgetMs`, at least 5 samples; the fastest, as
 * every fork's figure (bench/summarise/stats.ts `forkFigure`).
 * @throws TimingError when no usable sample was kept
 */
export function timeEmptyReplay(ops: number, o: Omit<TimeOptions, 'minSamples' | 'estimateMs'>): number {
  let sink = new DigestSink();
  const h = timeReplays(
    '(empty replay)',
    { ...o, minSamples: 5, estimateMs: 0 },
    () => (sink = new DigestSink()),
    () => {
      for (let i = 0; i < ops; i++) sink.done(i, 0, -1, null);
    },
    () => {},
  );
  return h.stats.minNs;
}

/**
 * Timed samples a fork's figure (its fastest replay) needs at least, and the
 * replay length past which fewer are taken, ms: a fork of 3 replays of up to
 * 0.5 s each stays under LONG_REPLAY_MS; longer replays get what fits in it,
 * at least one. A first replay that long is neither warmed up nor repeated:
 * it has warmed itself (V8 optimized its loops on-stack while it ran), and it
 * is the fork's one sample.
 */
export const FIGURE_SAMPLES = 3;
export const LONG_REPLAY_MS = 1500;

/**
 * Minimum timed samples for a replay of `replayMs`: `timing.minSamples`,
 * fewer when that many would take more than twice the budget — but at least
 * FIGURE_SAMPLES (or `timing.minSamples` when smaller) while they fit in
 * LONG_REPLAY_MS, and at least one: one replay of a long group would be a
 * fork's whole figure.
 */
export function minSamplesFor(timing: ForkTiming, replayMs: number): number {
  if (!(replayMs > 0)) return timing.minSamples;
  const byBudget = Math.floor((2 * timing.timeMs) / replayMs);
  const floor = Math.max(1, Math.min(FIGURE_SAMPLES, Math.floor(LONG_REPLAY_MS / replayMs)));
  return Math.min(timing.minSamples, Math.max(floor, byBudget));
}

/**
 * Whether a fork that times `slices` slices in `turns` turns (slices ≤
 * turns) times in turn `i` (0-based): the slices spread evenly, the last
 * turn always timed — 3 in 8 turns are turns 2, 5 and 7.
 */
export function timesInTurn(i: number, slices: number, turns: number): boolean {
  return Math.floor(((i + 1) * slices) / turns) > Math.floor((i * slices) / turns);
}

/**
 * Measures one fork (see the module comment).
 * @returns plain data; a throwing tracker or machine becomes `validity: 'errored'` with `error` set, never a rejection
 */
export async function measureFork(task: ForkTask, deps: ForkDeps = FORK_DEPS): Promise<ForkResult> {
  const t0 = performance.now();
  const found = findGc();
  const gc = deps.gc === undefined ? found.fn : deps.gc;
  const now = deps.now ?? (() => performance.now());
  const stream = task.stream;
  const result: ForkResult = { ...erroredFork(task.tracker, task.fork, null), gc: gc === null ? 'none' : found.mode };
  const isNull = task.tracker === NULL_TRACKER;
  const recorder = new GcRecorder().start();
  const turns = turnTaker(task.turn, deps.blockingTurns === true);
  try {
    await turns.acquire();
    const newMachine = deps.machineFactory(stream, task.bugs);
    // 1. The digest replay (also the first warm-up replay).
    const progress = task.progress;
    const sink0 = new DigestSink();
    const m0 = newMachine(deps.newTracker(task.tracker));
    const r0 = now();
    m0.run(stream, sink0);
    const firstMs = now() - r0;
    if (progress) Atomics.add(progress, 0, 1);
    const digest = sink0.digest();
    result.digest = digest;
    result.validity = digest !== task.oracleDigest && !isNull ? 'invalid' : isNull || !task.verified ? 'unchecked' : 'valid';
    if (result.validity === 'invalid') result.error = `outcome digest ${digest} differs from the oracle's ${task.oracleDigest}`;

    let m: Replayable | null = null;
    let s: DigestSink | null = null;
    let drift: string | null = null;
    const setup = (): void => {
      m = newMachine(deps.newTracker(task.tracker));
      s = new DigestSink();
    };
    const replay = (): void => m!.run(stream, s!);
    const check = (): void => {
      if (progress) Atomics.add(progress, 0, 1);
      if (drift === null && s!.digest() !== digest) drift = s!.digest();
      m = null;
      s = null;
    };
    const t = task.timing;
    const common = { maxSamples: 8, gc, ...(deps.now ? { now: deps.now } : {}) };

    // 2. Warm-up to a steady state.
    result.warmup = warmUp(
      { minMs: t.warmupMinMs, maxMs: t.warmupMaxMs, chunkMs: WARMUP_CHUNK_MS, minChunk: WARMUP_MIN_CHUNK, tolerance: WARMUP_TOLERANCE, longMs: LONG_REPLAY_MS },
      firstMs,
      (n) => timeReplays(task.tracker, { ...common, budgetMs: 0, minSamples: n, estimateMs: firstMs }, setup, replay, check).stats.medianNs / 1e6,
      now,
    );

    turns.release();

    // 3. The timed phase, in slices when the fork takes turns (each slice one turn).
    const replayMs = result.warmup.lastMedianNs / 1e6;
    const samples = minSamplesFor(t, replayMs);
    // The group gives every fork of the block the same turns; a fork with
    // fewer samples than turns times in fewer of them, spread evenly.
    const turnsGiven = task.turn === undefined ? 1 : Math.max(1, t.slices ?? 1);
    const slices = Math.min(turnsGiven, samples);
    // A first replay of LONG_REPLAY_MS or more is the fork's one sample: it
    // warmed itself (no warm-up followed), and a second run would double the
    // fork's cost (the VMA walk's 4 s replays of devmem-cow/4096).
    const once = firstMs >= LONG_REPLAY_MS;
    const samplesMs: number[] = once ? [firstMs] : [];
    const windows: number[] = once ? [r0, r0 + firstMs] : [];
    for (let i = 0; i < turnsGiven; i++) {
      await turns.acquire();
      if (!once && timesInTurn(i, slices, turnsGiven)) {
        const o = { ...common, budgetMs: t.timeMs / slices, minSamples: Math.ceil(samples / slices), estimateMs: replayMs, maxSamples: task.maxSamples };
        const slice = timeReplays(task.tracker, o, setup, replay, check);
        samplesMs.push(...slice.samplesMs);
        windows.push(...slice.windows);
      }
      turns.release();
    }
    await turns.acquire();
    result.stats = summarizeSamples(samplesMs, task.maxSamples);
    await recorder.flush();
    const g = recorder.tally(windows);
    result.gcCount = g.count;
    result.gcPauseMs = g.pauseMs;
    if (drift !== null && !isNull) {
      result.validity = 'invalid';
      result.error ??= `non-deterministic: a timed replay gave digest ${drift}, the first gave ${digest}`;
    }

    // 4. The harness's own cost: the sink fed every op's outcome, nothing replayed.
    if (task.measureHarness) result.emptyReplayNs = timeEmptyReplay(stream.count, { ...common, budgetMs: t.harnessTimeMs });

    // 5. Memory at the peak state, after every timed phase (forced full GCs).
    if (task.measureMemory) {
      try {
        let modeled: number | null = null;
        let tables: number | null = null;
        result.jsBytes = measureJsBytes(
          () => {
            const tr = deps.newTracker(task.tracker);
            const mm = newMachine(tr);
            mm.run(stream, new DigestSink(), stream.peak);
            tables = mm.pageTableBytes();
            modeled = tr.modeledBytes() + tables;
            return mm;
          },
          gc,
          Math.max(1, Math.min(MEMORY_COPIES, Math.floor(MEMORY_COPY_BUDGET_MS / Math.max(replayMs, 1e-3)))),
          () => TablePool.shared.drain(),
        );
        result.modeledBytes = modeled;
        result.pageTableBytes = tables;
      } catch (e) {
        result.error ??= `js bytes: ${describeError(e)}`;
      }
    }
  } catch (e) {
    result.validity = 'errored';
    result.error = describeError(e);
    result.stats = null;
  } finally {
    recorder.stop();
    turns.release();
  }
  result.wallMs = performance.now() - t0;
  return result;
}
