/**
 * What a machine is made of, as data: the physical-map source, MTRRs, PAT
 * mode and page-table shape. `MachineSpec` is the description as written
 * (a trace's `machine` line, a user's file texts); a spec naming only a
 * built-in `profile` is resolved to concrete map text by
 * `workloads/profiles.ts`. `ParsedMachine` is that description parsed once,
 * at the edge (core/hardware.ts `parseMachineSpec`): what workloads and
 * `Hardware` take. Both are plain data (sent to workers without a parse).
 */
import type { PatMode } from './cachemode.js';
import type { Resource } from './physmap.js';

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

/** A machine spec parsed once: what workloads and `Hardware` take. Plain data (structured-clone safe). */
export interface ParsedMachine {
  /** The resolved description it was parsed from (map text included): a trace written from the machine carries it. */
  readonly spec: MachineSpec;
  /** The physical address map as `/proc/iomem` resources, byte addresses, `end` exclusive, in file order. */
  readonly resources: readonly Resource[];
  /** The MTRRs; null when MTRRs are absent or disabled (`mtrr_type_lookup()` answers UC since 6.5). */
  readonly mtrr: MtrrSpec | null;
  readonly pat: PatMode;
  /** Page-table levels at start. */
  readonly pageTableLevels: 2 | 3 | 4 | 5;
  /** s390-style: levels added on demand. */
  readonly dynamicLevels: boolean;
  /** `CONFIG_STRICT_DEVMEM` (default on): `/dev/mem` refuses RAM above 1 MiB (`devmem_is_allowed()`). */
  readonly strictDevmem: boolean;
}
