/**
 * `probe-smp`: asynchronous driver probing (`PROBE_PREFER_ASYNCHRONOUS`,
 * async_schedule): drivers probe their devices on many CPUs at once, each
 * probe `ioremap()`ing a few small register windows of its BAR (1–3 pages,
 * uncached-minus, or write-combining for doorbell-style devices), and
 * remove `iounmap()`s them — inserts into and erases from the memtype tree
 * under `memtype_lock`, concurrently. Devices are synthetic 64 KiB BARs
 * assigned in the machine's MMIO windows, dealt to the CPUs in turn (so
 * every CPU's entries sit among the others' in the tree).
 *
 * Each CPU probes its `size` devices, then removes and re-probes a quarter
 * of them (three times over), then removes them all. ioremap handles are
 * named by CPU (`cpu3/d12.1`): the kernel's ioremap list is shared.
 *
 * `size` = devices per CPU (each 1–4 windows). Op mix: 50% ioremap, 50%
 * iounmap.
 */
import { UC_MINUS, WC } from '../../core/cachemode.js';
import { InputError } from '../../core/errors.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { Op, OpStreamBuilder, type OpStream } from '../../core/ops.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import { BarAllocator, mmioWindows, type Bar } from '../devices.js';
import { Rng } from '../rng.js';
import { cpuSeed, prepareSmp, type SmpWorkload } from './smp-workload.js';

/** Size of a synthetic device BAR, bytes. */
const BAR_SIZE = 64 * 1024;
/** Remove-and-re-probe rounds, each over a quarter of the CPU's devices. */
const CHURN_ROUNDS = 3;

interface Device {
  bar: Bar;
  type: number;
  /** ioremaps at probe. */
  k: number;
  /** String id of its first handle. */
  handle0: number;
}

/** The `probe-smp` SMP workload (see the module comment). */
export const probeSmp: SmpWorkload = {
  name: 'probe-smp',
  description: 'asynchronous driver probing: CPUs ioremap and iounmap small BAR windows at once (memtype tree inserts and erases)',
  sizeUnit: 'devices per CPU',
  defaultSizes: [8, 64, 512],
  maxSize: 100_000,
  defaultProfile: 'kvm-guest-24g',

  generate(size: number, cpus: number, seed: number, machine?: ParsedMachine): OpStream[] {
    const spec = prepareSmp(this, size, cpus, machine);
    const win = mmioWindows(spec);
    const alloc = new BarAllocator([...win.low, ...win.high]);
    // Device d of CPU c is BAR number d·cpus + c: the CPUs' BARs interleave.
    const bars: Bar[][] = Array.from({ length: cpus }, () => []);
    for (let d = 0; d < size; d++) {
      for (let c = 0; c < cpus; c++) {
        const bar = alloc.alloc(`synthetic:${d * cpus + c}`, BAR_SIZE);
        if (bar === null) throw new InputError(`${this.name}: ${cpus} CPUs × ${size} devices need more MMIO space than the machine's PCI windows hold`);
        bars[c]!.push(bar);
      }
    }
    return bars.map((mine, cpu) => {
      const rng = new Rng(cpuSeed(seed, cpu));
      const handles: string[] = [];
      const devices: Device[] = mine.map((bar, d) => {
        const dev = { bar, type: rng.chance(0.15) ? WC : UC_MINUS, k: 1 + rng.int(4), handle0: handles.length };
        for (let j = 0; j < dev.k; j++) handles.push(`cpu${cpu}/d${d}.${j}`);
        return dev;
      });
      const b = new OpStreamBuilder(spec, Math.ceil(size * 4 * (2 + CHURN_ROUNDS)) + 8);
      const probe = (d: Device): void => {
        const pages = (d.bar.end - d.bar.start) / PAGE_SIZE;
        for (let j = 0; j < d.k; j++) {
          const n = rng.chance(0.75) ? 1 : 2 + rng.int(2);
          const off = rng.int(pages - n + 1);
          b.push(Op.Ioremap, -1, d.handle0 + j, d.bar.start + off * PAGE_SIZE, n * PAGE_SIZE, d.type);
        }
      };
      const remove = (d: Device): void => {
        for (let j = 0; j < d.k; j++) b.push(Op.Iounmap, -1, d.handle0 + j);
      };
      for (const d of devices) probe(d);
      for (let r = 0; r < CHURN_ROUNDS; r++) {
        for (let i = 0; i < Math.max(1, size >> 2); i++) {
          const d = devices[rng.int(size)]!;
          remove(d);
          probe(d);
        }
      }
      b.markPeak();
      for (const d of devices) remove(d);
      return { ...b.build(), strings: handles };
    });
  },
};
