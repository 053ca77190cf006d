/**
 * `struct vm_area_struct` and its flags (include/linux/mm.h), as far as the
 * PAT paths need them. Byte addresses for `vm_start`/`vm_end`; `vm_pgoff`
 * in pages.
 */
import type { PfnmapTrackCtx, VmaView } from './tracker.js';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_PFNMAP = 0x400;
export const VM_IO = 0x4000;
export const VM_DONTEXPAND = 0x40000;
export const VM_DONTDUMP = 0x4000000;
export const VM_MIXEDMAP = 0x10000000;
/** VMAs that never merge (`VM_SPECIAL`). */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;

/** `is_cow_mapping()`: private and possibly writable. */
export function isCowMapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

/** The core's tracking context (`struct pfnmap_track_ctx`). */
export class TrackCtx implements PfnmapTrackCtx {
  refs = 1;
  type = -1;
  constructor(readonly pfn: number, readonly npages: number) {}
}

/**
 * The shmem file behind shared anonymous memory (`shmem_zero_setup()`,
 * mm/shmem.c): its pages by page offset, each holding one page reference
 * (the page cache's), and the number of VMAs mapping it (`vm_file`
 * references). Its pages go when the last VMA does.
 */
export class ShmemFile {
  readonly pages = new Map<number, number>();
  refs = 1;
}

export class Vma implements VmaView {
  /** I/O address-space list links (circular, through the machine's head). */
  ioNext: Vma = this;
  ioPrev: Vma = this;
  ctx: TrackCtx | null = null;
  /** `vm_file` of shared anonymous memory, else null. */
  shmem: ShmemFile | null = null;
  /**
   * Has an `anon_vma`: set by the first anonymous page (`vmf_anon_prepare()`
   * in a write fault or a COW), inherited by split and fork. Without one,
   * `fork` copies no page tables (`vma_needs_copy()`) unless `VM_PFNMAP` or
   * `VM_MIXEDMAP`.
   */
  anonVma = false;

  constructor(
    public vm_start: number,
    public vm_end: number,
    public vm_pgoff: number,
    public vm_flags: number,
    /** Cache mode of `vm_page_prot`. */
    public cache: number,
    /** `mmap` device (`Dev`), 0 for none. */
    public dev: number,
  ) {}

  /** Is this VMA on the I/O list? */
  get onIoList(): boolean {
    return this.ioNext !== this;
  }

  /** Links after `head` on a circular list. */
  linkIo(head: Vma): void {
    this.ioNext = head.ioNext;
    this.ioPrev = head;
    head.ioNext.ioPrev = this;
    head.ioNext = this;
  }

  unlinkIo(): void {
    this.ioPrev.ioNext = this.ioNext;
    this.ioNext.ioPrev = this.ioPrev;
    this.ioNext = this.ioPrev = this;
  }

  /**
   * A copy covering the same range (`vm_area_dup()`) with the same shmem file
   * (`get_file()`: one more reference) and `anon_vma`; the tracking context
   * is shared by the caller.
   */
  dup(): Vma {
    const v = new Vma(this.vm_start, this.vm_end, this.vm_pgoff, this.vm_flags, this.cache, this.dev);
    v.anonVma = this.anonVma;
    if (this.shmem !== null) {
      v.shmem = this.shmem;
      this.shmem.refs++;
    }
    return v;
  }
}
