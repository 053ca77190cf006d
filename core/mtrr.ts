/**
 * MTRRs (memory type range registers): the firmware's per-range memory types
 * that the CPU combines with the PAT type of each page.
 *
 * Models Linux 6.x `arch/x86/kernel/cpu/mtrr/generic.c`: the cache map built
 * by `mtrr_build_map()` (fixed ranges below 1 MiB take precedence, overlapping
 * variable ranges combine with `get_effective_type()`, the rest has the
 * default type), `mtrr_type_lookup()` with `type_merge()`, the boot-log dump of
 * `print_mtrr_state()` and `/proc/mtrr` (`mtrr_seq_show()`,
 * arch/x86/kernel/cpu/mtrr/if.c); and the SDM's Table 11-7 of effective
 * memory types (PAT × MTRR).
 */
import { UC, UC_MINUS, WB, WC, WP, WT } from './cachemode.js';
import { stripLogPrefix } from './e820.js';
import { InputError } from './errors.js';
import type { MtrrSpec } from './machine-spec.js';
import { CPU_PHYS_BITS, MAX_PHYS_ADDR, MAX_PHYS_BITS } from './physmap.js';

/** MTRR memory type encodings (`MTRR_TYPE_*`, arch/x86/include/uapi/asm/mtrr.h). */
export const MTRR_TYPE_UNCACHABLE = 0;
export const MTRR_TYPE_WRCOMB = 1;
export const MTRR_TYPE_WRTHROUGH = 4;
export const MTRR_TYPE_WRPROT = 5;
export const MTRR_TYPE_WRBACK = 6;
export const MTRR_TYPE_INVALID = 0xff;

/** End of the fixed-range MTRRs (1 MiB), bytes, exclusive. */
export const MTRR_FIXED_END = 0x100000;

/** `mtrr_attrib_to_str()` names, indexed by MTRR type. */
const LONG_NAMES: readonly string[] = ['uncachable', 'write-combining', '?', '?', 'write-through', 'write-protect', 'write-back'];
/** Short names used in `MtrrSpec`, indexed by MTRR type. */
const SHORT_NAMES: readonly string[] = ['UC', 'WC', '?', '?', 'WT', 'WP', 'WB'];

/**
 * `mtrr_attrib_to_str()`: the kernel's name of an MTRR type —
 * `uncachable`, `write-combining`, `write-through`, `write-protect`,
 * `write-back`; `?` for anything else (including `MTRR_TYPE_INVALID`).
 */
export function mtrrTypeName(t: number): string {
  return LONG_NAMES[t] ?? '?';
}

/** Short `MtrrSpec` name of an MTRR type (`UC`, `WC`, `WT`, `WP`, `WB`); `?` otherwise. */
export function mtrrShortName(t: number): string {
  return SHORT_NAMES[t] ?? '?';
}

/**
 * Parses an MTRR type name: short (`UC`, `WC`, `WT`, `WP`, `WB`) or the
 * kernel's long name (`uncachable`, `write-combining`, `write-through`,
 * `write-protect`, `write-back`), any case. Returns -1 for anything else.
 */
export function parseMtrrType(name: string): number {
  const t = name.trim().toLowerCase();
  for (let i = 0; i < LONG_NAMES.length; i++) {
    if (LONG_NAMES[i] === '?') continue;
    if (LONG_NAMES[i] === t || SHORT_NAMES[i]!.toLowerCase() === t) return i;
  }
  return -1;
}

/**
 * `get_effective_type()` (generic.c): the type of memory covered by two MTRRs
 * of types `a` and `b` — UC if either is UC, WT for WT with WB, UC for any
 * other pair of different types, else the common type.
 */
export function getEffectiveMtrrType(a: number, b: number): number {
  if (a === MTRR_TYPE_UNCACHABLE || b === MTRR_TYPE_UNCACHABLE) return MTRR_TYPE_UNCACHABLE;
  if ((a === MTRR_TYPE_WRBACK && b === MTRR_TYPE_WRTHROUGH) || (a === MTRR_TYPE_WRTHROUGH && b === MTRR_TYPE_WRBACK)) {
    return MTRR_TYPE_WRTHROUGH;
  }
  if (a !== b) return MTRR_TYPE_UNCACHABLE;
  return a;
}

/** `type_merge()`: `get_effective_type()` with `MTRR_TYPE_INVALID` as "nothing yet". */
function typeMerge(type: number, next: number): number {
  return type === MTRR_TYPE_INVALID ? next : getEffectiveMtrrType(type, next);
}

