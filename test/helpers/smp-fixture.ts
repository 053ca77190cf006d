/**
 * A synthetic SMP run with known figures: xpmem-insert at 64 pages, on 1
 * and 4 CPUs of a host whose `availableParallelism()` is 2 (so the 4-CPU
 * cells are oversubscribed), three forks per cell, 1000 ops per CPU.
 *
 * Per CPU, ns per op of its own stream, and the slowest CPU's replay:
 * - `null`: 50 at 1 CPU, 55 at 4;
 * - `cmpxchg` (the baseline): 100 at 1 CPU, 110 at 4 (no lock on the path);
 * - `spinlock`: 100 at 1 CPU (50 of them inside the lock: one acquisition
 *   per op), 300 at 4, waiting 60% of the CPUs' time, a hand-off on half
 *   its acquisitions.
 */
import type { ResultLine } from '../../bench/store/results.js';
import type { SmpForkFigures } from '../../bench/measure/smp-types.js';
import { line } from './fakes.js';

export const SMP_BASE = 'btree+page-bit-ram-walk+single-page+cmpxchg';
export const SMP_SPIN = 'btree+page-bit-ram-walk+single-page+spinlock';
export const FIXTURE_FORKS = 3;
export const OPS_PER_CPU = 1000;
const SAMPLES = 10;

/** ns per op of each CPU's stream by tracker and CPUs. */
export const NS_PER_OP: Record<string, Record<number, number>> = {
  null: { 1: 50, 4: 55 },
  [SMP_BASE]: { 1: 100, 4: 110 },
  [SMP_SPIN]: { 1: 100, 4: 300 },
};

function figures(tracker: string, cpus: number, ns: number): SmpForkFigures {
  const spin = tracker === SMP_SPIN;
  const acquired = spin ? SAMPLES * cpus * OPS_PER_CPU : 0;
  const busyNs = SAMPLES * cpus * OPS_PER_CPU * ns;
  return {
    cpus,
    cpuOps: Array.from({ length: cpus }, () => OPS_PER_CPU),
    cpuMedianNs: Array.from({ length: cpus }, (_, c) => OPS_PER_CPU * ns * (1 - 0.01 * c)),
    samples: SAMPLES,
    busyNs,
    lock: {
      acquired,
      contended: spin && cpus > 1 ? acquired / 2 : 0,
      spins: 0,
      waitNs: spin && cpus > 1 ? 0.6 * busyNs : 0,
      // One acquisition in 64 timed, 50 ns each.
      holdSamples: spin ? acquired / 64 : 0,
      holdNs: spin ? (acquired / 64) * 50 : 0,
      handoffs: spin && cpus > 1 ? acquired / 2 : 0,
      sleeps: 0,
      retries: 0,
      reads: 0,
      longHolds: 0,
    },
    csOrder: spin ? 'replayed' : 'unlogged',
    straddling: 0,
  };
}

/**
 * The run's lines. `invalid` names a (tracker, CPUs) cell whose forks got
 * another digest than the oracle's.
 */
export function smpRunLines(opts: { host?: number; invalid?: { tracker: string; cpus: number } } = {}): ResultLine[] {
  const host = opts.host ?? 2;
  const out: ResultLine[] = [];
  for (const cpus of [1, 4])
    for (let k = 0; k < FIXTURE_FORKS; k++)
      for (const [tracker, byCpus] of Object.entries(NS_PER_OP)) {
        const ns = byCpus[cpus]! * (1 + 0.002 * (k - 1));
        const replay = OPS_PER_CPU * ns;
        const bad = opts.invalid?.tracker === tracker && opts.invalid.cpus === cpus;
        const l = line({
          workload: 'xpmem-insert',
          size: 64,
          tracker,
          fork: k,
          forks: FIXTURE_FORKS,
          ops: cpus * OPS_PER_CPU,
          samplesNs: Array.from({ length: 12 }, (_, i) => replay * (1 + 0.01 * (i / 11))),
          ...(bad ? { validity: 'invalid' as const, digest: 'bbbb.cccc', error: 'outcome digest differs from the oracle\u2019s (CPU 1)' } : {}),
        });
        out.push({
          ...l,
          cellId: `xpmem-insert/64/1/${cpus}cpu/${tracker}`,
          groupId: `xpmem-insert/64/1/${cpus}cpu`,
          cpus,
          availableParallelism: host,
          oversubscribed: cpus > host,
          smp: figures(tracker, cpus, ns),
        });
      }
  return out;
}

/** The summary context of the fixture. */
export const SMP_CTX = { runId: 'smp-fixture', matrixHash: 'h', baseline: SMP_BASE, forks: FIXTURE_FORKS, expected: [] as string[] };
