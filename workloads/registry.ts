/**
 * The workload registry.
 */
import { InputError } from '../core/errors.js';
import { ttmFault } from './ttm-fault.js';
import type { Workload } from './workload.js';
import { xorgFb } from './xorg-fb.js';

const WORKLOADS: readonly Workload[] = [xorgFb, ttmFault];

/** Names of every workload, in registry order. */
export function workloadNames(): string[] {
  return WORKLOADS.map((w) => w.name);
}

/**
 * The workload called `name`.
 * @throws InputError for an unknown name, listing the valid ones
 */
export function getWorkload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new InputError(`unknown workload "${name}"; valid workloads: ${workloadNames().join(', ')}`);
  return w;
}
