/**
 * The BIOS e820 memory map as Linux prints it in the boot log, and the edits
 * the kernel logs after it.
 *
 * Models `e820__print_table()` (the `BIOS-e820:` lines, both the v3.x+ form
 * `[mem 0xSTART-0xEND] TYPE` with an inclusive end and the pre-3.x form
 * `START - END (TYPE)` with an exclusive end), `e820__range_update()`,
 * `e820__range_remove()` and `efi_remove_e820_mmio()` (arch/x86/kernel/e820.c,
 * arch/x86/platform/efi/efi.c), `e820__update_table()` (sanitising overlaps:
 * the highest-numbered type wins) and `e820_type_to_string()` (the names
 * `/proc/iomem` shows).
 */
import { InputError } from './errors.js';
import { hexToAddr } from './iomem.js';
import type { E820Entry } from './machine-spec.js';
import { MAX_PHYS_ADDR, MAX_PHYS_BITS, SYSTEM_RAM, type Resource } from './physmap.js';

/** Normalised e820 type names (`E820Entry.type`); anything else is `type N`. */
export const E820_TYPES = ['usable', 'reserved', 'ACPI data', 'ACPI NVS', 'unusable', 'persistent', 'soft reserved'] as const;

/** `enum e820_type` values, used to resolve overlaps as `e820__update_table()` does. */
const TYPE_CODE: Record<string, number> = {
  usable: 1,
  reserved: 2,
  'ACPI data': 3,
  'ACPI NVS': 4,
  unusable: 5,
  persistent: 12,
  'soft reserved': 0xefffffff,
};

/** `e820_type_to_string()`: the resource names Linux registers in `/proc/iomem`. */
const IOMEM_NAME: Record<string, string> = {
  usable: SYSTEM_RAM,
  reserved: 'Reserved',
  'ACPI data': 'ACPI Tables',
  'ACPI NVS': 'ACPI Non-volatile Storage',
  unusable: 'Unusable memory',
  persistent: 'Persistent Memory (legacy)',
  'soft reserved': 'Soft Reserved',
};

/** Spellings of each type across kernel versions (lower case) → normalised name. */
const TYPE_ALIASES: Record<string, string> = {
  usable: 'usable',
  'system ram': 'usable', // v7.x e820_print_type()
  'kernel usable ram': 'usable', // 2025 tip-tree wording
  reserved: 'reserved',
  'device reserved': 'reserved', // v7.x
  'acpi data': 'ACPI data',
  'acpi nvs': 'ACPI NVS',
  unusable: 'unusable',
  'persistent (type 12)': 'persistent',
  'persistent (type 7)': 'persistent',
  'type 12': 'persistent',
  'soft reserved': 'soft reserved',
};

const TYPE_EXPECTED =
  'usable, reserved, ACPI data, ACPI NVS, unusable, persistent (type 12), soft reserved or type N';

/**
 * Normalises a printed e820 type (`usable`, `(ACPI NVS)`, `System RAM`,
 * `device reserved`, `persistent (type 12)`, `type 20`, ...) to the names of
 * `E820Entry.type`: `usable`, `reserved`, `ACPI data`, `ACPI NVS`,
 * `unusable`, `persistent`, `soft reserved`, or `type N` (decimal, as
 * printed by `e820_print_type()` for unknown types; not RAM).
 * Returns `undefined` for text that is no e820 type.
 */
