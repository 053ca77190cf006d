/**
 * Correctness of an SMP run (docs/smp.md, "Checking a contended run"),
 * from what its checked replay recorded against the group's reference
 * (bench/measure/smp-prepare.ts):
 *
 * 1. per CPU, the outcome digest equals the oracle's for that CPU's stream
 *    alone — what every single-CPU cell is checked by; with disjoint CPUs
 *    (every SMP workload here) it is the whole outcome stream;
 * 2. the critical-section order (impls/smp/cs-log.ts): replaying every
 *    CPU's ops in the order their sections ran, on one oracle shared by a
 *    Machine per CPU, gives every CPU the outcome digest it had. Ops that
 *    straddle another CPU's write have no place in a serial order: they are
 *    counted and reported, and the run is judged by the final-state checks;
 * 3. final state, every scheme, with every CPU at its stream's peak and
 *    again after every stream ended: the memtype list and the RAM pages that
 *    are not WB equal the oracle's; the alias check over the union of every
 *    CPU's page tables, ioremaps and direct map finds no page the oracle's
 *    does not; and after teardown each CPU's machine is consistent
 *    (`Machine.checkConsistency()`: every tracking context's kref equals the
 *    VMAs holding it, every page's reference count its PTEs) — with the
 *    memtype list and page types back to the oracle's, every reservation's
 *    reference was dropped.
 */
import { Bugs } from '../../core/bugs.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { STRIDE, type OpStream } from '../../core/ops.js';
import { DigestSink } from '../../core/outcome.js';
import { OracleTracker } from '../../impls/oracle.js';
import { replayOrder, type CsRow } from '../../impls/smp/cs-log.js';
import { unionAliases } from './smp-prepare.js';
import type { AliasMappings, CsOrderCheck, SmpReference, SmpSnapshot } from './smp-types.js';

/** What a checked SMP run recorded. */
export interface SmpObserved {
  /** Per CPU: its outcome digest. */
  digests: string[];
  /** Per CPU: its critical-section log rows; null when the tracker keeps none (`null`, a tracker private to each CPU). */
  logs: CsRow[][] | null;
  /** The shared memtype list and non-WB RAM pages with every CPU at its peak, and at the end; null for trackers private to each CPU. */
  peakShared: Omit<SmpSnapshot, 'aliases'> | null;
  endShared: Omit<SmpSnapshot, 'aliases'> | null;
  /** Per CPU: its mappings at the peak and at the end, and its machine's consistency problems at the end. */
  peakMappings: AliasMappings[];
  endMappings: AliasMappings[];
  endProblems: string[][];
}

/** The verdict on a checked run. */
export interface SmpVerdict {
  /** What is wrong, one line each (empty: correct). */
  problems: string[];
  csOrder: CsOrderCheck;
  /** Ops with no place in a serial order (reported; the run is then judged by its final state). */
  straddling: number;
}

const pairs = (xs: readonly number[], n: number): string => {
  const out: string[] = [];
  for (let i = 0; i < Math.min(xs.length, 3 * n); i += n) out.push(xs.slice(i, i + n).join(':'));
  return out.join(', ') + (xs.length > 3 * n ? ', …' : '');
};

/** Differences of a shared state from the oracle's at `when`. */
function stateProblems(when: string, hw: Hardware, want: SmpSnapshot, shared: Omit<SmpSnapshot, 'aliases'> | null, mappings: readonly AliasMappings[]): string[] {
  const out: string[] = [];
  if (shared !== null) {
    if (shared.list.join() !== want.list.join()) out.push(`${when}: the memtype list (${shared.list.length / 3} entries: ${pairs(shared.list, 3)}) differs from the oracle's (${want.list.length / 3}: ${pairs(want.list, 3)})`);
    if (shared.ram.join() !== want.ram.join()) out.push(`${when}: RAM pages not WB (${pairs(shared.ram, 2)}) differ from the oracle's (${pairs(want.ram, 2)})`);
  }
  const known = new Set(want.aliases);
  const extra = unionAliases(hw, mappings).filter((p) => !known.has(p));
  if (extra.length > 0) out.push(`${when}: the alias check over every CPU's mappings finds ${extra.length} page(s) the oracle's does not (pfn ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''})`);
  return out;
}

/**
 * Replays every CPU's ops in critical-section order on one oracle shared by
 * a Machine per CPU; returns each CPU's outcome digest.
 */
export function replayInOrder(streams: readonly OpStream[], logs: readonly CsRow[][], bugNames: readonly string[]): { digests: string[]; straddling: number } {
  const order = replayOrder(
    streams.map((s) => s.count),
    logs,
  );
  const hw = Hardware.fromParsed(streams[0]!.machine);
  const oracle = new OracleTracker();
  const bugs = Bugs.parse(bugNames);
  const sinks = streams.map(() => new DigestSink());
  const machines = streams.map((s, cpu) => {
    const m = new Machine(hw, oracle, { bugs });
    m.attachStream(s, sinks[cpu]!);
    return m;
  });
  for (const { cpu, op } of order.steps) {
    const m = machines[cpu]!;
    sinks[cpu]!.done(op, m.exec(streams[cpu]!.ops, op * STRIDE), m.outType, m.query);
  }
  return { digests: sinks.map((s) => s.digest()), straddling: order.straddling.length };
}

/**
 * Judges a checked run (see the module comment).
 * @param streams the CPUs' op streams
 * @param ref the group's reference
 * @param obs what the run recorded
 * @param bugs historical bug switches of the machine
 */
export function checkSmpRun(streams: readonly OpStream[], ref: SmpReference, obs: SmpObserved, bugs: readonly string[] = []): SmpVerdict {
  const problems: string[] = [];
  obs.digests.forEach((d, cpu) => {
    if (d !== ref.digests[cpu]) problems.push(`cpu ${cpu}: outcome digest ${d} differs from the oracle's ${ref.digests[cpu]} for its stream alone`);
  });
  let csOrder: CsOrderCheck = 'unlogged';
  let straddling = 0;
  if (obs.logs !== null) {
    try {
      const r = replayInOrder(streams, obs.logs, bugs);
      straddling = r.straddling;
      if (straddling > 0) csOrder = 'straddling';
      else {
        csOrder = 'replayed';
        r.digests.forEach((d, cpu) => {
          if (d !== obs.digests[cpu]) problems.push(`cpu ${cpu}: replayed in critical-section order, the oracle gives digest ${d}, the run gave ${obs.digests[cpu]}`);
        });
      }
    } catch (e) {
      problems.push(`critical-section order: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const hw = Hardware.fromParsed(streams[0]!.machine);
  problems.push(...stateProblems('at the peak', hw, ref.peak, obs.peakShared, obs.peakMappings));
  problems.push(...stateProblems('at the end', hw, ref.end, obs.endShared, obs.endMappings));
  obs.endProblems.forEach((ps, cpu) => {
    if (ps.length > 0) problems.push(`cpu ${cpu} at the end: ${ps[0]}${ps.length > 1 ? ` (and ${ps.length - 1} more)` : ''}`);
  });
  return { problems, csOrder, straddling };
}
