/**
 * An SMP group's preparation — bench/measure/prepare.ts's counterpart for a
 * machine of several CPUs — outside every fork and every timing, on the
 * preparation pool: one op stream per CPU (a workloads/smp/ generator, or a
 * single-CPU workload's one stream at one CPU), each copied into a
 * SharedArrayBuffer that every fork reads without a copy, and the reference
 * the cell's runs are checked against, from the oracle:
 *
 * - per CPU, the outcome digest of that CPU's stream replayed alone (every
 *   sample of every fork is checked against them, as a single-CPU cell is
 *   checked against its one digest);
 * - the memtype state with every CPU at its stream's peak, and after every
 *   stream ended (`SmpSnapshot`): the memtype list, the RAM pages whose type
 *   is not WB, and the pages the alias check finds over the union of every
 *   CPU's page tables, ioremaps and direct map — one oracle tracker shared
 *   by one Machine per CPU (each CPU's own processes), the CPUs' streams run
 *   one after the other up to their peaks, then to their ends.
 */
import { Bugs } from '../../core/bugs.js';
import { findAliases } from '../../core/alias.js';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { STRIDE, type OpStream } from '../../core/ops.js';
import { DigestSink } from '../../core/outcome.js';
import { OracleTracker } from '../../impls/oracle.js';
import { getWorkload } from '../../workloads/registry.js';
import { getSmpWorkload, smpWorkloadNames } from '../../workloads/smp/registry.js';
import { describeError } from './fork.js';
import { shareStream } from './prepare.js';
import type { AliasMappings, SmpReference, SmpSnapshot } from './smp-types.js';

/** A prepared SMP group, or why it could not be prepared. Plain data. */
export type PreparedSmpGroup =
  | { ok: true; streams: OpStream[]; reference: SmpReference; /** Memtype reservations live with every CPU at its peak. */ peakReservations: number }
  | { ok: false; error: string; ops: number | null; peakOps: number | null };

/** True for a workload of the SMP registry (workloads/smp/). */
export function isSmpWorkload(name: string): boolean {
  return smpWorkloadNames().includes(name);
}

/**
 * The CPUs' op streams of a group: an SMP workload's `cpus` streams, or a
 * single-CPU workload's one stream (one CPU only).
 * @throws InputError for a single-CPU workload on more than one CPU, or what the generator throws
 */
export function smpStreams(workload: string, size: number, cpus: number, seed: number, machine?: ParsedMachine): OpStream[] {
  if (isSmpWorkload(workload)) return getSmpWorkload(workload).generate(size, cpus, seed, machine);
  if (cpus !== 1) throw new InputError(`${workload} is a single-CPU workload (one op stream); on ${cpus} CPUs run an SMP workload: ${smpWorkloadNames().join(', ')}`);
  return [getWorkload(workload).generate(size, seed, machine)];
}

/** A memtype list as sorted triples. */
export function sortedTriples(list: readonly number[]): number[] {
  const t: [number, number, number][] = [];
  for (let i = 0; i + 2 < list.length; i += 3) t.push([list[i]!, list[i + 1]!, list[i + 2]!]);
  t.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  return t.flat();
}

/** The pages `findAliases` finds over the union of several machines' mappings, ascending. */
export function unionAliases(hw: Hardware, mappings: readonly AliasMappings[]): number[] {
  const direct = new Map<number, number>();
  for (const m of mappings) for (const [pfn, t] of m.direct) direct.set(pfn, t);
  return findAliases(
    hw,
    mappings.flatMap((m) => m.user),
    mappings.flatMap((m) => m.kernel),
    direct,
  ).map((a) => a.pfn);
}

/** The oracle's state as a snapshot. */
function snapshot(hw: Hardware, oracle: OracleTracker, machines: readonly Machine[]): SmpSnapshot {
  const list: number[] = [];
  oracle.memtypeList(list);
  return {
    list: sortedTriples(list),
    ram: oracle.nonWbRamPages().flatMap((p) => [p.pfn, p.type]),
    aliases: unionAliases(
      hw,
      machines.map((m) => m.aliasMappings()),
    ),
  };
}

/** One CPU's stream alone on a fresh oracle: its outcome digest. */
function aloneDigest(hw: Hardware, stream: OpStream, bugs: Bugs): string {
  const sink = new DigestSink();
  new Machine(hw, new OracleTracker(), { bugs }).run(stream, sink);
  return sink.digest();
}

/**
 * The reference of `streams` (see the module comment).
 * @throws what the machine throws for a stream it cannot replay
 */
export function smpReference(streams: readonly OpStream[], bugNames: readonly string[]): SmpReference {
  const hw = Hardware.fromParsed(streams[0]!.machine);
  const bugs = Bugs.parse(bugNames);
  const digests = streams.map((s) => aloneDigest(hw, s, bugs));
  const oracle = new OracleTracker();
  const sink = { msg: (): void => {}, done: (): void => {} };
  const machines = streams.map(() => new Machine(hw, oracle, { bugs }));
  const upTo = (cpu: number, from: number, to: number): void => {
    const m = machines[cpu]!;
    const s = streams[cpu]!;
    m.attachStream(s, sink);
    for (let i = from; i < to; i++) m.exec(s.ops, i * STRIDE);
  };
  streams.forEach((s, cpu) => upTo(cpu, 0, Math.min(s.peak, s.count)));
  const peak = snapshot(hw, oracle, machines);
  streams.forEach((s, cpu) => upTo(cpu, Math.min(s.peak, s.count), s.count));
  return { digests, peak, end: snapshot(hw, oracle, machines) };
}

/** What an SMP group's preparation is given. Plain data. */
export interface SmpPrepareTask {
  workload: string;
  size: number;
  seed: number;
  /** CPUs of the machine (≥ 1). */
  cpus: number;
  machine?: ParsedMachine;
  bugs: readonly string[];
}

/**
 * Builds the group's streams and reference.
 * @returns `ok: false` with `workload: …` or `oracle: …` when either throws
 */
export function prepareSmpGroup(task: SmpPrepareTask): PreparedSmpGroup {
  let streams: OpStream[];
  try {
    streams = smpStreams(task.workload, task.size, task.cpus, task.seed, task.machine).map(shareStream);
  } catch (e) {
    return { ok: false, error: `workload: ${describeError(e)}`, ops: null, peakOps: null };
  }
  try {
    const reference = smpReference(streams, task.bugs);
    return { ok: true, streams, reference, peakReservations: reference.peak.list.length / 3 };
  } catch (e) {
    return { ok: false, error: `oracle: ${describeError(e)}`, ops: streams.reduce((n, s) => n + s.count, 0), peakOps: null };
  }
}