export function normalizeE820Type(printed: string): string | undefined {
  let t = printed.trim();
  if (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
  const k = t.replace(/\s+/g, ' ').toLowerCase();
  const alias = TYPE_ALIASES[k];
  if (alias) return alias;
  const m = /^type (\d{1,10})$/.exec(k);
  if (m) return `type ${Number(m[1])}`;
  return undefined;
}

/** `enum e820_type` number of a normalised type name (unknown names sort above all). */
function typeCode(type: string): number {
  const c = TYPE_CODE[type];
  if (c !== undefined) return c;
  const m = /^type (\d+)$/.exec(type);
  return m ? Number(m[1]) : 2 ** 32;
}

/**
 * `e820__update_table()`: turns possibly overlapping, unsorted entries into
 * sorted, disjoint ones. Where entries overlap, the type with the highest
 * `enum e820_type` number wins (so RAM loses to anything); adjacent or
 * overlapping pieces of one type are merged; empty entries vanish.
 * Byte addresses, `end` exclusive, in and out.
 */
export function sanitizeE820(entries: readonly E820Entry[]): E820Entry[] {
  const pts = new Set<number>();
  for (const e of entries) {
    if (e.end > e.start) {
      pts.add(e.start);
      pts.add(e.end);
    }
  }
  const bounds = [...pts].sort((a, b) => a - b);
  const live = entries.filter((e) => e.end > e.start).slice().sort((a, b) => a.start - b.start);
  const out: E820Entry[] = [];
  let next = 0; // next entry of `live` to activate
  let active: E820Entry[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const s = bounds[i]!;
    const e = bounds[i + 1]!;
    active = active.filter((x) => x.end > s);
    while (next < live.length && live[next]!.start <= s) {
      if (live[next]!.end > s) active.push(live[next]!);
      next++;
    }
    if (active.length === 0) continue;
    let best = active[0]!;
    for (const x of active) if (typeCode(x.type) > typeCode(best.type)) best = x;
    const last = out[out.length - 1];
    if (last && last.end === s && last.type === best.type) last.end = e;
    else out.push({ start: s, end: e, type: best.type });
  }
  return out;
}

/** A log line with its timestamp / syslog / journald prefix removed. */
export interface LogLine {
  /** The message text, leading blanks kept. */
  text: string;
  /** 0-based offset of `text` in the original line (for error columns). */
  offset: number;
}

const LOG_PREFIX = new RegExp(
  '^(?:<\\d{1,3}>)?' + // printk level as /dev/kmsg or syslog shows it
    '(?:[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d \\S+ kernel: ' + // journalctl / syslog
    '|\\d{4}-\\d\\d-\\d\\dT[0-9:.,+-]+Z? \\S+ kernel: )?' + // journalctl -o short-iso
    '(?:\\[ *\\d+\\.\\d+\\] ?' + // dmesg timestamp
    '|\\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] ?)?' + // dmesg -T
    '(?:\\[ *[TC]\\d+\\] ?)?', // CONFIG_PRINTK_CALLER
);

/**
 * Removes what log tools put before a kernel message: `[    0.000000] `
 * timestamps (also `dmesg -T` dates and printk caller ids), `<6>` levels, and
 * journald/syslog `Mon DD HH:MM:SS host kernel: ` prefixes. Leading blanks of
 * the message itself are kept.
 */
export function stripLogPrefix(line: string): LogLine {
  const m = LOG_PREFIX.exec(line);
  const offset = m ? m[0].length : 0;
  return { text: line.slice(offset), offset };
}

const HEX = '[0-9a-fA-F]+';
const NEW_TABLE = new RegExp(`^BIOS-e820: \\[mem (?:0x)?(${HEX})-(?:0x)?(${HEX})\\]\\s+(.*)$`);
const GAP_LINE = /^BIOS-e820: \[gap /;
const OLD_TABLE = new RegExp(`^BIOS-e820: (${HEX}) - (${HEX})\\s*(\\([^)]*\\)|type \\d+)\\s*$`);
const NEW_UPDATE = new RegExp(`^e820: update \\[mem (?:0x)?(${HEX})-(?:0x)?(${HEX})\\] (.+?) ==> (.+)$`);
const NEW_REMOVE = new RegExp(`^e820: remove \\[mem (?:0x)?(${HEX})-(?:0x)?(${HEX})\\](?: (.*))?$`);
const OLD_TYPE = '\\([^)]*\\)|type \\d+';
const OLD_UPDATE = new RegExp(`^e820 update range: (${HEX}) - (${HEX}) (${OLD_TYPE}) ==> (${OLD_TYPE})\\s*$`);
const OLD_REMOVE = new RegExp(`^e820 remove range: (${HEX}) - (${HEX})(?: +(${OLD_TYPE}))?\\s*$`);
const EFI_REMOVE = new RegExp(`^efi: Remove mem\\d+: MMIO range=\\[(?:0x)?(${HEX})-(?:0x)?(${HEX})\\]`);
/** The size column some kernels print before the type: `  639   KB`, `1.9 GB`. */
const SIZE_COLUMN = /^\d+(?:\.\d+)?\s*[KMGTP]?B\s+/;

const EXPECT_TABLE =
  'expected "BIOS-e820: [mem 0xSTART-0xEND] TYPE" (END inclusive) or "BIOS-e820: START - END (TYPE)" (END exclusive, hex)';
const EXPECT_UPDATE = 'expected "e820: update [mem 0xSTART-0xEND] OLDTYPE ==> NEWTYPE" (END inclusive)';
const EXPECT_REMOVE = 'expected "e820: remove [mem 0xSTART-0xEND] [TYPE]" (END inclusive)';
const EXPECT_OLD_UPDATE = 'expected "e820 update range: START - END (OLDTYPE) ==> (NEWTYPE)" (END exclusive, hex)';
const EXPECT_OLD_REMOVE = 'expected "e820 remove range: START - END [(TYPE)]" (END exclusive, hex)';
const EXPECT_EFI = 'expected "efi: Remove memNN: MMIO range=[0xSTART-0xEND] (SIZE) from e820 map" (END inclusive)';

function quoteLine(line: string): string {
  const s = line.length > 100 ? `${line.slice(0, 97)}...` : line;
  return JSON.stringify(s);
}

/** One edit of the table, byte addresses, `end` exclusive. `from` undefined = any type. */
interface Edit {
  start: number;
  end: number;
  from: string | undefined;
  /** New type; undefined = remove. */
  to: string | undefined;
}

/** Applies one `e820__range_update()` / `e820__range_remove()` to sorted disjoint segments. */
function applyEdit(segs: E820Entry[], ed: Edit): E820Entry[] {
  if (ed.end <= ed.start) return segs;
  const out: E820Entry[] = [];
  for (const g of segs) {
    if (g.end <= ed.start || g.start >= ed.end || (ed.from !== undefined && g.type !== ed.from)) {
      out.push(g);
      continue;
    }
    if (g.start < ed.start) out.push({ start: g.start, end: ed.start, type: g.type });
    if (ed.to !== undefined) {
      out.push({ start: Math.max(g.start, ed.start), end: Math.min(g.end, ed.end), type: ed.to });
    }
    if (g.end > ed.end) out.push({ start: ed.end, end: g.end, type: g.type });
  }
  return out;
}

/**
 * Parses the e820 part of a Linux boot log into the final e820 table.
 *
 * Reads the `BIOS-e820:` table in either form — `BIOS-e820: [mem
 * 0xSTART-0xEND] TYPE` (v3.x and later, END inclusive; a size column such as
 * `639   KB` before the type and `[gap ...]` lines of newer kernels are
 * accepted) or `BIOS-e820: START - END (TYPE)` (pre-3.x, END exclusive, hex
 * without `0x`) — then applies, in file order, the edits the kernel prints:
 * - `e820: update [mem A-B] X ==> Y` (B inclusive; `e820__range_update()`:
 *   only the parts of type X become Y);
 * - `e820: remove [mem A-B] [X]` (B inclusive; `e820__range_remove()`: the
 *   parts of type X, or everything when no type is printed);
 * - `efi: Remove memNN: MMIO range=[A-B] ...` (B inclusive;
 *   `efi_remove_e820_mmio()` calls `e820__range_remove(start, size,
 *   E820_TYPE_RESERVED, 1)`: the reserved parts go);
 * - the pre-3.x `e820 update range: A - B (X) ==> (Y)` and
 *   `e820 remove range: A - B [(X)]` (B exclusive).
 * `reserve setup_data:`, `modified:`, `user:` and all other lines are
 * ignored. Lines may carry `[    0.000000] ` timestamps or syslog/journald
 * prefixes (see `stripLogPrefix`).
 *
 * Types are normalised by `normalizeE820Type` (`System RAM` → `usable`,
 * `device reserved` → `reserved`, `type 12` → `persistent`, unknown `type N`
 * kept: not RAM).
 *
 * @returns entries sorted by start, byte addresses, `end` exclusive,
 *   overlaps resolved as `e820__update_table()` does, adjacent entries of one
 *   type merged.
 * @throws InputError (with 1-based `line` and `column`) when there is no
 *   `BIOS-e820:` table, when a line that starts like a table line or an edit
 *   is malformed (naming the line and the expected form), for an unknown type
 *   word, an address of 2^52 or more, END below START, an edit before the
 *   table, or a second table after edits (two boots in one log).
 */
export function parseE820Text(text: string): E820Entry[] {
  const lines = text.split(/\r\n|\n|\r/);
  const table: E820Entry[] = [];
  const edits: Edit[] = [];
  let tableLine = 0; // line of the first table entry
  let editLine = 0; // line of the first edit

  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const raw = lines[n]!;
    const { text: msg0, offset } = stripLogPrefix(raw);
    const msg = msg0.trimStart();
    const col = offset + (msg0.length - msg.length) + 1;
    const bad = (what: string): InputError => new InputError(`e820 line ${lineNo}: ${what}, got ${quoteLine(raw.trim())}`, lineNo, col);
    const addr = (hex: string): number => {
      const v = hexToAddr(hex);
      if (v < 0) throw bad(`address 0x${hex} is beyond the ${MAX_PHYS_BITS}-bit physical address space; expected addresses below 2^${MAX_PHYS_BITS}`);
      return v;
    };
    const type = (printed: string): string => {
      const t = normalizeE820Type(printed);
      if (t === undefined) throw bad(`unknown e820 type ${JSON.stringify(printed.trim())}: expected ${TYPE_EXPECTED}`);
      return t;
    };
    /** Inclusive-end range → [start, end). */
    const incl = (a: string, b: string): [number, number] => {
      const s = addr(a);
      const e = addr(b) + 1;
      if (e < s) throw bad(`END 0x${b} is below START 0x${a} (END is inclusive)`);
      return [s, e];
    };
    /** Exclusive-end range. */
    const excl = (a: string, b: string): [number, number] => {
      const s = addr(a);
      const v = hexToAddr(b);
      // An exclusive end may be exactly 2^52.
      const e = v < 0 && /^0*10{13}$/.test(b) ? MAX_PHYS_ADDR : addr(b);
      if (e < s) throw bad(`END ${b} is below START ${a}`);
      return [s, e];
    };

    if (msg.startsWith('BIOS-e820:')) {
      if (GAP_LINE.test(msg)) continue;
      let entry: E820Entry;
      let m = NEW_TABLE.exec(msg);
      if (m) {
        const [s, e] = incl(m[1]!, m[2]!);
        entry = { start: s, end: e, type: type(m[3]!.replace(SIZE_COLUMN, '')) };
      } else if ((m = OLD_TABLE.exec(msg))) {
        const [s, e] = excl(m[1]!, m[2]!);
        entry = { start: s, end: e, type: type(m[3]!) };
      } else {
        throw bad(EXPECT_TABLE);
      }
      if (editLine > 0) {
        throw bad(`a second e820 table starts here after the edit at line ${editLine} (the first table starts at line ${tableLine}); expected the log of one boot`);
      }
      if (tableLine === 0) tableLine = lineNo;
      table.push(entry);
      continue;
    }

    let edit: Edit | undefined;
    if (msg.startsWith('e820: update')) {
      const m = NEW_UPDATE.exec(msg);
      if (!m) throw bad(EXPECT_UPDATE);
      const [s, e] = incl(m[1]!, m[2]!);
      edit = { start: s, end: e, from: type(m[3]!), to: type(m[4]!) };
    } else if (msg.startsWith('e820: remove')) {
      const m = NEW_REMOVE.exec(msg);
      if (!m) throw bad(EXPECT_REMOVE);
      const [s, e] = incl(m[1]!, m[2]!);
      edit = { start: s, end: e, from: m[3]?.trim() ? type(m[3]) : undefined, to: undefined };
    } else if (msg.startsWith('e820 update range:')) {
      const m = OLD_UPDATE.exec(msg);
      if (!m) throw bad(EXPECT_OLD_UPDATE);
      const [s, e] = excl(m[1]!, m[2]!);
      edit = { start: s, end: e, from: type(m[3]!), to: type(m[4]!) };
    } else if (msg.startsWith('e820 remove range:')) {
      const m = OLD_REMOVE.exec(msg);
      if (!m) throw bad(EXPECT_OLD_REMOVE);
      const [s, e] = excl(m[1]!, m[2]!);
      edit = { start: s, end: e, from: m[3] ? type(m[3]) : undefined, to: undefined };
    } else if (msg.startsWith('efi: Remove mem')) {
      const m = EFI_REMOVE.exec(msg);
      if (!m) throw bad(EXPECT_EFI);
      const [s, e] = incl(m[1]!, m[2]!);
      edit = { start: s, end: e, from: 'reserved', to: undefined };
    }
    if (edit) {
      if (tableLine === 0) {
        throw bad('this e820 edit comes before any "BIOS-e820:" table line; expected the table first');
      }
      if (editLine === 0) editLine = lineNo;
      edits.push(edit);
    }
  }

  if (tableLine === 0) {
    throw new InputError('no e820 table found: expected lines like "BIOS-e820: [mem 0x...-0x...] usable"');
  }
  let segs = sanitizeE820(table);
  for (const ed of edits) segs = applyEdit(segs, ed);
  return sanitizeE820(segs);
}

/**
 * Turns an e820 table into the top-level resources Linux registers for it
 * (`e820__reserve_resources()`), named by `e820_type_to_string()`:
 * `usable` → `System RAM` (RAM for `PhysMap`), `reserved` → `Reserved`,
 * `ACPI data` → `ACPI Tables`, `ACPI NVS` → `ACPI Non-volatile Storage`,
 * `unusable` → `Unusable memory`, `persistent` → `Persistent Memory
 * (legacy)`, `soft reserved` → `Soft Reserved`, anything else (`type 20`,
 * ...) → `Unknown E820 type`.
 *
 * @param entries byte addresses, `end` exclusive, any order; types as
 *   `E820Entry.type` (other spellings that `normalizeE820Type` knows, such as
 *   `System RAM`, are normalised first); overlaps are resolved with
 *   `sanitizeE820` (highest type number wins)
 * @returns depth-0 resources sorted by start, `end` exclusive
 * @throws InputError naming the entry (0-based index) when an address is not
 *   a non-negative integer, is 2^52 or more, `end` < `start`, or `type` is not
 *   a string
 */
export function e820ToResources(entries: readonly E820Entry[]): Resource[] {
  entries.forEach((e, i) => {
    const where = `e820 entry ${i}`;
    if (e === null || typeof e !== 'object') throw new InputError(`${where}: expected {"start","end","type"}`);
    for (const k of ['start', 'end'] as const) {
      const v = e[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_PHYS_ADDR) {
        throw new InputError(`${where}: "${k}" must be an integer byte address in [0, 2^${MAX_PHYS_BITS}], got ${JSON.stringify(v)}`);
      }
    }
    if (e.end < e.start) throw new InputError(`${where}: "end" (exclusive) 0x${e.end.toString(16)} is below "start" 0x${e.start.toString(16)}`);
    if (typeof e.type !== 'string') throw new InputError(`${where}: "type" must be a string such as "usable", got ${JSON.stringify(e.type)}`);
  });
  const norm = entries.map((e) => ({ start: e.start, end: e.end, type: normalizeE820Type(e.type) ?? e.type }));
  return sanitizeE820(norm).map((e) => ({
    start: e.start,
    end: e.end,
    name: IOMEM_NAME[e.type] ?? 'Unknown E820 type',
    depth: 0,
  }));
}
