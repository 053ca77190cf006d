/**
 * Faults, COW, vm_insert_mixed and mprotect (linux-pat.md §4.1, §4.2):
 * behaviour through the replay path, plus structural consistency of the
 * machine behind it.
 */
import { describe, expect, it } from 'vitest';
import { e820ToResources } from '../../core/e820.js';
import { parseIomem } from '../../core/iomem.js';
import { PhysMap } from '../../core/physmap.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

const M = SMALL_MACHINE;
const A = 0x7f0000000000;
const hx = (n: number): string => '0x' + n.toString(16);
const spawn = { op: 'spawn', mm: 1, comm: 'dmidecode', pid: 500 };

describe('anonymous memory (do_anonymous_page, do_wp_page)', () => {
  it('a read fault maps the special zero page; a write gets a private WB page', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A + 8) },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
    ]);
    expect(at(r, 5)).toMatchObject({ present: true, special: true, type: 'WB' });
    expect(at(r, 7)).toMatchObject({ present: true, special: false, type: 'WB' });
    expect(at(r, 7).pfn).not.toBe(at(r, 5).pfn);
  });

  it('fork shares anonymous pages copy-on-write; the writer gets a copy', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'fork', mm: 1, child: 2, pid: 501 },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'fault', mm: 2, addr: hx(A), write: true },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'pte', mm: 1, addr: hx(A) },
    ]);
    expect(at(r, 6).pfn).toBe(at(r, 9).pfn);
    expect(at(r, 8).pfn).not.toBe(at(r, 9).pfn);
  });

  it('no VMA or no permission is SIGSEGV; an unpopulated pfnmap page is SIGBUS', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'fault', mm: 1, addr: hx(A) },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'r', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x1000', prot: 'rw', dev: 'pfnmap' },
      { op: 'fault', mm: 1, addr: hx(A + 0x10000) },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: -14, fault: 'SIGSEGV' });
    expect(at(r, 5)).toMatchObject({ ret: -14, fault: 'SIGSEGV' });
    expect(at(r, 7)).toMatchObject({ ret: -14, fault: 'SIGBUS' });
  });
});

describe('MAP_PRIVATE pfnmaps (vm_normal_page, COW)', () => {
  it('a write to a private /dev/mem page copies it into an anonymous page', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'mem', offset: '0xc0000000' },
      { op: 'pte', mm: 1, addr: hx(A + 0x1000) },
      { op: 'fault', mm: 1, addr: hx(A + 0x1000), write: true },
      { op: 'pte', mm: 1, addr: hx(A + 0x1000) },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'fork', mm: 1, child: 2, pid: 501 },
      { op: 'pte', mm: 2, addr: hx(A + 0x1000) },
      { op: 'memtype_list' },
      { op: 'check' },
    ]);
    expect(at(r, 4)).toMatchObject({ present: true, special: true, pfn: 0xc0001, type: 'WB' });
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 6)).toMatchObject({ present: true, special: false, type: 'WB' });
    expect(at(r, 6).pfn).not.toBe(0xc0001);
    expect(at(r, 7)).toMatchObject({ special: true, pfn: 0xc0000 });
    expect(at(r, 9).pfn).toBe(at(r, 6).pfn);
    expect(at(r, 10).entries).toEqual([{ start: '0xc0000000', end: '0xc0002000', type: 'WB' }]);
    expect(at(r, 11).aliases).toEqual([]);
  });

  it('a partial remap of a COW mapping fails: it must cover the whole VMA', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'pfnmap' },
      { op: 'remap_pfn_range', mm: 1, addr: hx(A), pfn: '0xc0000', size: '0x1000', cache: 'UC-' },
      { op: 'remap_pfn_range', mm: 1, addr: hx(A), pfn: '0xc0000', size: '0x2000', cache: 'UC-' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -22 });
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'UC-' });
  });

  it('vmf_insert_pfn_prot: BUG_ON(VM_PFNMAP && is_cow_mapping()): vm_insert_pfn into a COW pfnmap is a kernel BUG, printed as BUG() prints it without the build\'s line', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'pfnmap' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: '0xc0000' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -14, fault: 'SIGBUS', messages: ['kernel BUG at mm/memory.c!'] });
  });
});

