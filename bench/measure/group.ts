/**
 * Measures one group — (workload, size, seed) — for its trackers:
 *
 * 1. the group is prepared once (bench/measure/prepare.ts: the op stream in
 *    a SharedArrayBuffer, the oracle's digest; an SMP group's one stream per
 *    CPU and the oracle's reference, bench/measure/smp-prepare.ts);
 * 2. every tracker is measured in `forks` fresh isolates
 *    (bench/measure/fork.ts), in blocks: block k holds fork k of every
 *    tracker in a seeded random order of its own (Google Benchmark's random
 *    interleaving). The forks of a block are alive together and take turns
 *    (bench/measure/turns.ts), one running at a time: each warms up in its
 *    first turn, then times one slice per turn, so that every fork's samples
 *    spread over the block's whole timed phase and drift of the machine —
 *    on these shared hosts, phases of 0.1 s to several seconds in which
 *    memory-bound code runs ~1.5× slower, seen alike by every isolate of
 *    the process — reaches
 *    every tracker alike instead of deciding one fork's figure. Child
 *    processes and SMP forks run one after another, each through;
 * 3. a cell is valid when every fork's digest equals the oracle's; when a
 *    fork errors, the cell's later forks are not run (recorded as errored).
 *
 * Runs on the main thread; the forks are the only isolates that measure.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { NULL_TRACKER } from '../../impls/registry.js';
import { shuffle } from 'simple-statistics';
import { hashSeed, Rng } from '../../workloads/rng.js';
import type { GcMode } from './memory.js';
import { erroredFork, type ForkResult, type ForkTask, type ForkTiming, type Validity } from './fork.js';
import type { ForkRunner } from './isolate.js';
import type { PreparedGroup, PrepareTask } from './prepare.js';
import { giveTurn, newTurnFlag, untilWaiting } from './turns.js';

/** The task of one group. Plain data. */
export interface GroupTask {
  /** `workload/size/seed`. */
  groupId: string;
  workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  size: number;
  seed: number;
  /** The machine to generate on, parsed once (bench/plan/machine.ts `machineFor`); undefined = the workload's default profile. */
  machine?: ParsedMachine;
  /** Label of that machine, recorded with the results. */
  machineLabel: string;
  /** Historical bug switches enabled in every machine of the group (core/bugs.ts). */
  bugs?: string[];
  /** Trackers to measure (the `null` tracker among them). */
  trackers: string[];
  /** Forks per tracker (≥ 1). */
  forks: number;
  /** Seed of the interleaving order (each block's order is derived from it, the group id and the block). */
  orderSeed: number;
  timing: ForkTiming;
  /** Raw samples kept per fork. */
  maxSamples: number;
  /** Tracker modules (absolute paths) every fork loads. */
  modules: string[];
  /** Module-loaded trackers timed without `verify` (their matching digests are `unchecked`). */
  unverified: string[];
  /** Module-loaded trackers that failed `verify`, with why: never timed, their cells errored. */
  refused: Record<string, string>;
  /**
   * CPUs of an SMP group: the machine's CPUs are worker threads of each
   * fork (bench/measure/smp-fork.ts), one op stream each; absent for a
   * single-CPU group.
   */
  cpus?: number;
}

/** One fork of a cell, with its place in the group's schedule. */
export interface ForkOutcome extends ForkResult {
  /** 0-based position of the fork in its block's random order (-1 when never run). */
  position: number;
}

/** One measured cell (all forks). Plain data. */
export interface CellResult {
  tracker: string;
  /** Outcome digest of the first fork that computed one. */
  digest: string | null;
  /** Worst over the forks: errored, then invalid, then valid (or unchecked for `null`). */
  validity: Validity;
  /** The first fork's error, if any. */
  error: string | null;
  /** Modeled kernel bytes (of which `pageTableBytes` are page tables) and JS bytes at the peak state (measured in fork 0). */
  modeledBytes: number | null;
  pageTableBytes: number | null;
  jsBytes: number | null;
  /** One per fork, in fork order. */
  forks: ForkOutcome[];
}

