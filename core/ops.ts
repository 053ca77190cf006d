/**
 * The operation vocabulary of the emulated machine, and the packed operation
 * stream that workloads generate and the machine replays.
 *
 * One operation = one record of `STRIDE` float64 slots in a Float64Array:
 * `[op, mm, a, b, c, d, e, f]`. Addresses and sizes are **bytes** exactly as
 * the trace gives them (the machine checks alignment and converts to pfns);
 * fields named `pfn` are pfns. Strings (`comm`, ioremap `handle`) are interned
 * in `OpStream.strings` and referenced by index. `mm` is a small integer
 * process id (-1 = kernel context). Field layout per op is documented on each
 * `Op` member; the trace reader and writer are its only other users.
 */
import type { ParsedMachine } from './machine-spec.js';

export const STRIDE = 8;
/** Slot offsets inside one record. */
export const F_OP = 0;
export const F_MM = 1;
export const F_A = 2;
export const F_B = 3;
export const F_C = 4;
export const F_D = 5;
export const F_E = 6;
export const F_F = 7;

/** Operation codes. Layout of a, b, c, d, e, f after each name. */
export const enum Op {
  /** a=start b=end(excl) c=req d=new(0/1) — `memtype_reserve()` */
  MemtypeReserve = 1,
  /** a=start b=end(excl) — `memtype_free()` */
  MemtypeFree,
  /** a=addr — `lookup_memtype()` */
  LookupMemtype,
  /** a=handle(str) b=addr c=size d=type — `ioremap*()` */
  Ioremap,
  /** a=handle(str) — `iounmap()` */
  Iounmap,
  /** a=addr b=npages c=type — `set_memory_uc/wc/wt/wb()` */
  SetMemory,
  /** mm, a=comm(str) b=pid — new process */
  Spawn,
  /** mm, a=addr b=len c=prot d=flags(MAP_*) e=dev(Dev) f=offset; cache and o_dsync in `mmapExtra` */
  Mmap,
  /** mm, a=addr b=pfn c=size d=cache — `remap_pfn_range()` */
  RemapPfnRange,
  /** mm, a=addr b=pfn — `vmf_insert_pfn()` */
  VmInsertPfn,
  /** mm, a=addr b=pfn c=cache — `vmf_insert_pfn_prot()` */
  VmInsertPfnProt,
  /** mm, a=addr b=pfn — `vmf_insert_mixed()` */
  VmInsertMixed,
  /** mm, a=addr b=write(0/1) — a user access */
  Fault,
  /** mm, a=addr b=len c=prot — `mprotect(2)` */
  Mprotect,
  /** mm, a=addr b=len — `munmap(2)` */
  Munmap,
  /** mm, a=child mm b=pid — `fork(2)` */
  Fork,
  /** mm — process exit */
  Exit,
  /** mm, a=addr — query: the PTE */
  QPte,
  /** query: the memtype list */
  QMemtypeList,
  /** a=addr — query: memtype of a RAM page */
  QPageMemtype,
  /** a=addr — query: page_is_ram */
  QPageIsRam,
  /** query: RAM ranges */
  QRamRanges,
  /** a=addr — query: MTRR type */
  QMtrrType,
  /** a=addr b=type — query: effective type (PAT × MTRR) */
  QEffectiveType,
  /** query: alias check */
  QCheck,
}

/** Trace op names, indexed by `Op`. */
export const OP_NAMES: readonly string[] = [
  '',
  'memtype_reserve',
  'memtype_free',
  'lookup_memtype',
  'ioremap',
  'iounmap',
  'set_memory',
  'spawn',
  'mmap',
  'remap_pfn_range',
  'vm_insert_pfn',
  'vm_insert_pfn_prot',
  'vm_insert_mixed',
  'fault',
  'mprotect',
  'munmap',
  'fork',
  'exit',
  'pte',
  'memtype_list',
  'page_memtype',
  'page_is_ram',
  'ram_ranges',
  'mtrr_type',
  'effective_type',
  'check',
];
export const OP_COUNT = OP_NAMES.length;

/** `mmap` devices. */
export const enum Dev {
  Mem = 1,
  Resource,
  ResourceWc,
  Pfnmap,
  Mixedmap,
  Anon,
}
export const DEV_NAMES: readonly string[] = ['', 'mem', 'resource', 'resource_wc', 'pfnmap', 'mixedmap', 'anon'];

/** `prot` bits (PROT_READ/WRITE/EXEC). */
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
/** `mmap` flags. */
export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;

/** Packs `mmap`'s `cache` (-1 = none) and `o_dsync` into one slot (`mmapExtra`). */
export function packMmapExtra(cache: number, oDsync: boolean): number {
  return (cache + 1) | (oDsync ? 0x100 : 0);
}
export function mmapCache(extra: number): number {
  return (extra & 0xff) - 1;
}
export function mmapODsync(extra: number): boolean {
  return (extra & 0x100) !== 0;
}

/**
 * A packed operation stream: what a workload generates and the machine
 * replays. `ops.length >= count * STRIDE`.
 */