describe('remap_pte_range()', () => {
  it('remap_pte_range: BUG_ON(!pte_none()) when a remap meets a present PTE; the op fails with EINVAL', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'pfnmap', cache: 'UC-' },
      { op: 'remap_pfn_range', mm: 1, addr: hx(A), pfn: '0xc0000', size: '0x1000', cache: 'UC-' },
      { op: 'remap_pfn_range', mm: 1, addr: hx(A), pfn: '0xc0000', size: '0x1000', cache: 'UC-' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0 });
    expect(at(r, 5)).toEqual({ line: 5, op: 'remap_pfn_range', ret: -22, errno: 'EINVAL', messages: ['kernel BUG at mm/memory.c!'] });
  });
});

describe('vm_insert_mixed (since 4.9: checked against the memtype)', () => {
  it('inserts struct-page RAM with the page\'s type, as a special PTE', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'mixedmap', cache: 'WC' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x200' },
      { op: 'set_memory', addr: '0x201000', npages: 1, type: 'WC' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A + 0x1000), pfn: '0x201' },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'check' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'WB' });
    expect(at(r, 6)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 7)).toMatchObject({ special: true });
    expect(at(r, 8).aliases).toEqual([]);
  });

  it('outside a VM_MIXEDMAP VMA it is SIGBUS, not a BUG', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', dev: 'pfnmap' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x200' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'vm_insert_mixed', ret: -14, errno: 'EFAULT', fault: 'SIGBUS' });
  });
});

describe('mprotect (splits; VM_SPECIAL never merges)', () => {
  it('split pfnmap VMAs keep one reservation until the last piece goes (v6.16)', async () => {
    const r = await replay([
      M,
      { op: 'spawn', mm: 1, comm: 'test', pid: 177 },
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'resource', offset: '0xfd000000' },
      { op: 'mprotect', mm: 1, addr: hx(A), len: '0x1000', prot: 'r' },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'munmap', mm: 1, addr: hx(A), len: '0x2000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 4)).toEqual({ line: 4, op: 'mprotect', ret: 0 });
    expect(at(r, 5)).toMatchObject({ present: true, type: 'UC-' });
    expect(at(r, 6)).toEqual({ line: 6, op: 'munmap', ret: 0 });
    expect(at(r, 7).entries).toEqual([]);
  });

  it('PROT_NONE makes pages inaccessible; a hole fails with ENOMEM', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'mprotect', mm: 1, addr: hx(A), len: '0x1000', prot: 'none' },
      { op: 'fault', mm: 1, addr: hx(A) },
      { op: 'mprotect', mm: 1, addr: hx(A), len: '0x4000', prot: 'rw' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
    ]);
    expect(at(r, 6)).toMatchObject({ ret: -14, fault: 'SIGSEGV' });
    expect(at(r, 7)).toMatchObject({ ret: -12, errno: 'ENOMEM' });
    expect(at(r, 8)).toMatchObject({ ret: 0 });
  });
});

describe('wp_page_copy(): the copy is mapped with vm_page_prot', () => {
  it('wp_page_copy: a write to a MAP_PRIVATE resource page (UC-) copies it into RAM mapped UC-, an alias check reports', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'resource', offset: '0xc0000000' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'check' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: 0, type: 'UC-' });
    const pte = at(r, 5);
    expect(pte).toMatchObject({ present: true, special: false, type: 'UC-' });
    expect(at(r, 6).aliases).toEqual([{ pfn: pte.pfn, types: ['UC', 'WB'] }]);
  });

  it('wp_page_copy: an O_DSYNC /dev/mem MAP_PRIVATE mapping (vm_page_prot UC-) keeps UC- on the copy; resource_wc keeps WC', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'mem', o_dsync: true, offset: '0xc0000000' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x1000', prot: 'rw', flags: 'private', dev: 'resource_wc', offset: '0xc0010000' },
      { op: 'fault', mm: 1, addr: hx(A + 0x10000), write: true },
      { op: 'pte', mm: 1, addr: hx(A + 0x10000) },
    ]);
    expect(at(r, 5)).toMatchObject({ special: false, type: 'UC-' });
    expect(at(r, 8)).toMatchObject({ special: false, type: 'WC' });
  });
});