/** A measured group. Plain data. */
export interface GroupResult {
  groupId: string;
  workload: string;
  size: number;
  seed: number;
  machine: string;
  /** CPUs of an SMP group; absent for a single-CPU group. */
  cpus?: number;
  /** Operations in the stream (an SMP group's: of every CPU's stream), and up to its peak state; null when it could not be built. */
  ops: number | null;
  peakOps: number | null;
  /** The oracle's outcome digest; null when it could not be computed. */
  oracleDigest: string | null;
  /** Memtype reservations live at the peak state (the oracle's); null when it could not be replayed. */
  peakReservations: number | null;
  /** One per requested tracker, in request order. */
  cells: CellResult[];
  /** Tracker order of each block of forks. */
  orders: string[][];
  /** Group-level failure (stream or oracle), also copied into every cell's `error`. */
  error: string | null;
  /** How the forks forced GC (the first fork that reported it). */
  gc: GcMode;
  /** Wall time spent on the group, ms. */
  wallMs: number;
}

/** Dependencies of a group measurement. */
export interface GroupDeps {
  /** Prepares the group (the piscina pool in a run; in-process in tests). */
  prepare(task: PrepareTask): Promise<PreparedGroup>;
  /** Runs one fork in a fresh isolate (bench/measure/isolate.ts), or in-process in tests. */
  runFork: ForkRunner;
  /**
   * Run each fork through, one after another, instead of in turns: for
   * forks that cannot share the turn flag (child processes). SMP groups
   * always run so (their CPUs are threads of their own).
   */
  sequential?: boolean;
}

/** Raised by `measureGroup` when its signal aborted it: nothing of the group is kept. */
export class GroupAborted extends Error {
  override name = 'GroupAborted';
}

const RANK: Record<Validity, number> = { valid: 0, unchecked: 0, invalid: 1, errored: 2 };

function skipped(tracker: string, fork: number, error: string): ForkOutcome {
  return { ...erroredFork(tracker, fork, error), position: -1 };
}

/** A cell's summary of its forks (validity, digest, error, memory). */
export function cellOf(tracker: string, forks: ForkOutcome[]): CellResult {
  const validity = forks.reduce<Validity>((v, f) => (RANK[f.validity] > RANK[v] ? f.validity : v), forks[0]?.validity ?? 'errored');
  const withMemory = forks.find((f) => f.modeledBytes !== null);
  return {
    tracker,
    digest: forks.find((f) => f.digest !== null)?.digest ?? null,
    validity,
    error: forks.find((f) => f.error !== null)?.error ?? null,
    modeledBytes: withMemory?.modeledBytes ?? null,
    pageTableBytes: withMemory?.pageTableBytes ?? null,
    jsBytes: withMemory?.jsBytes ?? null,
    forks,
  };
}

/** Runs the forks of a block one after another, each through. */
async function runOneByOne(tasks: ForkTask[], runFork: ForkRunner, signal?: AbortSignal): Promise<ForkResult[]> {
  const out: ForkResult[] = [];
  for (const t of tasks) {
    out.push(await runFork(t, signal));
    if (signal?.aborted) break;
  }
  return out;
}

/**
 * Runs the forks of a block in turns (bench/measure/turns.ts): all of them
 * are started, a core's worth at a time, and load in parallel (nothing is
 * timed before a fork's first turn); once all wait, each gets its first turn
 * (the digest replay and its warm-up) in block order, then one turn per
 * timing slice — block order, then reversed, alternately, so that no fork
 * always follows the same one — and a last turn (harness and memory
 * readings); then their results.
 */
async function runInTurns(tasks: ForkTask[], timing: ForkTiming, runFork: ForkRunner, signal?: AbortSignal): Promise<ForkResult[]> {
  // Each live fork listens to the signal (to stop its isolate at once).
  if (signal) setMaxListeners(Math.max(getMaxListeners(signal), tasks.length + 10), signal);
  // Started a few at a time (as many as there are cores): the isolates load
  // in parallel without a burst of runnable threads (the load average is a
  // noise check of every run). Once aborted, no further isolate is started.
  const live: { turn: Int32Array; result: Promise<ForkResult> }[] = [];
  const atOnce = Math.max(1, availableParallelism());
  for (let i = 0; i < tasks.length; i += atOnce) {
    const wave = tasks.slice(i, i + atOnce).map((t) => {
      const turn = newTurnFlag();
      return { turn, result: signal?.aborted ? Promise.resolve(erroredFork(t.tracker, t.fork, 'interrupted')) : runFork({ ...t, turn }, signal) };
    });
    for (const f of wave) await untilWaiting(f.turn, f.result);
    live.push(...wave);
  }
  const rounds = Math.max(1, timing.slices ?? 1) + 2;
  for (let r = 0; r < rounds && !signal?.aborted; r++) {
    for (const f of r % 2 === 1 ? [...live].reverse() : live) {
      await giveTurn(f.turn, f.result);
      if (signal?.aborted) break;
    }
  }
  return Promise.all(live.map((f) => f.result));
}

