/**
 * mm/memory.c: how user page tables get filled and emptied — the driver
 * APIs `remap_pfn_range()` (v6.16: whole-VMA remaps tracked by a
 * reference-counted `pfnmap_track_ctx`), `vmf_insert_pfn_prot()` and
 * `vmf_insert_mixed()`; the fault path `handle_mm_fault()` (the zero page,
 * anonymous pages, `do_wp_page()`'s COW, and mm/shmem.c's `shmem_fault()`
 * for shared anonymous memory); `copy_page_range()` for fork;
 * `unmap_single_vma()` for munmap and exit; and `pfnmap_track_ctx_release()`.
 *
 * Each function takes the machine `m` (its state lives there) and, for user
 * memory, the process `mm`. Addresses are bytes, pfns and vpns pages.
 * Returns are 0 or -errno; fault handlers return `RET_SIGBUS`/`RET_SIGSEGV`;
 * the installed cache mode is left in `m.outType`.
 */
import { EINVAL, ENOMEM, RET_SIGBUS, RET_SIGSEGV } from './errno.js';
import { Kmsg } from './kmsg.js';
import type { Machine } from './machine.js';
import type { MmStruct } from './mm.js';
import { _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW, _PAGE_SPECIAL, _PAGE_USER, mkPte, pteFlags, ptePfn } from './pagetable.js';
import { PAGE_SIZE } from './physmap.js';
import {
  TrackCtx,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_IO,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  type Vma,
  isCowMapping,
} from './vma.js';

/**
 * The `remap_pfn_range` op: a driver's `->mmap` remapping `size` bytes of
 * pfns from `pfn` at `addr`, inside one VMA of `mm` (else -EINVAL); on
 * success `m.outType` is the cache mode the PTEs got.
 */
export function opRemapPfnRange(m: Machine, mm: MmStruct, addr: number, pfn: number, size: number, cache: number): number {
  if (addr % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) return -EINVAL;
  const vma = mm.findVma(addr);
  if (vma === null || addr + size > vma.vm_end) return -EINVAL;
  const ret = remapPfnRange(m, mm, vma, addr, pfn, size / PAGE_SIZE, cache);
  if (ret === 0) m.outType = m.mt.pcm;
  return ret;
}

/**
 * `remap_pfn_range()` → `remap_pfn_range_track()` (v6.16): a whole-VMA
 * remap reserves through a new tracking context; a partial one only looks
 * up the existing memtype of every page. With bug `split-untrack` the
 * ≤ 6.15 `track_pfn_remap()` marks the VMA `VM_PAT` instead.
 */
export function remapPfnRange(m: Machine, mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, cache: number): number {
  const mt = m.mt;
  const end = addr + npages * PAGE_SIZE;
  let ctx: TrackCtx | null = null;
  if (addr === vma.vm_start && end === vma.vm_end) {
    if (vma.ctx !== null) return -EINVAL;
    ctx = new TrackCtx(pfn, npages);
    const legacy = m.bugs.splitUntrack;
    if (mt.reservePfnRange(pfn, pfn + npages, cache, legacy ? null : ctx) !== 0) return -EINVAL;
    if (legacy) ctx.type = -1;
  } else {
    // Bounded before the per-page lookups: the page tables could not hold it anyway.
    if (npages / 512 > m.tableBudget.limit - m.tableBudget.live) return -ENOMEM;
    const pcm = mt.setupCachemode(pfn, pfn + npages, cache);
    if (pcm < 0) return -EINVAL;
    mt.pcm = pcm;
  }
  const pcm = mt.pcm;
  const err = remapPfnRangeNotrack(m, mm, vma, addr, pfn, npages, pcm);
  if (ctx !== null) {
    if (err !== 0) {
      if (m.bugs.splitUntrack) mt.freePfnRange(pfn, pfn + npages, null);
      else pfnmapTrackCtxPut(m, ctx);
    } else {
      vma.ctx = ctx;
      vma.linkIo(m.ioVmas);
    }
  }
  mt.pcm = pcm;
  return err;
}

/** `remap_pfn_range_notrack()`: COW rule, VMA flags, special PTEs. */
function remapPfnRangeNotrack(m: Machine, mm: MmStruct, vma: Vma, addr: number, pfn: number, npages: number, pcm: number): number {
  if (isCowMapping(vma.vm_flags)) {
    if (addr !== vma.vm_start || addr + npages * PAGE_SIZE !== vma.vm_end) return -EINVAL;
    vma.vm_pgoff = pfn;
  }
  vma.vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  const flags = pteProtFlags(m, vma, pcm) | _PAGE_SPECIAL;
  const filled = mm.pgd.fillRange(addr / PAGE_SIZE, npages, mkPte(pfn, flags));
  if (filled === 'nomem') return -ENOMEM;
  if (filled === 'present') {
    // remap_pte_range(): BUG_ON(!pte_none(*pte)); nothing was set.
    m.msg(Kmsg.Bug, 0, 0, 0, 0);
    return -EINVAL;
  }
  return 0;
}

