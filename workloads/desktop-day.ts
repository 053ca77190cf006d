/**
 * `desktop-day`: a desktop's day at realistic scale — the 20–30 live
 * reservations of a real `/sys/kernel/debug/x86/pat_memtype_list` (see
 * data/memtype-lists/: a Pentium M laptop shows 15, an N100 mini PC ~90
 * counting its EFI/ACPI write-back entries). Boot: ACPI ioremaps its
 * tables write-back (`ioremap_cache()`, overlapping entries), PCI
 * ioremaps the ECAM window, `hpet_enable()` the HPET, the GPU driver its
 * registers (UC-), its GTT (`ioremap_wc()`) and its aperture
 * (`io_mapping_create_wc()` → a WC reservation), every other driver its
 * BAR (small BARs twice, as LPSS/idma64-style sub-drivers do: duplicate
 * entries). Devices are the map's real PCI BARs, topped up with synthetic
 * ones in the PCI hole. Then a session: Xorg maps the framebuffer
 * (`resource0_wc`), the compositor and applications fault GEM objects of
 * the aperture into `VM_PFNMAP` VMAs (`vmf_insert_pfn_prot()`: lookups,
 * no reservations), and the day's events happen — application launches
 * and exits, helper forks, `dmidecode`/fwupd reading SMBIOS through
 * `/dev/mem`, a dock plugged and unplugged (two drivers probe/remove),
 * suspend/resume (three drivers, one at a time,
 * iounmap and re-ioremap), a second monitor
 * (another framebuffer window), a GPU monitor tool mapping the register
 * BAR (`resource0`).
 *
 * `size` = events in the day. Live reservations stay within ~20–30 after
 * boot whatever the size. Op mix: ~52% vm_insert_pfn_prot, ~12% mmap,
 * ~12% exit, ~9% spawn, ~6% ioremap, ~6% iounmap, ~3% fork, munmap.
 */
import { UC_MINUS, WB, WC } from '../core/cachemode.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import {
  BarAllocator,
  HPET_ADDRESS,
  HPET_MMAP_SIZE,
  displayDevice,
  firmwareRanges,
  machineResources,
  mmioWindows,
  pciBars,
  type Bar,
  type Window,
} from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const MiB = 2 ** 20;
const RW = PROT_READ | PROT_WRITE;
const MAP_BASE = 0x7f0000000000;
/** Kernel (boot-time) reservations the day starts with. */
const KERNEL_ENTRIES = 23;
const APPS = ['firefox', 'chromium', 'code', 'slack', 'evince', 'nautilus', 'mpv', 'steam', 'gimp', 'thunderbird'];
const MAX_APPS = 8;
/** Synthetic device BAR sizes used when the map lists too few real BARs. */
const SYNTH_SIZES = [64 * 1024, 16 * 1024, 16 * 1024, 128 * 1024, 4096, 32 * 1024, 4096, 16 * 1024, 8192, 4096, 64 * 1024, 16 * 1024, 4096, 4096, 32 * 1024];

interface KMap {
  handle: string;
  addr: number;
  size: number;
  type: number;
}

interface App {
  mm: number;
  next: number;
}

