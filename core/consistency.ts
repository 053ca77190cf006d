/**
 * A structural consistency check of the machine (Linux's `validate_mm()`
 * under CONFIG_DEBUG_VM_MAPLE_TREE plays this part): read by tests and by
 * the SMP cells' end-of-run checks (bench/measure/smp-check.ts).
 */
import type { Machine } from './machine.js';
import { _PAGE_SPECIAL, pteFlags, ptePfn } from './pagetable.js';
import { PAGE_SIZE } from './physmap.js';
import { hex } from './query.js';
import type { ShmemFile, TrackCtx } from './vma.js';

/**
 * Structural consistency: VMAs sorted, aligned and disjoint;
 * every PTE inside a VMA of its process; tracking-context references equal
 * the VMAs holding them; the I/O list holds exactly the VMAs with a
 * context; shmem file references equal the VMAs mapping the file; page
 * references equal the PTEs mapping the page plus one per shmem file
 * holding it.
 * @returns problems found (empty when consistent)
 */
export function checkConsistency(m: Machine): string[] {
  const problems: string[] = [];
  const ctxRefs = new Map<TrackCtx, number>();
  const pageRefs = new Map<number, number>();
  const fileRefs = new Map<ShmemFile, number>();
  let withCtx = 0;
  for (const mm of m.mms.values()) {
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
  for (let v = m.ioVmas.ioNext; v !== m.ioVmas; v = v.ioNext) listed++;
  if (listed !== withCtx) problems.push(`I/O list holds ${listed} VMAs, ${withCtx} have a context`);
  if (!m.bugs.splitUntrack) {
    for (const [ctx, n] of ctxRefs) if (ctx.refs !== n) problems.push(`context at pfn ${ctx.pfn}: kref ${ctx.refs}, held by ${n} VMAs`);
  }
  for (const [file, n] of fileRefs) {
    if (file.refs !== n) problems.push(`shmem file: ${file.refs} references, mapped by ${n} VMAs`);
    for (const pfn of file.pages.values()) pageRefs.set(pfn, (pageRefs.get(pfn) ?? 0) + 1);
  }
  for (const [pfn, n] of pageRefs) {
    if (m.alloc.refCount(pfn) !== n) problems.push(`page ${pfn}: ${m.alloc.refCount(pfn)} references, ${n} PTEs and files`);
  }
  return problems;
}