/**
 * Measures a group (see the module comment).
 * @returns plain data; a failing workload, oracle, tracker or isolate becomes an `error`, never a rejection
 * @throws GroupAborted when `signal` aborts it
 */
export async function measureGroup(task: GroupTask, deps: GroupDeps, signal?: AbortSignal): Promise<GroupResult> {
  const t0 = performance.now();
  const base = { groupId: task.groupId, workload: task.workload, size: task.size, seed: task.seed, machine: task.machineLabel, ...(task.cpus !== undefined ? { cpus: task.cpus } : {}) };
  const bugs = task.bugs ?? [];
  const prepared = await deps.prepare({ workload: task.workload, size: task.size, seed: task.seed, ...(task.machine ? { machine: task.machine } : {}), bugs, ...(task.cpus !== undefined ? { cpus: task.cpus } : {}) });
  if (signal?.aborted) throw new GroupAborted('interrupted');
  if (!prepared.ok) {
    return {
      ...base,
      ops: prepared.ops,
      peakOps: prepared.peakOps,
      oracleDigest: null,
      peakReservations: null,
      cells: task.trackers.map((t) => cellOf(t, Array.from({ length: task.forks }, (_, k) => skipped(t, k, prepared.error)))),
      orders: [],
      error: prepared.error,
      gc: 'none',
      wallMs: performance.now() - t0,
    };
  }
  const forks = new Map<string, ForkOutcome[]>(task.trackers.map((t) => [t, []]));
  const orders: string[][] = [];
  let gc: GcMode | null = null;
  const interleave = deps.sequential !== true && task.cpus === undefined;
  for (let k = 0; k < task.forks; k++) {
    const rng = new Rng(hashSeed(task.orderSeed, task.groupId, k));
    const order = shuffle([...task.trackers], () => rng.next());
    orders.push(order);
    const block: { position: number; task: ForkTask }[] = [];
    for (let position = 0; position < order.length; position++) {
      const tracker = order[position]!;
      const done = forks.get(tracker)!;
      const refused = task.refused[tracker];
      const broken = done.find((f) => f.validity === 'errored');
      if (refused !== undefined) done.push(skipped(tracker, k, refused));
      else if (broken) done.push(skipped(tracker, k, `not run: fork ${broken.fork} errored`));
      else {
        block.push({
          position,
          task: {
            groupId: task.groupId,
            tracker,
            fork: k,
            stream: prepared.stream,
            oracleDigest: prepared.oracleDigest,
            bugs,
            timing: task.timing,
            maxSamples: task.maxSamples,
            measureMemory: k === 0,
            measureHarness: tracker === NULL_TRACKER,
            modules: task.modules,
            verified: !task.unverified.includes(tracker),
            ...(prepared.smp ? { smp: { cpus: prepared.smp.streams.length, streams: prepared.smp.streams, reference: prepared.smp.reference } } : {}),
          },
        });
      }
    }
    const results = interleave ? await runInTurns(block.map((b) => b.task), task.timing, deps.runFork, signal) : await runOneByOne(block.map((b) => b.task), deps.runFork, signal);
    if (signal?.aborted) throw new GroupAborted('interrupted');
    block.forEach((b, i) => {
      const r = results[i]!;
      if (gc === null && r.validity !== 'errored') gc = r.gc;
      forks.get(b.task.tracker)!.push({ ...r, position: b.position });
    });
  }
  const streams = prepared.smp?.streams ?? [prepared.stream];
  return {
    ...base,
    ops: streams.reduce((n, x) => n + x.count, 0),
    peakOps: streams.reduce((n, x) => n + x.peak, 0),
    oracleDigest: prepared.oracleDigest,
    peakReservations: prepared.peakReservations,
    cells: task.trackers.map((t) => cellOf(t, forks.get(t)!)),
    orders,
    error: null,
    gc: gc ?? 'none',
    wallMs: performance.now() - t0,
  };
}
