/**
 * The emulated kernel: Linux x86's memtype and pfnmap semantics (v6.16
 * series) over the hardware, processes and page tables, calling the tracker
 * contract exactly where arch/x86/mm/pat/memtype.c calls its data structures.
 *
 * Sources modelled (see shared/reference/linux-pat.md): `memtype_reserve()`,
 * `memtype_free()`, `lookup_memtype()`, `reserve_pfn_range()`,
 * `pfnmap_track()`/`pfnmap_untrack()`, `pfnmap_setup_cachemode()`
 * (arch/x86/mm/pat/memtype.c); `remap_pfn_range()`, `vmf_insert_pfn_prot()`
 * (mm/memory.c); `__ioremap_caller()` (arch/x86/mm/ioremap.c); `mmap_mem()`
 * (drivers/char/mem.c); `pci_mmap_resource_range()` (drivers/pci).
 *
 * Units: the op stream carries bytes; the machine works in pfns and vpns.
 * Every op returns 0 or a negative errno; its granted/installed cache type
 * is left in `outType` (-1 when the op has none).
 */
import {
  SHORT_NAME,
  UC,
  UC_MINUS,
  WB,
  WC,
  WP,
  _PAGE_CACHE_MASK,
  isNewMemtypeAllowed,
} from './cachemode.js';
import { EINVAL, RET_SIGBUS } from './errno.js';
import type { Hardware } from './hardware.js';
import { Kmsg } from './kmsg.js';
import { MmStruct } from './mm.js';
import { MTRR_TYPE_INVALID, MTRR_TYPE_WRBACK } from './mtrr.js';
import {
  DEV_NAMES,
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
import type { OutcomeSink } from './outcome.js';
import { PageFlags } from './pageflags.js';
import { _PAGE_PRESENT, _PAGE_RW, _PAGE_SPECIAL, _PAGE_USER, mkPte, pteFlags, ptePfn } from './pagetable.js';
import { ISA_END_PFN, PAGE_SIZE } from './physmap.js';
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
  VM_WRITE,
  Vma,
  isCowMapping,
} from './vma.js';
import { findAliases } from './alias.js';

const ISA_START_PFN = 0xa0;
/** User address-space top for 4-level tables (`TASK_SIZE_MAX`, 47 bits), bytes. */
const TASK_SIZE_4L = 2 ** 47;
const TASK_SIZE_5L = 2 ** 56;

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
  type: number;
}

/** Sink used when nobody listens. */
const NO_SINK: OutcomeSink = { msg() {}, done() {} };

export class Machine implements MachineView {
  readonly physmap;
  readonly pageFlags = new PageFlags();
  /** Head of the I/O address-space VMA list (not a VMA itself). */
  readonly ioVmas = new Vma(0, 0, 0, 0, 0, 0);
  /** Result object of the last query op (null for other ops). */
  query: unknown = null;
  /** Cache type of the last op's outcome, -1 when none. */
  outType = -1;

  private readonly mms = new Map<number, MmStruct>();
  /** ioremap handles: their mapping, or null where ioremap returned NULL. */
  private readonly ioremaps = new Map<number, IoremapMapping | null>();
  /** Kernel direct-map cache types that differ from WB, per RAM pfn (`set_memory_*`, `memtype_kernel_map_sync`). */
  readonly directMap = new Map<number, number>();
  private sink: OutcomeSink = NO_SINK;
  private strings: readonly string[] = [];
  /** `current->comm` / `current->pid` of the op being run. */
  comm = 'kernel';
  pid = 0;
  /** Out of `reservePfnRange` / `memtypeReserve`. */
  private pcm = -1;
  private newType = -1;
  private ioremapOnRamWarned = false;
  private readonly lookupFn = (pfn: number): number => this.lookupMemtype(pfn);
  private readonly taskSize: number;

  constructor(
    readonly hw: Hardware,
    readonly tracker: MemtypeTracker,
  ) {
    this.physmap = hw.physmap;
    this.taskSize = hw.pageTableLevels >= 5 ? TASK_SIZE_5L : TASK_SIZE_4L;
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
    const n = end;
    for (let i = 0, o = 0; i < n; i++, o += STRIDE) {
      const ret = this.exec(ops, o);
      sink.done(i, ret, this.outType, this);
    }
    this.sink = NO_SINK;
  }

