/**
 * `ttm-fault`: a GPU driver's buffer objects (TTM) mapped by user processes
 * at fake mmap offsets (`VM_PFNMAP|VM_IO`, empty at mmap) and populated page
 * by page from the fault handler with `vmf_insert_pfn_prot()` — VRAM pages
 * write-combining, system-memory (GTT) pages write-back. The driver reserves
 * the whole VRAM aperture WC once (`arch_io_reserve_memtype_wc()`), so every
 * insert is one `lookup_memtype()`: the path Hellström's 2009 report
 * concerned. Buffer objects are evicted (munmap) and faulted in again.
 *
 * `size` = buffer objects created (each 1–256 pages, ~85 ops per object:
 * ≤ 20 000); live memtype reservations stay at one.
 * Op mix: ~97% `vm_insert_pfn_prot`, mmap, munmap.
 */
import { WB, WC } from '../core/cachemode.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { displayDevice, largestRam } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const PROCS = ['Xorg', 'gnome-shell', 'firefox', 'glxgears'];
const BO_PAGES = [1, 1, 2, 4, 8, 16, 16, 64, 256];
const MAP_BASE = 0x7f0000000000;
/** `DRM_FILE_PAGE_OFFSET_START`: fake offsets start at 4 GiB worth of pages. */
const FAKE_OFFSET_START = 0x100000 * PAGE_SIZE;

interface Bo {
  mm: number;
  addr: number;
  pages: number;
  pfn: number;
  cache: number;
  offset: number;
}

/**
 * The TTM stream: `count` buffer objects whose sizes `pagesOf` draws, each
 * mapped at a fake offset and faulted in page by page, then `count`
 * evict-and-refault rounds.
 */
function generateTtm(host: ParsedMachine, seed: number, count: number, pagesOf: (rng: Rng) => number): OpStream {
  const vram = displayDevice(host).fb;
  const ram = largestRam(host);
  const rng = new Rng(seed);
  const vramPages = (vram.end - vram.start) / PAGE_SIZE;
  const b = new OpStreamBuilder(host, count * 80 + 64);
  const vramPfn0 = vram.start / PAGE_SIZE;
  let vramNext = 0;
  const next: number[] = [];

  b.memtypeReserve(vram.start, vram.end, WC);
  PROCS.forEach((comm, mm) => {
    b.spawn(mm, comm, 2000 + mm);
    next.push(MAP_BASE);
  });

  const fault = (bo: Bo): void => {
    b.mmap(bo.mm, bo.addr, bo.pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, bo.offset, bo.cache);
    for (let j = 0; j < bo.pages; j++) b.vmInsertPfnProt(bo.mm, bo.addr + j * PAGE_SIZE, bo.pfn + j, bo.cache);
  };

  const bos: Bo[] = [];
  for (let i = 0; i < count; i++) {
    const pages = Math.min(pagesOf(rng), vramPages);
    const inVram = rng.chance(0.75) || ram.endPfn - ram.startPfn < pages;
    let pfn: number;
    if (inVram) {
      if (vramNext + pages > vramPages) vramNext = 0;
      pfn = vramPfn0 + vramNext;
      vramNext += pages;
    } else {
      pfn = ram.startPfn + rng.int(ram.endPfn - ram.startPfn - pages + 1);
    }
    const mm = rng.int(PROCS.length);
    const addr = next[mm]!;
    next[mm] = addr + (pages + 1) * PAGE_SIZE;
    const bo = { mm, addr, pages, pfn, cache: inVram ? WC : WB, offset: FAKE_OFFSET_START + i * 0x100 * PAGE_SIZE };
    bos.push(bo);
    fault(bo);
  }
  for (let r = 0; r < count; r++) {
    const bo = bos[rng.int(bos.length)]!;
    b.munmap(bo.mm, bo.addr, bo.pages * PAGE_SIZE);
    fault(bo);
  }
  b.markPeak();
  b.query(Op.QMemtypeList);
  for (let mm = 0; mm < PROCS.length; mm++) b.exit(mm);
  b.memtypeFree(vram.start, vram.end);
  return b.build();
}

/** The `ttm-fault` workload (see the module comment). */
export const ttmFault: Workload = {
  name: 'ttm-fault',
  description: "a GPU driver's fault-populated VM_PFNMAP buffer objects: one vmf_insert_pfn_prot per page, evict and refault",
  sizeUnit: 'buffer objects',
  defaultSizes: [16, 128, 1024],
  maxSize: 20_000,
  defaultProfile: 'icelake-tb-dock',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    return generateTtm(host, seed, size, (rng) => rng.pick(BO_PAGES));
  },
};

/** Buffer objects of `ttm-bo-pages`. */
const BO_COUNT = 32;

/**
 * `ttm-bo-pages`: `ttm-fault` with 32 buffer objects of `size` pages each,
 * so the VMA size grows with `size` — the axis on which 2.6.29's whole-VMA
 * revalidation per insert (`whole-vma`) grows and the 2.6.32 single-page
 * fast path stays flat. Op mix: ~97% `vm_insert_pfn_prot`.
 */
export const ttmBoPages: Workload = {
  name: 'ttm-bo-pages',
  description: 'ttm-fault with 32 buffer objects of `size` pages each: per-insert cost against VMA size',
  sizeUnit: 'pages per buffer object',
  defaultSizes: [1, 16, 256],
  maxSize: 65_536,
  defaultProfile: 'icelake-tb-dock',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    return generateTtm(host, seed, BO_COUNT, () => size);
  },
};
