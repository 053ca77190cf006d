/**
 * The emulated x86 hardware: physical map, PAT table, MTRRs, physical
 * address width and page-table shape. Built once per machine spec and shared
 * read-only by every machine instance replaying on it.
 */
import { PAT_MODES, PatTable, type PatMode } from './cachemode.js';
import { e820ToResources, parseE820Text } from './e820.js';
import { InputError } from './errors.js';
import { parseIomem } from './iomem.js';
import type { MachineSpec, ParsedMachine } from './machine-spec.js';
import { Mtrr, effectiveType, parseMtrrText } from './mtrr.js';
import { CPU_PHYS_BITS, PAGE_SIZE, PhysMap, type Resource } from './physmap.js';


export class Hardware {
  /** PAT is on (`pat_enabled()`); false for mode `disabled`. */
  readonly patEnabled: boolean;
  readonly pat: PatTable;

  constructor(
    readonly physmap: PhysMap,
    readonly mtrr: Mtrr,
    patMode: PatMode,
    /** Page-table levels at start (2..5). */
    readonly pageTableLevels: number,
    /** s390-style: add levels on demand. */
    readonly dynamicLevels: boolean,
    /** Physical address width in bits. */
    readonly physBits = CPU_PHYS_BITS,
    /** `CONFIG_STRICT_DEVMEM`: `/dev/mem` refuses RAM above 1 MiB with EPERM (`devmem_is_allowed()`). */
    readonly strictDevmem = true,
  ) {
    this.pat = new PatTable(patMode);
    this.patEnabled = patMode !== 'disabled';
  }

  /** Builds hardware from a parsed machine (no text is parsed here). */
  static fromParsed(m: ParsedMachine): Hardware {
    return new Hardware(new PhysMap(m.resources), m.mtrr ? Mtrr.fromSpec(m.mtrr) : Mtrr.disabled(), m.pat, m.pageTableLevels, m.dynamicLevels, CPU_PHYS_BITS, m.strictDevmem);
  }

  /**
   * Parses a resolved spec and builds hardware from it in one step (for a
   * one-off machine; code that builds many machines parses once with
   * `parseMachineSpec` and calls `fromParsed`).
   * @throws InputError as `parseMachineSpec`
   */
  static fromSpec(spec: MachineSpec): Hardware {
    return Hardware.fromParsed(parseMachineSpec(spec));
  }

  /** Highest physical address + 1 the CPU can address, bytes. */
  get maxPhysAddr(): number {
    return 2 ** this.physBits;
  }

  /**
   * Effective memory type (SDM Table 11-7) of page `pfn` whose PTE selects
   * PAT type `patType`, by the CPU's MTRR type of the page (UC everywhere
   * when MTRRs are disabled).
   */
  effectiveType(pfn: number, patType: number): number {
    return effectiveType(this.mtrr.typeAt(pfn * PAGE_SIZE), patType);
  }
}

/**
 * Parses a resolved machine spec (one physical-map source present; see
 * `workloads/profiles.ts` `resolveMachine`) into the value workloads and
 * `Hardware.fromParsed` take: the map's resources, the MTRRs, the PAT mode
 * and the page-table shape.
 * @throws InputError for a missing or extra map source, malformed map or MTRR text, an unknown PAT mode or a bad level count
 */
export function parseMachineSpec(spec: MachineSpec): ParsedMachine {
  const sources = [spec.iomem, spec.e820, spec.e820Text].filter((s) => s !== undefined).length;
  if (sources !== 1) {
    throw new InputError(`machine: exactly one physical-map source is needed (iomem, e820 or e820_text), got ${sources}`);
  }
  let resources: Resource[];
  if (spec.iomem !== undefined) resources = parseIomem(spec.iomem);
  else if (spec.e820 !== undefined) resources = e820ToResources(spec.e820);
  else resources = e820ToResources(parseE820Text(spec.e820Text!));
  const mtrr = spec.mtrr ?? (spec.mtrrText !== undefined ? parseMtrrText(spec.mtrrText) : null);
  if (mtrr !== null) Mtrr.fromSpec(mtrr); // validates
  const pat = spec.pat ?? 'full';
  if (!PAT_MODES.includes(pat)) throw new InputError(`machine: pat must be one of ${PAT_MODES.join(', ')}, got "${pat}"`);
  const levels = spec.pageTableLevels ?? 4;
  if (![2, 3, 4, 5].includes(levels)) throw new InputError(`machine: page_table_levels must be 2, 3, 4 or 5, got ${levels}`);
  return { spec, resources, mtrr, pat, pageTableLevels: levels, dynamicLevels: spec.dynamicLevels ?? false, strictDevmem: spec.strictDevmem ?? true };
}