  /** Prepares to run the ops of `stream` one at a time with `exec`, reporting messages to `sink`. */
  attachStream(stream: OpStream, sink: OutcomeSink): void {
    this.sink = sink;
    this.strings = stream.strings;
  }

  /**
   * Runs one operation record at offset `o` of `ops`; returns 0 or -errno.
   * Outcome type in `outType`, query result in `query`.
   * @throws OpError for a semantic trace error
   */
  exec(ops: Float64Array, o: number): number {
    this.outType = -1;
    this.query = null;
    const mmId = ops[o + F_MM]!;
    const op = ops[o]!;
    if (mmId >= 0 && op !== Op.Spawn) {
      const mm = this.mm(mmId);
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
        return this.vmInsertPfn(this.mm(mmId), a, b, c, false);
      case Op.VmInsertPfn:
        return this.vmInsertPfn(this.mm(mmId), a, b, -1, false);
      case Op.VmInsertMixed:
        return this.vmInsertPfn(this.mm(mmId), a, b, -1, true);
      case Op.MemtypeReserve:
        return this.opMemtypeReserve(a, b, c, d !== 0);
      case Op.MemtypeFree:
        return this.opMemtypeFree(a, b);
      case Op.LookupMemtype:
        this.outType = this.lookupMemtype(Math.floor(a / PAGE_SIZE));
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
        return this.mmap(this.mm(mmId), a, b, c, d, ops[o + F_E]!, ops[o + F_F]!);
      case Op.RemapPfnRange:
        return this.opRemapPfnRange(this.mm(mmId), a, b, c, d);
      case Op.Munmap:
        return this.munmap(this.mm(mmId), a, b);
      case Op.Fork:
        return this.fork(this.mm(mmId), a, b);
      case Op.Exit:
        return this.exit(this.mm(mmId));
      case Op.QPte:
        return this.qPte(this.mm(mmId), a);
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
        throw new OpError(`operation "${op}" is not supported yet`, 'op');
    }
  }

  private mm(id: number): MmStruct {
    const mm = this.mms.get(id);
    if (mm === undefined) throw new OpError('unknown mm', 'mm', id);
    return mm;
  }

  private msg(kind: number, a: number, b: number, c: number, d: number): void {
    this.sink.msg(kind, a, b, c, d);
  }

  // ------------------------------------------------- memtype.c semantics

  /** `x86_platform.is_untracked_pat_range()` = `is_ISA_range()`, pfns, end exclusive. */
  private isUntracked(start: number, end: number): boolean {
    return start >= ISA_START_PFN && end <= ISA_END_PFN;
  }

  /** `pat_x_mtrr_type()`: a WB request over non-WB MTRRs is tracked as UC-. */
  private patXMtrrType(start: number, end: number, req: number): number {
    if (req === WB) {
      const t = this.hw.mtrr.lookup(start * PAGE_SIZE, end * PAGE_SIZE);
      if (t !== MTRR_TYPE_WRBACK && t !== MTRR_TYPE_INVALID) return UC_MINUS;
    }
    return req;
  }

  /**
   * `memtype_reserve(start, end, req, new)`, pfns. Returns 0 or -errno;
   * `newType` = what Linux writes through `new` (-1 when nothing is written).
   */
  memtypeReserve(start: number, end: number, req: number, wantNew: boolean, owner: TrackCtx | null): number {
    this.newType = -1;
    if (start >= end) {
      this.msg(Kmsg.ReserveInvalidRange, start * PAGE_SIZE, end * PAGE_SIZE, req, 0);
      return -EINVAL;
    }
    if (!this.hw.patEnabled) {
      if (wantNew) this.newType = req;
      return 0;
    }
    if (this.isUntracked(start, end)) {
      if (wantNew) this.newType = WB;
      return 0;
    }
    const actual = this.patXMtrrType(start, end, req);
    if (wantNew) this.newType = actual;
    const tracker = this.tracker;
    const isRam = tracker.pagerangeIsRam(start, end);
    if (isRam === 1) return this.reserveRamPagesType(start, end, req, wantNew);
    if (isRam < 0) return -EINVAL;
    const ret = tracker.memtypeCheckInsert(start, end, actual, wantNew, owner);
    if (ret !== 0) {
      this.msg(Kmsg.Conflict, start * PAGE_SIZE, end * PAGE_SIZE, tracker.conflictFound, tracker.conflictOther);
      this.msg(Kmsg.ReserveFailed, start * PAGE_SIZE, end * PAGE_SIZE, actual, req);
      return ret;
    }
    if (wantNew) this.newType = tracker.newType;
    if (owner !== null) owner.type = tracker.newType;
    return 0;
  }