function isByteAddr(v: unknown): v is number {
  // Stryker disable next-line ConditionalExpression: equivalent (typeof v === 'number' → true) — Number.isSafeInteger() is false for every non-number
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Most separate blocks one variable MTRR may select with a mask that has holes. */
export const MAX_MTRR_BLOCKS = 1 << 16;

/** One range of a cache map under construction: bytes `[start, end)`, an `MTRR_TYPE_*`. */
interface TypedRange {
  start: number;
  end: number;
  type: number;
}

/**
 * The address blocks a variable MTRR selects as the CPU matches it (Intel
 * SDM Vol. 3A 11.11.2.3): an address below 2^`width` is in range when
 * `(addr & mask) == (base & mask)`. A mask of contiguous ones from bit
 * `width - 1` down selects one block; a mask with zero bits above its lowest
 * set bit (a BIOS that left out the high bits) selects the block again for
 * every value of those bits: the range repeats. Byte addresses, sorted.
 * @throws InputError when the holes would make more than `MAX_MTRR_BLOCKS` blocks
 */
function maskBlocks(where: string, base: number, mask: number, type: number, width: number): TypedRange[] {
  const top = 1n << BigInt(width);
  const m = BigInt(mask) & (top - 1n) & ~0xfffn;
  if (m === 0n) return [{ start: 0, end: Number(top), type }];
  const low = m & -m;
  const holes: bigint[] = [];
  for (let bit = low; bit < top; bit <<= 1n) if ((m & bit) === 0n) holes.push(bit);
  if (2 ** holes.length > MAX_MTRR_BLOCKS) {
    throw new InputError(
      `${where}: mask 0x${mask.toString(16)} leaves ${holes.length} address bits above its lowest set bit unmatched, so the range repeats 2^${holes.length} times; at most ${MAX_MTRR_BLOCKS} blocks are supported`,
    );
  }
  const first = BigInt(base) & m;
  const out: TypedRange[] = [];
  // Stryker disable next-line EqualityOperator: equivalent (c <= 2^holes) — c = 2^holes sets none of the hole bits: block 0 again, whose +1/-1 events add the same type twice
  for (let c = 0; c < 2 ** holes.length; c++) {
    let a = first;
    for (let h = 0; h < holes.length; h++) if ((c >> h) & 1) a |= holes[h]!;
    out.push({ start: Number(a), end: Number(a + low), type });
  }
  // Stryker disable next-line MethodExpression: equivalent — the blocks come out ascending already (bit h of c sets the h-th lowest hole), and buildMap() sorts its events anyway
  // Stryker disable next-line ArrowFunction: equivalent — the blocks come out ascending already, and buildMap() sorts its events anyway
  // Stryker disable next-line ArithmeticOperator: equivalent — the blocks come out ascending already, and buildMap() sorts its events anyway
  return out.sort((x, y) => x.start - y.start);
}

/**
 * The range Linux ≥ 6.5 puts in its cache map for a variable MTRR
 * (`get_var_mtrr_state()` + `get_mtrr_size()`, arch/x86/kernel/cpu/mtrr/generic.c):
 * it starts at the base register's address and is `-(mask | reserved high
 * bits)` long — the right size for a mask of contiguous ones, and a very
 * different one for a mask without its high bits. Clipped to 2^52; empty
 * when the end wraps past 2^64 (`add_map_entry()` then adds nothing).
 */
function linuxVarRange(base: number, mask: number, type: number, width: number): TypedRange {
  const u64 = (1n << 64n) - 1n;
  const rsvd = u64 & ~((1n << BigInt(width)) - 1n);
  const start = BigInt(base) & ~0xfffn;
  const size = ((1n << 64n) - ((BigInt(mask) & ~0xfffn) | rsvd)) & u64;
  const end = start + size;
  // Unreachable from fromSpec(), which refuses base + size > 2^52 and masks of 2^52 or more:
  // start < 2^52 and size <= 2^width, so end < 2^64.
  // Stryker disable next-line LogicalOperator: equivalent — both tests are false for every range fromSpec() lets through
  // Stryker disable next-line ObjectLiteral: equivalent — the empty range is never returned (see above)
  // Stryker disable next-line ConditionalExpression: equivalent (the test → false) — it is false for every range fromSpec() lets through
  // Stryker disable next-line EqualityOperator: equivalent (end >= u64, start > 2^52) — false for every range fromSpec() lets through, as the originals
  if (end > u64 || start >= BigInt(MAX_PHYS_ADDR)) return { start: 0, end: 0, type };
  // Stryker disable next-line EqualityOperator: equivalent (end >= 2^52) — at end = 2^52 both arms are the same
  // Stryker disable next-line ConditionalExpression: equivalent (the test → false) — buildMap() stops at the first event at or above 2^52, so an end past it maps as one at it
  return { start: Number(start), end: Number(end > BigInt(MAX_PHYS_ADDR) ? BigInt(MAX_PHYS_ADDR) : end), type };
}

/**
 * A cache map (`mtrr_build_map()`): sorted boundaries with one type per
 * elementary range. Fixed ranges decide below 1 MiB where they cover an
 * address; elsewhere the variable ranges covering it combine with
 * `get_effective_type()` (order does not matter: the combination is
 * commutative and associative); uncovered addresses have the default type.
 * A sweep over the ranges' ends: O(r log r) for r ranges.
 */
function buildMap(fixed: readonly TypedRange[], variable: readonly TypedRange[], def: number): { bounds: number[]; types: number[] } {
  // Events: [addr, +1/-1, type, fixed?]
  const ev: [number, number, number, boolean][] = [];
  // Every range reaching here is non-empty (fromSpec() refuses empty fixed and variable ranges; a mask's
  // blocks and Linux's size are at least 4 KiB); an empty one would add +1 and -1 at one address anyway.
  // Stryker disable next-line EqualityOperator: equivalent (r.end >= r.start) — no range is empty
  // Stryker disable next-line ConditionalExpression: equivalent (the test → true) — no range is empty
  for (const r of fixed) if (r.end > r.start) ev.push([r.start, 1, r.type, true], [r.end, -1, r.type, true]);
  // Stryker disable next-line EqualityOperator: equivalent (r.end >= r.start) — no range is empty
  // Stryker disable next-line ConditionalExpression: equivalent (the test → true) — no range is empty
  for (const r of variable) if (r.end > r.start) ev.push([r.start, 1, r.type, false], [r.end, -1, r.type, false]);
  // Stryker disable next-line BooleanLiteral: equivalent — these boundary events add 0, so which counter they name does not matter
  ev.push([0, 0, 0, false], [MTRR_FIXED_END, 0, 0, false]);
  ev.sort((a, b) => a[0] - b[0]);
  const fixedCount = new Int32Array(7);
  const varCount = new Int32Array(7);
  const merged = (count: Int32Array): number => {
    let t = MTRR_TYPE_INVALID;
    // Stryker disable next-line EqualityOperator: equivalent (k <= 7) — count[7] is undefined, never > 0
    for (let k = 0; k < 7; k++) if (count[k]! > 0) t = typeMerge(t, k);
    return t;
  };
  const bounds: number[] = [];
  const types: number[] = [];
  for (let i = 0; i < ev.length; ) {
    const at = ev[i]![0];
    for (; i < ev.length && ev[i]![0] === at; i++) {
      const [, d, t, f] = ev[i]!;
      (f ? fixedCount : varCount)[t] += d;
    }
    if (at >= MAX_PHYS_ADDR) break;
    // Stryker disable next-line EqualityOperator: equivalent (at <= 1 MiB) — fixed ranges end at 1 MiB at the latest, so no fixed counter is set from there on
    // Stryker disable next-line ConditionalExpression: equivalent (the test → true) — no fixed counter is set from 1 MiB on: merged() gives MTRR_TYPE_INVALID there
    let t = at < MTRR_FIXED_END ? merged(fixedCount) : MTRR_TYPE_INVALID;
    if (t === MTRR_TYPE_INVALID) t = merged(varCount);
    if (t === MTRR_TYPE_INVALID) t = def;
    // Stryker disable next-line ConditionalExpression: equivalent (types.length → true) — types[-1] is undefined, never a type
    if (types.length && types[types.length - 1] === t) continue;
    bounds.push(at);
    types.push(t);
  }
  return { bounds, types };
}

/** A cache map ready for lookups: binary search with a one-entry cache. */
class CacheMap {
  private readonly bounds: Float64Array;
  private readonly types: Uint8Array;
  private last = 0;

  constructor(map: { bounds: number[]; types: number[] }) {
    this.bounds = Float64Array.from(map.bounds);
    this.types = Uint8Array.from(map.types);
  }

  get count(): number {
    return this.types.length;
  }

  private indexOf(addr: number): number {
    const b = this.bounds;
    const n = b.length;
    const l = this.last;
    // The one-entry cache: a stricter test only sends the address to the binary search below, which finds the same index.
    // Stryker disable next-line ArithmeticOperator: equivalent — l - 1 === n never holds and b[l - 1] <= addr: both only miss the cache
    // Stryker disable next-line EqualityOperator: equivalent (b[l] < addr) — stricter: a miss at b[l] === addr, then the same index
    // Stryker disable next-line LogicalOperator: equivalent (l + 1 === n && addr < b[l + 1]) — never true (b[n] is undefined): always a miss
    // Stryker disable next-line ConditionalExpression: equivalent (l + 1 === n → false, addr < b[l + 1] → false) — stricter: only misses
    if (b[l]! <= addr && (l + 1 === n || addr < b[l + 1]!)) return l;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (b[mid]! <= addr) lo = mid;
      else hi = mid - 1;
    }
    this.last = lo;
    return lo;
  }

  typeAt(addr: number): number {
    return this.types[this.indexOf(addr)]!;
  }

  /** Every type met in `[start, end)`, merged with `type_merge()`; `MTRR_TYPE_INVALID` when empty. */
  merged(start: number, end: number): number {
    if (!(start < end)) return MTRR_TYPE_INVALID;
    const b = this.bounds;
    let type = MTRR_TYPE_INVALID;
    // Stryker disable next-line EqualityOperator: equivalent (i <= b.length) — b[b.length] is undefined, never < end
    // Stryker disable next-line ConditionalExpression: equivalent (i < b.length → true) — b[b.length] is undefined, never < end
    for (let i = this.indexOf(start); i < b.length && b[i]! < end; i++) type = typeMerge(type, this.types[i]!);
    return type;
  }
}

