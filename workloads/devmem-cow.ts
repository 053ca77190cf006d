/**
 * `devmem-cow`: `dmidecode`-style firmware readers on `/dev/mem`, in the
 * private, COW-able form the v6.16 pfnmap selftest ("selftests/mm: add
 * simple VM_PFNMAP tests based on mmap'ing /dev/mem") exercises. Each
 * reader maps, `MAP_PRIVATE` and writable, the BIOS area (0xf0000, 64 KiB:
 * inside the ISA window, so untracked and write-back), the BIOS data area
 * page at 0 (below the ISA window: tracked as non-RAM), and one or two
 * reserved or ACPI ranges of the machine's map (SMBIOS/ACPI tables: each a
 * whole-VMA `remap_pfn_range()` → a write-back reservation, UC- where MTRRs
 * say so). Writes to the mappings fault and copy the page (COW: the raw
 * pfnmap PTE becomes an anonymous RAM page — `vm_normal_page()`'s linear
 * `vm_pgoff` rule). Some readers fork; the child writes too (its own COW)
 * and exits. Readers exit and new ones start.
 *
 * `size` = live reader processes at the peak (each ~2 live reservations;
 * ≤ 10^5, ~13 ops per reader).
 * Op mix: ~39% mmap, ~31% fault (write), ~15% exit, ~13% spawn, ~2% fork.
 */
import { Dev, MAP_PRIVATE, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import { PAGE_SIZE } from '../core/physmap.js';
import { firmwareRanges, type Window } from './devices.js';
import { Rng } from './rng.js';
import { prepare, type Workload } from './workload.js';

const COMMS = ['dmidecode', 'biosdecode', 'lshw', 'x86info', 'acpidump', 'fwupd', 'inxi', 'hwinfo'];
const RW = PROT_READ | PROT_WRITE;
const MAP_BASE = 0x7f0000000000;
/** The BIOS area `dmidecode` scans for the SMBIOS entry point. */
const BIOS_AREA = 0xf0000;
const BIOS_AREA_LEN = 0x10000;

interface Reader {
  mm: number;
  /** Its mappings: address and length, bytes. */
  maps: { addr: number; len: number }[];
}

/** The `devmem-cow` workload (see the module comment). */
export const devmemCow: Workload = {
  name: 'devmem-cow',
  description: 'dmidecode-style readers: MAP_PRIVATE /dev/mem mappings of the BIOS area, low memory and reserved ranges, COW write faults, fork',
  sizeUnit: 'live reader processes',
  defaultSizes: [16, 256, 4096],
  maxSize: 100_000,
  defaultProfile: 'asus-esc8000g4',

  generate(size: number, seed: number, machine?: ParsedMachine): OpStream {
    const host = prepare(this, size, machine);
    const rng = new Rng(seed);
    const fw: Window[] = firmwareRanges(host, /^(Reserved|ACPI Tables|ACPI Non-volatile Storage)$/, 0xfec00000);
    const b = new OpStreamBuilder(host, size * 24 + 64);
    let nextMm = 0;
    let nextPid = 5000;

    /** Writes to 1–3 pages of random mappings: COW faults. */
    const scribble = (mm: number, maps: readonly { addr: number; len: number }[]): void => {
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const m = maps[rng.int(maps.length)]!;
        b.fault(mm, m.addr + rng.int(m.len / PAGE_SIZE) * PAGE_SIZE, true);
      }
    };
    const start = (): Reader => {
      const mm = nextMm++;
      b.spawn(mm, rng.pick(COMMS), nextPid++);
      const r: Reader = { mm, maps: [] };
      let next = MAP_BASE;
      const map = (phys: number, len: number): void => {
        b.mmap(mm, next, len, RW, MAP_PRIVATE, Dev.Mem, phys);
        r.maps.push({ addr: next, len });
        next += len + PAGE_SIZE;
      };
      map(BIOS_AREA, BIOS_AREA_LEN);
      if (rng.chance(0.5)) map(0, PAGE_SIZE);
      for (let k = fw.length > 0 ? 1 + rng.int(2) : 0; k > 0; k--) {
        const w = rng.pick(fw);
        const pages = (w.end - w.start) / PAGE_SIZE;
        const n = Math.min(pages, 1 + rng.int(4));
        map(w.start + rng.int(Math.min(pages, 16) - n + 1) * PAGE_SIZE, n * PAGE_SIZE);
      }
      scribble(mm, r.maps);
      return r;
    };

    const live: Reader[] = [];
    while (live.length < size) live.push(start());
    for (let step = 0; step < size; step++) {
      const i = rng.int(live.length);
      if (rng.chance(0.3)) {
        // The reader forks; the child writes (its own COW copies) and exits.
        const child = nextMm++;
        b.fork(live[i]!.mm, child, nextPid++);
        scribble(child, live[i]!.maps);
        b.exit(child);
      } else {
        b.exit(live[i]!.mm);
        live[i] = start();
      }
    }
    b.markPeak();
    b.query(Op.QMemtypeList);
    for (const r of live) b.exit(r.mm);
    b.query(Op.QMemtypeList);
    return b.build();
  },
};
