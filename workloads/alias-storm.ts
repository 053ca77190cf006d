/**
 * `alias-storm`: adversarial. A device BAR is carved into 2-page windows,
 * each first claimed by an occupant with a different cache type than its
 * neighbours: a `/dev/mem` mapping (write-back request), a PCI
 * `resource_wc` mapping (write-combining), a `resource` mapping or a
 * driver's `ioremap()` (uncached-minus). Then racing processes and kernel
 * callers hammer the same ranges — 2–4 pages at any page offset, so most
 * requests straddle windows — with every API and type: `/dev/mem` (WB, or
 * UC- with O_DSYNC), `resource`, `resource_wc`, `ioremap`, `ioremap_wc`,
 * `ioremap_cache`; racers fork and exit. The PAT rules refuse nearly all
 * of it: a range overlapping reservations of two types fails with EBUSY
 * ("conflicting memory types", `memtype_check_conflict()`), a UC-/WC
 * request over a WB reservation fails with EINVAL (`is_new_memtype_allowed()`;
 * `/dev/mem` reports EAGAIN). What is granted is held a while, then
 * released. The machine must stay alias-free: refusals are what keep it so.
 *
 * `size` = contended windows (= occupant reservations, live throughout);
 * the storm is 3·size requests.
 * Op mix: ~34% mmap, ~22% munmap, ~18% ioremap, ~18% iounmap, ~4% fork,
 * ~4% exit.
 */
import { UC_MINUS, WB, WC } from '../core/cachemode.js';
import { InputError } from '../core/errors.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { BarAllocator, mmioWindows } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const OCCUPANTS = ['Xorg', 'qemu-system-x86', 'fbdev-test', 'flashrom'];
const RACERS = ['stress-ng', 'syzkaller', 'memtester', 'pcimem', 'devmem2', 'dd'];
const MAP_BASE = 0x7f0000000000;
const RW = PROT_READ | PROT_WRITE;
/** Pages per contended window. */
const WINDOW_PAGES = 2;
/** Granted requests held at once before the oldest is released. */
const HOLD = 16;

/** A granted-or-not request to release later: a user mapping or a kernel handle. */
interface Grab {
  mm: number;
  addr: number;
  len: number;
  handle: string;
}

/** The `alias-storm` workload (see the module comment). */
export const aliasStorm: Workload = {
  name: 'alias-storm',
  description: 'adversarial: processes and drivers race to map shared ranges with conflicting types; most requests are refused',
  sizeUnit: 'contended windows',
  defaultSizes: [16, 256, 4096],
  defaultProfile: 'kvm-guest-24g',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const pages = size * WINDOW_PAGES;
    const win = mmioWindows(host);
    let barSize = 64 * 1024;
    while (barSize < pages * PAGE_SIZE) barSize *= 2;
    const bar = new BarAllocator([...win.low, ...win.high]).alloc('contended', barSize);
    if (bar === null) throw new InputError(`${this.name}: size ${size} needs a ${barSize}-byte BAR; the machine's MMIO windows have no room`);
    const b = new OpStreamBuilder(host, size * 8 + 64);
    const next: number[] = [];
    let nextMm = 0;
    let nextPid = 3000;
    const place = (mm: number, len: number): number => {
      const a = next[mm]!;
      next[mm] = a + len + PAGE_SIZE;
      return a;
    };
    const spawn = (comm: string): number => {
      const mm = nextMm++;
      b.spawn(mm, comm, nextPid++);
      next[mm] = MAP_BASE;
      return mm;
    };

    // Occupants: window i gets WB, WC, UC-, WC in turn (UC- half the time
    // from a driver's ioremap): neighbours differ even where MTRRs turn the
    // WB request into UC- (`pat_x_mtrr_type()`).
    // One occupant per 1024 windows at least: the emulator keeps each mm's VMAs in a sorted array.
    const owners: number[] = [];
    for (let i = 0; i < Math.max(OCCUPANTS.length, Math.ceil(size / 1024)); i++) owners.push(spawn(OCCUPANTS[i % OCCUPANTS.length]!));
    const occupantHandles: string[] = [];
    for (let i = 0; i < size; i++) {
      const phys = bar.start + i * WINDOW_PAGES * PAGE_SIZE;
      const len = WINDOW_PAGES * PAGE_SIZE;
      const mm = owners[i % owners.length]!;
      const kind = i % 4;
      if (kind === 0) b.mmap(mm, place(mm, len), len, RW, MAP_SHARED, Dev.Mem, phys);
      else if (kind !== 2) b.mmap(mm, place(mm, len), len, RW, MAP_SHARED, Dev.ResourceWc, phys);
      else if (rng.chance(0.5)) b.mmap(mm, place(mm, len), len, RW, MAP_SHARED, Dev.Resource, phys);
      else {
        const h = `occ${i}`;
        occupantHandles.push(h);
        b.ioremap(h, phys, len, UC_MINUS);
      }
    }

    // The storm.
    const racers = RACERS.map((c) => spawn(c));
    const held: Grab[] = [];
    // Kernel handles are reused once released: at most HOLD + 1 are live.
    const freeHandles: string[] = [];
    let nextHandle = 0;
    const release = (g: Grab): void => {
      if (g.mm < 0) {
        b.iounmap(g.handle);
        freeHandles.push(g.handle);
      } else b.munmap(g.mm, g.addr, g.len);
    };
    for (let r = 0; r < 3 * size; r++) {
      const n = 2 + rng.int(3);
      const startPage = rng.int(pages - n + 1);
      const phys = bar.start + startPage * PAGE_SIZE;
      const len = n * PAGE_SIZE;
      const api = rng.int(7);
      let g: Grab;
      if (api < 4) {
        const mm = racers[rng.int(racers.length)]!;
        const addr = place(mm, len);
        if (api === 0) b.mmap(mm, addr, len, RW, MAP_SHARED, Dev.Mem, phys);
        else if (api === 1) b.mmap(mm, addr, len, RW, MAP_SHARED, Dev.Mem, phys, -1, true);
        else b.mmap(mm, addr, len, RW, MAP_SHARED, api === 2 ? Dev.Resource : Dev.ResourceWc, phys);
        g = { mm, addr, len, handle: '' };
      } else {
        const handle = freeHandles.pop() ?? `race${nextHandle++}`;
        b.ioremap(handle, phys, len, api === 4 ? UC_MINUS : api === 5 ? WC : WB);
        g = { mm: -1, addr: 0, len, handle };
      }
      held.push(g);
      if (held.length > HOLD) release(held.shift()!);
      if (rng.chance(0.1)) {
        // A racer forks (its mappings are shared by reference) and the child dies.
        const child = nextMm++;
        b.fork(racers[rng.int(racers.length)]!, child, nextPid++);
        b.exit(child);
      }
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    for (const g of held) release(g);
    for (const mm of racers) b.exit(mm);
    for (const mm of owners) b.exit(mm);
    for (const h of occupantHandles) b.iounmap(h);
    b.query(Op.QMemtypeList);
    return b.build();
  },
};