/**
 * The MTRR state of one machine, in two views:
 * - the CPU's (`typeAt`): what the processor applies to each address — with
 *   MTRRs disabled, UC for all of physical memory (SDM 11.11.2.1, the
 *   `MTRRdefType.E` flag); variable MTRRs matched by mask, so a mask
 *   without its high bits repeats its range (SDM 11.11.2.3);
 * - Linux's (`lookup`, `mtrr_type_lookup()`), built from the same registers
 *   as `mtrr_build_map()` builds its cache map. The two agree except for
 *   masks that are not contiguous ones, where Linux's `get_mtrr_size()`
 *   reads a different size than the CPU matches.
 */
export class Mtrr {
  private constructor(
    private readonly on: boolean,
    /** Default type (`MTRRdefType`), an `MTRR_TYPE_*` value. */
    readonly defaultType: number,
    private readonly cpu: CacheMap,
    private readonly linux: CacheMap,
  ) {}

  /**
   * MTRRs disabled (or absent, `MTRRdefType.E` clear): the CPU applies UC to
   * all of physical memory, and Linux's `mtrr_type_lookup()` (≥ 6.5) answers
   * `MTRR_TYPE_UNCACHABLE` for every range.
   */
  static disabled(): Mtrr {
    const all = new CacheMap({ bounds: [0], types: [MTRR_TYPE_UNCACHABLE] });
    return new Mtrr(false, MTRR_TYPE_UNCACHABLE, all, all);
  }

