/**
 * The SMP workload registry (kept apart from the single-CPU one: an SMP
 * workload needs a CPU count).
 */
import { InputError } from '../../core/errors.js';
import { probeSmp } from './probe-smp.js';
import type { SmpWorkload } from './smp-workload.js';
import { ttmFaultSmp } from './ttm-fault-smp.js';
import { xpmemInsert } from './xpmem-insert.js';

const SMP_WORKLOADS: readonly SmpWorkload[] = [xpmemInsert, ttmFaultSmp, probeSmp];

/** Names of every SMP workload, in registry order. */
export function smpWorkloadNames(): string[] {
  return SMP_WORKLOADS.map((w) => w.name);
}

/**
 * The SMP workload called `name`.
 * @throws InputError for an unknown name, listing the valid ones
 */
export function getSmpWorkload(name: string): SmpWorkload {
  const w = SMP_WORKLOADS.find((x) => x.name === name);
  if (!w) throw new InputError(`unknown SMP workload "${name}"; valid SMP workloads: ${smpWorkloadNames().join(', ')}`);
  return w;
}
