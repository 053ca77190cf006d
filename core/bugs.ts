/**
 * Historical bug switches: each reproduces a real 2009–2024 PAT/mm bug in
 * the emulated kernel, so that a scenario can show the oracle (the correct
 * outcome stream) or the alias checker catching it. Enabled with
 * `--bug NAME` on `replay` and `run`.
 */
import { InputError } from './errors.js';

export const BUGS = {
  'pfnmap-linear-pgoff':
    '2.6.29: a VM_PFNMAP VMA with a non-zero vm_pgoff is taken as linear, so every vm_insert_pfn re-reserves the whole VMA at vm_pgoff (fixed by 4bb9c5c02153, VM_PFNMAP_AT_MMAP)',
  'pfnmap-no-ram':
    '2.6.29: pfnmap PTEs are assumed never to map RAM: reserve_pfn_range succeeds for RAM without looking at the page type, and inserts keep the requested type (fixed in 2.6.32)',
  'mixed-no-check':
    'before 4.9: vm_insert_mixed() trusts vm_page_prot and never asks the memtype tracking (fixed by 87744ab3832b)',
  'walker-fixed-levels':
    's390 dynamic page tables: the walker steps the top level as if the table had 4 levels, so it misses entries on 3- and 5-level tables',
  'split-untrack':
    '≤ 6.15 (VM_PAT): after a VMA split each piece untracks its own range on unmap (exact, then END_MATCH shrink), fork makes a new reservation (fixed by the v6.16 pfnmap_track_ctx)',
} as const;

export type BugName = keyof typeof BUGS;

/** The set of enabled bugs. */
export class Bugs {
  readonly linearPgoff: boolean;
  readonly pfnmapNoRam: boolean;
  readonly mixedNoCheck: boolean;
  readonly walkerFixedLevels: boolean;
  readonly splitUntrack: boolean;

  constructor(readonly names: readonly BugName[] = []) {
    const on = (n: BugName): boolean => names.includes(n);
    this.linearPgoff = on('pfnmap-linear-pgoff');
    this.pfnmapNoRam = on('pfnmap-no-ram');
    this.mixedNoCheck = on('mixed-no-check');
    this.walkerFixedLevels = on('walker-fixed-levels');
    this.splitUntrack = on('split-untrack');
  }

  /**
   * Parses bug names.
   * @throws InputError for an unknown name, listing the valid ones
   */
  static parse(names: readonly string[]): Bugs {
    for (const n of names) {
      if (!(n in BUGS)) throw new InputError(`unknown bug switch "${n}"; valid: ${Object.keys(BUGS).join(', ')}`);
    }
    return new Bugs(names as BugName[]);
  }
}

/** No bugs: Linux as of the v6.16 series. */
export const NO_BUGS = new Bugs();
