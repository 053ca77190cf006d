/**
 * `ttm-fault-smp`: `ttm-fault` on many CPUs — GPU clients on every CPU
 * faulting their buffer objects in from one VRAM BAR. Each fault is a
 * `vmf_insert_pfn_prot()` of a VRAM page, so each insert is one
 * `lookup_memtype()` of a non-RAM pfn: a walk of the memtype tree under
 * `memtype_lock` in Linux today (the contention the `rwlock` and `seqlock`
 * schemes address).
 *
 * The BAR is cut into one slice per CPU; each CPU reserves its slice
 * write-combining (`arch_io_reserve_memtype_wc()`, so the tree holds one
 * entry per CPU and every lookup finds its CPU's entry), then its two
 * processes map buffer objects (1–256 pages, `VM_PFNMAP|VM_IO` at fake
 * offsets) and fault them in page by page; then `size` evict-and-refault
 * rounds; then the processes exit and the slice is freed.
 *
 * `size` = buffer objects per CPU (~85 ops each). Op mix: ~97%
 * `vm_insert_pfn_prot`, mmap, munmap.
 */
import { WC } from '../../core/cachemode.js';
import { InputError } from '../../core/errors.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../../core/ops.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import { displayDevice } from '../devices.js';
import { Rng } from '../rng.js';
import { cpuSeed, prepareSmp, type SmpWorkload } from './smp-workload.js';

const BO_PAGES = [1, 1, 2, 4, 8, 16, 16, 64, 256];
const MAP_BASE = 0x7f0000000000;
/** `DRM_FILE_PAGE_OFFSET_START`: fake offsets start at 4 GiB worth of pages. */
const FAKE_OFFSET_START = 0x100000 * PAGE_SIZE;
/** Processes per CPU. */
const PROCS = 2;

interface Bo {
  mm: number;
  addr: number;
  pages: number;
  pfn: number;
  offset: number;
}

/** The `ttm-fault-smp` SMP workload (see the module comment). */
export const ttmFaultSmp: SmpWorkload = {
  name: 'ttm-fault-smp',
  description: "GPU clients on every CPU fault buffer objects in from one VRAM BAR: one non-RAM lookup_memtype per page, all in the memtype tree",
  sizeUnit: 'buffer objects per CPU',
  defaultSizes: [16, 128, 1024],
  maxSize: 20_000,
  defaultProfile: 'icelake-tb-dock',

  generate(size: number, cpus: number, seed: number, machine?: ParsedMachine): OpStream[] {
    const spec = prepareSmp(this, size, cpus, machine);
    const vram = displayDevice(spec).fb;
    const slicePages = Math.floor((vram.end - vram.start) / PAGE_SIZE / cpus);
    if (slicePages < 1) throw new InputError(`${this.name}: the VRAM BAR (${(vram.end - vram.start) / PAGE_SIZE} pages) cannot be cut into ${cpus} slices`);
    const streams: OpStream[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) {
      const rng = new Rng(cpuSeed(seed, cpu));
      const b = new OpStreamBuilder(spec, size * 170 + 16);
      const slice0 = vram.start / PAGE_SIZE + cpu * slicePages;
      let next = 0;
      b.memtypeReserve(slice0 * PAGE_SIZE, (slice0 + slicePages) * PAGE_SIZE, WC);
      const addrs: number[] = [];
      for (let p = 0; p < PROCS; p++) {
        b.spawn(p, `gpu-client/${cpu}.${p}`, 20_000 + cpu * PROCS + p);
        addrs.push(MAP_BASE);
      }
      const fault = (bo: Bo): void => {
        b.mmap(bo.mm, bo.addr, bo.pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, bo.offset, WC);
        for (let j = 0; j < bo.pages; j++) b.vmInsertPfnProt(bo.mm, bo.addr + j * PAGE_SIZE, bo.pfn + j, WC);
      };
      const bos: Bo[] = [];
      for (let i = 0; i < size; i++) {
        const pages = Math.min(rng.pick(BO_PAGES), slicePages);
        if (next + pages > slicePages) next = 0;
        const mm = rng.int(PROCS);
        const addr = addrs[mm]!;
        addrs[mm] = addr + (pages + 1) * PAGE_SIZE;
        const bo = { mm, addr, pages, pfn: slice0 + next, offset: FAKE_OFFSET_START + i * 0x100 * PAGE_SIZE };
        next += pages;
        bos.push(bo);
        fault(bo);
      }
      for (let r = 0; r < size; r++) {
        const bo = bos[rng.int(bos.length)]!;
        b.munmap(bo.mm, bo.addr, bo.pages * PAGE_SIZE);
        fault(bo);
      }
      b.markPeak();
      for (let p = 0; p < PROCS; p++) b.exit(p);
      b.memtypeFree(slice0 * PAGE_SIZE, (slice0 + slicePages) * PAGE_SIZE);
      streams.push(b.build());
    }
    return streams;
  },
};
