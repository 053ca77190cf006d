/**
 * The emulated kernel: one machine's state and the op dispatcher. Each op
 * runs in the file that models its Linux source, over the hardware, calling
 * memtype.c's semantics (core/memtype.ts) — and through them the tracker —
 * where Linux does:
 *
 * - core/memory.ts — mm/memory.c: `remap_pfn_range()`, `vmf_insert_pfn[_prot]()`,
 *   `vmf_insert_mixed()`, faults and COW, `copy_page_range()`, zap;
 * - core/mmap.ts — mm/mmap.c, mm/vma.c: `mmap`, `munmap`, VMA split, merge
 *   and free, exit;
 * - core/mprotect.ts — mm/mprotect.c;
 * - core/fork.ts — `dup_mmap()`;
 * - core/ioremap.ts — arch/x86/mm/ioremap.c: `ioremap*()`, `iounmap()`;
 * - core/set-memory.ts — arch/x86/mm/pat/set_memory.c: `set_memory_*()`;
 * - core/query.ts — the query ops (`pte`, `memtype_list`, `check`, ...).
 *
 * Units: the op stream carries bytes; the machine works in pfns and vpns.
 * Every op returns 0 or a negative errno (fault handlers: `RET_SIGBUS`,
 * `RET_SIGSEGV`); its granted/installed cache type is left in `outType`
 * (-1 when the op has none), a query's result in `query`.
 */
import { Bugs, NO_BUGS } from './bugs.js';
import { OpError } from './errors.js';
import { fork } from './fork.js';
import type { Hardware } from './hardware.js';
import { ioremap, iounmap, type IoremapMapping } from './ioremap.js';
import { Memtype, type KernelLog } from './memtype.js';
import { handleMmFault, opRemapPfnRange, vmfInsertMixed, vmfInsertPfnProt } from './memory.js';
import { MmStruct } from './mm.js';
import { mtrrShortName } from './mtrr.js';
import { exitMmap, mmap, munmap } from './mmap.js';
import { mprotect } from './mprotect.js';
import { F_A, F_B, F_C, F_D, F_E, F_F, F_MM, Op, STRIDE, type OpStream } from './ops.js';
import type { OutcomeSink, QueryResult } from './outcome.js';
import { PageAllocator } from './pagealloc.js';
import { PageFlags } from './pageflags.js';
import { TableBudget, TablePool } from './pagetable.js';
import { MAX_PHYS_ADDR, PAGE_SIZE } from './physmap.js';
import { aliasMappings, checkAliases, memtypeList, qPte, ramRanges, type AliasMappings } from './query.js';
import { checkConsistency } from './consistency.js';
import { setMemory } from './set-memory.js';
import type { MachineView, MemtypeTracker } from './tracker.js';
import { Vma } from './vma.js';

export { OpError } from './errors.js';

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

/**
 * One emulated machine. Its fields are the kernel's state, read and changed
 * by the mm files above (they are not part of the package's API). They fall
 * in two groups: the kernel's (one per machine: physical memory and its
 * types, the I/O address space, kernel mappings, the tracker — on an SMP
 * machine every CPU would share them) and the running context's (the op
 * being run, the processes it runs, memtype.c's out-values, scratch).
 */
export class Machine implements MachineView, KernelLog {
  // ------------------------------------------------------ the kernel's state
  readonly physmap;
  readonly pageFlags = new PageFlags();
  /** Head of the I/O address-space VMA list (not a VMA itself). */
  readonly ioVmas = new Vma(0, 0, 0, 0, 0, 0);
  /** Kernel direct-map cache types that differ from WB, per RAM pfn. */
  readonly directMap = new Map<number, number>();
  readonly bugs: Bugs;
  /** Physical pages (anonymous, shmem, COW copies) and their references. */
  readonly alloc: PageAllocator;
  /** ioremap handles: their mapping, or null where ioremap returned NULL. */
  readonly ioremaps = new Map<number, IoremapMapping | null>();
  /** Where page-table pages come from (the thread's shared pool by default). */
  readonly tablePool: TablePool;
  readonly tableBudget: TableBudget;
  /** `WARN_ONCE()` of `__ioremap_caller()` on RAM already printed. */
  ioremapOnRamWarned = false;
  /** Levels the page-table walker assumes (bug `walker-fixed-levels`), or 0 for the real count. */
  readonly walkLevels: number;

