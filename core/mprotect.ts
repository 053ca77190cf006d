/**
 * mm/mprotect.c: `mprotect(2)` — `mprotect_fixup()` splits the VMAs at the
 * range's ends, `change_protection()` rewrites their PTEs' access bits, and
 * non-special neighbours merge again. Addresses are bytes.
 */
import { EINVAL, ENOMEM } from './errno.js';
import type { Machine } from './machine.js';
import type { MmStruct } from './mm.js';
import { calcVmProtBits, pageAlign, splitVma, vmaMerge } from './mmap.js';
import { _PAGE_PRESENT, _PAGE_PROTNONE, _PAGE_RW, mkPte, pteFlags, ptePfn } from './pagetable.js';
import { PAGE_SIZE } from './physmap.js';
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE, type Vma } from './vma.js';

/**
 * `mprotect(2)`: split VMAs at the range's ends, change their flags and
 * PTE protections, merge non-special neighbours; `VM_SPECIAL` VMAs never
 * merge. As `do_mprotect_pkey()`: an unaligned start is -EINVAL, a zero
 * length succeeds at once, the length is rounded up to a page; no VMA at the
 * start is -ENOMEM, and a hole in the range fails with -ENOMEM after the
 * VMAs before it were changed. After each VMA the walk goes on from the end
 * of the VMA it became (merged with its neighbours, `vma_iter_end()`).
 */
export function mprotect(m: Machine, mm: MmStruct, addr: number, len: number, prot: number): number {
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  const end = addr + pageAlign(len);
  const vmas = mm.vmas;
  let i = mm.firstIndexEndingAfter(addr);
  // Stryker disable next-line ConditionalExpression: equivalent — the loop's first pass (cur = addr, same i) makes the same check before any change
  if (i >= vmas.length || vmas[i]!.vm_start > addr) return -ENOMEM;
  const newBits = calcVmProtBits(prot);
  let cur = addr;
  while (cur < end) {
    if (i >= vmas.length || vmas[i]!.vm_start > cur) return -ENOMEM;
    if (vmas[i]!.vm_start < addr) {
      splitVma(m, mm, i, addr);
      i++;
    }
    if (vmas[i]!.vm_end > end) splitVma(m, mm, i, end);
    const vma = vmas[i]!;
    vma.vm_flags = (vma.vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | newBits;
    changeProtection(m, mm, vma);
    // `tmp = vma_iter_end(&vmi)`: the walk goes on from the end of the VMA
    // mprotect_fixup() left, which a merge with the next VMA may have grown.
    i = vmaMerge(mm, i);
    cur = vmas[i]!.vm_end;
    i++;
  }
  return 0;
}

/** `change_protection()`: rewrite the access bits of every PTE of `vma`. */
function changeProtection(m: Machine, mm: MmStruct, vma: Vma): void {
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
    m.walkLevels || undefined,
  );
  for (let k = 0; k < updates.length; k += 2) pgd.set(updates[k]!, updates[k + 1]!);
}

