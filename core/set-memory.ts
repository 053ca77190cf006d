/**
 * arch/x86/mm/pat/set_memory.c: `set_memory_uc/wc/wt/wb()` on RAM — a
 * memtype reservation (or its release) and the direct map's type.
 */
import { UC, UC_MINUS, WB } from './cachemode.js';
import { EINVAL } from './errno.js';
import type { Machine } from './machine.js';
import { PAGE_SIZE } from './physmap.js';

/**
 * `set_memory_uc/wc/wt()` = `memtype_reserve(.., NULL)` + retype the direct
 * map; `set_memory_wb()` = retype + `memtype_free()`. `addr` is physical RAM.
 */
export function setMemory(m: Machine, addr: number, npages: number, type: number): number {
  if (addr % PAGE_SIZE !== 0 || npages <= 0) return -EINVAL;
  const start = addr / PAGE_SIZE;
  const end = start + npages;
  for (let p = start; p < end; p++) if (!m.physmap.pageIsRam(p)) return -EINVAL;
  if (type === WB) {
    for (let p = start; p < end; p++) m.directMap.delete(p);
    m.mt.free(start, end, null);
    return 0;
  }
  const req = type === UC ? UC_MINUS : type;
  // Stryker disable next-line BooleanLiteral: equivalent — `new` = NULL as in set_memory_uc(); asking for it only fills mt.newType, which nothing here reads
  const ret = m.mt.reserve(start, end, req, false, null);
  if (ret !== 0) return ret;
  for (let p = start; p < end; p++) m.directMap.set(p, req);
  return 0;
}

