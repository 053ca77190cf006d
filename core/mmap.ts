/**
 * The emulated kernel: processes, VMAs, page tables, faults and the driver
 * and kernel mapping APIs, over the hardware, calling memtype.c's semantics
 * (core/memtype.ts) — and through them the tracker — where Linux does.
 *
 * Sources modelled (see shared/reference/linux-pat.md): `remap_pfn_range()`
 * with the v6.16 `pfnmap_track_ctx`, `vmf_insert_pfn_prot()`,
 * `vmf_insert_mixed()`, `do_anonymous_page()`, `do_wp_page()`,
 * `vm_normal_page()`, `copy_page_range()`, `mprotect_fixup()`,
 * `do_vmi_munmap()` (mm/); `__ioremap_caller()`/`iounmap()`
 * (arch/x86/mm/ioremap.c); `set_memory_*()` (arch/x86/mm/pat/set_memory.c);
 * `mmap_mem()` (drivers/char/mem.c); `pci_mmap_resource_range()`.
 *
 * Units: the op stream carries bytes; the machine works in pfns and vpns.
 * Every op returns 0 or a negative errno (fault handlers: `RET_SIGBUS`,
 * `RET_SIGSEGV`); its granted/installed cache type is left in `outType`
 * (-1 when the op has none), a query's result in `query`.
 */
import { SHORT_NAME, UC, UC_MINUS, WB, WC, WT, _PAGE_CACHE_MASK } from './cachemode.js';
import { Bugs, NO_BUGS } from './bugs.js';
import { EAGAIN, EINVAL, ENOMEM, EPERM, RET_SIGBUS, RET_SIGSEGV } from './errno.js';
import type { Hardware } from './hardware.js';
import { Kmsg } from './kmsg.js';
import { Memtype, type KernelLog } from './memtype.js';
import { MmStruct } from './mm.js';
import {
  Dev,
  F_A,
  F_B,
  F_C,
  F_D,
  F_E,
  F_F,
  F_MM,
  MAP_SHARED,
  Op,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  STRIDE,
  mmapCache,
  mmapExtra,
  mmapODsync,
  mmapProt,
  type OpStream,
} from './ops.js';
import type { OutcomeSink, QueryResult } from './outcome.js';
import { PageAllocator } from './pagealloc.js';
import { PageFlags } from './pageflags.js';
import { TableBudget, TablePool, _PAGE_PRESENT, _PAGE_RW, _PAGE_SPECIAL, _PAGE_USER, mkPte, pteFlags, ptePfn } from './pagetable.js';
import { ISA_END_PFN, MAX_PHYS_ADDR, PAGE_SIZE } from './physmap.js';
import type { MachineView, MemtypeTracker } from './tracker.js';
import {
  TrackCtx,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WRITE,
  ShmemFile,
  Vma,
  isCowMapping,
} from './vma.js';
import { findAliases } from './alias.js';

/** `_PAGE_PROTNONE` (the global bit's position): a PROT_NONE PTE, kept but not accessible. */
export const _PAGE_PROTNONE = 0x100;

/**
 * A semantic error in the trace itself (unknown `mm` or `handle`, a duplicate
 * one). Replay turns it into `trace error: LINE:COLUMN: ...` naming `field`.
 */
export class OpError extends Error {
  /**
   * @param message what is wrong; for `mmId` errors, completed with the trace's name of that mm
   * @param field the trace field at fault (its column is reported)
   * @param mmId the interned mm id the error is about, if any
   */
  constructor(
    message: string,
    readonly field: string,
    readonly mmId?: number,
  ) {
    super(message);
    this.name = 'OpError';
  }
}

/** A kernel ioremap mapping (no VMA). pfns, end exclusive. */
interface IoremapMapping {
  start: number;
  end: number;
  /** The cache mode its PTEs select (`pte2cachemode()` of the bits `__ioremap_caller()` built). */
  pte: number;
}

/** Machine construction options. */
export interface MachineOptions {
  /** Historical bug switches (default none: v6.16 behaviour). */
  bugs?: Bugs;
  /** Page-table page pool (default `TablePool.shared`). */
  tablePool?: TablePool;
  /** Most page-table pages alive at once (default 2^18 = 1 GiB); beyond it operations fail with -ENOMEM. */
  maxTablePages?: number;
}

/** Sink used when nobody listens. */
const NO_SINK: OutcomeSink = { msg() {}, done() {} };

export class Machine implements MachineView, KernelLog {
  readonly physmap;
  readonly pageFlags = new PageFlags();
  /** Head of the I/O address-space VMA list (not a VMA itself). */
  readonly ioVmas = new Vma(0, 0, 0, 0, 0, 0);
  /** Result object of the last query op (null for other ops). */
  query: QueryResult = null;
  /** Cache type of the last op's outcome, -1 when none. */
  outType = -1;
  /** `current->comm` / `current->pid` of the op being run. */
  comm = 'kernel';
  pid = 0;
  /** Kernel direct-map cache types that differ from WB, per RAM pfn. */
  readonly directMap = new Map<number, number>();
  readonly bugs: Bugs;

  private readonly mt: Memtype;
  private readonly alloc: PageAllocator;
  private readonly mms = new Map<number, MmStruct>();
  /** Where page-table pages come from (the thread's shared pool by default). */
  private readonly tablePool: TablePool;
  private readonly tableBudget: TableBudget;
  /** ioremap handles: their mapping, or null where ioremap returned NULL. */
  private readonly ioremaps = new Map<number, IoremapMapping | null>();
  private sink: OutcomeSink = NO_SINK;
  private strings: readonly string[] = [];
  private ioremapOnRamWarned = false;
  /** VMAs a `MAP_FIXED` mmap took out of the range, freed after the new `->mmap` (scratch, reused). */
  private readonly detached: Vma[] = [];
  private readonly lookupFn = (pfn: number): number => this.mt.lookup(pfn);
  /** Levels the page-table walker assumes (bug `walker-fixed-levels`), or 0 for the real count. */
  private readonly walkLevels: number;

  constructor(
    readonly hw: Hardware,
    readonly tracker: MemtypeTracker,
    opts: MachineOptions = {},
  ) {
    this.physmap = hw.physmap;
    this.bugs = opts.bugs ?? NO_BUGS;
    this.walkLevels = this.bugs.walkerFixedLevels ? 4 : 0;
    this.tablePool = opts.tablePool ?? TablePool.shared;
    this.tableBudget = new TableBudget(opts.maxTablePages);
    this.mt = new Memtype(hw, tracker, this, this.directMap, this.bugs);
    this.alloc = new PageAllocator(hw.physmap);
    tracker.attach(this);
  }

