/**
 * Cache modes ("memtypes") and their PAT encodings.
 *
 * Models `enum page_cache_mode` (arch/x86/include/asm/pgtable_types.h), the
 * names `cattr_name()` prints (arch/x86/mm/pat/memtype.h), the PAT MSR slot
 * layouts Linux programs (`pat_init()` / `init_cache_modes()` in
 * arch/x86/mm/pat/memtype.c) and `is_new_memtype_allowed()`
 * (arch/x86/include/asm/pgtable.h).
 */

/** `enum page_cache_mode`: the numeric values are Linux's. */
export const WB = 0;
export const WC = 1;
export const UC_MINUS = 2;
export const UC = 3;
export const WT = 4;
export const WP = 5;
export type CacheMode = 0 | 1 | 2 | 3 | 4 | 5;
export const CACHE_MODES: readonly CacheMode[] = [WB, WC, UC_MINUS, UC, WT, WP];

/** Short names used in traces and tables: `WB`, `WC`, `UC-`, `UC`, `WT`, `WP`. */
export const SHORT_NAME = ['WB', 'WC', 'UC-', 'UC', 'WT', 'WP'] as const;

/** `cattr_name()`: the long names the kernel prints in its messages. */
export const CATTR_NAME = [
  'write-back',
  'write-combining',
  'uncached-minus',
  'uncached',
  'write-through',
  'write-protected',
] as const;

/** Kernel long name for a mode; `broken` for anything else, as `cattr_name()` does. */
export function cattrName(mode: number): string {
  return mode >= 0 && mode <= 5 ? CATTR_NAME[mode]! : 'broken';
}

/**
 * Parses a trace cache type: short (`WB`, `uc-`, any case) or long kernel
 * name (`write-combining`). Returns -1 for an unknown name.
 */
export function parseCacheMode(text: string): number {
  const t = text.trim().toLowerCase();
  for (let i = 0; i < 6; i++) {
    if (SHORT_NAME[i]!.toLowerCase() === t || CATTR_NAME[i] === t) return i;
  }
  return -1;
}

/**
 * PAT operating modes of the emulated CPU (trace `machine.pat`).
 * - `full`: Linux's 8-slot layout WB WC UC- UC WB WP UC- WT (`pat_init`).
 * - `legacy4`: the errata / 2.6.25–4.1 layout WB WC UC- UC, repeated.
 * - `none`: power-on table WB WT UC- UC (repeated); WC and WP fall back to UC-.
 * - `disabled`: PAT off (`pat_enabled()` false): nothing is tracked.
 */
export type PatMode = 'full' | 'legacy4' | 'none' | 'disabled';
export const PAT_MODES: readonly PatMode[] = ['full', 'legacy4', 'none', 'disabled'];

const SLOTS: Record<PatMode, readonly CacheMode[]> = {
  full: [WB, WC, UC_MINUS, UC, WB, WP, UC_MINUS, WT],
  legacy4: [WB, WC, UC_MINUS, UC, WB, WC, UC_MINUS, UC],
  none: [WB, WT, UC_MINUS, UC, WB, WT, UC_MINUS, UC],
  disabled: [WB, WT, UC_MINUS, UC, WB, WT, UC_MINUS, UC],
};

/** PTE cache bits (4 KiB PTE): PWT = bit 3, PCD = bit 4, PAT = bit 7. */
export const _PAGE_PWT = 0x8;
export const _PAGE_PCD = 0x10;
export const _PAGE_PAT = 0x80;
export const _PAGE_CACHE_MASK = _PAGE_PWT | _PAGE_PCD | _PAGE_PAT;

/** PTE bits of slot index `i` = PAT·4 + PCD·2 + PWT (SDM Table 10-11). */
function slotToPteBits(i: number): number {
  return (i & 1 ? _PAGE_PWT : 0) | (i & 2 ? _PAGE_PCD : 0) | (i & 4 ? _PAGE_PAT : 0);
}

/**
 * The PAT table of one machine: `cachemode2protval()` and `pte2cachemode()`.
 * For a mode whose slots lack a type, the type falls back as Linux's
 * `init_cache_modes()` does (WC, WP, WT → UC-).
 */
export class PatTable {
  /** PAT slot type per slot index 0..7. */
  readonly slots: readonly CacheMode[];
  /** PTE cache bits per cache mode (`__cachemode2pte_tbl`). */
  readonly toPte: Uint8Array;
  /** cache mode per PTE slot index (`__pte2cachemode_tbl`). */
  readonly fromSlot: Uint8Array;

  constructor(readonly mode: PatMode) {
    this.slots = SLOTS[mode];
    this.toPte = new Uint8Array(6);
    this.fromSlot = new Uint8Array(8);
    // Stryker disable next-line EqualityOperator: equivalent — a write to index 8 of the 8-slot Uint8Array is dropped
    for (let i = 0; i < 8; i++) this.fromSlot[i] = this.slots[i]!;
    for (const cm of CACHE_MODES) {
      let slot = this.slots.indexOf(cm);
      if (slot < 0) slot = this.slots.indexOf(UC_MINUS);
      this.toPte[cm] = slotToPteBits(slot);
    }
  }

  /** Cache mode → PTE bits (PWT/PCD/PAT), with fallbacks. */
  cachemode2protval(cm: number): number {
    return this.toPte[cm]!;
  }

  /** PTE flag word → the cache mode its PWT/PCD/PAT bits select. */
  pte2cachemode(pteFlags: number): CacheMode {
    const i = (pteFlags & _PAGE_PWT ? 1 : 0) | (pteFlags & _PAGE_PCD ? 2 : 0) | (pteFlags & _PAGE_PAT ? 4 : 0);
    return this.fromSlot[i] as CacheMode;
  }
}

/**
 * `is_new_memtype_allowed()`: may a mapping that asked for `req` live with
 * the type `got` that an existing alias forced? Disallowed exactly for
 * (UC-,WB), (WC,WB), (WT,WB), (WT,WC). The ISA-range exemption is applied by
 * the caller.
 */
export function isNewMemtypeAllowed(req: number, got: number): boolean {
  if (got === WB) return !(req === UC_MINUS || req === WC || req === WT);
  if (req === WT && got === WC) return false;
  return true;
}