/** PTE flag bits for a user mapping of `vma` with cache mode `pcm` (`vm_get_page_prot()` + cache bits). */
function pteProtFlags(m: Machine, vma: Vma, pcm: number): number {
  const f = vma.vm_flags;
  if ((f & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return _PAGE_PROTNONE | _PAGE_USER | m.hw.pat.cachemode2protval(pcm);
  let bits = _PAGE_PRESENT | _PAGE_USER | m.hw.pat.cachemode2protval(pcm);
  if (f & VM_WRITE && f & VM_SHARED) bits |= _PAGE_RW;
  return bits;
}

/**
 * `vmf_insert_pfn_prot()` / `vmf_insert_pfn()` (`cache` -1 = `vm_page_prot`):
 * a driver's fault handler installs one page. The cache mode is whatever
 * `lookup_memtype()` says (the insert policy's `insertCachemode`), not
 * what the driver asked for.
 */
export function vmfInsertPfnProt(m: Machine, mm: MmStruct, addr: number, pfn: number, cache: number): number {
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  const vma = mm.findVma(addr);
  if (vma === null) return RET_SIGBUS;
  const f = vma.vm_flags;
  const special = f & (VM_PFNMAP | VM_MIXEDMAP);
  if (
    special === 0 ||
    special === (VM_PFNMAP | VM_MIXEDMAP) ||
    ((f & VM_PFNMAP) !== 0 && isCowMapping(f)) ||
    ((f & VM_MIXEDMAP) !== 0 && m.physmap.pfnValid(pfn))
  ) {
    m.msg(Kmsg.Bug, 0, 0, 0, 0);
    return RET_SIGBUS;
  }
  let pcm = cache < 0 ? vma.cache : cache;
  if (m.bugs.linearPgoff && (f & VM_PFNMAP) !== 0 && vma.vm_pgoff !== 0) {
    // 2.6.29 track_pfn_vma_new(): "linear" → reserve the whole VMA at vm_pgoff, on every insert.
    const s = vma.vm_pgoff;
    if (m.mt.reservePfnRange(s, s + (vma.vm_end - vma.vm_start) / PAGE_SIZE, pcm, null) !== 0) return RET_SIGBUS;
    pcm = m.mt.pcm;
  } else if (m.hw.patEnabled && !(m.bugs.pfnmapNoRam && m.physmap.pageIsRam(pfn))) {
    pcm = m.tracker.insertCachemode(vma, pfn, m.lookupFn);
  }
  return insertPfn(m, mm, addr, pfn, pteProtFlags(m, vma, pcm) | _PAGE_SPECIAL);
}

/**
 * `vmf_insert_mixed()`: `VM_MIXEDMAP` only (`vm_mixed_ok()`), cache mode
 * from `pfnmap_setup_cachemode_pfn()` (since 4.9; bug `mixed-no-check`:
 * `vm_page_prot` as is). x86 has `pte_special`, so even struct-page RAM
 * goes in through `insert_pfn()` as a special PTE.
 */
export function vmfInsertMixed(m: Machine, mm: MmStruct, addr: number, pfn: number): number {
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  const vma = mm.findVma(addr);
  if (vma === null || (vma.vm_flags & VM_MIXEDMAP) === 0) return RET_SIGBUS;
  let pcm = vma.cache;
  if (m.hw.patEnabled && !m.bugs.mixedNoCheck) pcm = m.tracker.insertCachemode(vma, pfn, m.lookupFn);
  return insertPfn(m, mm, addr, pfn, pteProtFlags(m, vma, pcm) | _PAGE_SPECIAL);
}

/** `insert_pfn()`: an existing PTE is left alone. */
function insertPfn(m: Machine, mm: MmStruct, addr: number, pfn: number, flags: number): number {
  const vpn = addr / PAGE_SIZE;
  const pgd = mm.pgd;
  const old = pgd.get(vpn);
  if (old !== 0) {
    m.outType = m.hw.pat.pte2cachemode(pteFlags(old));
    return 0;
  }
  if (!pgd.set(vpn, mkPte(pfn, flags))) return -ENOMEM;
  m.outType = m.hw.pat.pte2cachemode(flags);
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
export function handleMmFault(m: Machine, mm: MmStruct, addr: number, write: boolean): number {
  const vma = mm.findVma(addr);
  if (vma === null) return RET_SIGSEGV;
  const f = vma.vm_flags;
  if (write ? (f & VM_WRITE) === 0 : (f & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return RET_SIGSEGV;
  const vpn = Math.floor(addr / PAGE_SIZE);
  const pgd = mm.pgd;
  const pte = pgd.get(vpn);
  const prot = m.hw.pat.cachemode2protval(vma.cache);
  m.outType = m.hw.pat.pte2cachemode(prot);
  if (pte === 0) {
    // A fault-populated driver VMA whose handler did not insert: SIGBUS.
    if (f & (VM_PFNMAP | VM_MIXEDMAP)) return RET_SIGBUS;
    if (vma.shmem !== null) return shmemFault(m, mm, vma, vpn);
    if (!write && m.alloc.zeroPfn >= 0) {
      return pgd.set(vpn, mkPte(m.alloc.zeroPfn, _PAGE_PRESENT | _PAGE_USER | _PAGE_SPECIAL | prot)) ? 0 : -ENOMEM;
    }
    const page = m.alloc.alloc();
    if (page < 0) return -ENOMEM;
    if (!pgd.set(vpn, mkPte(page, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | prot))) {
      m.alloc.put(page);
      return -ENOMEM;
    }
    vma.anonVma = true;
    return 0;
  }
  const flags = pteFlags(pte);
  m.outType = m.hw.pat.pte2cachemode(flags);
  if (!write || flags & _PAGE_RW) return 0;
  const pfn = ptePfn(pte);
  if (f & VM_SHARED) {
    pgd.set(vpn, mkPte(pfn, flags | _PAGE_RW));
    return 0;
  }
  // do_wp_page(): vm_normal_page() is NULL for special PTEs.
  const page = flags & _PAGE_SPECIAL ? -1 : pfn;
  if (page >= 0 && m.alloc.refCount(page) === 1) {
    pgd.set(vpn, mkPte(page, flags | _PAGE_RW));
    return 0;
  }
  const copy = m.alloc.alloc();
  if (copy < 0) return -ENOMEM;
  pgd.set(vpn, mkPte(copy, _PAGE_PRESENT | _PAGE_USER | _PAGE_RW | prot));
  if (page >= 0) m.alloc.put(page);
  vma.anonVma = true;
  m.outType = m.hw.pat.pte2cachemode(prot);
  return 0;
}

/** `shmem_fault()` + `finish_fault()`: map the shmem file's page at this offset (a new zeroed page on first touch). */
function shmemFault(m: Machine, mm: MmStruct, vma: Vma, vpn: number): number {
  const file = vma.shmem!;
  const index = vma.vm_pgoff + (vpn - vma.vm_start / PAGE_SIZE);
  let page = file.pages.get(index);
  if (page === undefined) {
    page = m.alloc.alloc();
    if (page < 0) return -ENOMEM;
    file.pages.set(index, page);
  }
  if (!mm.pgd.set(vpn, mkPte(page, pteProtFlags(m, vma, vma.cache)))) return -ENOMEM;
  m.alloc.get(page);
  return 0;
}

/** `copy_page_range()` of one VMA: anonymous pages shared copy-on-write. False when out of table pages. */
export function copyPageRange(m: Machine, src: MmStruct, dst: MmStruct, vma: Vma): boolean {
  const cow = isCowMapping(vma.vm_flags);
  const alloc = m.alloc;
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
    m.walkLevels || undefined,
  );
  for (let k = 0; k < wp.length; k += 2) spgd.set(wp[k]!, wp[k + 1]!);
  return ok;
}

/** `unmap_single_vma()`: untrack (≤ 6.15 `untrack_pfn()`, bug `split-untrack`), then zap the PTEs. */
export function unmapSingleVma(m: Machine, mm: MmStruct, vma: Vma): void {
  if (m.bugs.splitUntrack && vma.ctx !== null) untrackPfn(m, mm, vma);
  const alloc = m.alloc;
  mm.pgd.clearRange(
    vma.vm_start / PAGE_SIZE,
    vma.vm_end / PAGE_SIZE,
    (_vpn, pte) => {
      if ((pteFlags(pte) & _PAGE_SPECIAL) === 0) alloc.put(ptePfn(pte));
    },
    m.walkLevels || undefined,
  );
}

/**
 * ≤ 6.15 `untrack_pfn()` of one VMA piece: the range starts at the first
 * PTE's pfn (or `vm_pgoff` for a COW mapping) and is as long as the piece;
 * freed with exact or END_MATCH semantics.
 */
function untrackPfn(m: Machine, mm: MmStruct, vma: Vma): void {
  const first = mm.pgd.get(vma.vm_start / PAGE_SIZE);
  let pfn: number;
  if (first !== 0 && pteFlags(first) & _PAGE_SPECIAL) pfn = ptePfn(first);
  else if (isCowMapping(vma.vm_flags)) pfn = vma.vm_pgoff;
  else return;
  m.mt.freePfnRange(pfn, pfn + (vma.vm_end - vma.vm_start) / PAGE_SIZE, null, true);
}

/** `kref_put(&ctx->kref, pfnmap_track_ctx_release)` → `pfnmap_untrack()`. */
export function pfnmapTrackCtxPut(m: Machine, ctx: TrackCtx): void {
  if (--ctx.refs === 0) m.mt.freePfnRange(ctx.pfn, ctx.pfn + ctx.npages, ctx);
}

