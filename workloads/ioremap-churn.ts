/**
 * `ioremap-churn`: driver probe/remove cycles. Each device's driver, at
 * probe, `ioremap()`s a few small register windows of its MMIO BAR (1–3
 * pages each, sometimes nested or duplicated, as a core driver and its
 * sub-drivers map the same registers) — uncached-minus, or write-combining
 * for doorbell/framebuffer-style devices (`ioremap_wc()`); at remove it
 * `iounmap()`s them all. Devices are the map's real PCI BARs, then
 * synthetic 64 KiB BARs assigned in the map's MMIO windows (below 4 GiB
 * first, then the 64-bit window). The memtype tree grows to `size` live
 * entries — the case (thousands of ioremaps) that made Linux 2.6.32 add an
 * rbtree to the sorted list and 2.6.34 go rbtree-only — while a quarter of
 * them are removed and re-probed, then all devices are removed.
 *
 * `size` = live ioremap reservations at the peak (10 to 10^6 and beyond).
 * Op mix: 50% ioremap, 50% iounmap (2.5·size ops; plus one
 * `memtype_list` query at the peak when size ≤ 10 000).
 */
import { UC_MINUS, WC } from '../core/cachemode.js';
import { Op, OpStreamBuilder, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { InputError } from '../core/errors.js';
import { BarAllocator, machineResources, mmioWindows, pciBars, type Bar } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

/** Size of a synthetic device BAR, bytes. */
const SYNTH_BAR = 64 * 1024;
/** Largest memtype list queried at the peak (the query costs O(n) in every timed replay). */
const QUERY_LIMIT = 10_000;

interface Device {
  bar: Bar;
  /** Cache type its driver maps with. */
  type: number;
  /** Number of ioremaps at probe. */
  k: number;
  /** Interned string id of its first ioremap handle; handle `j` is `handle0 + j`. */
  handle0: number;
}

/** The `ioremap-churn` workload (see the module comment). */
export const ioremapChurn: Workload = {
  name: 'ioremap-churn',
  description: 'driver probe/remove cycles: many small ioremaps of MMIO BARs; the memtype tree grows to size live entries',
  sizeUnit: 'live ioremaps',
  defaultSizes: [64, 1024, 16384],
  defaultProfile: 'kvm-guest-24g',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    // Real BARs, non-overlapping.
    const real: Bar[] = [];
    for (const bar of pciBars(machineResources(host))) {
      const last = real[real.length - 1];
      if (last === undefined || bar.start >= last.end) real.push(bar);
    }
    const win = mmioWindows(host);
    const alloc = new BarAllocator([...win.low, ...win.high]);
    const devices: Device[] = [];
    let synth = 0;
    const newDevice = (): Device => {
      let bar: Bar | null | undefined = real[devices.length];
      if (bar === undefined) {
        bar = alloc.alloc(`synthetic:${synth++}`, SYNTH_BAR);
        if (bar === null) throw new InputError(`${this.name}: size ${size} needs more MMIO space than the machine's PCI windows hold`);
      }
      return { bar, type: rng.chance(0.15) ? WC : UC_MINUS, k: 1 + rng.int(8), handle0: -1 };
    };

    // Capacity: grow (size) + churn (size/4 unmaps + size/4 maps) + teardown (size) + queries.
    const b = new OpStreamBuilder(host, Math.ceil(size * 2.5) + 64);
    // Handle strings are made once per device (consecutive ids, reused at
    // every re-probe) in our own table, which becomes the stream's string
    // table: with 10^6 live handles, interning through the builder's map
    // would dominate generation time. Only ioremap/iounmap use strings here.
    const handles: string[] = [];
    const probe = (dev: number): void => {
      const d = devices[dev]!;
      if (d.handle0 < 0) {
        d.handle0 = handles.length;
        for (let j = 0; j < d.k; j++) handles.push(`d${dev}.${j}`);
      }
      const pages = (d.bar.end - d.bar.start) / PAGE_SIZE;
      for (let j = 0; j < d.k; j++) {
        const n = Math.min(pages, rng.chance(0.75) ? 1 : 2 + rng.int(2));
        const off = rng.int(Math.min(pages, 64) - n + 1);
        b.push(Op.Ioremap, -1, d.handle0 + j, d.bar.start + off * PAGE_SIZE, n * PAGE_SIZE, d.type);
      }
    };
    const remove = (dev: number): void => {
      const d = devices[dev]!;
      for (let j = 0; j < d.k; j++) b.push(Op.Iounmap, -1, d.handle0 + j);
    };

    // Boot: probe devices until `size` ioremaps are live (the last one trimmed to fit).
    let live = 0;
    while (live < size) {
      const d = newDevice();
      d.k = Math.min(d.k, size - live);
      devices.push(d);
      live += d.k;
      probe(devices.length - 1);
    }
    // Churn: remove and re-probe random devices until a quarter of the entries were redone.
    for (let redone = 0; redone < size / 4; ) {
      const dev = rng.int(devices.length);
      remove(dev);
      probe(dev);
      redone += devices[dev]!.k;
    }
    b.markPeak();
    if (size <= QUERY_LIMIT) b.query(Op.QMemtypeList);
    for (let dev = 0; dev < devices.length; dev++) remove(dev);
    if (size <= QUERY_LIMIT) b.query(Op.QMemtypeList);
    return { ...b.build(), strings: handles };
  },
};
