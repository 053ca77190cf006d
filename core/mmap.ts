/**
 * mm/mmap.c and mm/vma.c: the address space of a process — `mmap(2)` at a
 * fixed address as `__mmap_region()` does it (with the device `->mmap`
 * handlers it calls: /dev/mem's `mmap_mem()`, PCI `resource[_wc]`, the
 * fault-populated driver VMAs, anonymous and shmem memory), `munmap(2)`
 * (`do_vmi_munmap()`), VMA split (`__split_vma()`), merge (`vma_merge()`),
 * freeing (`vm_area_free()`, which drops the tracking context) and
 * `exit_mmap()`.
 *
 * Functions take the machine `m` and the process `mm`; addresses are bytes.
 */
import { UC_MINUS, WB, WC } from './cachemode.js';
import { EAGAIN, EINVAL, ENOMEM, EPERM } from './errno.js';
import type { Machine } from './machine.js';
import { MmStruct } from './mm.js';
import { pfnmapTrackCtxPut, remapPfnRange, unmapSingleVma } from './memory.js';
import { Dev, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE, mmapCache, mmapExtra, mmapODsync, mmapProt } from './ops.js';
import { ISA_END_PFN, PAGE_SIZE } from './physmap.js';
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
} from './vma.js';

/**
 * `munmap(2)` (`do_vmi_munmap()`): the start must be page-aligned and the
 * range inside the user address space (-EINVAL); the length is rounded up
 * to a page (`PAGE_ALIGN()`), and a zero length is -EINVAL. Unmapping
 * where nothing is mapped succeeds.
 */
