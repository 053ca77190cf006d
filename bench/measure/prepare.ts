/**
 * A group's preparation, outside every fork and every timing: the op stream
 * is generated once (workloads are pure, seeded generators) into a
 * SharedArrayBuffer that every fork of the group reads without a copy, and
 * the oracle replays it once for the reference digest — and counts the
 * memtype reservations live at the stream's peak state (what
 * `pat_memtype_list` would show there). Runs on the piscina
 * pool (bench/measure/pool.ts), so the main thread stays free for progress and
 * signals, and no isolate that measures ever ran a workload generator.
 */
import { Bugs } from '../../core/bugs.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { STRIDE, type OpStream } from '../../core/ops.js';
import { DigestSink } from '../../core/outcome.js';
import { createTracker, ORACLE } from '../../impls/registry.js';
import { getWorkload } from '../../workloads/registry.js';
import { describeError } from './fork.js';
import type { SmpReference } from './smp-types.js';

/** What to prepare. Plain data. */
export interface PrepareTask {
  workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  size: number;
  seed: number;
  /** The machine to generate on, parsed (bench/plan/machine.ts `machineFor`); undefined = the workload's default profile. */
  machine?: ParsedMachine;
  /** Historical bug switches of every machine, the oracle's included. */
  bugs: readonly string[];
  /** CPUs of an SMP group (bench/measure/smp-prepare.ts); absent for a single-CPU group. */
  cpus?: number;
}

/** A prepared group, or why it could not be prepared. Plain data. */
export type PreparedGroup =
  | {
      ok: true;
      /** The stream (an SMP group's first CPU's). */
      stream: OpStream;
      /** The oracle's outcome digest (an SMP group's per-CPU digests joined by `.`). */
      oracleDigest: string;
      /** Memtype reservations live at the peak state, in the reference semantics. */
      peakReservations: number;
      /** An SMP group's streams, one per CPU, and the reference its runs are checked against. */
      smp?: { streams: OpStream[]; reference: SmpReference };
    }
  | { ok: false; error: string; ops: number | null; peakOps: number | null };

/** `stream` with its ops copied into a SharedArrayBuffer (exactly `count` records). */
export function shareStream(stream: OpStream): OpStream {
  const n = stream.count * STRIDE;
  const ops = new Float64Array(new SharedArrayBuffer(Math.max(STRIDE, n) * Float64Array.BYTES_PER_ELEMENT));
  ops.set(stream.ops.subarray(0, n));
  return { machine: stream.machine, ops, count: stream.count, peak: stream.peak, strings: [...stream.strings] };
}

/**
 * Builds the group's stream and the oracle's digest.
 * @param build the stream generator (default: the workload registry's)
 * @returns `ok: false` with `workload: …` or `oracle: …` when either throws
 */
export function prepareGroup(task: PrepareTask, build: (t: PrepareTask) => OpStream = (t) => getWorkload(t.workload).generate(t.size, t.seed, t.machine)): PreparedGroup {
  let stream: OpStream;
  try {
    stream = shareStream(build(task));
  } catch (e) {
    return { ok: false, error: `workload: ${describeError(e)}`, ops: null, peakOps: null };
  }
  try {
    const sink = new DigestSink();
    const oracle = createTracker(ORACLE);
    const m = new Machine(Hardware.fromParsed(stream.machine), oracle, { bugs: Bugs.parse(task.bugs) });
    m.attachStream(stream, sink);
    const list: number[] = [];
    let peakReservations = 0;
    for (let i = 0; i < stream.count; i++) {
      if (i === stream.peak) {
        oracle.memtypeList(list);
        peakReservations = list.length / 3;
      }
      sink.done(i, m.exec(stream.ops, i * STRIDE), m.outType, m.query);
    }
    if (stream.peak >= stream.count) {
      oracle.memtypeList(list);
      peakReservations = list.length / 3;
    }
    return { ok: true, stream, oracleDigest: sink.digest(), peakReservations };
  } catch (e) {
    return { ok: false, error: `oracle: ${describeError(e)}`, ops: stream.count, peakOps: stream.peak };
  }
}