describe('shared anonymous memory is shmem; fork copies page tables only where vma_needs_copy()', () => {
  it('shmem_fault: a read fault of shared anonymous memory maps a shmem page, never the zero page', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', flags: 'shared', dev: 'anon' },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x1000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A) },
      { op: 'fault', mm: 1, addr: hx(A + 0x10000) },
      { op: 'pte', mm: 1, addr: hx(A) },
      { op: 'pte', mm: 1, addr: hx(A + 0x10000) },
    ]);
    expect(at(r, 7)).toMatchObject({ present: true, special: false, type: 'WB' });
    expect(at(r, 8)).toMatchObject({ present: true, special: true }); // the zero page
    expect(at(r, 7).pfn).not.toBe(at(r, 8).pfn);
  });

  it('vma_needs_copy: a shared anonymous VMA is not copied at fork; the child refaults the same shmem page', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'shared', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A), write: true },
      { op: 'fork', mm: 1, child: 2, pid: 501 },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'fault', mm: 2, addr: hx(A) },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'pte', mm: 1, addr: hx(A) },
    ]);
    expect(at(r, 6)).toEqual({ line: 6, op: 'pte', ret: 0, present: false });
    expect(at(r, 8)).toMatchObject({ present: true, special: false });
    expect(at(r, 8).pfn).toBe(at(r, 9).pfn);
  });

  it('vma_needs_copy: a private anonymous VMA only read through the zero page has no anon_vma and is not copied', async () => {
    const r = await replay([
      M,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x1000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'mmap', mm: 1, addr: hx(A + 0x10000), len: '0x2000', prot: 'rw', flags: 'private', dev: 'anon' },
      { op: 'fault', mm: 1, addr: hx(A) },
      { op: 'fault', mm: 1, addr: hx(A + 0x10000) },
      { op: 'fault', mm: 1, addr: hx(A + 0x11000), write: true },
      { op: 'fork', mm: 1, child: 2, pid: 501 },
      { op: 'pte', mm: 2, addr: hx(A) },
      { op: 'pte', mm: 2, addr: hx(A + 0x10000) },
      { op: 'pte', mm: 2, addr: hx(A + 0x11000) },
    ]);
    expect(at(r, 9)).toEqual({ line: 9, op: 'pte', ret: 0, present: false });
    // The written VMA has an anon_vma: all its PTEs are copied, the zero page too.
    expect(at(r, 10)).toMatchObject({ present: true, special: true });
    expect(at(r, 11)).toMatchObject({ present: true, special: false });
  });
});

describe('pfn_valid() is per memory section (SPARSEMEM)', () => {
  // RAM ends at 0x3ff00000, inside section 7 (0x38000000-0x40000000): max_pfn is 0x3ff00.
  const RAM_MID_SECTION = {
    op: 'machine',
    mtrr: { default: 'WB' },
    e820: [
      { start: 0, end: 0x9f000, type: 'usable' },
      { start: 0x100000, end: 0x3ff00000, type: 'usable' },
    ],
  };

  it('pfn_valid: an early section holding memory is valid to its end, past max_pfn', () => {
    const pm = new PhysMap(e820ToResources(RAM_MID_SECTION.e820));
    expect(pm.maxPfn).toBe(0x3ff00);
    expect(pm.pfnValid(0x3ff80)).toBe(true);
    expect(pm.pfnValid(0x3ffff)).toBe(true);
    expect(pm.pfnValid(0x40000)).toBe(false);
    expect(pm.pfnValid(0xa0)).toBe(true); // a hole inside section 0
  });

  it('pfn_valid: vmf_insert_pfn of such a pfn into a VM_MIXEDMAP VMA hits the BUG_ON; the next section is fine', async () => {
    const r = await replay([
      RAM_MID_SECTION,
      spawn,
      { op: 'mmap', mm: 1, addr: hx(A), len: '0x2000', prot: 'rw', dev: 'mixedmap' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A), pfn: '0x3ff80' },
      { op: 'vm_insert_pfn', mm: 1, addr: hx(A + 0x1000), pfn: '0x40000' },
      { op: 'vm_insert_mixed', mm: 1, addr: hx(A), pfn: '0x3ff80' },
    ]);
    expect(at(r, 4)).toMatchObject({ ret: -14, fault: 'SIGBUS', messages: ['kernel BUG at mm/memory.c!'] });
    expect(at(r, 5)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 6)).toMatchObject({ ret: 0 });
    expect(at(r, 6).messages).toBeUndefined();
  });

  it('pfn_section_valid: hot-added kmem memory is valid only in its present 2 MiB sub-sections', () => {
    const pm = new PhysMap(
      parseIomem(['00100000-3fffffff : System RAM', '1050000000-1057ffffff : Soft Reserved', '  1050000000-10503fffff : System RAM (kmem)'].join('\n')),
    );
    const pfn = (a: number): number => a / 4096;
    expect(pm.pfnValid(pfn(0x1050000000))).toBe(true);
    expect(pm.pfnValid(pfn(0x10503ff000))).toBe(true);
    expect(pm.pfnValid(pfn(0x1050400000))).toBe(false); // same section, no sub-section
    expect(pm.pfnValid(pfn(0x3ffff000))).toBe(true);
  });
});