  // ---------------------------------------------------------------- replay

  /**
   * Replays the operations `[0, end)` of `stream`, reporting messages and
   * outcomes to `sink`.
   * @param end number of operations to run (default all)
   * @throws OpError for a semantic trace error (after reporting the ops before it)
   */
  run(stream: OpStream, sink: OutcomeSink, end = stream.count): void {
    this.attachStream(stream, sink);
    const ops = stream.ops;
    for (let i = 0, o = 0; i < end; i++, o += STRIDE) {
      const ret = this.exec(ops, o);
      sink.done(i, ret, this.outType, this.query);
    }
    this.sink = NO_SINK;
  }

  /** Prepares to run the ops of `stream` one at a time with `exec`, reporting messages to `sink`. */
  attachStream(stream: OpStream, sink: OutcomeSink): void {
    this.sink = sink;
    this.strings = stream.strings;
  }

  /** A kernel log line of the current op (`KernelLog`). */
  msg(kind: number, a: number, b: number, c: number, d: number): void {
    this.sink.msg(kind, a, b, c, d);
  }

  /**
   * Runs one operation record at offset `o` of `ops`; returns 0 or -errno.
   * @throws OpError for a semantic trace error
   */
  exec(ops: Float64Array, o: number): number {
    this.outType = -1;
    this.query = null;
    const mmId = ops[o + F_MM]!;
    const op = ops[o]!;
    // The op's process, looked up once (null for kernel ops and spawn; `mm ?? this.mm(mmId)`
    // below then raises the unknown-mm trace error).
    let mm: MmStruct | null = null;
    if (mmId >= 0 && op !== Op.Spawn) {
      mm = this.mm(mmId);
      this.comm = mm.comm;
      this.pid = mm.pid;
    } else {
      this.comm = 'kernel';
      this.pid = 0;
    }
    const a = ops[o + F_A]!;
    const b = ops[o + F_B]!;
    const c = ops[o + F_C]!;
    const d = ops[o + F_D]!;
    switch (op) {
      case Op.VmInsertPfnProt:
        return this.vmInsertPfn(mm ?? this.mm(mmId), a, b, c);
      case Op.VmInsertPfn:
        return this.vmInsertPfn(mm ?? this.mm(mmId), a, b, -1);
      case Op.VmInsertMixed:
        return this.vmInsertMixed(mm ?? this.mm(mmId), a, b);
      case Op.Fault:
        return this.fault(mm ?? this.mm(mmId), a, b !== 0);
      case Op.MemtypeReserve:
        return this.opMemtypeReserve(a, b, c, d !== 0);
      case Op.MemtypeFree:
        // memtype_free(): sanitize_phys() of both ends (an end of 2^52 wraps to 0).
        return this.mt.free(sanitizePhys(a) / PAGE_SIZE, sanitizePhys(b) / PAGE_SIZE, null);
      case Op.LookupMemtype:
        this.outType = this.mt.lookup(Math.floor(a / PAGE_SIZE));
        return 0;
      case Op.Ioremap:
        return this.ioremap(a, b, c, d);
      case Op.Iounmap:
        return this.iounmap(a);
      case Op.SetMemory:
        return this.setMemory(a, b, c);
      case Op.Spawn:
        return this.spawn(mmId, this.strings[a]!, b);
      case Op.Mmap:
        return this.mmap(mm ?? this.mm(mmId), a, b, c, d, ops[o + F_E]!, ops[o + F_F]!);
      case Op.RemapPfnRange:
        return this.opRemapPfnRange(mm ?? this.mm(mmId), a, b, c, d);
      case Op.Mprotect:
        return this.mprotect(mm ?? this.mm(mmId), a, b, c);
      case Op.Munmap:
        return this.munmap(mm ?? this.mm(mmId), a, b);
      case Op.Fork:
        return this.fork(mm ?? this.mm(mmId), a, b);
      case Op.Exit:
        return this.exit(mm ?? this.mm(mmId));
      case Op.QPte:
        return this.qPte(mm ?? this.mm(mmId), a);
      case Op.QMemtypeList:
        this.query = { entries: this.memtypeList() };
        return 0;
      case Op.QPageMemtype:
        this.outType = this.tracker.getPageMemtype(Math.floor(a / PAGE_SIZE));
        return 0;
      case Op.QPageIsRam:
        this.query = { ram: this.physmap.pageIsRam(Math.floor(a / PAGE_SIZE)) };
        return 0;
      case Op.QRamRanges:
        this.query = {
          ranges: this.physmap.ramRanges.map((r) => ({ start: hex(r.start), end: hex(r.end) })),
          bytes: this.physmap.ramBytes,
        };
        return 0;
      case Op.QMtrrType:
        this.query = { type: mtrrShortName(this.hw.mtrr.typeAt(a)) };
        return 0;
      case Op.QEffectiveType:
        this.outType = this.hw.effectiveType(Math.floor(a / PAGE_SIZE), b);
        return 0;
      case Op.QCheck:
        this.query = { aliases: this.check() };
        return 0;
      default:
        throw new OpError(`unknown operation code ${op}`, 'op');
    }
  }

  /** `munmap(2)`. */
  private munmap(mm: MmStruct, addr: number, len: number): number {
    return this.badUserRange(mm, addr, len) ? -EINVAL : this.unmapRange(mm, addr, addr + len);
  }

  private mm(id: number): MmStruct {
    const mm = this.mms.get(id);
    if (mm === undefined) throw new OpError('unknown mm', 'mm', id);
    return mm;
  }

  // ------------------------------------------------------ kernel ops

  /**
   * `memtype_reserve()` of bytes `[startB, endB)`, any alignment:
   * `sanitize_phys()` of the start and of `end - 1`, plus one (so an end of 0
   * means 2^52), then the reservation in pfn units (`Memtype.reserve`).
   */
  private opMemtypeReserve(startB: number, endB: number, req: number, wantNew: boolean): number {
    const end = sanitizePhys(endB - 1) + 1;
    const ret = this.mt.reserve(sanitizePhys(startB) / PAGE_SIZE, end / PAGE_SIZE, req, wantNew, null);
    this.outType = wantNew ? this.mt.newType : -1;
    return ret;
  }

