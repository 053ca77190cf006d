/**
 * `/proc/iomem` parser: the resource tree Linux prints from `iomem_resource`
 * (kernel/resource.c, `r_show()` through `ioresources_op`).
 *
 * Each line is `%*s%0*llx-%0*llx : %s`: an indent of two spaces per nesting
 * level, the start and the *inclusive* end in hex without `0x`, then ` : ` and
 * the resource name (which may itself contain spaces and colons, e.g.
 * `PCI Bus 0000:00`).
 */
import { InputError } from './errors.js';
import { MAX_PHYS_ADDR, MAX_PHYS_BITS, type Resource } from './physmap.js';

const EXPECTED = 'expected "START-END : NAME" (hex, END inclusive)';

/** Quotes a line for an error message, shortened to a readable length. */
function quoteLine(line: string): string {
  const s = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return JSON.stringify(s);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * Value of a hex digit string (no `0x`) as an exact JS number, or -1 when it is
 * 2^52 or more (beyond `MAX_PHYS_ADDR`; also anything longer than 13
 * significant digits, which would lose precision).
 */
export function hexToAddr(digits: string): number {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  const sig = digits.slice(i);
  if (sig.length > 13) return -1;
  const v = parseInt(sig, 16);
  return v >= MAX_PHYS_ADDR ? -1 : v;
}

/**
 * Parses a `/proc/iomem` dump into resources, in file order.
 *
 * Shape of the result: one `Resource` per non-blank line, `{start, end, name,
 * depth}` with byte addresses, `end` **exclusive** (the file's inclusive END
 * + 1), `depth` = indent / 2 (0 = top level), `name` as printed (trailing
 * blanks and a CR removed). A line whose END is START-1 (how Linux prints a
 * zero-size resource) gives a zero-length resource; `00000000-00000000`
 * (unset PCI windows) gives `[0, 1)` like any other inclusive pair.
 * "System RAM" resources, at any depth, are what `PhysMap` treats as RAM
 * (`walk_system_ram_range()`).
 *
 * A line indented more than one level deeper than the line before — as
 * excerpts pasted into bug reports often are, with a nesting level left out
 * — is a child of the nearest preceding entry that is indented less: its
 * `depth` is one more than that entry's.
 *
 * Blank (whitespace-only) lines are ignored.
 *
 * @throws InputError (with 1-based `line` and `column`) for
 *  - a line not of the form `START-END : NAME`;
 *  - an indent that is not a multiple of two spaces, or a first entry that
 *    is indented;
 *  - an address of 2^52 or more (`__PHYSICAL_MASK_SHIFT`), or END < START-1;
 *  - a file where every entry is `00000000-00000000`: `r_show()` prints
 *    zeros to readers without CAP_SYS_ADMIN, so the dump must be read as
 *    root;
 *  - a file without any entry.
 */
export function parseIomem(text: string): Resource[] {
  const lines = text.split(/\r\n|\n|\r/);
  const out: Resource[] = [];
  let allZero = true;
  /** Indents of the open ancestors of the next line, outermost first (the last is the line before's). */
  const open: number[] = [];
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!;
    if (line.trim() === '') continue;
    const fail = (col: number, what = EXPECTED): InputError =>
      new InputError(`iomem line ${lineNo}: ${what}, got ${quoteLine(line)}`, lineNo, col);
    let i = 0;
    while (i < line.length && line.charCodeAt(i) === 32) i++;
    const indent = i;
    const s0 = i;
    while (i < line.length && isHex(line.charCodeAt(i))) i++;
    if (i === s0) throw fail(i + 1);
    const startHex = line.slice(s0, i);
    if (line[i] !== '-') throw fail(i + 1);
    i++;
    const e0 = i;
    while (i < line.length && isHex(line.charCodeAt(i))) i++;
    if (i === e0) throw fail(i + 1);
    const endHex = line.slice(e0, i);
    if (line.slice(i, i + 2) !== ' :') throw fail(i + 1);
    i += 2;
    // `r_show` prints " : NAME"; a copy may have lost the blank after an empty name.
    let name: string;
    if (i === line.length || line.slice(i).trim() === '') name = '';
    else if (line[i] === ' ') name = line.slice(i + 1).replace(/\s+$/, '');
    else throw fail(i + 1);

    if (indent % 2 !== 0) {
      throw fail(1, `expected an indent of 2 spaces per nesting level, found ${indent} spaces`);
    }
    if (out.length === 0 && indent > 0) throw fail(1, 'expected the first entry at top level (no indent)');
    while (open.length > 0 && open[open.length - 1]! >= indent) open.pop();
    const depth = open.length;
    open.push(indent);

    const start = hexToAddr(startHex);
    if (start < 0) throw fail(s0 + 1, `address 0x${startHex} is beyond the ${MAX_PHYS_BITS}-bit physical address space`);
    const endIncl = hexToAddr(endHex);
    if (endIncl < 0) throw fail(e0 + 1, `address 0x${endHex} is beyond the ${MAX_PHYS_BITS}-bit physical address space`);
    const end = endIncl + 1;
    if (end < start) throw fail(e0 + 1, `END 0x${endHex} is below START 0x${startHex} (END is inclusive)`);
    if (start !== 0 || endIncl !== 0) allZero = false;
    out.push({ start, end, name, depth });
  }
  if (out.length === 0) {
    throw new InputError('iomem: no entries found: expected lines like "00100000-bfffffff : System RAM" (hex, END inclusive)');
  }
  if (allZero) {
    throw new InputError(
      'iomem: every entry is 00000000-00000000: the kernel hides addresses from unprivileged readers; read /proc/iomem as root (sudo cat /proc/iomem)',
      1,
      1,
    );
  }
  return out;
}