  /** `reserve_ram_pages_type()`: WP refused, UC demoted to UC-, every page must be WB. */
  private reserveRamPagesType(start: number, end: number, req: number, wantNew: boolean): number {
    if (req === WP) {
      if (wantNew) this.newType = UC_MINUS;
      return -EINVAL;
    }
    if (req === UC) req = UC_MINUS;
    const ret = this.tracker.reserveRamPagesType(start, end, req);
    if (ret !== 0) {
      const busy = this.tracker.newType;
      this.msg(Kmsg.RamReserveFailed, start * PAGE_SIZE, end * PAGE_SIZE, busy, req);
      if (wantNew) this.newType = busy;
      return ret;
    }
    if (wantNew) this.newType = req;
    return 0;
  }

  /** `memtype_free(start, end)`, pfns: exact match only (v6.16). */
  memtypeFree(start: number, end: number, owner: TrackCtx | null): number {
    if (!this.hw.patEnabled) return 0;
    if (this.isUntracked(start, end)) return 0;
    const tracker = this.tracker;
    const isRam = tracker.pagerangeIsRam(start, end);
    if (isRam === 1) return tracker.freeRamPagesType(start, end);
    if (isRam < 0) return -EINVAL;
    if (tracker.memtypeErase(start, end, owner) !== 0) {
      this.msg(Kmsg.FreeInvalid, start * PAGE_SIZE, end * PAGE_SIZE, 0, 0);
      return -EINVAL;
    }
    return 0;
  }

  /** `lookup_memtype(paddr)` for page `pfn`: WB in the ISA window, the page's type for RAM, the tree's, else UC-. */
  lookupMemtype(pfn: number): number {
    if (this.isUntracked(pfn, pfn + 1)) return WB;
    const tracker = this.tracker;
    if (tracker.pagerangeIsRam(pfn, pfn + 1) !== 0) return tracker.getPageMemtype(pfn);
    const t = tracker.memtypeLookup(pfn);
    return t < 0 ? UC_MINUS : t;
  }

  /** Is `(req, got)` acceptable for the range (`is_new_memtype_allowed()` with its ISA exemption)? */
  private newMemtypeAllowed(start: number, end: number, req: number, got: number): boolean {
    return this.isUntracked(start, end) || isNewMemtypeAllowed(req, got);
  }

  /** `memtype_kernel_map_sync()`: retype the direct map when the range starts in RAM. */
  private kernelMapSync(start: number, end: number, pcm: number): void {
    if (!this.physmap.pageIsRam(start)) return;
    for (let p = start; p < end; p++) {
      if (!this.physmap.pageIsRam(p)) continue;
      if (pcm === WB) this.directMap.delete(p);
      else this.directMap.set(p, pcm);
    }
  }

  /**
   * `reserve_pfn_range()` (v6.16, no strict flag), pfns. On success the
   * cache mode to map with is in `pcm`.
   */
  private reservePfnRange(start: number, end: number, want: number, owner: TrackCtx): number {
    this.pcm = want;
    if (this.tracker.pagerangeIsRam(start, end) !== 0) {
      if (!this.hw.patEnabled) return 0;
      const pcm = this.lookupMemtype(start);
      if (pcm !== want) this.msg(Kmsg.MapPfnRam, start * PAGE_SIZE, end * PAGE_SIZE, want, pcm);
      this.pcm = pcm;
      return 0;
    }
    const ret = this.memtypeReserve(start, end, want, true, owner);
    if (ret !== 0) return ret;
    const got = this.newType;
    if (got !== want && !this.newMemtypeAllowed(start, end, want, got)) {
      this.memtypeFree(start, end, owner);
      this.msg(Kmsg.MapPfnExpected, start * PAGE_SIZE, end * PAGE_SIZE, want, got);
      return -EINVAL;
    }
    this.kernelMapSync(start, end, got);
    this.pcm = got;
    return 0;
  }

