/**
 * `xpmem-insert`: Robin Holt's 2010 test, scaled down (commit 1f9cc3cb6a27,
 * "x86, pat: Update the page flags for memtype atomically instead of using
 * memtype_lock"). SGI's out-of-tree xpmem driver lets a process map another
 * process's memory: its fault path `vm_insert_pfn()`s the exporter's RAM
 * pages into a `VM_PFNMAP` VMA, one page at a time. Holt ran one thread per
 * CPU, each mapping 2 GB: 1:08 at 32 CPUs and 14:48 at 256 with
 * `lookup_memtype()` taking `memtype_lock` for every RAM page, ~1.3 s at
 * both once page types were read from `page->flags` without the lock.
 *
 * Each CPU: one process mmaps a `VM_PFNMAP` VMA of `size` pages and
 * `vmf_insert_pfn()`s its own slice of RAM into it page by page (every
 * insert a `lookup_memtype()` of a RAM page: `pat_pagerange_is_ram()` then
 * `get_page_memtype()`), then unmaps it; `rounds` times. The CPUs' RAM
 * slices are disjoint, consecutive in the largest RAM chunk.
 *
 * `size` = pages per CPU per round (Holt: 524 288). Op mix: ~99.9%
 * `vm_insert_pfn`.
 */
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../../core/ops.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import { InputError } from '../../core/errors.js';
import { largestRam } from '../devices.js';
import { prepareSmp, type SmpWorkload } from './smp-workload.js';

const MAP_BASE = 0x7f0000000000;
/** Fake mmap offset of the xpmem device (pages beyond any real pfn). */
const XPMEM_OFFSET = 0x100000 * PAGE_SIZE;
/** Map/insert/unmap rounds per CPU. */
const ROUNDS = 2;

/** The `xpmem-insert` SMP workload (see the module comment). */
export const xpmemInsert: SmpWorkload = {
  name: 'xpmem-insert',
  description: "Holt's 2010 test scaled down: each CPU vm_insert_pfn()s its own RAM pages into a VM_PFNMAP VMA, page by page, then unmaps",
  sizeUnit: 'pages per CPU per round',
  defaultSizes: [256, 4096, 32768],
  maxSize: 1 << 20,
  defaultProfile: 'kvm-guest-24g',

  generate(size: number, cpus: number, seed: number, machine?: ParsedMachine): OpStream[] {
    const spec = prepareSmp(this, size, cpus, machine);
    const ram = largestRam(spec);
    if (cpus * size > ram.endPfn - ram.startPfn) {
      throw new InputError(`${this.name}: ${cpus} CPUs × ${size} pages need ${cpus * size} RAM pages; the largest RAM chunk holds ${ram.endPfn - ram.startPfn}`);
    }
    // The seed changes nothing but the order of the CPUs' slices: the test is deterministic by design.
    const order = [...Array(cpus).keys()];
    for (let i = cpus - 1; i > 0; i--) {
      const j = (Math.imul(seed ^ i, 0x9e3779b9) >>> 0) % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order.map((slice, cpu) => {
      const b = new OpStreamBuilder(spec, ROUNDS * (size + 2) + 4);
      const pfn0 = ram.startPfn + slice * size;
      b.spawn(0, 'xpmem', 10_000 + cpu);
      for (let r = 0; r < ROUNDS; r++) {
        b.mmap(0, MAP_BASE, size * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, XPMEM_OFFSET);
        for (let j = 0; j < size; j++) b.vmInsertPfn(0, MAP_BASE + j * PAGE_SIZE, pfn0 + j);
        if (r === 0) b.markPeak();
        b.munmap(0, MAP_BASE, size * PAGE_SIZE);
      }
      b.exit(0);
      return b.build();
    });
  },
};
