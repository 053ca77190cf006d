/**
 * What a machine is made of, as data: the physical-map source, MTRRs, PAT
 * mode and page-table shape. Serialisable (sent to workers, written into
 * traces as the `machine` line). A spec naming only a built-in `profile` is
 * resolved to concrete map text by `workloads/profiles.ts` before the core
 * builds hardware from it.
 */
import type { PatMode } from './cachemode.js';

/** One e820 entry, byte addresses, `end` exclusive (trace `machine.e820`). */
export interface E820Entry {
  start: number;
  end: number;
  type: string;
}

/**
 * MTRR state (trace `machine.mtrr`), byte addresses. Types are MTRR type
 * names (`UC`, `WC`, `WT`, `WP`, `WB`). A trace gives `default`, `fixed` and
 * `variable` ranges as `{base, size}`; `enabled`, `physBits` and `mask` come
 * only from a parsed boot log (`parseMtrrText`).
 */
export interface MtrrSpec {
  default: string;
  fixed?: { start: number; end: number; type: string }[];
  /**
   * Variable ranges: `[base, base + size)`, or with `mask` (the
   * `MTRRphysMask` address bits a boot log prints) the addresses the CPU
   * matches by `(addr & mask) == (base & mask)`; `size` is then the mask's
   * lowest set bit and `base` the register's address as printed.
   */
  variable?: { base: number; size: number; type: string; mask?: number }[];
  /** False when the boot log says MTRRs are disabled (`MTRRdefType.E` clear); default true. */
  enabled?: boolean;
  /** Physical address bits the masks cover (the boot log's print width, at most the emulated CPU's 46). */
  physBits?: number;
}

export interface MachineSpec {
  /** Built-in profile name (label, and the source when nothing else is given). */
  profile?: string;
  /** `/proc/iomem` text. */
  iomem?: string;
  /** e820 table, end exclusive. */
  e820?: E820Entry[];
  /** Boot-log e820 lines (both formats, with edits). */
  e820Text?: string;
  mtrr?: MtrrSpec;
  /** `/proc/mtrr` or boot-log MTRR block. */
  mtrrText?: string;
  pat?: PatMode;
  pageTableLevels?: 2 | 3 | 4 | 5;
  dynamicLevels?: boolean;
  /** `CONFIG_STRICT_DEVMEM` (trace `strict_devmem`; default true, as every distribution kernel sets it). */
  strictDevmem?: boolean;
}