  /**
   * `__ioremap_caller()` (arch/x86/mm/ioremap.c): returns 0 with `outType` =
   * the tracked cache mode, or -EBUSY/-EINVAL where Linux returns NULL.
   * `phys_addr_valid()` checks the start only. `__ioremap_check_ram()`
   * refuses RAM pages lying wholly inside `[addr, addr + size)` that are
   * `pfn_valid()` and not `PageReserved()`: the first MiB is
   * `memblock_reserve()`d at boot, so low RAM can be ioremapped (UC-, a
   * tree entry) — and `memtype_kernel_map_sync()` then retypes its direct
   * map.
   */
  private ioremap(handle: number, addr: number, size: number, pcm: number): number {
    if (this.ioremaps.get(handle)) throw new OpError(`handle "${this.strings[handle]}" is already mapped`, 'handle');
    this.ioremaps.set(handle, null);
    const lastAddr = addr + size - 1;
    if (size <= 0 || lastAddr < addr) return -EINVAL;
    if (addr >= this.hw.maxPhysAddr) {
      this.msg(Kmsg.IoremapInvalidAddr, addr, 0, 0, 0);
      return -EINVAL;
    }
    const ramStart = Math.max(Math.ceil(addr / PAGE_SIZE), ISA_END_PFN);
    const ramEnd = Math.floor((lastAddr + 1) / PAGE_SIZE);
    if (ramStart < ramEnd && this.physmap.intersectsRam(ramStart, ramEnd)) {
      if (!this.ioremapOnRamWarned) {
        this.ioremapOnRamWarned = true;
        this.msg(Kmsg.IoremapOnRam, addr, lastAddr, 0, 0);
      }
      return -EINVAL;
    }
    const start = Math.floor(addr / PAGE_SIZE);
    const end = Math.floor(lastAddr / PAGE_SIZE) + 1;
    const mt = this.mt;
    const ret = mt.reserve(start, end, pcm, true, null);
    if (ret !== 0) {
      this.msg(Kmsg.IoremapReserveFailed, ret, 0, 0, 0);
      return ret;
    }
    const got = mt.newType;
    if (got !== pcm) {
      if (!mt.newMemtypeAllowed(start, end, pcm, got)) {
        this.msg(Kmsg.IoremapError, start * PAGE_SIZE, end * PAGE_SIZE, pcm, got);
        mt.free(start, end, null);
        return -EINVAL;
      }
      pcm = got;
    }
    mt.kernelMapSync(start, end, pcm);
    // The PTE's cache bits: UC-, WC, WT as tracked, none for WB; UC and
    // anything else (WP) UC — each through cachemode2protval() of the PAT layout.
    const prot = pcm === WB || pcm === WC || pcm === WT || pcm === UC_MINUS ? pcm : UC;
    this.ioremaps.set(handle, { start, end, pte: this.pteType(prot) });
    this.outType = pcm;
    return 0;
  }

  /** The cache mode a PTE built with `cachemode2protval(pcm)` selects on this machine's PAT layout. */
  private pteType(pcm: number): number {
    const pat = this.hw.pat;
    return pat.pte2cachemode(pat.cachemode2protval(pcm));
  }

  /** `iounmap()`: frees the reservation and the kernel mapping; NULL (a failed ioremap) is ignored. */
  private iounmap(handle: number): number {
    const m = this.ioremaps.get(handle);
    if (m === undefined) throw new OpError(`unknown handle "${this.strings[handle]}"`, 'handle');
    this.ioremaps.delete(handle);
    if (m !== null) this.mt.free(m.start, m.end, null);
    return 0;
  }

  /**
   * `set_memory_uc/wc/wt()` = `memtype_reserve(.., NULL)` + retype the direct
   * map; `set_memory_wb()` = retype + `memtype_free()`. `addr` is physical RAM.
   */
  private setMemory(addr: number, npages: number, type: number): number {
    if (addr % PAGE_SIZE !== 0 || npages <= 0) return -EINVAL;
    const start = addr / PAGE_SIZE;
    const end = start + npages;
    for (let p = start; p < end; p++) if (!this.physmap.pageIsRam(p)) return -EINVAL;
    if (type === WB) {
      for (let p = start; p < end; p++) this.directMap.delete(p);
      this.mt.free(start, end, null);
      return 0;
    }
    const req = type === UC ? UC_MINUS : type;
    const ret = this.mt.reserve(start, end, req, false, null);
    if (ret !== 0) return ret;
    for (let p = start; p < end; p++) this.directMap.set(p, req);
    return 0;
  }

  // ----------------------------------------------------- process ops

  private spawn(id: number, comm: string, pid: number): number {
    if (this.mms.has(id)) throw new OpError('mm already exists:', 'mm', id);
    this.mms.set(id, new MmStruct(id, comm, pid, this.hw.pageTableLevels, this.hw.dynamicLevels, this.tablePool, this.tableBudget));
    return 0;
  }

  /** Is `[addr, addr+len)` not a valid, page-aligned user range of `mm`? */
  private badUserRange(mm: MmStruct, addr: number, len: number): boolean {
    return addr % PAGE_SIZE !== 0 || len % PAGE_SIZE !== 0 || len <= 0 || (addr + len) / PAGE_SIZE > mm.pgd.limitVpn;
  }

  /**
   * `mmap(2)` of a device at a fixed address (`MAP_FIXED`), as
   * `__mmap_region()` (mm/vma.c, v6.16) does it: the VMAs already in the
   * range are split off and their page tables cleared
   * (`vms_gather_munmap_vmas()`, `vms_clean_up_area()`), but they are freed
   * only after the new VMA is in place (`vms_complete_munmap_vmas()`) — so
   * the device's `->mmap` (`remap_pfn_range()`) still meets the old VMAs'
   * reservations, untracked only when their tracking context goes in
   * `vm_area_free()`. If `->mmap` fails, the new VMA is removed and the old
   * ones are freed all the same: the range is left unmapped
   * (`vms_abort_munmap_vmas()`, their page tables being gone).
   */
  private mmap(mm: MmStruct, addr: number, len: number, c: number, flags: number, dev: number, offset: number): number {
    if (this.badUserRange(mm, addr, len) || offset % PAGE_SIZE !== 0) return -EINVAL;
    const extra = mmapExtra(c);
    let vmFlags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | protFlags(mmapProt(c));
    if (flags === MAP_SHARED) vmFlags |= VM_SHARED | VM_MAYSHARE;
    const old = this.detached;
    this.detachRange(mm, addr, addr + len, old);
    const cacheArg = mmapCache(extra);
    const vma = new Vma(addr, addr + len, offset / PAGE_SIZE, vmFlags, WB, dev);
    mm.insertVma(vma);
    let ret = 0;
    switch (dev) {
      case Dev.Mem:
        ret = this.mmapMemAllowed(offset, len);
        if (ret !== 0) break;
        vma.cache = mmapODsync(extra) ? UC_MINUS : WB;
        if (this.remapPfnRange(mm, vma, addr, vma.vm_pgoff, len / PAGE_SIZE, vma.cache) !== 0) ret = -EAGAIN;
        break;
      case Dev.Resource:
      case Dev.ResourceWc:
        vma.cache = dev === Dev.ResourceWc ? WC : UC_MINUS;
        ret = this.remapPfnRange(mm, vma, addr, vma.vm_pgoff, len / PAGE_SIZE, vma.cache);
        break;
      case Dev.Pfnmap:
        vma.vm_flags |= VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
        vma.cache = cacheArg < 0 ? WB : cacheArg;
        break;
      case Dev.Mixedmap:
        vma.vm_flags |= VM_MIXEDMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
        vma.cache = cacheArg < 0 ? WB : cacheArg;
        break;
      default:
        // Dev.Anon: do_mmap() ignores pgoff for MAP_SHARED anonymous memory,
        // which shmem_zero_setup() backs with a shmem file; MAP_PRIVATE gets
        // vm_pgoff = addr >> PAGE_SHIFT for its anon_vma.
        if (flags === MAP_SHARED) {
          vma.vm_pgoff = 0;
          vma.shmem = new ShmemFile();
        } else vma.vm_pgoff = addr / PAGE_SIZE;
        this.mergeAround(mm, mm.vmas.indexOf(vma));
        break;
    }
    if (ret !== 0) this.unmapRange(mm, addr, addr + len);
    for (const v of old) this.freeVma(v);
    old.length = 0;
    return ret;
  }

