/**
 * `server-pcie`: a many-BAR GPU server. Eight GPUs, each with a 16 MiB
 * register BAR below 4 GiB and two 64-bit prefetchable BARs above it — a
 * 32 GiB VRAM aperture (BAR1, far beyond 4 GiB) and a 32 MiB BAR3 — plus
 * two 100 GbE NICs (32 MiB BARs) and four NVMe drives (16 KiB BARs),
 * assigned by a firmware-like allocator in the MMIO windows the machine's
 * map leaves free (the 32-bit PCI hole, and a 64-bit window above the
 * e820 map when no iomem lists one). At probe the drivers `ioremap()` the
 * register BARs uncached-minus, `ioremap_wc()` a slice of BAR3, and
 * reserve each whole VRAM aperture write-combining
 * (`arch_io_reserve_memtype_wc()`, as `io_mapping_create_wc()` does), so
 * every user WC mapping of BAR1 overlaps — and inherits from — a 32 GiB
 * reservation. Then compute jobs (CUDA-style) map windows of BAR1 WC and
 * doorbell pages of BAR0 UC- through the PCI sysfs resource files, and
 * kernel-bypass NIC processes map WC UAR pages of the NIC BARs: each a
 * whole-VMA `remap_pfn_range()`, one reservation. Jobs map, unmap, fork
 * data-loader workers, and finish (exit); new jobs take their place.
 *
 * `size` = live user BAR mappings at the peak (= live reservations beyond
 * the ~30 the drivers hold). Default profile: the ASUS ESC8000 G4 8-GPU
 * server (e820 + MTRRs).
 * Op mix (size 4096): ~65% mmap, ~27% munmap, ~3% fork, ~3% exit, spawn;
 * 30 kernel ioremaps and reservations at probe (most of the ops at size 16).
 */
import { UC_MINUS, WC } from '../core/cachemode.js';
import { InputError } from '../core/errors.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { BarAllocator, mmioWindows, type Bar } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const GPUS = 8;
const NICS = 2;
const NVMES = 4;
const RW = PROT_READ | PROT_WRITE;
const MAP_BASE = 0x7f0000000000;
/** BAR1 windows land in its first 256 MiB (65536 pages), so they overlap and nest. */
const HOT_PAGES = 65536;
/** User mappings per process before more processes are used (the emulator keeps each mm's VMAs in a sorted array). */
const MAPS_PER_PROC = 2048;

interface Proc {
  mm: number;
  /** GPU index, or -1 - NIC index for a NIC process. */
  dev: number;
  /** Its mappings, flat: address, length (bytes), address, length, ... */
  maps: number[];
  next: number;
}

