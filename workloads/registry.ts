/**
 * The workload registry: every workload by name, in catalogue order.
 */
import { InputError } from '../core/errors.js';
import { aliasStorm } from './alias-storm.js';
import { desktopDay } from './desktop-day.js';
import { devmemCow } from './devmem-cow.js';
import { ioremapChurn } from './ioremap-churn.js';
import { ramAttr } from './ram-attr.js';
import { serverPcie } from './server-pcie.js';
import { ttmBoPages, ttmFault } from './ttm-fault.js';
import { vvarHpet } from './vvar-hpet.js';
import type { Workload } from './workload.js';
import { xorgFb } from './xorg-fb.js';

const WORKLOADS: readonly Workload[] = [
  xorgFb,
  ttmFault,
  ttmBoPages,
  vvarHpet,
  devmemCow,
  ioremapChurn,
  ramAttr,
  aliasStorm,
  desktopDay,
  serverPcie,
];

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