  /**
   * Builds the MTRR model from a spec (trace `machine.mtrr`, or
   * `parseMtrrText`'s result). Byte addresses; fixed ranges `[start, end)`
   * must lie below 1 MiB; variable ranges are `[base, base + size)` (sizes
   * need not be powers of two here) or, with `mask` (from a boot log), the
   * addresses the CPU matches by mask over `spec.physBits` bits; types are
   * short (`WB`) or long (`write-back`) names. `enabled: false` gives
   * `Mtrr.disabled()`.
   * Fixed ranges take precedence below 1 MiB; overlapping variable ranges
   * combine with `get_effective_type()`; everything else has the default
   * type (`mtrr_build_map()`).
   * @throws InputError naming the offending field for an unknown type, a
   *   non-integer or negative address, an empty range, a fixed range beyond
   *   1 MiB, a variable range beyond 2^52, or a mask repeating its range
   *   more than `MAX_MTRR_BLOCKS` times
   */
  static fromSpec(spec: MtrrSpec): Mtrr {
    if (spec === null || typeof spec !== 'object') {
      throw new InputError('machine.mtrr: expected {"default":"WB","fixed":[...],"variable":[...]}');
    }
    if (spec.enabled === false) return Mtrr.disabled();
    const typeOf = (where: string, v: unknown): number => {
      const t = typeof v === 'string' ? parseMtrrType(v) : -1;
      if (t < 0) {
        throw new InputError(`${where}: expected an MTRR type UC, WC, WT, WP or WB (or uncachable, write-combining, write-through, write-protect, write-back), got ${JSON.stringify(v)}`);
      }
      return t;
    };
    const def = typeOf('machine.mtrr.default', spec.default);
    const width = spec.physBits ?? CPU_PHYS_BITS;
    if (!(Number.isInteger(width) && width >= 32 && width <= MAX_PHYS_BITS)) {
      throw new InputError(`machine.mtrr.physBits: expected an integer from 32 to ${MAX_PHYS_BITS}, got ${JSON.stringify(spec.physBits)}`);
    }
    const fixed: TypedRange[] = [];
    const cpuVar: TypedRange[] = [];
    const linuxVar: TypedRange[] = [];
    if (spec.fixed !== undefined && !Array.isArray(spec.fixed)) throw new InputError('machine.mtrr.fixed: expected an array of {"start","end","type"}');
    if (spec.variable !== undefined && !Array.isArray(spec.variable)) throw new InputError('machine.mtrr.variable: expected an array of {"base","size","type"}');
    (spec.fixed ?? []).forEach((f, i) => {
      const where = `machine.mtrr.fixed[${i}]`;
      if (f === null || typeof f !== 'object') throw new InputError(`${where}: expected {"start","end","type"}`);
      if (!isByteAddr(f.start) || !isByteAddr(f.end) || f.end <= f.start || f.end > MTRR_FIXED_END) {
        throw new InputError(`${where}: expected integer byte addresses with start < end <= 0x100000 (fixed MTRRs cover the first MiB), got start ${JSON.stringify(f.start)}, end ${JSON.stringify(f.end)}`);
      }
      fixed.push({ start: f.start, end: f.end, type: typeOf(`${where}.type`, f.type) });
    });
    (spec.variable ?? []).forEach((v, i) => {
      const where = `machine.mtrr.variable[${i}]`;
      if (v === null || typeof v !== 'object') throw new InputError(`${where}: expected {"base","size","type"}`);
      if (!isByteAddr(v.base) || !isByteAddr(v.size) || v.size === 0 || v.base + v.size > MAX_PHYS_ADDR) {
        throw new InputError(`${where}: expected integer byte values with size > 0 and base + size <= 2^${MAX_PHYS_BITS}, got base ${JSON.stringify(v.base)}, size ${JSON.stringify(v.size)}`);
      }
      const type = typeOf(`${where}.type`, v.type);
      if (v.mask === undefined) {
        cpuVar.push({ start: v.base, end: v.base + v.size, type });
        linuxVar.push({ start: v.base, end: v.base + v.size, type });
        return;
      }
      if (!isByteAddr(v.mask) || v.mask >= MAX_PHYS_ADDR) throw new InputError(`${where}.mask: expected an integer below 2^${MAX_PHYS_BITS}, got ${JSON.stringify(v.mask)}`);
      cpuVar.push(...maskBlocks(where, v.base, v.mask, type, width));
      linuxVar.push(linuxVarRange(v.base, v.mask, type, width));
    });
    const cpu = new CacheMap(buildMap(fixed, cpuVar, def));
    // Linux's map is the CPU's when no range has a mask; building it again gives the same map.
    // Stryker disable next-line BooleanLiteral: equivalent (?? false) — without variable ranges Linux's map is built again, equal to the CPU's
    // Stryker disable next-line LogicalOperator: equivalent (&&) — undefined or the same boolean: at worst the equal map is built again
    // Stryker disable next-line ConditionalExpression: equivalent (v.mask === undefined → false) — the equal map is built again
    // Stryker disable next-line ArrowFunction: equivalent — every() is then false: the equal map is built again
    const same = spec.variable?.every((v) => v.mask === undefined) ?? true;
    return new Mtrr(true, def, cpu, same ? cpu : new CacheMap(buildMap(fixed, linuxVar, def)));
  }