/** The `server-pcie` workload (see the module comment). */
export const serverPcie: Workload = {
  name: 'server-pcie',
  description: '8-GPU server: 32 GiB WC VRAM apertures above 4 GiB, register and NIC BARs; compute jobs map BAR windows through sysfs resource files',
  sizeUnit: 'live user BAR mappings',
  defaultSizes: [16, 256, 4096],
  defaultProfile: 'asus-esc8000g4',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const win = mmioWindows(host);
    const low = new BarAllocator([...win.low, ...win.high]);
    const high = new BarAllocator(win.high);
    const need = (bar: Bar | null, what: string): Bar => {
      if (bar === null) throw new InputError(`${this.name}: no room for ${what} in the machine's MMIO windows`);
      return bar;
    };
    // Firmware order: big 64-bit BARs first (natural alignment), then the small ones.
    const vram = Array.from({ length: GPUS }, (_, g) => need(high.alloc(`gpu${g}.bar1`, 32 * GiB), `GPU ${g} BAR1 (32 GiB)`));
    const bar3 = Array.from({ length: GPUS }, (_, g) => need(high.alloc(`gpu${g}.bar3`, 32 * MiB), `GPU ${g} BAR3`));
    const nic = Array.from({ length: NICS }, (_, n) => need(high.alloc(`nic${n}.bar0`, 32 * MiB), `NIC ${n} BAR0`));
    const regs = Array.from({ length: GPUS }, (_, g) => need(low.alloc(`gpu${g}.bar0`, 16 * MiB), `GPU ${g} BAR0`));
    const nvme = Array.from({ length: NVMES }, (_, m) => need(low.alloc(`nvme${m}.bar0`, 16 * 1024), `NVMe ${m} BAR0`));

    const b = new OpStreamBuilder(host, size * 3 + 256);
    // Driver probe.
    for (let g = 0; g < GPUS; g++) {
      b.ioremap(`gpu${g}.regs`, regs[g]!.start, 16 * MiB, UC_MINUS);
      b.memtypeReserve(vram[g]!.start, vram[g]!.end, WC);
      b.ioremap(`gpu${g}.bar3`, bar3[g]!.start, 2 * MiB, WC);
    }
    for (let n = 0; n < NICS; n++) b.ioremap(`nic${n}.init`, nic[n]!.start, MiB, UC_MINUS);
    for (let m = 0; m < NVMES; m++) b.ioremap(`nvme${m}`, nvme[m]!.start, 16 * 1024, UC_MINUS);

    // Jobs: per GPU and per NIC, enough processes for ~MAPS_PER_PROC mappings each.
    const perDev = Math.max(2, Math.ceil(size / (GPUS + NICS) / MAPS_PER_PROC));
    const procs: Proc[] = [];
    let nextMm = 0;
    let nextPid = 4000;
    const startJob = (dev: number): Proc => {
      const mm = nextMm++;
      b.spawn(mm, dev >= 0 ? rng.pick(['python3', 'pt_main_thread', 'nccl-tests', 'hpl']) : 'dpdk-testpmd', nextPid++);
      return { mm, dev, maps: [], next: MAP_BASE };
    };
    for (let g = 0; g < GPUS; g++) for (let i = 0; i < perDev; i++) procs.push(startJob(g));
    for (let n = 0; n < NICS; n++) for (let i = 0; i < perDev; i++) procs.push(startJob(-1 - n));

    let live = 0;
    const mapOne = (p: Proc): void => {
      let dev: Dev;
      let phys: number;
      let pages: number;
      if (p.dev >= 0) {
        const g = p.dev;
        if (rng.chance(0.8)) {
          // A BAR1 window: mostly up to 64 KiB, sometimes a 2 MiB-aligned 2 MiB one.
          dev = Dev.ResourceWc;
          if (rng.chance(0.03)) {
            pages = 512;
            phys = vram[g]!.start + rng.int(HOT_PAGES / 512) * 512 * PAGE_SIZE;
          } else {
            pages = 1 + rng.int(16);
            phys = vram[g]!.start + rng.int(HOT_PAGES - pages + 1) * PAGE_SIZE;
          }
        } else {
          // A doorbell page in the upper half of BAR0.
          dev = Dev.Resource;
          pages = 1;
          phys = regs[g]!.start + (2048 + rng.int(2048)) * PAGE_SIZE;
        }
      } else {
        // A WC UAR (blue-flame) page of the NIC, above its 1 MiB init segment.
        dev = Dev.ResourceWc;
        pages = 1;
        phys = nic[-1 - p.dev]!.start + (256 + rng.int(8192 - 256)) * PAGE_SIZE;
      }
      const len = pages * PAGE_SIZE;
      const addr = p.next;
      p.next += len + PAGE_SIZE;
      b.mmap(p.mm, addr, len, RW, MAP_SHARED, dev, phys);
      p.maps.push(addr, len);
      live++;
    };
    const unmapOne = (p: Proc): void => {
      const m = p.maps;
      const i = 2 * rng.int(m.length / 2);
      b.munmap(p.mm, m[i]!, m[i + 1]!);
      m[i] = m[m.length - 2]!;
      m[i + 1] = m[m.length - 1]!;
      m.length -= 2;
      live--;
    };

    while (live < size) mapOne(procs[rng.int(procs.length)]!);
    // Job restarts drop all their mappings: rarer where jobs hold many.
    const restart = 0.02 * Math.min(1, 8 / (size / procs.length));
    for (let r = 0; r < size; r++) {
      const i = rng.int(procs.length);
      const p = procs[i]!;
      const x = rng.next();
      if (x < 0.9) {
        // Remap: one window goes, another comes (refilling after a job restart).
        if (live >= size) {
          let q = p;
          while (q.maps.length === 0) q = procs[rng.int(procs.length)]!;
          unmapOne(q);
        }
        mapOne(procs[rng.int(procs.length)]!);
      } else if (x < 1 - restart) {
        // A data-loader worker: fork shares every mapping's tracking, then exits.
        const child = nextMm++;
        b.fork(p.mm, child, nextPid++);
        b.exit(child);
      } else {
        // The job finishes; a new one starts on the same device and maps a few windows.
        const n = p.maps.length / 2;
        b.exit(p.mm);
        live -= n;
        const q = startJob(p.dev);
        procs[i] = q;
        for (let k = Math.min(n, 4); k > 0; k--) mapOne(q);
      }
    }
    while (live < size) mapOne(procs[rng.int(procs.length)]!);
    b.markPeak();
    if (size <= 10_000) b.query(Op.QMemtypeList);
    for (const p of procs) b.exit(p.mm);
    for (let m = NVMES - 1; m >= 0; m--) b.iounmap(`nvme${m}`);
    for (let n = NICS - 1; n >= 0; n--) b.iounmap(`nic${n}.init`);
    for (let g = GPUS - 1; g >= 0; g--) {
      b.iounmap(`gpu${g}.bar3`);
      b.memtypeFree(vram[g]!.start, vram[g]!.end);
      b.iounmap(`gpu${g}.regs`);
    }
    if (size <= 10_000) b.query(Op.QMemtypeList);
    return b.build();
  },
};
