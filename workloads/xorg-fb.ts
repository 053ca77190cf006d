/**
 * `xorg-fb`: a display server and its clients map a GPU's framebuffer BAR
 * write-combining (PCI sysfs `resource0_wc`) and its register BAR uncached
 * (`resource2`), each as a whole-VMA `remap_pfn_range()` — one memtype
 * reservation per mapping, shared by fork. The kernel driver ioremaps the
 * registers at probe. Then fork/exit churn, window remaps, client
 * turnover, and now and then a `/dev/mem` mapping of the framebuffer (a WB
 * request that inherits WC where it overlaps a WC reservation — and
 * poisons later WC maps where it does not).
 *
 * `size` = display clients (≈ live reservations: 1–2 per client; ≤ 10^5,
 * ~16 ops per client).
 * Op mix: ~35% mmap, ~30% exit, ~20% spawn, ~10% fork, ~7% munmap, ioremap.
 */
import { UC_MINUS } from '../core/cachemode.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { displayDevice } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const COMMS = ['gnome-shell', 'firefox', 'glxgears', 'Xwayland', 'kwin_x11', 'chromium', 'mpv', 'steam'];
const RW = PROT_READ | PROT_WRITE;
const MAP_BASE = 0x7f0000000000;

interface Mapping {
  addr: number;
  len: number;
}

/** The `xorg-fb` workload (see the module comment). */
export const xorgFb: Workload = {
  name: 'xorg-fb',
  description: 'display clients whole-VMA-map a WC framebuffer BAR and a UC- register BAR, with fork/exit churn',
  sizeUnit: 'display clients',
  defaultSizes: [8, 64, 512],
  maxSize: 100_000,
  defaultProfile: 'dell-precision-3540',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const { fb, regs } = displayDevice(host);
    const rng = new Rng(seed);
    const b = new OpStreamBuilder(host, size * 24 + 64);
    const fbPages = (fb.end - fb.start) / PAGE_SIZE;
    const regsPages = (regs.end - regs.start) / PAGE_SIZE;
    const maps = new Map<number, Mapping[]>();
    const next = new Map<number, number>();
    let nextMm = 0;
    let nextPid = 1000;

    const place = (mm: number, len: number): number => {
      const a = next.get(mm) ?? MAP_BASE;
      next.set(mm, a + len + PAGE_SIZE);
      return a;
    };
    const mapWindow = (mm: number, dev: Dev, bar: typeof fb, barPages: number, maxPages: number): void => {
      const pages = 1 + rng.int(Math.min(maxPages, barPages));
      const off = rng.int(Math.min(barPages, 16384) - pages + 1);
      const len = pages * PAGE_SIZE;
      const addr = place(mm, len);
      b.mmap(mm, addr, len, RW, MAP_SHARED, dev, bar.start + off * PAGE_SIZE);
      maps.get(mm)!.push({ addr, len });
    };
    const spawnClient = (): number => {
      const mm = nextMm++;
      b.spawn(mm, rng.pick(COMMS), nextPid++);
      maps.set(mm, []);
      mapWindow(mm, Dev.ResourceWc, fb, fbPages, 16);
      if (rng.chance(0.5)) mapWindow(mm, Dev.Resource, regs, regsPages, 4);
      return mm;
    };

    b.ioremap('gpu-regs', regs.start, Math.min(regs.end - regs.start, 2 ** 21), UC_MINUS);
    const xorg = nextMm++;
    b.spawn(xorg, 'Xorg', nextPid++);
    maps.set(xorg, []);
    const fbLen = Math.min(fb.end - fb.start, 8 * 2 ** 20);
    b.mmap(xorg, place(xorg, fbLen), fbLen, RW, MAP_SHARED, Dev.ResourceWc, fb.start);
    const regLen = Math.min(regs.end - regs.start, 2 ** 19);
    b.mmap(xorg, place(xorg, regLen), regLen, RW, MAP_SHARED, Dev.Resource, regs.start);

    const clients: number[] = [];
    for (let i = 0; i < size; i++) clients.push(spawnClient());

    for (let r = 0; r < 2 * size; r++) {
      const x = rng.next();
      const ci = rng.int(clients.length);
      const mm = clients[ci]!;
      if (x < 0.4) {
        const child = nextMm++;
        b.fork(mm, child, nextPid++);
        b.exit(child);
      } else if (x < 0.7) {
        const ms = maps.get(mm)!;
        if (ms.length > 0) {
          const m = ms.splice(rng.int(ms.length), 1)[0]!;
          b.munmap(mm, m.addr, m.len);
        }
        mapWindow(mm, Dev.ResourceWc, fb, fbPages, 16);
      } else if (x < 0.95) {
        b.exit(mm);
        maps.delete(mm);
        clients[ci] = spawnClient();
      } else {
        // A /dev/mem reader of the framebuffer: asks WB.
        const pages = 1 + rng.int(4);
        const off = rng.int(Math.min(fbPages, 16384) - pages + 1);
        const len = pages * PAGE_SIZE;
        const addr = place(mm, len);
        b.mmap(mm, addr, len, PROT_READ, MAP_SHARED, Dev.Mem, fb.start + off * PAGE_SIZE);
        maps.get(mm)!.push({ addr, len });
      }
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    for (const mm of clients) b.exit(mm);
    b.exit(xorg);
    b.iounmap('gpu-regs');
    b.query(Op.QMemtypeList);
    return b.build();
  },
};