  /** Are MTRRs enabled (`mtrr_state.enabled & MTRR_STATE_MTRR_ENABLED`)? */
  get enabled(): boolean {
    return this.on;
  }

  /** Number of elementary ranges of the CPU's map (≥ 1). */
  get rangeCount(): number {
    return this.cpu.count;
  }

  /**
   * The CPU's MTRR type (`MTRR_TYPE_*`) of the byte at physical address
   * `addr`: the fixed range covering it when `addr` < 1 MiB and one is
   * given, else the combination of the variable ranges matching it
   * (`(addr & mask) == (base & mask)`, combined as `get_effective_type()`),
   * else the default type; UC everywhere when MTRRs are disabled.
   * O(log n) with n the number of range boundaries.
   */
  typeAt(addr: number): number {
    return this.cpu.typeAt(addr);
  }

  /**
   * Linux ≥ 6.5 `mtrr_type_lookup(start, end)`: the MTRR type of the byte
   * range `[start, end)` (`end` exclusive) by Linux's cache map, merging the
   * types of all its parts with `type_merge()` (so a range spanning WB and
   * UC is UC, WB and WT is WT). `MTRR_TYPE_UNCACHABLE` when MTRRs are
   * disabled ("MTRR state unset or disabled"); `MTRR_TYPE_INVALID` for an
   * empty range.
   */
  lookup(start: number, end: number): number {
    if (!this.on) return MTRR_TYPE_UNCACHABLE;
    return this.linux.merged(start, end);
  }
}