export function munmap(m: Machine, mm: MmStruct, addr: number, len: number): number {
  if (addr % PAGE_SIZE !== 0 || (addr + len) / PAGE_SIZE > mm.pgd.limitVpn) return -EINVAL;
  const end = addr + pageAlign(len);
  if (end === addr) return -EINVAL;
  return doVmiMunmap(m, mm, addr, end);
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
 *
 * The checks before it, in Linux's order: an unaligned file offset is
 * -EINVAL (x86 `sys_mmap()`), so is a zero length (`do_mmap()`); the
 * length is rounded up to a page; a range beyond the user address space is
 * -ENOMEM and an unaligned address -EINVAL (`__get_unmapped_area()`).
 */
export function mmap(m: Machine, mm: MmStruct, addr: number, len: number, c: number, flags: number, dev: number, offset: number): number {
  if (offset % PAGE_SIZE !== 0 || len === 0) return -EINVAL;
  len = pageAlign(len);
  if ((addr + len) / PAGE_SIZE > mm.pgd.limitVpn) return -ENOMEM;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  const extra = mmapExtra(c);
  let vmFlags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | calcVmProtBits(mmapProt(c));
  if (flags === MAP_SHARED) vmFlags |= VM_SHARED | VM_MAYSHARE;
  const old = m.detached;
  vmsGatherMunmapVmas(m, mm, addr, addr + len, old);
  const cacheArg = mmapCache(extra);
  const vma = new Vma(addr, addr + len, offset / PAGE_SIZE, vmFlags, WB, dev);
  mm.insertVma(vma);
  let ret = 0;
  switch (dev) {
    case Dev.Mem:
      ret = mmapMemAllowed(m, offset, len);
      if (ret !== 0) break;
      vma.cache = mmapODsync(extra) ? UC_MINUS : WB;
      if (remapPfnRange(m, mm, vma, addr, vma.vm_pgoff, len / PAGE_SIZE, vma.cache) !== 0) ret = -EAGAIN;
      break;
    case Dev.Resource:
    case Dev.ResourceWc:
      vma.cache = dev === Dev.ResourceWc ? WC : UC_MINUS;
      ret = remapPfnRange(m, mm, vma, addr, vma.vm_pgoff, len / PAGE_SIZE, vma.cache);
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
      vmaMerge(mm, mm.vmas.indexOf(vma));
      break;
  }
  if (ret !== 0) doVmiMunmap(m, mm, addr, addr + len);
  for (const v of old) vmAreaFree(m, v);
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
function mmapMemAllowed(m: Machine, offset: number, len: number): number {
  if (offset + len > m.hw.maxPhysAddr) return -EINVAL;
  const strict = m.hw.strictDevmem;
  if (!strict && !m.hw.patEnabled) return 0;
  const from = Math.max(offset, ISA_END_PFN * PAGE_SIZE);
  if (from < offset + len && m.physmap.bytesIntersectRam(from, offset + len)) return strict ? -EPERM : -EINVAL;
  return 0;
}

/** `PAGE_ALIGN()`: bytes rounded up to a whole page. */
export function pageAlign(len: number): number {
  return Math.ceil(len / PAGE_SIZE) * PAGE_SIZE;
}

/** `vma_merge()` for non-special VMAs: joins `vmas[i]` with compatible neighbours; returns its new index. */
export function vmaMerge(mm: MmStruct, i: number): number {
  const vmas = mm.vmas;
  const can = (a: Vma, b: Vma): boolean =>
    a.vm_end === b.vm_start &&
    (a.vm_flags & VM_SPECIAL) === 0 &&
    a.vm_flags === b.vm_flags &&
    // Stryker disable next-line ConditionalExpression: equivalent — every VMA that is not VM_SPECIAL here is anonymous (the device mappings are all VM_PFNMAP or VM_MIXEDMAP)
    a.dev === b.dev &&
    // Stryker disable next-line ConditionalExpression: equivalent — anonymous VMAs, the only ones that get here, are all WB
    a.cache === b.cache &&
    a.shmem === b.shmem &&
    // Stryker disable next-line ConditionalExpression: equivalent — only a remap_pfn_range'd VM_PFNMAP VMA (special) has a tracking context
    a.ctx === null &&
    // Stryker disable next-line ConditionalExpression: equivalent — only a remap_pfn_range'd VM_PFNMAP VMA (special) has a tracking context
    b.ctx === null &&
    // Stryker disable next-line ConditionalExpression: equivalent — adjacent anonymous VMAs of one file (or none) have contiguous offsets: private vm_pgoff is addr >> PAGE_SHIFT, shmem pieces keep theirs
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
function doVmiMunmap(m: Machine, mm: MmStruct, start: number, end: number): number {
  vmsGatherMunmapVmas(m, mm, start, end, null);
  return 0;
}

/**
 * `vms_gather_munmap_vmas()` + `vms_clear_ptes()`: split the VMAs at
 * `start`/`end` (bytes), take the ones inside out of `mm` and zap their
 * page tables; then free them (`vm_area_free()`), or, given `keep`, leave
 * them there to be freed later.
 */
function vmsGatherMunmapVmas(m: Machine, mm: MmStruct, start: number, end: number, keep: Vma[] | null): void {
  let i = mm.firstIndexEndingAfter(start);
  const vmas = mm.vmas;
  if (i >= vmas.length || vmas[i]!.vm_start >= end) return;
  if (vmas[i]!.vm_start < start) {
    splitVma(m, mm, i, start);
    i++;
  }
  while (i < vmas.length && vmas[i]!.vm_start < end) {
    if (vmas[i]!.vm_end > end) splitVma(m, mm, i, end);
    const vma = vmas[i]!;
    unmapSingleVma(m, mm, vma);
    mm.removeAt(i);
    if (keep !== null) keep.push(vma);
    else vmAreaFree(m, vma);
  }
}

/** `unmap_single_vma()` + `remove_vma()`: untrack (≤ 6.15), zap the PTEs, free the VMA. */
function removeVma(m: Machine, mm: MmStruct, vma: Vma): void {
  unmapSingleVma(m, mm, vma);
  vmAreaFree(m, vma);
}

/** `__split_vma()` at `addr`: the new upper part shares the tracking context. */
export function splitVma(m: Machine, mm: MmStruct, i: number, addr: number): void {
  const vma = mm.vmas[i]!;
  const upper = vma.dup();
  upper.vm_start = addr;
  upper.vm_pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
  vma.vm_end = addr;
  if (vma.ctx !== null) vmaPfnmapTrackCtxDup(m, vma, upper);
  mm.vmas.splice(i + 1, 0, upper);
}

/** `vma_pfnmap_track_ctx_dup()`: `to` shares `from`'s context (≤ 6.15: both `VM_PAT`). */
export function vmaPfnmapTrackCtxDup(m: Machine, from: Vma, to: Vma): void {
  const ctx = from.ctx!;
  if (m.bugs.splitUntrack) {
    to.ctx = new TrackCtx(ctx.pfn, ctx.npages);
  } else {
    to.ctx = ctx;
    ctx.refs++;
  }
  to.linkIo(m.ioVmas);
}

/** `vm_area_free()`: unlink, drop the tracking context and the shmem file (its pages go with the last reference). */
export function vmAreaFree(m: Machine, vma: Vma): void {
  if (vma.onIoList) vma.unlinkIo();
  const file = vma.shmem;
  if (file !== null) {
    vma.shmem = null;
    if (--file.refs === 0) for (const page of file.pages.values()) m.alloc.put(page);
  }
  const ctx = vma.ctx;
  if (ctx !== null) {
    vma.ctx = null;
    if (!m.bugs.splitUntrack) pfnmapTrackCtxPut(m, ctx);
  }
}

/** `exit_mmap()`: every VMA torn down (untracked, zapped, freed), then the page tables. */
export function exitMmap(m: Machine, mm: MmStruct): void {
  for (const vma of mm.vmas) removeVma(m, mm, vma);
  mm.clearVmas();
  mm.pgd.release();
}

/** `calc_vm_prot_bits()`: VM_READ/WRITE/EXEC for PROT_* bits. */
export function calcVmProtBits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}
