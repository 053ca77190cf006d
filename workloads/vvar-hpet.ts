/**
 * `vvar-hpet`: every process start maps the vDSO's data area, the `[vvar]`
 * VMA (`VM_PFNMAP|VM_IO`, empty at exec, populated by `vvar_fault()` in
 * arch/x86/entry/vdso/vma.c of the 4.x–5.x kernels), whose pages differ in
 * cacheability: the vvar data page and the pvclock page are kernel RAM,
 * inserted write-back (`vmf_insert_pfn()`), while the HPET page is the
 * HPET's MMIO register block at 0xfed00000, inserted uncached-minus with
 * `vmf_insert_pfn_prot(..., pgprot_noncached(PAGE_READONLY))` once the HPET
 * clocksource has been used. The kernel ioremaps the HPET at boot
 * (`hpet_enable()`), so every HPET insert's `lookup_memtype()` finds that
 * UC- reservation, and every RAM insert reads the page's memtype. Then
 * fork/exec/exit churn: a shell forks (the child copies the parent's vvar
 * PTEs), the child execs (old mm gone, fresh `[vvar]`), workers fork and
 * exit.
 *
 * `size` = live processes at the peak (each one `[vvar]` VMA, up to 3
 * inserted pages; ≤ 10^5, ~18 ops per process); live memtype reservations stay at one (the HPET).
 * Op mix: ~30% exit, ~17% fork, ~16% vm_insert_pfn_prot, ~12% each of
 * vm_insert_pfn, spawn and mmap.
 *
 * Emulator note: `[vvar]` is mapped `shared` read-only here: Linux's
 * special mapping has no `VM_MAYWRITE`, so it is not a COW mapping, while
 * the emulator's `mmap` always sets `VM_MAYWRITE`.
 */
import { UC_MINUS, WB } from '../core/cachemode.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { HPET_ADDRESS, HPET_MMAP_SIZE, kernelDataPfn } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const COMMS = ['bash', 'sh', 'cc1', 'make', 'python3', 'git', 'grep', 'sed', 'ld', 'node', 'cron', 'sshd'];
/** `[vvar]` layout of 4.x x86-64: vvar page, HPET page, pvclock page. */
const VVAR_PAGES = 3;
const HPET_PAGE = 1;
const PVCLOCK_PAGE = 2;
/** Top of the randomized mmap base; `[vvar]` goes below it. */
const VVAR_TOP = 0x7fff00000000;

interface Proc {
  mm: number;
  vvar: number;
  mask: number;
}

/** The `vvar-hpet` workload (see the module comment). */
export const vvarHpet: Workload = {
  name: 'vvar-hpet',
  description: 'process starts map a [vvar] pfnmap VMA mixing RAM WB pages and the HPET UC- MMIO page; fork/exec/exit churn',
  sizeUnit: 'live processes',
  defaultSizes: [16, 256, 4096],
  maxSize: 100_000,
  defaultProfile: 'dell-precision-3540',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const vvarPfn = kernelDataPfn(host);
    // The pvclock page: per-cpu data in another kernel RAM page.
    const pvclockPfn = vvarPfn + 1;
    const hpetPfn = HPET_ADDRESS / PAGE_SIZE;
    const b = new OpStreamBuilder(host, size * 24 + 64);
    /** Live processes: mm id, `[vvar]` address, and a bit per `[vvar]` page already faulted in. */
    const live: Proc[] = [];
    let nextMm = 0;
    let nextPid = 1;

    /**
     * `clock_gettime()`s fault in the pages not yet present: the vvar page
     * always, the HPET page mostly, the pvclock page sometimes. Returns the new mask.
     */
    const touch = (mm: number, vvar: number, mask: number): number => {
      if ((mask & 1) === 0) b.vmInsertPfn(mm, vvar, vvarPfn);
      mask |= 1;
      if ((mask & (1 << HPET_PAGE)) === 0 && rng.chance(0.9)) {
        b.vmInsertPfnProt(mm, vvar + HPET_PAGE * PAGE_SIZE, hpetPfn, UC_MINUS);
        mask |= 1 << HPET_PAGE;
      }
      if ((mask & (1 << PVCLOCK_PAGE)) === 0 && rng.chance(0.3)) {
        b.vmInsertPfnProt(mm, vvar + PVCLOCK_PAGE * PAGE_SIZE, pvclockPfn, WB);
        mask |= 1 << PVCLOCK_PAGE;
      }
      return mask;
    };
    /** exec: a fresh mm with a randomized `[vvar]`. */
    const exec = (pid: number): Proc => {
      const mm = nextMm++;
      b.spawn(mm, rng.pick(COMMS), pid);
      const vvar = VVAR_TOP - (1 + rng.int(1 << 20)) * 16 * PAGE_SIZE;
      b.mmap(mm, vvar, VVAR_PAGES * PAGE_SIZE, PROT_READ, MAP_SHARED, Dev.Pfnmap, 0, WB);
      return { mm, vvar, mask: touch(mm, vvar, 0) };
    };
    /** fork + exec from a random live parent. */
    const start = (): void => {
      const parent = live[rng.int(live.length)]!;
      const child = nextMm++;
      const pid = ++nextPid;
      b.fork(parent.mm, child, pid);
      b.exit(child);
      live.push(exec(pid));
    };

    b.ioremap('hpet', HPET_ADDRESS, HPET_MMAP_SIZE, UC_MINUS);
    live.push(exec(nextPid)); // init
    while (live.length < size) start();
    for (let r = 0; r < 2 * size; r++) {
      if (rng.chance(0.6) && live.length > 1) {
        // A process exits and another starts.
        const i = 1 + rng.int(live.length - 1);
        b.exit(live[i]!.mm);
        live[i] = live[live.length - 1]!;
        live.pop();
        start();
      } else {
        // A worker fork that does not exec: it may fault pages its parent never touched.
        const parent = live[rng.int(live.length)]!;
        const child = nextMm++;
        b.fork(parent.mm, child, ++nextPid);
        if (rng.chance(0.5)) touch(child, parent.vvar, parent.mask);
        b.exit(child);
      }
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    for (let i = live.length - 1; i >= 0; i--) b.exit(live[i]!.mm);
    b.iounmap('hpet');
    return b.build();
  },
};
