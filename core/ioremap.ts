/**
 * arch/x86/mm/ioremap.c: `__ioremap_caller()` and `iounmap()` — kernel
 * mappings of physical ranges with no VMA, each holding a memtype
 * reservation, and the PTE type they are built with (which the alias check
 * sees).
 */
import { UC, UC_MINUS, WB, WC, WT } from './cachemode.js';
import { EINVAL } from './errno.js';
import { OpError } from './errors.js';
import { Kmsg } from './kmsg.js';
import type { Machine } from './machine.js';
import { ISA_END_PFN, PAGE_SIZE } from './physmap.js';

/** A kernel ioremap mapping (no VMA). pfns, end exclusive. */
export interface IoremapMapping {
  start: number;
  end: number;
  /** The cache mode its PTEs select (`pte2cachemode()` of the bits `__ioremap_caller()` built). */
  pte: number;
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
export function ioremap(m: Machine, handle: number, addr: number, size: number, pcm: number): number {
  if (m.ioremaps.get(handle)) throw new OpError(`handle "${m.strings[handle]}" is already mapped`, 'handle');
  m.ioremaps.set(handle, null);
  const lastAddr = addr + size - 1;
  // `if (!size || last_addr < phys_addr)`: for integer sizes either test alone refuses exactly size ≤ 0.
  // Stryker disable next-line ConditionalExpression: equivalent — either side alone already refuses exactly the sizes ≤ 0
  // Stryker disable next-line LogicalOperator: equivalent — size ≤ 0 and last_addr < phys_addr hold together or not at all
  if (size <= 0 || lastAddr < addr) return -EINVAL;
  if (addr >= m.hw.maxPhysAddr) {
    m.msg(Kmsg.IoremapInvalidAddr, addr, 0, 0, 0);
    return -EINVAL;
  }
  const ramStart = Math.max(Math.ceil(addr / PAGE_SIZE), ISA_END_PFN);
  const ramEnd = Math.floor((lastAddr + 1) / PAGE_SIZE);
  if (ramStart < ramEnd && m.physmap.intersectsRam(ramStart, ramEnd)) {
    if (!m.ioremapOnRamWarned) {
      m.ioremapOnRamWarned = true;
      m.msg(Kmsg.IoremapOnRam, addr, lastAddr, 0, 0);
    }
    return -EINVAL;
  }
  const start = Math.floor(addr / PAGE_SIZE);
  const end = Math.floor(lastAddr / PAGE_SIZE) + 1;
  const mt = m.mt;
  const ret = mt.reserve(start, end, pcm, true, null);
  if (ret !== 0) {
    m.msg(Kmsg.IoremapReserveFailed, ret, 0, 0, 0);
    return ret;
  }
  const got = mt.newType;
  // Stryker disable next-line ConditionalExpression: equivalent — with got === pcm, is_new_memtype_allowed(pcm, pcm) holds and pcm = got changes nothing
  if (got !== pcm) {
    if (!mt.newMemtypeAllowed(start, end, pcm, got)) {
      m.msg(Kmsg.IoremapError, start * PAGE_SIZE, end * PAGE_SIZE, pcm, got);
      mt.free(start, end, null);
      return -EINVAL;
    }
    pcm = got;
  }
  mt.kernelMapSync(start, end, pcm);
  // The PTE's cache bits: UC-, WC, WT as tracked, none for WB; UC and
  // anything else (WP) UC — each through cachemode2protval() of the PAT layout.
  const prot = pcm === WB || pcm === WC || pcm === WT || pcm === UC_MINUS ? pcm : UC;
  m.ioremaps.set(handle, { start, end, pte: pteType(m, prot) });
  m.outType = pcm;
  return 0;
}

/** The cache mode a PTE built with `cachemode2protval(pcm)` selects on this machine's PAT layout. */
export function pteType(m: Machine, pcm: number): number {
  const pat = m.hw.pat;
  return pat.pte2cachemode(pat.cachemode2protval(pcm));
}

/** `iounmap()`: frees the reservation and the kernel mapping; NULL (a failed ioremap) is ignored. */
export function iounmap(m: Machine, handle: number): number {
  const map = m.ioremaps.get(handle);
  if (map === undefined) throw new OpError(`unknown handle "${m.strings[handle]}"`, 'handle');
  m.ioremaps.delete(handle);
  if (map !== null) m.mt.free(map.start, map.end, null);
  return 0;
}