/** The `desktop-day` workload (see the module comment). */
export const desktopDay: Workload = {
  name: 'desktop-day',
  description: "a desktop's day: boot-time driver ioremaps, Xorg and GPU clients, app churn, dmidecode, dock, suspend/resume; ~20-30 live reservations",
  sizeUnit: 'events',
  defaultSizes: [32, 512, 4096],
  defaultProfile: 'dell-precision-3540',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const res = machineResources(host);
    const { fb, regs } = displayDevice(host);
    const b = new OpStreamBuilder(host, size * 20 + 256);
    const kernel: KMap[] = [];
    const ioremap = (m: KMap): void => {
      b.ioremap(m.handle, m.addr, m.size, m.type);
    };
    const boot = (m: KMap): void => {
      kernel.push(m);
      ioremap(m);
    };
    const overlapsKernel = (s: number, e: number): boolean => kernel.some((k) => s < k.addr + k.size && k.addr < e) || (s < fb.end && fb.start < e);

    // ---- Boot.
    const acpi = firmwareRanges(host, /^ACPI Tables$/)[0] ?? firmwareRanges(host, /^ACPI Non-volatile Storage$/)[0];
    if (acpi !== undefined) {
      const pages = (acpi.end - acpi.start) / PAGE_SIZE;
      boot({ handle: 'acpi.tables', addr: acpi.start, size: Math.min(pages, 7) * PAGE_SIZE, type: WB });
      if (pages > 4) boot({ handle: 'acpi.dsdt', addr: acpi.start + 4 * PAGE_SIZE, size: Math.min(pages - 4, 2) * PAGE_SIZE, type: WB });
    }
    const ecam = res.find((r) => /^PCI (MMCONFIG|ECAM)/.test(r.name));
    if (ecam !== undefined) boot({ handle: 'pci.mmcfg', addr: ecam.start, size: Math.min(ecam.end - ecam.start, 256 * MiB), type: UC_MINUS });
    boot({ handle: 'hpet', addr: HPET_ADDRESS, size: HPET_MMAP_SIZE, type: UC_MINUS });
    boot({ handle: 'gpu.regs', addr: regs.start, size: Math.min(regs.end - regs.start, 2 * MiB), type: UC_MINUS });
    if (regs.end - regs.start >= 16 * MiB) boot({ handle: 'gpu.gtt', addr: regs.start + 8 * MiB, size: 8 * MiB, type: WC });
    b.memtypeReserve(fb.start, fb.end, WC); // io_mapping_create_wc(aperture)
    let entries = kernel.length + 1;

    // Other devices: real BARs, then synthetic ones; small BARs mapped twice.
    const devices: Bar[] = pciBars(res).filter((d) => !(d.start < fb.end && fb.start < d.end) && !(d.start < regs.end && regs.start < d.end));
    const alloc = new BarAllocator(mmioWindows(host).low);
    for (let i = 0; devices.length < KERNEL_ENTRIES; i++) {
      const d = alloc.alloc(`synthetic:${i}`, SYNTH_SIZES[i % SYNTH_SIZES.length]!);
      if (d === null) break;
      devices.push(d);
    }
    /** Devices the dock, suspend and driver reloads act on: [first handle index in `kernel`, count]. */
    const drivers: [number, number][] = [];
    const dock: Bar[] = [];
    for (const d of devices) {
      if (entries >= KERNEL_ENTRIES) {
        if (dock.length < 2) dock.push(d);
        continue;
      }
      const len = Math.min(d.end - d.start, MiB);
      const first = kernel.length;
      const handle = `${d.name}@${d.start.toString(16)}`;
      boot({ handle, addr: d.start, size: len, type: UC_MINUS });
      entries++;
      if (len === PAGE_SIZE && entries < KERNEL_ENTRIES) {
        boot({ handle: `${handle}#idma`, addr: d.start, size: PAGE_SIZE, type: UC_MINUS });
        entries++;
      }
      drivers.push([first, kernel.length - first]);
    }
    if (dock.length < 2) {
      for (let i = 0; dock.length < 2; i++) {
        const d = alloc.alloc(`dock:${i}`, 64 * 1024);
        if (d === null) break;
        dock.push(d);
      }
    }

    // A firmware page for dmidecode's SMBIOS read, clear of every kernel mapping.
    let smbios: Window | undefined;
    for (const r of firmwareRanges(host, /^(Reserved|ACPI Tables)$/, 0xfec00000)) {
      for (let a = r.start; a < r.end && smbios === undefined; a += PAGE_SIZE) {
        if (!overlapsKernel(a, a + PAGE_SIZE)) smbios = { start: a, end: a + PAGE_SIZE };
      }
      if (smbios !== undefined) break;
    }

    // ---- Session.
    let nextMm = 0;
    let nextPid = 900;
    const spawn = (comm: string): App => {
      const mm = nextMm++;
      b.spawn(mm, comm, nextPid++);
      return { mm, next: MAP_BASE };
    };
    const place = (p: App, len: number): number => {
      const a = p.next;
      p.next += len + PAGE_SIZE;
      return a;
    };
    const fbPages = (fb.end - fb.start) / PAGE_SIZE;
    /** A GEM object of the aperture faulted into a WC pfnmap VMA, `pages` pages touched. */
    const gem = (p: App, pages: number): void => {
      const len = 64 * PAGE_SIZE;
      const addr = place(p, len);
      b.mmap(p.mm, addr, len, RW, MAP_SHARED, Dev.Pfnmap, 0x100000 * PAGE_SIZE, WC);
      const obj = rng.int(Math.max(1, fbPages - 64));
      for (let j = 0; j < pages; j++) b.vmInsertPfnProt(p.mm, addr + j * PAGE_SIZE, fb.start / PAGE_SIZE + obj + j, WC);
    };
    const xorg = spawn('Xorg');
    const fbLen = Math.min(fb.end - fb.start, 8 * MiB);
    b.mmap(xorg.mm, place(xorg, fbLen), fbLen, RW, MAP_SHARED, Dev.ResourceWc, fb.start);
    const shell = spawn('gnome-shell');
    gem(shell, 16);

    const apps: App[] = [];
    let docked = false;
    let monitor: { addr: number; len: number } | null = null;
    let tool: App | null = null;
    for (let e = 0; e < size; e++) {
      const x = rng.next();
      if (x < 0.35) {
        // Launch an application (closing one when many are open).
        if (apps.length >= MAX_APPS) b.exit(apps.splice(rng.int(apps.length), 1)[0]!.mm);
        const app = spawn(rng.pick(APPS));
        gem(app, 2 + rng.int(12));
        apps.push(app);
      } else if (x < 0.5) {
        // A helper fork: shares the parent's mappings' tracking, then exits.
        const parent = apps.length > 0 ? rng.pick(apps) : shell;
        const child = nextMm++;
        b.fork(parent.mm, child, nextPid++);
        b.exit(child);
      } else if (x < 0.6) {
        // The app repaints: more GEM faults.
        gem(apps.length > 0 ? rng.pick(apps) : shell, 1 + rng.int(8));
      } else if (x < 0.68) {
        // fwupd / dmidecode: the BIOS area (untracked ISA window) and an SMBIOS page.
        const p = spawn(rng.chance(0.5) ? 'dmidecode' : 'fwupd');
        b.mmap(p.mm, place(p, 0x10000), 0x10000, PROT_READ, MAP_SHARED, Dev.Mem, 0xf0000);
        if (smbios !== undefined) b.mmap(p.mm, place(p, PAGE_SIZE), PAGE_SIZE, PROT_READ, MAP_SHARED, Dev.Mem, smbios.start);
        b.exit(p.mm);
      } else if (x < 0.75) {
        // The dock: its USB controller and NIC probe or go.
        docked = !docked;
        dock.forEach((d, i) => {
          if (docked) b.ioremap(`dock${i}`, d.start, Math.min(d.end - d.start, 64 * 1024), UC_MINUS);
          else b.iounmap(`dock${i}`);
        });
      } else if (x < 0.8 && drivers.length > 0) {
        // Suspend/resume: three drivers, one after the other, unmap their registers and map them again.
        const picked = new Set<number>();
        while (picked.size < Math.min(3, drivers.length)) picked.add(rng.int(drivers.length));
        for (const i of picked) {
          const [first, n] = drivers[i]!;
          for (let j = 0; j < n; j++) b.iounmap(kernel[first + j]!.handle);
          for (let j = 0; j < n; j++) ioremap(kernel[first + j]!);
        }
      } else if (x < 0.88) {
        // A second monitor comes or goes: Xorg maps another framebuffer window.
        if (monitor === null) {
          const pages = 256 + rng.int(1024);
          const off = rng.int(Math.max(1, fbPages - pages));
          const len = Math.min(pages, fbPages) * PAGE_SIZE;
          monitor = { addr: place(xorg, len), len };
          b.mmap(xorg.mm, monitor.addr, len, RW, MAP_SHARED, Dev.ResourceWc, fb.start + off * PAGE_SIZE);
        } else {
          b.munmap(xorg.mm, monitor.addr, monitor.len);
          monitor = null;
        }
      } else if (x < 0.93) {
        // A GPU monitor tool maps the register BAR, or quits.
        if (tool === null) {
          tool = spawn('intel_gpu_top');
          b.mmap(tool.mm, place(tool, 16 * PAGE_SIZE), 16 * PAGE_SIZE, PROT_READ, MAP_SHARED, Dev.Resource, regs.start);
        } else {
          b.exit(tool.mm);
          tool = null;
        }
      } else {
        // A short-lived process (cron, a shell command): nothing to map.
        const p = spawn(rng.pick(['cron', 'sh', 'ls', 'git']));
        b.exit(p.mm);
      }
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    // ---- Shutdown.
    for (const a of apps) b.exit(a.mm);
    if (tool !== null) b.exit(tool.mm);
    b.exit(shell.mm);
    b.exit(xorg.mm);
    if (docked) dock.forEach((_, i) => b.iounmap(`dock${i}`));
    for (let i = kernel.length - 1; i >= 0; i--) b.iounmap(kernel[i]!.handle);
    b.memtypeFree(fb.start, fb.end);
    b.query(Op.QMemtypeList);
    return b.build();
  },
};