  /**
   * The checks of `mmap_mem()` (drivers/char/mem.c) before any PAT call:
   * `valid_mmap_phys_addr_range()` (x86: the last byte below
   * `x86_phys_bits`) → -EINVAL; with `CONFIG_STRICT_DEVMEM`,
   * `range_is_allowed()` → -EPERM; without it, x86's
   * `phys_mem_access_prot_allowed()` does the same check when PAT is on →
   * -EINVAL. The check is `devmem_is_allowed()` (arch/x86/mm/init.c) of
   * every page: a page that intersects System RAM is refused unless it lies
   * below 1 MiB (there it reads as zeros). Bytes; returns 0 or -errno.
   */
  private mmapMemAllowed(offset: number, len: number): number {
    if (offset + len > this.hw.maxPhysAddr) return -EINVAL;
    const strict = this.hw.strictDevmem;
    if (!strict && !this.hw.patEnabled) return 0;
    const from = Math.max(offset, ISA_END_PFN * PAGE_SIZE);
    if (from < offset + len && this.physmap.bytesIntersectRam(from, offset + len)) return strict ? -EPERM : -EINVAL;
    return 0;
  }

  private opRemapPfnRange(mm: MmStruct, addr: number, pfn: number, size: number, cache: number): number {
    if (addr % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) return -EINVAL;
    const vma = mm.findVma(addr);
    if (vma === null || addr + size > vma.vm_end) return -EINVAL;
    const ret = this.remapPfnRange(mm, vma, addr, pfn, size / PAGE_SIZE, cache);
    if (ret === 0) this.outType = this.mt.pcm;
    return ret;
  }

  /**
   * `remap_pfn_range()` → `remap_pfn_range_track()` (v6.16): a whole-VMA
   * remap reserves through a new tracking context; a partial one only looks
   * up the existing memtype of every page. With bug `split-untrack` the
   * ≤ 6.15 `track_pfn_remap()` marks the VMA `VM_PAT` instead.
   */
  private remapPfnRange(mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, cache: number): number {
    const mt = this.mt;
    const end = addr + npages * PAGE_SIZE;
    let ctx: TrackCtx | null = null;
    if (addr === vma.vm_start && end === vma.vm_end) {
      if (vma.ctx !== null) return -EINVAL;
      ctx = new TrackCtx(pfn, npages);
      const legacy = this.bugs.splitUntrack;
      if (mt.reservePfnRange(pfn, pfn + npages, cache, legacy ? null : ctx) !== 0) return -EINVAL;
      if (legacy) ctx.type = -1;
    } else {
      // Bounded before the per-page lookups: the page tables could not hold it anyway.
      if (npages / 512 > this.tableBudget.limit - this.tableBudget.live) return -ENOMEM;
      const pcm = mt.setupCachemode(pfn, pfn + npages, cache);
      if (pcm < 0) return -EINVAL;
      mt.pcm = pcm;
    }
    const pcm = mt.pcm;
    const err = this.remapPfnRangeNotrack(mm, vma, addr, pfn, npages, pcm);
    if (ctx !== null) {
      if (err !== 0) {
        if (this.bugs.splitUntrack) mt.freePfnRange(pfn, pfn + npages, null);
        else this.putCtx(ctx);
      } else {
        vma.ctx = ctx;
        vma.linkIo(this.ioVmas);
      }
    }
    mt.pcm = pcm;
    return err;
  }

  /** `remap_pfn_range_notrack()`: COW rule, VMA flags, special PTEs. */
  private remapPfnRangeNotrack(mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, pcm: number): number {
    if (isCowMapping(vma.vm_flags)) {
      if (addr !== vma.vm_start || addr + npages * PAGE_SIZE !== vma.vm_end) return -EINVAL;
      vma.vm_pgoff = pfn;
    }
    vma.vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    const flags = this.pteProtFlags(vma, pcm) | _PAGE_SPECIAL;
    const filled = mm.pgd.fillRange(addr / PAGE_SIZE, npages, mkPte(pfn, flags));
    if (filled === 'nomem') return -ENOMEM;
    if (filled === 'present') {
      // remap_pte_range(): BUG_ON(!pte_none(*pte)); nothing was set.
      this.msg(Kmsg.Bug, 0, 0, 0, 0);
      return -EINVAL;
    }
    return 0;
  }

