/**
 * Test doubles for the bench: a tiny hand-built op stream, a fake machine
 * that replays it through a tracker's `memtypeLookup`, fake trackers, fork
 * and group dependencies over them, a fake clock, result lines and matrix
 * sources.
 */
import { parseMachineSpec } from '../../core/hardware.js';
import { Op, OpStreamBuilder, type OpStream } from '../../core/ops.js';
import { DigestSink, type OutcomeSink } from '../../core/outcome.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { measureFork, type ForkDeps, type ForkResult, type ForkTask, type ForkTiming, type Replayable } from '../../bench/measure/fork.js';
import type { GroupDeps } from '../../bench/measure/group.js';
import { shareStream, type PreparedGroup, type PrepareTask } from '../../bench/measure/prepare.js';
import type { MatrixSources } from '../../bench/plan/matrix.js';
import { parseMatrixConfig, type MatrixConfig } from '../../bench/plan/matrix-config.js';
import type { ResultLine } from '../../bench/store/results.js';
import { Writable } from 'node:stream';

/** A 1 GiB all-RAM machine. */
export const TINY_MACHINE = parseMachineSpec({ profile: 'fake', e820: [{ start: 0, end: 1 << 30, type: 'usable' }] });

/** `n` lookup operations on `TINY_MACHINE`. */
export function tinyStream(n: number): OpStream {
  const b = new OpStreamBuilder(TINY_MACHINE, n);
  for (let i = 0; i < n; i++) b.push(Op.LookupMemtype, -1, i * 4096);
  return b.build();
}

/** A tracker answering `answer(pfn)` to every lookup; `bytes` modeled bytes. */
export function fakeTracker(name: string, answer: (pfn: number) => number, bytes = 64): MemtypeTracker {
  return {
    name,
    newType: -1,
    conflictFound: -1,
    conflictOther: -1,
    attach() {},
    pagerangeIsRam: () => 0,
    reserveRamPagesType: () => 0,
    freeRamPagesType: () => 0,
    getPageMemtype: () => 0,
    memtypeCheckInsert: () => 0,
    memtypeErase: () => 0,
    memtypeLookup: answer,
    memtypeList() {},
    insertCachemode: (_v, pfn, lookup) => lookup(pfn),
    modeledBytes: () => bytes,
  } as MemtypeTracker;
}

/** Replays lookups: outcome type = tracker's answer. 4096 page-table bytes. */
export class FakeMachine implements Replayable {
  constructor(readonly tracker: MemtypeTracker) {}
  run(stream: OpStream, sink: OutcomeSink, end = stream.count): void {
    const ops = stream.ops;
    for (let i = 0; i < end; i++) {
      const type = this.tracker.memtypeLookup(ops[i * 8 + 2]! / 4096);
      sink.done(i, 0, type, null);
    }
  }
  pageTableBytes(): number {
    return 4096;
  }
}

/** The fake trackers' answer to a lookup of `pfn` (what `oracle`, `good` and `base` answer). */
export const answer = (pfn: number): number => pfn % 4;

/**
 * Fork dependencies over the fake machine. Trackers: `oracle`/`good`/`base`
 * answer pfn % 4 (128 modeled bytes); `bad` differs at pfn 3 (256 bytes);
 * `null` answers -1 (0 bytes); `boom` throws on its first lookup; `flaky`
 * answers right in its first instance and wrong in every later one (a
 * digest that drifts between replays). `built` counts the trackers made.
 */
export function fakeDeps(): ForkDeps & { built: Map<string, number> } {
  const built = new Map<string, number>();
  return {
    built,
    newTracker: (name) => {
      const n = (built.get(name) ?? 0) + 1;
      built.set(name, n);
      switch (name) {
        case 'oracle':
        case 'good':
        case 'base':
          return fakeTracker(name, answer, 128);
        case 'bad':
          return fakeTracker(name, (p) => (p === 3 ? 0 : answer(p)), 256);
        case 'null':
          return fakeTracker(name, () => -1, 0);
        case 'boom':
          return fakeTracker(name, () => {
            throw new Error('tracker exploded');
          });
        case 'flaky':
          return fakeTracker(name, n === 1 ? answer : (p) => (p === 5 ? 0 : answer(p)));
        default:
          throw new Error(`unknown fake tracker ${name}`);
      }
    },
    machineFactory: () => (t) => new FakeMachine(t),
    gc: null,
  };
}

/** The fake oracle's digest of `stream`. */
export function fakeOracleDigest(stream: OpStream): string {
  const sink = new DigestSink();
  new FakeMachine(fakeTracker('oracle', answer)).run(stream, sink);
  return sink.digest();
}

/**
 * A preparation over the fakes: `ops` lookups in a SharedArrayBuffer and the
 * fake oracle's digest; workload `broken` cannot be built. `seen` records
 * every task.
 */
export function fakePrepare(ops = 200, seen: PrepareTask[] = []): (task: PrepareTask) => Promise<PreparedGroup> {
  return async (task) => {
    seen.push(task);
    if (task.workload === 'broken') return { ok: false, error: 'workload: Error: cannot build', ops: null, peakOps: null };
    const stream = shareStream(tinyStream(ops));
    return { ok: true, stream, oracleDigest: fakeOracleDigest(stream), peakReservations: 2 };
  };
}

/** Group dependencies that measure every fork in-process (`measureFork` over `deps`), no isolate. */
export function fakeGroupDeps(ops = 200, deps: ForkDeps = fakeDeps()): GroupDeps {
  return { prepare: fakePrepare(ops), runFork: (task) => measureFork(task, deps) };
}