  // -------------------------------------------------- the running context
  /** Result object of the last query op (null for other ops). */
  query: QueryResult = null;
  /** Cache type of the last op's outcome, -1 when none. */
  outType = -1;
  /** `current->comm` / `current->pid` of the op being run. */
  comm = 'kernel';
  pid = 0;
  /** The processes, by trace mm id. */
  readonly mms = new Map<number, MmStruct>();
  /** memtype.c's entry points, with their out-values (`newType`, `pcm`). */
  readonly mt: Memtype;
  readonly lookupFn = (pfn: number): number => this.mt.lookup(pfn);
  /** VMAs a `MAP_FIXED` mmap took out of the range, freed after the new `->mmap` (scratch, reused). */
  readonly detached: Vma[] = [];
  /** The trace's interned strings (comm names, ioremap handles). */
  strings: readonly string[] = [];
  private sink: OutcomeSink = NO_SINK;

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
        return vmfInsertPfnProt(this, mm ?? this.mm(mmId), a, b, c);
      case Op.VmInsertPfn:
        return vmfInsertPfnProt(this, mm ?? this.mm(mmId), a, b, -1);
      case Op.VmInsertMixed:
        return vmfInsertMixed(this, mm ?? this.mm(mmId), a, b);
      case Op.Fault:
        return handleMmFault(this, mm ?? this.mm(mmId), a, b !== 0);
      case Op.MemtypeReserve:
        return this.opMemtypeReserve(a, b, c, d !== 0);
      case Op.MemtypeFree:
        // memtype_free(): sanitize_phys() of both ends (an end of 2^52 wraps to 0).
        return this.mt.free(sanitizePhys(a) / PAGE_SIZE, sanitizePhys(b) / PAGE_SIZE, null);
      case Op.LookupMemtype:
        this.outType = this.mt.lookup(Math.floor(a / PAGE_SIZE));
        return 0;
      case Op.Ioremap:
        return ioremap(this, a, b, c, d);
      case Op.Iounmap:
        return iounmap(this, a);
      case Op.SetMemory:
        return setMemory(this, a, b, c);
      case Op.Spawn:
        return this.spawn(mmId, this.strings[a]!, b);
      case Op.Mmap:
        return mmap(this, mm ?? this.mm(mmId), a, b, c, d, ops[o + F_E]!, ops[o + F_F]!);
      case Op.RemapPfnRange:
        return opRemapPfnRange(this, mm ?? this.mm(mmId), a, b, c, d);
      case Op.Mprotect:
        return mprotect(this, mm ?? this.mm(mmId), a, b, c);
      case Op.Munmap:
        return munmap(this, mm ?? this.mm(mmId), a, b);
      case Op.Fork:
        return fork(this, mm ?? this.mm(mmId), a, b);
      case Op.Exit:
        return this.exit(mm ?? this.mm(mmId));
      case Op.QPte:
        return qPte(this, mm ?? this.mm(mmId), a);
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
        this.query = ramRanges(this);
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

  /** The process with trace id `id`. @throws OpError when there is none */
  mm(id: number): MmStruct {
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

  // ----------------------------------------------------- process ops

  private spawn(id: number, comm: string, pid: number): number {
    if (this.mms.has(id)) throw new OpError('mm already exists:', 'mm', id);
    this.mms.set(id, new MmStruct(id, comm, pid, this.hw.pageTableLevels, this.hw.dynamicLevels, this.tablePool, this.tableBudget));
    return 0;
  }

  /** Process exit (`do_exit()` → `exit_mmap()`): the address space torn down, the process gone. */
  private exit(mm: MmStruct): number {
    exitMmap(this, mm);
    this.mms.delete(mm.id);
    return 0;
  }

  // ----------------------------------------------------------- queries

  /** The reservations as `pat_memtype_list` shows them (core/query.ts `memtypeList`). */
  memtypeList(): { start: string; end: string; type: string }[] {
    return memtypeList(this);
  }

  /** The alias check (core/query.ts `checkAliases`): every page mapped with two effective types. */
  check(): { pfn: number; types: string[] }[] {
    return checkAliases(this);
  }

  /**
   * What the alias check reads (core/query.ts `aliasMappings`): present user
   * PTEs as (pfn, PAT type), kernel ioremaps as pfn ranges `[start, end)`
   * with their PTE's type, the direct map's non-WB PTE types. An SMP machine
   * checks the union of its CPUs' mappings.
   */
  aliasMappings(): AliasMappings {
    return aliasMappings(this);
  }

  /**
   * Structural consistency (core/consistency.ts `checkConsistency`): VMAs,
   * PTEs, tracking-context krefs, the I/O list, page references. Read by the
   * SMP cells' end-of-run checks (every kref accounted for after teardown).
   * @returns problems found (empty when consistent)
   */
  checkConsistency(): string[] {
    return checkConsistency(this);
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

/**
 * `sanitize_phys()` (arch/x86/mm/pat/memtype.c, x86-64): a byte address
 * masked to `__PHYSICAL_MASK` (52 bits). Trace addresses lie in
 * `[-1, 2^52]`, so only the two ends wrap: 2^52 → 0 and -1 (an `end - 1`
 * of 0) → 2^52 - 1.
 */
function sanitizePhys(addr: number): number {
  return addr === MAX_PHYS_ADDR ? 0 : addr < 0 ? MAX_PHYS_ADDR + addr : addr;
}