/**
 * SDM Vol. 3A Table 11-7 ("Effective Page-Level Memory Types"): the memory
 * type the CPU uses for a page whose MTRR type is `mtrrType` (`MTRR_TYPE_*`)
 * and whose PTE selects PAT
 * type `patType` (a cache mode number: WB 0, WC 1, UC- 2, UC 3, WT 4, WP 5).
 * Returns a cache mode number (UC- never results: it resolves to UC or WC).
 * PAT WC always gives WC; UC- differs from UC only over MTRR WC (giving WC);
 * PAT WB takes the MTRR type; the SDM's formerly undefined cells are given as
 * its current edition does (e.g. PAT WP over MTRR WT = WP).
 * An unknown MTRR encoding (`MTRR_TYPE_INVALID` included) is treated as UC.
 * @throws RangeError for a `patType` that is no cache mode (a caller bug)
 */
export function effectiveType(mtrrType: number, patType: number): number {
  if (!(patType >= 0 && patType <= 5 && Number.isInteger(patType))) {
    throw new RangeError(`effectiveType: PAT type ${patType} is not a cache mode (0..5)`);
  }
  if (patType === WC) return WC;
  if (patType === UC) return UC;
  switch (mtrrType) {
    case MTRR_TYPE_WRBACK:
      return patType === UC_MINUS ? UC : patType; // WB, WT, WP as given
    case MTRR_TYPE_WRTHROUGH:
      return patType === UC_MINUS ? UC : patType === WB ? WT : patType; // WT, WP as given
    case MTRR_TYPE_WRCOMB:
      return patType === UC_MINUS || patType === WB ? WC : UC; // WT, WP → UC
    case MTRR_TYPE_WRPROT:
      return patType === UC_MINUS ? WC : patType === WB ? WP : patType; // WT → WT, WP → WP
    default:
      return UC; // MTRR UC (and reserved encodings): only PAT WC escapes
  }
}

/* ------------------------------------------------------------------------ */
/* Text parsing                                                              */
/* ------------------------------------------------------------------------ */

const PROC_NEW =
  /^reg(\d+): base=0x([0-9a-fA-F]+) \(\s*\d+MB\), size=\s*(\d+)([KMG])B, count=\d+: (\S+)\s*$/;
const PROC_OLD =
  /^reg(\d+): base=0x([0-9a-fA-F]+) \(\s*\d+MB\), size=\s*(\d+)([KMG])B: (\S+), count=\d+\s*$/;
const DEFAULT_LINE = /^(?:mtrr: )?MTRR default type: (.*)$/;
const FIXED_HEADER = /^(?:mtrr: )?MTRR fixed ranges (en|dis)abled:\s*$/;
const VAR_HEADER = /^(?:mtrr: )?MTRR variable ranges (en|dis)abled:\s*$/;
const FIXED_ENTRY = /^\s*([0-9a-fA-F]{1,8})-([0-9a-fA-F]{1,8}) (\S+)\s*$/;
const VAR_ENTRY = /^\s*(\d+) (?:base ([0-9a-fA-F]{1,16}) mask ([0-9a-fA-F]{1,16}) (\S+)|disabled)\s*$/;

const EXPECT_PROC = 'expected "regNN: base=0xBASE (  NNNMB), size= NNNMB, count=N: TYPE" (/proc/mtrr; size in KB, MB or GB)';
const EXPECT_FIXED = 'expected a fixed-range line "  00000-9FFFF write-back" (hex, END inclusive)';
const EXPECT_VAR = 'expected a variable-range line "  N base BASE mask MASK TYPE" or "  N disabled" (hex without 0x)';
const EXPECT_TYPE = 'uncachable, write-combining, write-through, write-protect or write-back';
const NO_DATA =
  'no MTRR data found: expected a /proc/mtrr listing ("reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back") or the boot-log block ("MTRR default type: uncachable", "MTRR fixed ranges enabled:", "MTRR variable ranges enabled:")';

function quoteLine(line: string): string {
  const s = line.length > 100 ? `${line.slice(0, 97)}...` : line;
  return JSON.stringify(s);
}