/** A short fork timing for in-process tests. */
export const FAST_TIMING: ForkTiming = { timeMs: 4, minSamples: 3, warmupMinMs: 1, warmupMaxMs: 2, harnessTimeMs: 2 };

/** A fork task over `stream` (memory and harness off unless asked). */
export function forkTask(stream: OpStream, tracker: string, over: Partial<ForkTask> = {}): ForkTask {
  return {
    groupId: 'w/16/1',
    tracker,
    fork: 0,
    stream,
    oracleDigest: fakeOracleDigest(stream),
    bugs: [],
    timing: FAST_TIMING,
    maxSamples: 50,
    measureMemory: false,
    measureHarness: false,
    modules: [],
    verified: true,
    ...over,
  };
}

/** A pool's `verify` for runs without tracker modules: never called. */
export function noVerify(): Promise<never> {
  return Promise.reject(new Error('verify called in a run without tracker modules'));
}

/** A measured-looking fork result (no measurement): valid, 3 samples of `medianNs`. */
export function stubResult(task: Pick<ForkTask, 'tracker' | 'fork'>, over: Partial<ForkResult> = {}, medianNs = 1000): ForkResult {
  return {
    tracker: task.tracker,
    fork: task.fork,
    digest: 'aaaa',
    validity: task.tracker === 'null' ? 'unchecked' : 'valid',
    error: null,
    warmup: { replays: 4, ms: 1, firstMs: 0.5, steady: true, lastMedianNs: medianNs },
    stats: {
      samples: 3,
      medianNs,
      meanNs: medianNs,
      p99Ns: medianNs,
      minNs: medianNs,
      maxNs: medianNs,
      sdNs: 0,
      medianRme: 0,
      samplesNs: [medianNs, medianNs, medianNs],
      thinned: false,
    },
    gcCount: 0,
    gcPauseMs: 0,
    modeledBytes: null,
    pageTableBytes: null,
    jsBytes: null,
    emptyReplayNs: null,
    gc: 'none',
    wallMs: 1,
    ...over,
  };
}

/**
 * A fake clock (ms) that advances only when `advance` is called; the fake
 * machine can call it to make each replay take a known time.
 */
export class FakeClock {
  t = 0;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A config with the given lineup (every entry required unless marked `?name`). */
export function config(trackers: string[], over: Partial<Record<string, unknown>> = {}): MatrixConfig {
  return parseMatrixConfig(
    JSON.stringify({
      trackers: trackers.map((t) => (t.startsWith('?') ? { match: t.slice(1), optional: true, why: 'test' } : t)),
      baseline: 'base',
      timing: { timeMs: 5, warmupMs: 1, minSamples: 3 },
      ...over,
    }),
    'test.json',
  );
}

/** Registry stand-in: trackers `base`, `good`, `bad`; workloads `w`, `v` with sizes 4, 8, 16. */
export function sources(trackers: string[] = ['base', 'good', 'bad'], workloads: string[] = ['w', 'v']): MatrixSources {
  return { trackerNames: () => trackers, workloadNames: () => workloads, defaultSizes: () => [4, 8, 16], defaultProfile: () => 'fake-profile' };
}

/** A result line with defaults (cell `w/16/1/good`, fork 0 of 1, 10 samples from `figureNs` up). */
export function line(over: Partial<ResultLine> & { figureNs?: number; samplesNs?: number[] } = {}): ResultLine {
  const { figureNs = 1000, samplesNs, ...rest } = over;
  // The fork's figure is its fastest sample (bench/summarise/stats.ts forkFigure): `figureNs`, the others up to 3.6% above.
  const xs = samplesNs ?? Array.from({ length: 10 }, (_, i) => figureNs * (1 + 0.004 * i));
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  const workload = rest.workload ?? 'w';
  const size = rest.size ?? 16;
  const seed = rest.seed ?? 1;
  const tracker = rest.tracker ?? 'good';
  const ops = rest.ops === undefined ? 100 : rest.ops;
  const med = sorted[Math.floor(sorted.length / 2)]!;
  return {
    schemaVersion: 3,
    runId: 'r',
    matrixHash: 'h',
    cellId: `${workload}/${size}/${seed}/${tracker}`,
    groupId: `${workload}/${size}/${seed}`,
    workload,
    size,
    seed,
    tracker,
    machine: 'fake-profile',
    fork: 0,
    forks: 1,
    position: 0,
    ops,
    peakOps: ops,
    warmup: { replays: 5, ms: 2, firstMs: 0.5, steady: true, lastMedianNs: med },
    wallMs: 10,
    stats:
      rest.stats === null
        ? null
        : {
            samples: xs.length,
            medianNs: med,
            meanNs: mean,
            p99Ns: sorted[sorted.length - 1]!,
            minNs: sorted[0]!,
            maxNs: sorted[sorted.length - 1]!,
            sdNs: sd,
            rme: 1,
            medianRme: 1,
            samplesNs: sorted,
            thinned: false,
            opsPerSec: ops ? ops / (sorted[0]! / 1e9) : 0,
            nsPerOp: ops ? sorted[0]! / ops : 0,
          },
    peakReservations: 1,
    memory: { modeledBytes: 4096, pageTableBytes: tracker === 'null' ? 4096 : 4032, jsBytes: 2048, gcCount: 0, gcPauseMs: 0 },
    harness: { emptyReplayNs: tracker === 'null' ? 10 : null },
    digest: 'aaaa',
    oracleDigest: 'aaaa',
    validity: tracker === 'null' ? 'unchecked' : 'valid',
    error: null,
    shard: null,
    finishedAt: '2026-01-01T00:00:00.000Z',
    ...rest,
  } as ResultLine;
}

/** A writable stream collecting its text. */
export function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}