  /** PTE flag bits for a user mapping of `vma` with cache mode `pcm` (`vm_get_page_prot()` + cache bits). */
  private pteProtFlags(vma: Vma, pcm: number): number {
    const f = vma.vm_flags;
    if ((f & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return _PAGE_PROTNONE | _PAGE_USER | this.hw.pat.cachemode2protval(pcm);
    let bits = _PAGE_PRESENT | _PAGE_USER | this.hw.pat.cachemode2protval(pcm);
    if (f & VM_WRITE && f & VM_SHARED) bits |= _PAGE_RW;
    return bits;
  }

  /**
   * `vmf_insert_pfn_prot()` / `vmf_insert_pfn()` (`cache` -1 = `vm_page_prot`):
   * a driver's fault handler installs one page. The cache mode is whatever
   * `lookup_memtype()` says (the insert policy's `insertCachemode`), not
   * what the driver asked for.
   */
  private vmInsertPfn(mm: MmStruct, addr: number, pfn: number, cache: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const vma = mm.findVma(addr);
    if (vma === null) return RET_SIGBUS;
    const f = vma.vm_flags;
    const special = f & (VM_PFNMAP | VM_MIXEDMAP);
    if (
      special === 0 ||
      special === (VM_PFNMAP | VM_MIXEDMAP) ||
      ((f & VM_PFNMAP) !== 0 && isCowMapping(f)) ||
      ((f & VM_MIXEDMAP) !== 0 && this.physmap.pfnValid(pfn))
    ) {
      this.msg(Kmsg.Bug, 0, 0, 0, 0);
      return RET_SIGBUS;
    }
    let pcm = cache < 0 ? vma.cache : cache;
    if (this.bugs.linearPgoff && (f & VM_PFNMAP) !== 0 && vma.vm_pgoff !== 0) {
      // 2.6.29 track_pfn_vma_new(): "linear" → reserve the whole VMA at vm_pgoff, on every insert.
      const s = vma.vm_pgoff;
      if (this.mt.reservePfnRange(s, s + (vma.vm_end - vma.vm_start) / PAGE_SIZE, pcm, null) !== 0) return RET_SIGBUS;
      pcm = this.mt.pcm;
    } else if (this.hw.patEnabled && !(this.bugs.pfnmapNoRam && this.physmap.pageIsRam(pfn))) {
      pcm = this.tracker.insertCachemode(vma, pfn, this.lookupFn);
    }
    return this.insertPfn(mm, addr, pfn, this.pteProtFlags(vma, pcm) | _PAGE_SPECIAL);
  }

  /**
   * `vmf_insert_mixed()`: `VM_MIXEDMAP` only (`vm_mixed_ok()`), cache mode
   * from `pfnmap_setup_cachemode_pfn()` (since 4.9; bug `mixed-no-check`:
   * `vm_page_prot` as is). x86 has `pte_special`, so even struct-page RAM
   * goes in through `insert_pfn()` as a special PTE.
   */
  private vmInsertMixed(mm: MmStruct, addr: number, pfn: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const vma = mm.findVma(addr);
    if (vma === null || (vma.vm_flags & VM_MIXEDMAP) === 0) return RET_SIGBUS;
    let pcm = vma.cache;
    if (this.hw.patEnabled && !this.bugs.mixedNoCheck) pcm = this.tracker.insertCachemode(vma, pfn, this.lookupFn);
    return this.insertPfn(mm, addr, pfn, this.pteProtFlags(vma, pcm) | _PAGE_SPECIAL);
  }

  /** `insert_pfn()`: an existing PTE is left alone. */
  private insertPfn(mm: MmStruct, addr: number, pfn: number, flags: number): number {
    const vpn = addr / PAGE_SIZE;
    const pgd = mm.pgd;
    const old = pgd.get(vpn);
    if (old !== 0) {
      this.outType = this.hw.pat.pte2cachemode(pteFlags(old));
      return 0;
    }
    if (!pgd.set(vpn, mkPte(pfn, flags))) return -ENOMEM;
    this.outType = this.hw.pat.pte2cachemode(flags);
    return 0;
  }

  /**
   * A user access (`handle_mm_fault()`): a shared anonymous page
   * (`shmem_fault()`: the shmem file's page at that offset, allocated on
   * first touch — never the zero page), a private anonymous fault
   * (`do_anonymous_page()`: the zero page on read, a new page on write), a
   * write to a read-only PTE (`do_wp_page()`: reuse an exclusive anonymous
   * page, else copy — a special pfnmap PTE has no page for
   * `vm_normal_page()`, so a private pfnmap page is copied into a new
   * anonymous page), or `SIGSEGV`/`SIGBUS`. New PTEs take their cache mode
   * from `vm_page_prot` (`wp_page_copy()`: `mk_pte(new page,
   * vma->vm_page_prot)`), so a COW copy in a UC- or WC device mapping is a
   * UC- or WC mapping of RAM.
   */
  private fault(mm: MmStruct, addr: number, write: boolean): number {
    const vma = mm.findVma(addr);
    if (vma === null) return RET_SIGSEGV;
    const f = vma.vm_flags;
    if (write ? (f & VM_WRITE) === 0 : (f & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return RET_SIGSEGV;
    const vpn = Math.floor(addr / PAGE_SIZE);
    const pgd = mm.pgd;
    const pte = pgd.get(vpn);
    const prot = this.hw.pat.cachemode2protval(vma.cache);
    this.outType = this.hw.pat.pte2cachemode(prot);
    if (pte === 0) {
      // A fault-populated driver VMA whose handler did not insert: SIGBUS.
      if (f & (VM_PFNMAP | VM_MIXEDMAP)) return RET_SIGBUS;
      if (vma.shmem !== null) return this.shmemFault(mm, vma, vpn);
      if (!write && this.alloc.zeroPfn >= 0) {
        return pgd.set(vpn, mkPte(this.alloc.zeroPfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | prot)) ? 0 : -ENOMEM;
      }
      const page = this.alloc.alloc();
      if (page < 0) return -ENOMEM;
      if (!pgd.set(vpn, mkPte(page, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | prot))) {
        this.alloc.put(page);
        return -ENOMEM;
      }
      vma.anonVma = true;
      return 0;
    }
    const flags = pteFlags(pte);
    this.outType = this.hw.pat.pte2cachemode(flags);
    if (!write || flags & _PAGE_RW) return 0;
    const pfn = ptePfn(pte);
    if (f & VM_SHARED) {
      pgd.set(vpn, mkPte(pfn, flags | _PAGE_RW));
      return 0;
    }
    // do_wp_page(): vm_normal_page() is NULL for special PTEs.
    const page = flags & _PAGE_SPECIAL ? -1 : pfn;
    if (page >= 0 && this.alloc.refCount(page) === 1) {
      pgd.set(vpn, mkPte(page, flags | _PAGE_RW));
      return 0;
    }
    const copy = this.alloc.alloc();
    if (copy < 0) return -ENOMEM;
    pgd.set(vpn, mkPte(copy, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | prot));
    if (page >= 0) this.alloc.put(page);
    vma.anonVma = true;
    this.outType = this.hw.pat.pte2cachemode(prot);
    return 0;
  }

  /** `shmem_fault()` + `finish_fault()`: map the shmem file's page at this offset (a new zeroed page on first touch). */
  private shmemFault(mm: MmStruct, vma: Vma, vpn: number): number {
    const file = vma.shmem!;
    const index = vma.vm_pgoff + (vpn - vma.vm_start / PAGE_SIZE);
    let page = file.pages.get(index);
    if (page === undefined) {
      page = this.alloc.alloc();
      if (page < 0) return -ENOMEM;
      file.pages.set(index, page);
    }
    if (!mm.pgd.set(vpn, mkPte(page, this.pteProtFlags(vma, vma.cache)))) return -ENOMEM;
    this.alloc.get(page);
    return 0;
  }

  /**
   * `mprotect(2)`: split VMAs at the range's ends, change their flags and
   * PTE protections, merge non-special neighbours; `VM_SPECIAL` VMAs never
   * merge. A hole in the range fails with -ENOMEM after the VMAs before it
   * were changed, as Linux does.
   */
  private mprotect(mm: MmStruct, addr: number, len: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0 || len % PAGE_SIZE !== 0) return -EINVAL;
    if (len === 0) return 0;
    const end = addr + len;
    const vmas = mm.vmas;
    let i = mm.firstIndexEndingAfter(addr);
    if (i >= vmas.length || vmas[i]!.vm_start > addr) return -ENOMEM;
    const newBits = protFlags(prot);
    let cur = addr;
    while (cur < end) {
      if (i >= vmas.length || vmas[i]!.vm_start > cur) return -ENOMEM;
      if (vmas[i]!.vm_start < addr) {
        this.splitVma(mm, i, addr);
        i++;
      }
      if (vmas[i]!.vm_end > end) this.splitVma(mm, i, end);
      const vma = vmas[i]!;
      vma.vm_flags = (vma.vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | newBits;
      this.changeProtection(mm, vma);
      cur = vma.vm_end;
      i = this.mergeAround(mm, i) + 1;
    }
    return 0;
  }

  /** `change_protection()`: rewrite the access bits of every PTE of `vma`. */
  private changeProtection(mm: MmStruct, vma: Vma): void {
    const pgd = mm.pgd;
    const f = vma.vm_flags;
    const none = (f & (VM_READ | VM_WRITE | VM_EXEC)) === 0;
    const shared = (f & VM_SHARED) !== 0;
    const updates: number[] = [];
    pgd.walkRange(
      vma.vm_start / PAGE_SIZE,
      vma.vm_end / PAGE_SIZE,
      {
        pteEntry(vpn, pte) {
          let flags = pteFlags(pte) & ~(_PAGE_PRESENT | _PAGE_PROTNONE);
          flags |= none ? _PAGE_PROTNONE : _PAGE_PRESENT;
          if (none || !(f & VM_WRITE)) flags &= ~_PAGE_RW;
          else if (shared) flags |= _PAGE_RW;
          updates.push(vpn, mkPte(ptePfn(pte), flags));
        },
      },
      this.walkLevels || undefined,
    );
    for (let k = 0; k < updates.length; k += 2) pgd.set(updates[k]!, updates[k + 1]!);
  }

  /** `vma_merge()` for non-special VMAs: joins `vmas[i]` with compatible neighbours; returns its new index. */
  private mergeAround(mm: MmStruct, i: number): number {
    const vmas = mm.vmas;
    const can = (a: Vma, b: Vma): boolean =>
      a.vm_end === b.vm_start &&
      (a.vm_flags & VM_SPECIAL) === 0 &&
      a.vm_flags === b.vm_flags &&
      a.dev === b.dev &&
      a.cache === b.cache &&
      a.shmem === b.shmem &&
      a.ctx === null &&
      b.ctx === null &&
      a.vm_pgoff + (a.vm_end - a.vm_start) / PAGE_SIZE === b.vm_pgoff;
    /** `a` absorbs its right neighbour `b`, which goes (with its file reference). */
    const absorb = (a: Vma, b: Vma): void => {
      a.vm_end = b.vm_end;
      a.anonVma ||= b.anonVma;
      if (b.shmem !== null) b.shmem.refs--;
    };
    if (i + 1 < vmas.length && can(vmas[i]!, vmas[i + 1]!)) {
      absorb(vmas[i]!, vmas[i + 1]!);
      mm.removeAt(i + 1);
    }
    if (i > 0 && can(vmas[i - 1]!, vmas[i]!)) {
      absorb(vmas[i - 1]!, vmas[i]!);
      mm.removeAt(i);
      i--;
    }
    return i;
  }

  /**
   * `do_vmi_munmap()`: split VMAs at `start`/`end`, zap their PTEs, free
   * them; each freed VMA drops its tracking-context reference. Returns 0.
   */
  private unmapRange(mm: MmStruct, start: number, end: number): number {
    this.detachRange(mm, start, end, null);
    return 0;
  }

  /**
   * `vms_gather_munmap_vmas()` + `vms_clear_ptes()`: split the VMAs at
   * `start`/`end` (bytes), take the ones inside out of `mm` and zap their
   * page tables; then free them (`vm_area_free()`), or, given `keep`, leave
   * them there to be freed later.
   */
  private detachRange(mm: MmStruct, start: number, end: number, keep: Vma[] | null): void {
    let i = mm.firstIndexEndingAfter(start);
    const vmas = mm.vmas;
    if (i >= vmas.length || vmas[i]!.vm_start >= end) return;
    if (vmas[i]!.vm_start < start) {
      this.splitVma(mm, i, start);
      i++;
    }
    while (i < vmas.length && vmas[i]!.vm_start < end) {
      if (vmas[i]!.vm_end > end) this.splitVma(mm, i, end);
      const vma = vmas[i]!;
      this.zapVma(mm, vma);
      mm.removeAt(i);
      if (keep !== null) keep.push(vma);
      else this.freeVma(vma);
    }
  }

  /** `unmap_single_vma()` + `remove_vma()`: untrack (≤ 6.15), zap the PTEs, free the VMA. */
  private removeVma(mm: MmStruct, vma: Vma): void {
    this.zapVma(mm, vma);
    this.freeVma(vma);
  }

  /** `unmap_single_vma()`: untrack (≤ 6.15 `untrack_pfn()`, bug `split-untrack`), then zap the PTEs. */
  private zapVma(mm: MmStruct, vma: Vma): void {
    if (this.bugs.splitUntrack && vma.ctx !== null) this.legacyUntrack(mm, vma);
    const alloc = this.alloc;
    mm.pgd.clearRange(
      vma.vm_start / PAGE_SIZE,
      vma.vm_end / PAGE_SIZE,
      (_vpn, pte) => {
        if ((pteFlags(pte) & _PAGE_SPECIAL) === 0) alloc.put(ptePfn(pte));
      },
      this.walkLevels || undefined,
    );
  }

  /**
   * ≤ 6.15 `untrack_pfn()` of one VMA piece: the range starts at the first
   * PTE's pfn (or `vm_pgoff` for a COW mapping) and is as long as the piece;
   * freed with exact or END_MATCH semantics.
   */
  private legacyUntrack(mm: MmStruct, vma: Vma): void {
    const first = mm.pgd.get(vma.vm_start / PAGE_SIZE);
    let pfn: number;
    if (first !== 0 && pteFlags(first) & _PAGE_SPECIAL) pfn = ptePfn(first);
    else if (isCowMapping(vma.vm_flags)) pfn = vma.vm_pgoff;
    else return;
    this.mt.freePfnRange(pfn, pfn + (vma.vm_end - vma.vm_start) / PAGE_SIZE, null, true);
  }

  /** `__split_vma()` at `addr`: the new upper part shares the tracking context. */
  private splitVma(mm: MmStruct, i: number, addr: number): void {
    const vma = mm.vmas[i]!;
    const upper = vma.dup();
    upper.vm_start = addr;
    upper.vm_pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
    vma.vm_end = addr;
    if (vma.ctx !== null) this.shareCtx(vma, upper);
    mm.vmas.splice(i + 1, 0, upper);
  }

  /** `vma_pfnmap_track_ctx_dup()`: `to` shares `from`'s context (≤ 6.15: both `VM_PAT`). */
  private shareCtx(from: Vma, to: Vma): void {
    const ctx = from.ctx!;
    if (this.bugs.splitUntrack) {
      to.ctx = new TrackCtx(ctx.pfn, ctx.npages);
    } else {
      to.ctx = ctx;
      ctx.refs++;
    }
    to.linkIo(this.ioVmas);
  }

  /** `vm_area_free()`: unlink, drop the tracking context and the shmem file (its pages go with the last reference). */
  private freeVma(vma: Vma): void {
    if (vma.onIoList) vma.unlinkIo();
    const file = vma.shmem;
    if (file !== null) {
      vma.shmem = null;
      if (--file.refs === 0) for (const page of file.pages.values()) this.alloc.put(page);
    }
    const ctx = vma.ctx;
    if (ctx !== null) {
      vma.ctx = null;
      if (!this.bugs.splitUntrack) this.putCtx(ctx);
    }
  }

  /** `kref_put(&ctx->kref, pfnmap_track_ctx_release)` → `pfnmap_untrack()`. */
  private putCtx(ctx: TrackCtx): void {
    if (--ctx.refs === 0) this.mt.freePfnRange(ctx.pfn, ctx.pfn + ctx.npages, ctx);
  }

  /**
   * `fork(2)` → `dup_mmap()`: every VMA duplicated, tracking contexts shared
   * by reference (≤ 6.15: `track_pfn_copy()` reserves again, strictly);
   * page tables copied where `vma_needs_copy()` says so — `VM_PFNMAP`/
   * `VM_MIXEDMAP` VMAs and VMAs with an `anon_vma` — private writable PTEs
   * write-protected in both (COW).
   */
  private fork(parent: MmStruct, child: number, pid: number): number {
    if (this.mms.has(child)) throw new OpError('mm already exists:', 'child', child);
    const mm = new MmStruct(child, parent.comm, pid, this.hw.pageTableLevels, this.hw.dynamicLevels, this.tablePool, this.tableBudget);
    this.mms.set(child, mm);
    for (const vma of parent.vmas) {
      const copy = vma.dup();
      if (vma.ctx !== null) {
        if (this.bugs.splitUntrack && this.legacyTrackCopy(parent, vma) !== 0) {
          this.exit(mm);
          return -EINVAL;
        }
        this.shareCtx(vma, copy);
      }
      mm.vmas.push(copy);
      // vma_needs_copy(): page tables of VM_PFNMAP/VM_MIXEDMAP VMAs and of VMAs
      // with an anon_vma; the rest (shared anonymous memory, private memory only
      // read through the zero page) refault in the child.
      if ((vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP) || vma.anonVma) && !this.copyPageRange(parent, mm, vma)) {
        this.exit(mm);
        return -ENOMEM;
      }
    }
    return 0;
  }

  /** ≤ 6.15 `track_pfn_copy()`: reserve the whole VMA again from the first PTE's pfn and type, strictly. */
  private legacyTrackCopy(parent: MmStruct, vma: Vma): number {
    const first = parent.pgd.get(vma.vm_start / PAGE_SIZE);
    if (first === 0 || (pteFlags(first) & _PAGE_SPECIAL) === 0) return -EINVAL;
    const pfn = ptePfn(first);
    const want = this.hw.pat.pte2cachemode(pteFlags(first));
    return this.mt.reservePfnRange(pfn, pfn + (vma.vm_end - vma.vm_start) / PAGE_SIZE, want, null, true);
  }

  /** `copy_page_range()` of one VMA: anonymous pages shared copy-on-write. False when out of table pages. */
  private copyPageRange(src: MmStruct, dst: MmStruct, vma: Vma): boolean {
    const cow = isCowMapping(vma.vm_flags);
    const alloc = this.alloc;
    const spgd = src.pgd;
    const dpgd = dst.pgd;
    const wp: number[] = [];
    let ok = true;
    spgd.walkRange(
      vma.vm_start / PAGE_SIZE,
      vma.vm_end / PAGE_SIZE,
      {
        pteEntry(vpn, pte) {
          let flags = pteFlags(pte);
          if (!ok) return;
          if (cow && flags & _PAGE_RW) {
            flags &= ~_PAGE_RW;
            wp.push(vpn, mkPte(ptePfn(pte), flags));
          }
          if (!dpgd.set(vpn, mkPte(ptePfn(pte), flags))) ok = false;
          else if ((flags & _PAGE_SPECIAL) === 0) alloc.get(ptePfn(pte));
        },
      },
      this.walkLevels || undefined,
    );
    for (let k = 0; k < wp.length; k += 2) spgd.set(wp[k]!, wp[k + 1]!);
    return ok;
  }

  /** Process exit: every VMA torn down, then the mm. */
  private exit(mm: MmStruct): number {
    for (const vma of mm.vmas) this.removeVma(mm, vma);
    mm.clearVmas();
    mm.pgd.release();
    this.mms.delete(mm.id);
    return 0;
  }

  // ----------------------------------------------------------- queries

  private qPte(mm: MmStruct, addr: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const pte = vpn < mm.pgd.maxVpn ? mm.pgd.get(vpn) : 0;
    if (pte === 0) {
      this.query = { present: false };
      return 0;
    }
    const flags = pteFlags(pte);
    this.query = {
      present: true,
      pfn: ptePfn(pte),
      type: SHORT_NAME[this.hw.pat.pte2cachemode(flags & _PAGE_CACHE_MASK)],
      special: (flags & _PAGE_SPECIAL) !== 0,
    };
    return 0;
  }

  /**
   * The reservations as `pat_memtype_list` shows them (`memtype_seq_show()`
   * over `memtype_copy_nth_element()`): the interval tree's in-order walk,
   * by start, equal starts in insertion order. Byte addresses.
   */
  memtypeList(): { start: string; end: string; type: string }[] {
    const raw: number[] = [];
    this.tracker.memtypeList(raw);
    const rows: { start: string; end: string; type: string }[] = [];
    for (let i = 0; i < raw.length; i += 3) rows.push({ start: hex(raw[i]! * PAGE_SIZE), end: hex(raw[i + 1]! * PAGE_SIZE), type: SHORT_NAME[raw[i + 2]!]! });
    return rows;
  }

  /**
   * The alias check: every page mapped with two different effective types
   * by accessible user PTEs (every PTE in the tables, found by a correct
   * walk), kernel ioremaps and the direct map. Each mapping counts with the
   * type its PTE selects — ioremap and `set_memory_*()` PTEs are built with
   * `cachemode2protval()` on the active PAT layout, so on `legacy4` or
   * `none` a WT or WP request is a UC- PTE — not with the type requested.
   */
  check(): { pfn: number; types: string[] }[] {
    const user: { pfn: number; pat: number }[] = [];
    const pat = this.hw.pat;
    for (const mm of this.mms.values()) {
      mm.pgd.forEach(0, mm.pgd.maxVpn, (_vpn, pte) => {
        const flags = pteFlags(pte);
        if (flags & _PAGE_PRESENT) user.push({ pfn: ptePfn(pte), pat: pat.pte2cachemode(flags) });
      });
    }
    const kernel: { start: number; end: number; type: number }[] = [];
    for (const m of this.ioremaps.values()) if (m !== null) kernel.push({ start: m.start, end: m.end, type: m.pte });
    const direct = new Map<number, number>();
    for (const [pfn, t] of this.directMap) direct.set(pfn, this.pteType(t));
    return findAliases(this.hw, user, kernel, direct);
  }

  /**
   * Structural consistency (for tests): VMAs sorted, aligned and disjoint;
   * every PTE inside a VMA of its process; tracking-context references equal
   * the VMAs holding them; the I/O list holds exactly the VMAs with a
   * context; shmem file references equal the VMAs mapping the file; page
   * references equal the PTEs mapping the page plus one per shmem file
   * holding it.
   * @returns problems found (empty when consistent)
   */
  checkConsistency(): string[] {
    const problems: string[] = [];
    const ctxRefs = new Map<TrackCtx, number>();
    const pageRefs = new Map<number, number>();
    const fileRefs = new Map<ShmemFile, number>();
    let withCtx = 0;
    for (const mm of this.mms.values()) {
      let prevEnd = 0;
      for (const v of mm.vmas) {
        if (v.shmem !== null) fileRefs.set(v.shmem, (fileRefs.get(v.shmem) ?? 0) + 1);
        if (v.vm_start % PAGE_SIZE || v.vm_end % PAGE_SIZE || v.vm_start >= v.vm_end || v.vm_start < prevEnd) {
          problems.push(`mm ${mm.id}: bad VMA [${hex(v.vm_start)}, ${hex(v.vm_end)})`);
        }
        prevEnd = v.vm_end;
        if (v.ctx !== null) {
          withCtx++;
          ctxRefs.set(v.ctx, (ctxRefs.get(v.ctx) ?? 0) + 1);
          if (!v.onIoList) problems.push(`mm ${mm.id}: VMA ${hex(v.vm_start)} with a context is not on the I/O list`);
        }
      }
      mm.pgd.forEach(0, mm.pgd.maxVpn, (vpn, pte) => {
        if (mm.findVma(vpn * PAGE_SIZE) === null) problems.push(`mm ${mm.id}: PTE at ${hex(vpn * PAGE_SIZE)} outside every VMA`);
        if ((pteFlags(pte) & _PAGE_SPECIAL) === 0) pageRefs.set(ptePfn(pte), (pageRefs.get(ptePfn(pte)) ?? 0) + 1);
      });
    }
    let listed = 0;
    for (let v = this.ioVmas.ioNext; v !== this.ioVmas; v = v.ioNext) listed++;
    if (listed !== withCtx) problems.push(`I/O list holds ${listed} VMAs, ${withCtx} have a context`);
    if (!this.bugs.splitUntrack) {
      for (const [ctx, n] of ctxRefs) if (ctx.refs !== n) problems.push(`context at pfn ${ctx.pfn}: kref ${ctx.refs}, held by ${n} VMAs`);
    }
    for (const [file, n] of fileRefs) {
      if (file.refs !== n) problems.push(`shmem file: ${file.refs} references, mapped by ${n} VMAs`);
      for (const pfn of file.pages.values()) pageRefs.set(pfn, (pageRefs.get(pfn) ?? 0) + 1);
    }
    for (const [pfn, n] of pageRefs) {
      if (this.alloc.refCount(pfn) !== n) problems.push(`page ${pfn}: ${this.alloc.refCount(pfn)} references, ${n} PTEs and files`);
    }
    return problems;
  }

  /** Modeled bytes of all page tables (4 KiB per table page). */
  pageTableBytes(): number {
    let n = 0;
    for (const mm of this.mms.values()) n += mm.pgd.modeledBytes();
    return n;
  }

  /** JavaScript bytes of all page-table storage. */
  pageTableJsBytes(): number {
    let n = 0;
    for (const mm of this.mms.values()) n += mm.pgd.jsBytes();
    return n;
  }

  /** Number of VMAs across all processes. */
  get vmaCount(): number {
    let n = 0;
    for (const mm of this.mms.values()) n += mm.vmas.length;
    return n;
  }

  /** Live processes. */
  get processCount(): number {
    return this.mms.size;
  }
}

/** VM_READ/WRITE/EXEC for PROT_* bits. */
function protFlags(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/**
 * `sanitize_phys()` (arch/x86/mm/pat/memtype.c, x86-64): a byte address
 * masked to `__PHYSICAL_MASK` (52 bits). Trace addresses lie in
 * `[-1, 2^52]`, so only the two ends wrap: 2^52 → 0 and -1 (an `end - 1`
 * of 0) → 2^52 - 1.
 */
function sanitizePhys(addr: number): number {
  return addr === MAX_PHYS_ADDR ? 0 : addr < 0 ? MAX_PHYS_ADDR + addr : addr;
}

/** Short name of an MTRR type (`UC`, `WC`, `WT`, `WP`, `WB`). */
function mtrrShortName(t: number): string {
  return ['UC', 'WC', '', '', 'WT', 'WP', 'WB'][t] || 'INVALID';
}

/** `0x`-prefixed lowercase hex of a byte address. */
export function hex(v: number): string {
  return '0x' + v.toString(16);
}