  /** `pfnmap_untrack()` → `free_pfn_range()`: free only non-RAM ranges. */
  private pfnmapUntrack(ctx: TrackCtx): void {
    const end = ctx.pfn + ctx.npages;
    if (this.tracker.pagerangeIsRam(ctx.pfn, end) === 0) this.memtypeFree(ctx.pfn, end, ctx);
  }

  /** `kref_put(&ctx->kref, pfnmap_track_ctx_release)`. */
  private putCtx(ctx: TrackCtx): void {
    if (--ctx.refs === 0) this.pfnmapUntrack(ctx);
  }

  /**
   * `pfnmap_setup_cachemode(pfn, size, prot)`: every page must have the same
   * memtype; returns it, or -1 when they differ. PAT off → `want`.
   */
  private pfnmapSetupCachemode(start: number, end: number, want: number): number {
    if (!this.hw.patEnabled) return want;
    const pcm = this.lookupMemtype(start);
    for (let p = start + 1; p < end; p++) if (this.lookupMemtype(p) !== pcm) return -1;
    return pcm;
  }

  // ------------------------------------------------------ kernel ops

  private opMemtypeReserve(startB: number, endB: number, req: number, wantNew: boolean): number {
    if (startB % PAGE_SIZE !== 0 || endB % PAGE_SIZE !== 0) return -EINVAL;
    const ret = this.memtypeReserve(startB / PAGE_SIZE, endB / PAGE_SIZE, req, wantNew, null);
    this.outType = wantNew ? this.newType : -1;
    return ret;
  }

  private opMemtypeFree(startB: number, endB: number): number {
    if (startB % PAGE_SIZE !== 0 || endB % PAGE_SIZE !== 0) return -EINVAL;
    return this.memtypeFree(startB / PAGE_SIZE, endB / PAGE_SIZE, null);
  }

  /** `__ioremap_caller()`: returns 0 with `outType` = mapping type, or -EBUSY/-EINVAL where Linux returns NULL. */
  private ioremap(handle: number, addr: number, size: number, pcm: number): number {
    if (this.ioremaps.get(handle)) throw new OpError(`handle "${this.strings[handle]}" is already mapped`, 'handle');
    this.ioremaps.set(handle, null);
    const lastAddr = addr + size - 1;
    if (size <= 0 || lastAddr < addr) return -EINVAL;
    if (addr >= this.hw.maxPhysAddr || lastAddr >= this.hw.maxPhysAddr) {
      this.msg(Kmsg.IoremapInvalidAddr, addr, 0, 0, 0);
      return -EINVAL;
    }
    const start = Math.floor(addr / PAGE_SIZE);
    const end = Math.floor(lastAddr / PAGE_SIZE) + 1;
    if (this.physmap.intersectsRam(start, end)) {
      if (!this.ioremapOnRamWarned) {
        this.ioremapOnRamWarned = true;
        this.msg(Kmsg.IoremapOnRam, addr, lastAddr, 0, 0);
      }
      return -EINVAL;
    }
    const ret = this.memtypeReserve(start, end, pcm, true, null);
    if (ret !== 0) {
      this.msg(Kmsg.IoremapReserveFailed, ret, 0, 0, 0);
      return ret;
    }
    const got = this.newType;
    if (got !== pcm) {
      if (!this.newMemtypeAllowed(start, end, pcm, got)) {
        this.msg(Kmsg.IoremapError, start * PAGE_SIZE, end * PAGE_SIZE, pcm, got);
        this.memtypeFree(start, end, null);
        return -EINVAL;
      }
      pcm = got;
    }
    this.kernelMapSync(start, end, pcm);
    this.ioremaps.set(handle, { start, end, type: pcm });
    this.outType = pcm;
    return 0;
  }