export interface OpStream {
  /** The machine the stream runs on, parsed. */
  readonly machine: ParsedMachine;
  /** Packed records, `STRIDE` slots each. */
  readonly ops: Float64Array;
  /** Number of operations. */
  readonly count: number;
  /**
   * Number of leading operations after which the workload holds its largest
   * state (before teardown): memory is measured there. `count` when unmarked.
   */
  readonly peak: number;
  /** Interned strings (comms, ioremap handles). */
  readonly strings: readonly string[];
}

/**
 * Builds an `OpStream` with amortised growth. Every push returns nothing;
 * workloads call the named helpers so that their code reads like the kernel
 * calls they model.
 */
export class OpStreamBuilder {
  private buf: Float64Array;
  private n = 0;
  private peak = -1;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  constructor(readonly machine: ParsedMachine, capacity = 1024) {
    this.buf = new Float64Array(Math.max(1, capacity) * STRIDE);
  }

  get count(): number {
    return this.n;
  }

  /** Index of an interned string. */
  str(s: string): number {
    let id = this.stringIds.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIds.set(s, id);
    }
    return id;
  }

  /** Appends one raw record. */
  push(op: Op, mm: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0): void {
    if ((this.n + 1) * STRIDE > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    const o = this.n * STRIDE;
    const b8 = this.buf;
    b8[o] = op;
    b8[o + 1] = mm;
    b8[o + 2] = a;
    b8[o + 3] = b;
    b8[o + 4] = c;
    b8[o + 5] = d;
    b8[o + 6] = e;
    b8[o + 7] = f;
    this.n++;
  }

  memtypeReserve(start: number, end: number, req: number, wantNew = true, mm = -1): void {
    this.push(Op.MemtypeReserve, mm, start, end, req, wantNew ? 1 : 0);
  }
  memtypeFree(start: number, end: number, mm = -1): void {
    this.push(Op.MemtypeFree, mm, start, end);
  }
  lookupMemtype(addr: number, mm = -1): void {
    this.push(Op.LookupMemtype, mm, addr);
  }
  ioremap(handle: string, addr: number, size: number, type: number, mm = -1): void {
    this.push(Op.Ioremap, mm, this.str(handle), addr, size, type);
  }
  iounmap(handle: string, mm = -1): void {
    this.push(Op.Iounmap, mm, this.str(handle));
  }
  setMemory(addr: number, npages: number, type: number, mm = -1): void {
    this.push(Op.SetMemory, mm, addr, npages, type);
  }
  spawn(mm: number, comm: string, pid: number): void {
    this.push(Op.Spawn, mm, this.str(comm), pid);
  }
  /** `cache` -1 = none. */
  mmap(mm: number, addr: number, len: number, prot: number, flags: number, dev: Dev, offset = 0, cache = -1, oDsync = false): void {
    this.push(Op.Mmap, mm, addr, len, prot, flags, dev, offset);
    this.buf[(this.n - 1) * STRIDE + F_C] = prot | (packMmapExtra(cache, oDsync) << 8);
  }
  remapPfnRange(mm: number, addr: number, pfn: number, size: number, cache: number): void {
    this.push(Op.RemapPfnRange, mm, addr, pfn, size, cache);
  }
  vmInsertPfn(mm: number, addr: number, pfn: number): void {
    this.push(Op.VmInsertPfn, mm, addr, pfn);
  }
  vmInsertPfnProt(mm: number, addr: number, pfn: number, cache: number): void {
    this.push(Op.VmInsertPfnProt, mm, addr, pfn, cache);
  }
  vmInsertMixed(mm: number, addr: number, pfn: number): void {
    this.push(Op.VmInsertMixed, mm, addr, pfn);
  }
  fault(mm: number, addr: number, write: boolean): void {
    this.push(Op.Fault, mm, addr, write ? 1 : 0);
  }
  mprotect(mm: number, addr: number, len: number, prot: number): void {
    this.push(Op.Mprotect, mm, addr, len, prot);
  }
  munmap(mm: number, addr: number, len: number): void {
    this.push(Op.Munmap, mm, addr, len);
  }
  fork(mm: number, child: number, pid: number): void {
    this.push(Op.Fork, mm, child, pid);
  }
  exit(mm: number): void {
    this.push(Op.Exit, mm);
  }
  query(op: Op, mm = -1, a = 0, b = 0): void {
    this.push(op, mm, a, b);
  }

  /** Marks the current position as the workload's peak state (see `OpStream.peak`). */
  markPeak(): void {
    this.peak = this.n;
  }

  /** The finished stream (shares no buffer with later pushes). */
  build(): OpStream {
    const peak = this.peak < 0 ? this.n : this.peak;
    return { machine: this.machine, ops: this.buf.slice(0, this.n * STRIDE), count: this.n, peak, strings: this.strings.slice() };
  }
}

/** `mmap`'s slot C packs prot (bits 0-7) and `packMmapExtra` (bits 8+). */
export function mmapProt(c: number): number {
  return c & 0xff;
}
export function mmapExtra(c: number): number {
  return c >>> 8;
}