/**
 * Parses MTRR state from text, in either of two forms (lines may carry
 * `[    0.000000] ` timestamps or syslog prefixes; other lines are ignored):
 *
 * - a `/proc/mtrr` listing, `reg00: base=0x0c0000000 ( 3072MB), size= 1024MB,
 *   count=1: uncachable` (also the older `size=1024MB: uncachable, count=1`),
 *   sizes in KB, MB or GB. `/proc/mtrr` does not show the default type: it
 *   is taken as **WB when every listed range is uncachable** (firmware that
 *   only carves UC holes out of a WB default) **and UC otherwise** (firmware
 *   that lists its WB ranges explicitly over a UC default).
 * - the boot-log block of `print_mtrr_state()`: `MTRR default type:
 *   uncachable`, `MTRR fixed ranges enabled:` followed by `  00000-9FFFF
 *   write-back` lines (hex, END inclusive), and `MTRR variable ranges
 *   enabled:` followed by `  0 base 000000000000 mask 3FC000000000
 *   write-back` or `  4 disabled` (hex without 0x; physical addresses). Each
 *   range keeps its `mask` (matched as the CPU does: a 2010 BIOS's `mask
 *   0C0000000` on a 36-bit CPU repeats every 4 GiB) and the printed `base`;
 *   `size` is the mask's lowest set bit; `physBits` is the width of the
 *   printed masks (`print_mtrr_state()` prints as many hex digits as the
 *   CPU has physical address bits), at most 46.
 *   Fixed ranges under `MTRR fixed ranges disabled:` are ignored; `MTRR
 *   variable ranges disabled:` means MTRRs are off (`MTRRdefType.E` clear):
 *   the result has `enabled: false`. AMD's `TOM2:` line is ignored.
 *
 * @returns an `MtrrSpec` with short type names (`UC`, `WC`, `WT`, `WP`,
 *   `WB`), byte addresses, fixed `end` exclusive, variable ranges in register
 *   order.
 * @throws InputError (with 1-based `line`) for a malformed `regNN:` line, a
 *   malformed header or range line inside the boot-log block, an unknown type
 *   name, a repeated register number or header, an all-zero mask, an address
 *   of 2^52 or more, a text mixing both forms, or a text with neither.
 */