  /** `iounmap()`: frees the reservation and the kernel mapping; NULL (a failed ioremap) is ignored. */
  private iounmap(handle: number): number {
    const m = this.ioremaps.get(handle);
    if (m === undefined) throw new OpError(`unknown handle "${this.strings[handle]}"`, 'handle');
    this.ioremaps.delete(handle);
    if (m !== null) this.memtypeFree(m.start, m.end, null);
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
      this.memtypeFree(start, end, null);
      return 0;
    }
    const req = type === UC ? UC_MINUS : type;
    const ret = this.memtypeReserve(start, end, req, false, null);
    if (ret !== 0) return ret;
    for (let p = start; p < end; p++) this.directMap.set(p, req);
    return 0;
  }

  // ----------------------------------------------------- process ops

  private spawn(id: number, comm: string, pid: number): number {
    if (this.mms.has(id)) throw new OpError('mm already exists:', 'mm', id);
    this.mms.set(id, new MmStruct(id, comm, pid, this.hw.pageTableLevels));
    return 0;
  }

  /** Is `[addr, addr+len)` a valid, page-aligned user range? */
  private badUserRange(addr: number, len: number): boolean {
    return addr % PAGE_SIZE !== 0 || len % PAGE_SIZE !== 0 || len <= 0 || addr + len > this.taskSize;
  }

  /**
   * `mmap(2)` of a device at a fixed address (`MAP_FIXED`: existing mappings
   * in the range are unmapped first). The device's `->mmap` runs as Linux's
   * does; on its failure the VMA is removed and the error returned.
   */
  private mmap(mm: MmStruct, addr: number, len: number, c: number, flags: number, dev: number, offset: number): number {
    if (this.badUserRange(addr, len) || offset % PAGE_SIZE !== 0) return -EINVAL;
    const prot = mmapProt(c);
    const extra = mmapExtra(c);
    let vmFlags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
    if (prot & PROT_READ) vmFlags |= VM_READ;
    if (prot & PROT_WRITE) vmFlags |= VM_WRITE;
    if (prot & PROT_EXEC) vmFlags |= VM_EXEC;
    if (flags === MAP_SHARED) vmFlags |= VM_SHARED | VM_MAYSHARE;
    this.unmapRange(mm, addr, addr + len);
    const cacheArg = mmapCache(extra);
    const vma = new Vma(addr, addr + len, offset / PAGE_SIZE, vmFlags, WB, dev);
    mm.insertVma(vma);
    let ret = 0;
    switch (dev) {
      case Dev.Mem:
        // mmap_mem(): phys_mem_access_prot_allowed() picks WB, or UC- for O_DSYNC.
        vma.cache = mmapODsync(extra) ? UC_MINUS : WB;
        if (this.remapPfnRange(mm, vma, addr, vma.vm_pgoff, len / PAGE_SIZE, vma.cache) !== 0) ret = -11; // -EAGAIN
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
      case Dev.Anon:
        throw new OpError(`mmap of dev "${DEV_NAMES[dev]}" is not supported yet`, 'dev');
      default:
        throw new OpError(`unknown device`, 'dev');
    }
    if (ret !== 0) {
      this.unmapRange(mm, addr, addr + len);
      return ret;
    }
    return 0;
  }

  private opRemapPfnRange(mm: MmStruct, addr: number, pfn: number, size: number, cache: number): number {
    if (addr % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) return -EINVAL;
    const vma = mm.findVma(addr);
    if (vma === null || addr + size > vma.vm_end) return -EINVAL;
    const ret = this.remapPfnRange(mm, vma, addr, pfn, size / PAGE_SIZE, cache);
    if (ret === 0) this.outType = this.pcm;
    return ret;
  }

  /**
   * `remap_pfn_range()` → `remap_pfn_range_track()` (v6.16): a whole-VMA
   * remap reserves through a new tracking context; a partial one only looks
   * up the existing memtype of every page.
   */
  private remapPfnRange(mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, cache: number): number {
    const end = addr + npages * PAGE_SIZE;
    let ctx: TrackCtx | null = null;
    if (addr === vma.vm_start && end === vma.vm_end) {
      if (vma.ctx !== null) return -EINVAL;
      ctx = new TrackCtx(pfn, npages);
      if (this.reservePfnRange(pfn, pfn + npages, cache, ctx) !== 0) return -EINVAL;
    } else {
      const pcm = this.pfnmapSetupCachemode(pfn, pfn + npages, cache);
      if (pcm < 0) return -EINVAL;
      this.pcm = pcm;
    }
    const pcm = this.pcm;
    const err = this.remapPfnRangeNotrack(mm, vma, addr, pfn, npages, pcm);
    if (ctx !== null) {
      if (err !== 0) this.putCtx(ctx);
      else {
        vma.ctx = ctx;
        vma.linkIo(this.ioVmas);
      }
    }
    this.pcm = pcm;
    return err;
  }

  /** `remap_pfn_range_notrack()`: COW rule, VMA flags, special PTEs. */
  private remapPfnRangeNotrack(mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, pcm: number): number {
    if (isCowMapping(vma.vm_flags)) {
      if (addr !== vma.vm_start || addr + npages * PAGE_SIZE !== vma.vm_end) return -EINVAL;
      vma.vm_pgoff = pfn;
    }
    vma.vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
    const pgd = mm.pgd;
    const vpn0 = addr / PAGE_SIZE;
    for (let i = 0; i < npages; i++) {
      if (pgd.get(vpn0 + i) !== 0) {
        // remap_pte_range(): BUG_ON(!pte_none(*pte)); undo what was set.
        this.msg(Kmsg.Bug, 2, 0, 0, 0);
        pgd.clearRange(vpn0, vpn0 + i);
        return -EINVAL;
      }
    }
    const flags = this.pteProtFlags(vma, pcm) | _PAGE_SPECIAL;
    for (let i = 0; i < npages; i++) pgd.set(vpn0 + i, mkPte(pfn + i, flags));
    return 0;
  }

  /** PTE flag bits for a user mapping of `vma` with cache mode `pcm`. */
  private pteProtFlags(vma: Vma, pcm: number): number {
    let f = _PAGE_PRESENT | _PAGE_USER | this.hw.pat.cachemode2protval(pcm);
    if (vma.vm_flags & VM_WRITE && vma.vm_flags & VM_SHARED) f |= _PAGE_RW;
    return f;
  }

  /**
   * `vmf_insert_pfn_prot()` / `vmf_insert_pfn()` / `vmf_insert_mixed()`:
   * the fault handler of a fault-populated driver VMA installs one page. The
   * cache mode is whatever `lookup_memtype()` says (the insert policy's
   * `insertCachemode`), not what the driver asked for.
   */
  private vmInsertPfn(mm: MmStruct, addr: number, pfn: number, cache: number, mixed: boolean): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    const vma = mm.findVma(addr);
    if (vma === null) return RET_SIGBUS;
    const f = vma.vm_flags;
    const special = f & (VM_PFNMAP | VM_MIXEDMAP);
    if (
      special === 0 ||
      special === (VM_PFNMAP | VM_MIXEDMAP) ||
      (mixed ? false : (f & VM_PFNMAP) !== 0 && isCowMapping(f)) ||
      (!mixed && (f & VM_MIXEDMAP) !== 0 && this.physmap.pfnValid(pfn))
    ) {
      this.msg(Kmsg.Bug, mixed ? 1 : 0, 0, 0, 0);
      return RET_SIGBUS;
    }
    let pcm = cache < 0 ? vma.cache : cache;
    if (this.hw.patEnabled) pcm = this.tracker.insertCachemode(vma, pfn, this.lookupFn);
    const vpn = addr / PAGE_SIZE;
    const pgd = mm.pgd;
    const old = pgd.get(vpn);
    if (old !== 0) {
      // insert_pfn(): an existing PTE is left alone.
      this.outType = this.hw.pat.pte2cachemode(pteFlags(old));
      return 0;
    }
    const flags = this.pteProtFlags(vma, pcm) | _PAGE_SPECIAL;
    pgd.set(vpn, mkPte(pfn, flags));
    this.outType = this.hw.pat.pte2cachemode(flags);
    return 0;
  }

  /** `munmap(2)`. */
  private munmap(mm: MmStruct, addr: number, len: number): number {
    if (this.badUserRange(addr, len)) return -EINVAL;
    this.unmapRange(mm, addr, addr + len);
    return 0;
  }

  /**
   * `do_vmi_munmap()`: split VMAs at `start`/`end`, zap their PTEs, free
   * them; each freed VMA drops its tracking-context reference.
   */
  private unmapRange(mm: MmStruct, start: number, end: number): void {
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
      mm.pgd.clearRange(vma.vm_start / PAGE_SIZE, vma.vm_end / PAGE_SIZE);
      mm.removeAt(i);
      this.freeVma(vma);
    }
  }

  /** `__split_vma()` at `addr`: the new upper part shares the tracking context. */
  private splitVma(mm: MmStruct, i: number, addr: number): void {
    const vma = mm.vmas[i]!;
    const upper = vma.dup();
    upper.vm_start = addr;
    upper.vm_pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
    vma.vm_end = addr;
    if (vma.ctx !== null) {
      upper.ctx = vma.ctx;
      vma.ctx.refs++;
      upper.linkIo(this.ioVmas);
    }
    mm.vmas.splice(i + 1, 0, upper);
  }

  /** `vm_area_free()`: unlink and drop the tracking context. */
  private freeVma(vma: Vma): void {
    if (vma.onIoList) vma.unlinkIo();
    const ctx = vma.ctx;
    if (ctx !== null) {
      vma.ctx = null;
      this.putCtx(ctx);
    }
  }

  /**
   * `fork(2)` → `dup_mmap()`: every VMA duplicated, tracking contexts shared
   * by reference; `VM_PFNMAP`/`VM_MIXEDMAP` page tables copied.
   */
  private fork(parent: MmStruct, child: number, pid: number): number {
    if (this.mms.has(child)) throw new OpError('mm already exists:', 'child', child);
    const mm = new MmStruct(child, parent.comm, pid, this.hw.pageTableLevels);
    this.mms.set(child, mm);
    for (const vma of parent.vmas) {
      const copy = vma.dup();
      if (vma.ctx !== null) {
        copy.ctx = vma.ctx;
        vma.ctx.refs++;
        copy.linkIo(this.ioVmas);
      }
      mm.vmas.push(copy);
      if (vma.vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) {
        const dst = mm.pgd;
        parent.pgd.forEach(vma.vm_start / PAGE_SIZE, vma.vm_end / PAGE_SIZE, (vpn, pte) => dst.set(vpn, pte));
      }
    }
    return 0;
  }

  /** Process exit: every VMA torn down, then the mm. */
  private exit(mm: MmStruct): number {
    const vmas = mm.vmas;
    while (vmas.length > 0) {
      const vma = vmas[0]!;
      mm.pgd.clearRange(vma.vm_start / PAGE_SIZE, vma.vm_end / PAGE_SIZE);
      mm.removeAt(0);
      this.freeVma(vma);
    }
    this.mms.delete(mm.id);
    return 0;
  }

  // ----------------------------------------------------------- queries

  private qPte(mm: MmStruct, addr: number): number {
    const pte = mm.pgd.get(Math.floor(addr / PAGE_SIZE));
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

  /** The reservations as `pat_memtype_list` shows them, sorted by start then end. */
  memtypeList(): { start: string; end: string; type: string }[] {
    const raw: number[] = [];
    this.tracker.memtypeList(raw);
    const rows: [number, number, number][] = [];
    for (let i = 0; i < raw.length; i += 3) rows.push([raw[i]!, raw[i + 1]!, raw[i + 2]!]);
    rows.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
    return rows.map(([s, e, t]) => ({ start: hex(s * PAGE_SIZE), end: hex(e * PAGE_SIZE), type: SHORT_NAME[t]! }));
  }

  /** The alias check over every mapping the machine holds (see alias.ts). */
  check(): { pfn: number; types: string[] }[] {
    const user: { pfn: number; pat: number }[] = [];
    for (const mm of this.mms.values()) {
      for (const vma of mm.vmas) {
        mm.pgd.forEach(vma.vm_start / PAGE_SIZE, vma.vm_end / PAGE_SIZE, (_vpn, pte) => {
          user.push({ pfn: ptePfn(pte), pat: this.hw.pat.pte2cachemode(pteFlags(pte)) });
        });
      }
    }
    const kernel = [...this.ioremaps.values()].filter((m): m is IoremapMapping => m !== null);
    return findAliases(this.hw, user, kernel, this.directMap);
  }

  /** Modeled bytes of all page tables (4 KiB per table page). */
  pageTableBytes(): number {
    let n = 0;
    for (const mm of this.mms.values()) n += mm.pgd.modeledBytes();
    return n;
  }

  /** Number of VMAs across all processes. */
  get vmaCount(): number {
    let n = 0;
    for (const mm of this.mms.values()) n += mm.vmas.length;
    return n;
  }

  /** Live processes (for tests). */
  get processCount(): number {
    return this.mms.size;
  }
}

/** Short name of an MTRR type (`UC`, `WC`, `WT`, `WP`, `WB`). */
function mtrrShortName(t: number): string {
  return ['UC', 'WC', '', '', 'WT', 'WP', 'WB'][t] || 'INVALID';
}

/** `0x`-prefixed lowercase hex of a byte address. */
export function hex(v: number): string {
  return '0x' + v.toString(16);
}
