/**
 * `ram-attr`: GPU/AGP buffer-object pools on system RAM. A graphics driver
 * (TTM's page pool, `ttm_pool.c`; AGP's `map_page_into_agp()` before it)
 * allocates RAM pages for buffer objects and changes their caching in the
 * kernel direct map — `set_memory_wc()` for write-combined pools,
 * `set_memory_uc()` for uncached (AGP-style) pools — which records the type
 * in the pages' flags (`reserve_ram_pages_type()`). User processes map
 * the objects through fault-driven `VM_PFNMAP` VMAs, one
 * `vmf_insert_pfn()` per page, each a `lookup_memtype()` of a RAM page that
 * must give the pool's type. Freed objects' pages go back to their pool
 * with their caching kept (the reason the pools exist); under memory
 * pressure the pool shrinks: `set_memory_wb()` and the pages return to the
 * system. Objects are shared between a client and the compositor.
 *
 * `size` = live buffer objects at the peak (each 1–16 pages, mostly 1–4;
 * ≤ 10^5: one object is ~18 ops, one per page, and its pages must fit the
 * machine's largest RAM chunk). Live
 * `pat_memtype_list` entries stay at zero (RAM types live in page flags);
 * `describe` shows the non-WB RAM pages instead.
 * Op mix: ~57% vm_insert_pfn, ~15% mmap, ~15% munmap, ~13% set_memory,
 * spawn, exit.
 */
import { UC, WB, WC } from '../core/cachemode.js';
import { InputError } from '../core/errors.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { largestRam } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const CLIENTS = ['firefox', 'glxgears', 'mpv', 'steam', 'blender', 'chromium'];
const COMPOSITOR = 0;
const BO_PAGES = [1, 1, 1, 2, 2, 4, 4, 8, 16];
const MAP_BASE = 0x7f0000000000;
/** Fake mmap offsets of buffer objects start here (`DRM_FILE_PAGE_OFFSET_START`), bytes. */
const FAKE_OFFSET_START = 0x100000 * PAGE_SIZE;
/** Pool caching types: write-combined (TTM) and uncached (AGP-style; tracked as UC-). */
const POOL_TYPES = [WC, UC];

interface Bo {
  pfn: number;
  pages: number;
  pool: number;
  /** Mappings: (mm, addr) pairs. */
  maps: number[];
  offset: number;
}

/** The `ram-attr` workload (see the module comment). */
export const ramAttr: Workload = {
  name: 'ram-attr',
  description: 'GPU/AGP buffer pools: set_memory_wc/uc/wb on RAM pages, then vmf_insert_pfn of those pages into user pfnmap VMAs',
  sizeUnit: 'live buffer objects',
  defaultSizes: [16, 256, 4096],
  maxSize: 100_000,
  defaultProfile: 'dell-precision-3540',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const ram = largestRam(host);
    const b = new OpStreamBuilder(host, size * 40 + 64);
    /** Free page runs per pool and run length: key `pool * 32 + pages` → start pfns. */
    const pool = new Map<number, number[]>();
    let poolPages = 0;
    let nextPfn = ram.startPfn;
    const next: number[] = [];
    // About one client process per 1024 objects (the emulator keeps each mm's VMAs in a sorted array).
    const nClients = Math.max(CLIENTS.length, Math.ceil(size / 1024));
    const procs = ['gnome-shell'];
    for (let i = 0; i < nClients; i++) procs.push(CLIENTS[i % CLIENTS.length]!);
    procs.forEach((comm, mm) => {
      b.spawn(mm, comm, 1500 + mm);
      next.push(MAP_BASE);
    });
    let offset = FAKE_OFFSET_START;

    /** Pages for a new object: a pooled run of that length and caching, else fresh pages retyped. */
    const allocPages = (pages: number, p: number): number => {
      const runs = pool.get(p * 32 + pages);
      if (runs !== undefined && runs.length > 0) {
        poolPages -= pages;
        return runs.pop()!;
      }
      if (nextPfn + pages > ram.endPfn) {
        throw new InputError(`${this.name}: size ${size} needs more RAM than the machine's largest RAM chunk (${ram.endPfn - ram.startPfn} pages)`);
      }
      const pfn = nextPfn;
      nextPfn += pages;
      b.setMemory(pfn * PAGE_SIZE, pages, POOL_TYPES[p]!);
      return pfn;
    };
    const mapBo = (bo: Bo, mm: number): void => {
      const addr = next[mm]!;
      next[mm] = addr + (bo.pages + 1) * PAGE_SIZE;
      b.mmap(mm, addr, bo.pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, bo.offset, POOL_TYPES[bo.pool]!);
      for (let j = 0; j < bo.pages; j++) b.vmInsertPfn(mm, addr + j * PAGE_SIZE, bo.pfn + j);
      bo.maps.push(mm, addr);
    };
    const create = (): Bo => {
      const pages = rng.pick(BO_PAGES);
      const p = rng.chance(0.8) ? 0 : 1;
      const bo: Bo = { pfn: allocPages(pages, p), pages, pool: p, maps: [], offset };
      offset += 0x100 * PAGE_SIZE;
      mapBo(bo, 1 + rng.int(nClients));
      if (rng.chance(0.3)) mapBo(bo, COMPOSITOR);
      return bo;
    };
    const destroy = (bo: Bo): void => {
      for (let i = 0; i < bo.maps.length; i += 2) b.munmap(bo.maps[i]!, bo.maps[i + 1]!, bo.pages * PAGE_SIZE);
      const key = bo.pool * 32 + bo.pages;
      let runs = pool.get(key);
      if (runs === undefined) pool.set(key, (runs = []));
      runs.push(bo.pfn);
      poolPages += bo.pages;
    };
    /** `ttm_pool_shrink()`: give back about half the pooled pages (`set_memory_wb()`), oldest first. */
    const shrink = (all: boolean): void => {
      for (const [key, runs] of pool) {
        const n = all ? runs.length : Math.floor(runs.length / 2);
        const pages = key % 32;
        for (const pfn of runs.splice(0, n)) {
          b.setMemory(pfn * PAGE_SIZE, pages, WB);
          poolPages -= pages;
        }
      }
    };

    const bos: Bo[] = [];
    while (bos.length < size) bos.push(create());
    for (let r = 0; r < size; r++) {
      const i = rng.int(bos.length);
      destroy(bos[i]!);
      bos[i] = create();
      if (poolPages > 4 * 16 + size / 4 && rng.chance(0.05)) shrink(false);
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    for (const bo of bos) destroy(bo);
    shrink(true);
    for (let mm = procs.length - 1; mm >= 0; mm--) b.exit(mm);
    return b.build();
  },
};
