/**
 * Measures one group — (workload, size, seed) — for its trackers:
 *
 * 1. the group is prepared once (bench/measure/prepare.ts: the op stream in
 *    a SharedArrayBuffer, the oracle's digest; an SMP group's one stream per
 *    CPU and the oracle's reference, bench/measure/smp-prepare.ts);
 * 2. every tracker is measured in `forks` fresh isolates
 *    (bench/measure/fork.ts), one fork at a time, in blocks: block k holds
 *    fork k of every tracker in a seeded random order of its own (Google
 *    Benchmark's random interleaving), so drift of the machine over the
 *    group's wall time spreads over every tracker alike;
 * 3. a cell is valid when every fork's digest equals the oracle's; when a
 *    fork errors, the cell's later forks are not run (recorded as errored).
 *
 * Runs on the main thread; the forks are the only isolates that measure.
 */
import type { ParsedMachine } from '../../core/machine-spec.js';
import { NULL_TRACKER } from '../../impls/registry.js';
import { shuffle } from 'simple-statistics';
import { hashSeed, Rng } from '../../workloads/rng.js';
import type { GcMode } from './memory.js';
import { erroredFork, type ForkResult, type ForkTask, type ForkTiming, type Validity } from './fork.js';
import type { ForkRunner } from './isolate.js';
import type { PreparedGroup, PrepareTask } from './prepare.js';

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
  for (let k = 0; k < task.forks; k++) {
    const rng = new Rng(hashSeed(task.orderSeed, task.groupId, k));
    const order = shuffle([...task.trackers], () => rng.next());
    orders.push(order);
    for (let position = 0; position < order.length; position++) {
      const tracker = order[position]!;
      const done = forks.get(tracker)!;
      const refused = task.refused[tracker];
      if (refused !== undefined) {
        done.push(skipped(tracker, k, refused));
        continue;
      }
      const broken = done.find((f) => f.validity === 'errored');
      if (broken) {
        done.push(skipped(tracker, k, `not run: fork ${broken.fork} errored`));
        continue;
      }
      const fork: ForkTask = {
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
      };
      const r = await deps.runFork(fork, signal);
      if (signal?.aborted) throw new GroupAborted('interrupted');
      if (gc === null && r.validity !== 'errored') gc = r.gc;
      done.push({ ...r, position });
    }
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