export function parseMtrrText(text: string): MtrrSpec {
  const lines = text.split(/\r\n|\n|\r/);
  const procRegs = new Map<number, { base: number; size: number; type: number }>();
  let firstProc = 0;
  let firstBoot = 0;
  let defaultType: number | undefined;
  let defaultLine = 0;
  let fixedHeaderLine = 0;
  let varHeaderLine = 0;
  let fixedEnabled = false;
  let varEnabled = false;
  let state: 'none' | 'fixed' | 'var' = 'none';
  const fixed: { start: number; end: number; type: number }[] = [];
  const varRegs = new Map<number, { base: number; size: number; type: number; mask: number } | null>();
  /** Hex digits the log prints for a mask: `print_mtrr_state()` sizes the field to the CPU's physical address width. */
  let maskDigits = 0;

  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const raw = lines[n]!;
    const { text: body } = stripLogPrefix(raw);
    const msg = body.trimStart();
    const bad = (what: string): InputError => new InputError(`mtrr line ${lineNo}: ${what}, got ${quoteLine(raw.trim())}`, lineNo, 1);
    const typeWord = (w: string): number => {
      const t = parseMtrrType(w);
      if (t < 0) throw bad(`unknown MTRR type "${w}": expected ${EXPECT_TYPE}`);
      return t;
    };
    const markBoot = (): void => {
      if (firstBoot === 0) firstBoot = lineNo;
    };

    if (/^reg\d+:/.test(msg)) {
      const m = PROC_NEW.exec(msg) ?? PROC_OLD.exec(msg);
      if (!m) throw bad(EXPECT_PROC);
      const reg = Number(m[1]);
      if (procRegs.has(reg)) throw bad(`register reg${m[1]} is listed twice; expected one /proc/mtrr listing`);
      const base = parseInt(m[2]!, 16);
      const unit = m[4] === 'K' ? 2 ** 10 : m[4] === 'M' ? 2 ** 20 : 2 ** 30;
      const size = Number(m[3]) * unit;
      if (m[2]!.replace(/^0+/, '').length > 13 || base + size > MAX_PHYS_ADDR) {
        throw bad(`range ends beyond the ${MAX_PHYS_BITS}-bit physical address space`);
      }
      if (size === 0) throw bad('size 0: expected a non-empty range');
      if (firstProc === 0) firstProc = lineNo;
      procRegs.set(reg, { base, size, type: typeWord(m[5]!) });
      continue;
    }
    if (msg.startsWith('MTRR default type') || msg.startsWith('mtrr: MTRR default type')) {
      const m = DEFAULT_LINE.exec(msg);
      if (!m) throw bad(`expected "MTRR default type: TYPE" with TYPE one of ${EXPECT_TYPE}`);
      if (defaultLine) throw bad(`a second MTRR default type (the first is at line ${defaultLine}); expected one boot's MTRR block`);
      defaultType = typeWord(m[1]!.trim());
      defaultLine = lineNo;
      markBoot();
      continue;
    }
    if (msg.startsWith('MTRR fixed ranges') || msg.startsWith('mtrr: MTRR fixed ranges')) {
      const m = FIXED_HEADER.exec(msg);
      if (!m) throw bad('expected "MTRR fixed ranges enabled:" or "MTRR fixed ranges disabled:"');
      if (fixedHeaderLine) throw bad(`a second fixed-range header (the first is at line ${fixedHeaderLine}); expected one boot's MTRR block`);
      fixedHeaderLine = lineNo;
      fixedEnabled = m[1] === 'en';
      state = 'fixed';
      markBoot();
      continue;
    }
    if (msg.startsWith('MTRR variable ranges') || msg.startsWith('mtrr: MTRR variable ranges')) {
      const m = VAR_HEADER.exec(msg);
      if (!m) throw bad('expected "MTRR variable ranges enabled:" or "MTRR variable ranges disabled:"');
      if (varHeaderLine) throw bad(`a second variable-range header (the first is at line ${varHeaderLine}); expected one boot's MTRR block`);
      varHeaderLine = lineNo;
      varEnabled = m[1] === 'en';
      state = 'var';
      markBoot();
      continue;
    }
    if (state === 'fixed') {
      const indented = /^\s/.test(body);
      if ((indented && /^[0-9a-fA-F]+-/.test(msg)) || /^[0-9a-fA-F]{5}-[0-9a-fA-F]{5} /.test(msg)) {
        const m = FIXED_ENTRY.exec(msg);
        if (!m) throw bad(EXPECT_FIXED);
        const start = parseInt(m[1]!, 16);
        const end = parseInt(m[2]!, 16) + 1;
        if (end <= start || end > MTRR_FIXED_END) {
          throw bad('expected a fixed range with START <= END below 0x100000 (fixed MTRRs cover the first MiB; hex, END inclusive)');
        }
        fixed.push({ start, end, type: typeWord(m[3]!) });
        continue;
      }
    } else if (state === 'var') {
      const indented = /^\s/.test(body);
      if ((indented && /^\d+(\s|$)/.test(msg)) || /^\d+ (base|disabled)\b/.test(msg)) {
        const m = VAR_ENTRY.exec(msg);
        if (!m) throw bad(EXPECT_VAR);
        const reg = Number(m[1]);
        if (varRegs.has(reg)) throw bad(`variable MTRR ${reg} is listed twice; expected one boot's MTRR block`);
        if (m[2] === undefined) {
          varRegs.set(reg, null);
          continue;
        }
        const mask = BigInt(`0x${m[3]}`);
        if (mask === 0n) throw bad('mask 0 covers nothing; expected a mask with the size bits set');
        const sizeB = mask & -mask;
        const baseB = BigInt(`0x${m[2]}`);
        if ((baseB & ~(sizeB - 1n)) + sizeB > BigInt(MAX_PHYS_ADDR) || mask >= BigInt(MAX_PHYS_ADDR)) {
          throw bad(`range ends beyond the ${MAX_PHYS_BITS}-bit physical address space`);
        }
        maskDigits = Math.max(maskDigits, m[3]!.length);
        varRegs.set(reg, { base: Number(baseB), size: Number(sizeB), type: typeWord(m[4]!), mask: Number(mask) });
        continue;
      }
    }
  }

  if (firstProc && firstBoot) {
    const line = Math.max(firstProc, firstBoot);
    throw new InputError(
      `mtrr line ${line}: this text mixes a /proc/mtrr listing (line ${firstProc}) with a boot-log MTRR block (line ${firstBoot}); expected one of them`,
      line,
      1,
    );
  }
  if (firstProc) {
    const regs = [...procRegs.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const allUc = regs.every((r) => r.type === MTRR_TYPE_UNCACHABLE);
    return {
      default: allUc ? 'WB' : 'UC',
      variable: regs.map((r) => ({ base: r.base, size: r.size, type: mtrrShortName(r.type) })),
    };
  }
  if (firstBoot) {
    if (defaultType === undefined) {
      throw new InputError(`mtrr line ${firstBoot}: expected a "MTRR default type: TYPE" line with the MTRR block`, firstBoot, 1);
    }
    if (varHeaderLine && !varEnabled) return { default: mtrrShortName(defaultType), enabled: false };
    const spec: MtrrSpec = { default: mtrrShortName(defaultType) };
    if (fixedEnabled && fixed.length) {
      spec.fixed = fixed.map((f) => ({ start: f.start, end: f.end, type: mtrrShortName(f.type) }));
    }
    const vars = [...varRegs.entries()]
      .sort((a, b) => a[0] - b[0])
      .flatMap(([, r]) => (r ? [{ base: r.base, size: r.size, type: mtrrShortName(r.type), mask: r.mask }] : []));
    if (vars.length) {
      spec.variable = vars;
      spec.physBits = Math.min(4 * maskDigits, CPU_PHYS_BITS);
    }
    return spec;
  }
  throw new InputError(NO_DATA);
}
