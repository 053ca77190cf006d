/**
 * The MTRR input contracts and Linux's rules, one rule per test: the
 * `/proc/mtrr` listing (`mtrr_seq_show()`), the boot log's
 * `print_mtrr_state()` block, the machine spec's `mtrr` object, the type
 * names (`mtrr_attrib_to_str()`), `get_effective_type()`, the cache map of
 * `mtrr_build_map()` and `mtrr_type_lookup()` (issue 16: the tests Stryker's
 * surviving mutants in core/mtrr.ts asked for).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { MtrrSpec } from '../../core/machine-spec.js';
import {
  MTRR_TYPE_INVALID,
  MTRR_TYPE_UNCACHABLE,
  MTRR_TYPE_WRBACK,
  MTRR_TYPE_WRCOMB,
  MTRR_TYPE_WRPROT,
  MTRR_TYPE_WRTHROUGH,
  Mtrr,
  effectiveType,
  getEffectiveMtrrType,
  mtrrShortName,
  mtrrTypeName,
  parseMtrrText,
  parseMtrrType,
} from '../../core/mtrr.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const [UCt, WCt, WTt, WPt, WBt] = [MTRR_TYPE_UNCACHABLE, MTRR_TYPE_WRCOMB, MTRR_TYPE_WRTHROUGH, MTRR_TYPE_WRPROT, MTRR_TYPE_WRBACK];

const EXPECT_PROC = 'expected "regNN: base=0xBASE (  NNNMB), size= NNNMB, count=N: TYPE" (/proc/mtrr; size in KB, MB or GB)';
const EXPECT_FIXED = 'expected a fixed-range line "  00000-9FFFF write-back" (hex, END inclusive)';
const EXPECT_VAR = 'expected a variable-range line "  N base BASE mask MASK TYPE" or "  N disabled" (hex without 0x)';
const EXPECT_TYPE = 'uncachable, write-combining, write-through, write-protect or write-back';
const SPEC_TYPES = 'expected an MTRR type UC, WC, WT, WP or WB (or uncachable, write-combining, write-through, write-protect, write-back)';

/** The InputError `fn` throws: message, line and column. */
function refusal(fn: () => unknown): { message: string; line?: number; column?: number } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const { message, line, column } = e as InputError;
    return { message, line, column };
  }
  throw new Error('expected an InputError, got none');
}
const parseRefusal = (text: string) => refusal(() => parseMtrrText(text));
const specRefusal = (spec: unknown) => refusal(() => Mtrr.fromSpec(spec as MtrrSpec)).message;

describe('mtrr_attrib_to_str() and the spec names', () => {
  it('mtrr_attrib_to_str: "?" for the reserved encodings 2, 3, 7 and MTRR_TYPE_INVALID', () => {
    expect([2, 3, 7, MTRR_TYPE_INVALID].map(mtrrTypeName)).toEqual(['?', '?', '?', '?']);
  });

  it('the short names UC WC WT WP WB, "?" for anything else', () => {
    expect([UCt, WCt, WTt, WPt, WBt].map(mtrrShortName)).toEqual(['UC', 'WC', 'WT', 'WP', 'WB']);
    expect([2, 3, 7, MTRR_TYPE_INVALID].map(mtrrShortName)).toEqual(['?', '?', '?', '?']);
  });

  it('a type name is short or long, in any case, blanks around it ignored; "?" and other words are no type', () => {
    expect(parseMtrrType(' Write-Back ')).toBe(WBt);
    expect(parseMtrrType('\tuc\n')).toBe(UCt);
    expect(parseMtrrType('wc')).toBe(WCt);
    expect(parseMtrrType('WRITE-THROUGH')).toBe(WTt);
    expect(parseMtrrType('write-protect')).toBe(WPt);
    for (const bad of ['?', '', 'UC-', 'wb+', 'uncached']) expect(parseMtrrType(bad), bad).toBe(-1);
  });
});

describe('get_effective_type()', () => {
  it('UC with anything is UC; WB with WT (either order) is WT; any other two different types are UC; equal types stay', () => {
    const all = [UCt, WCt, WTt, WPt, WBt];
    for (const a of all) {
      for (const b of all) {
        let want: number;
        if (a === UCt || b === UCt) want = UCt;
        else if ((a === WBt && b === WTt) || (a === WTt && b === WBt)) want = WTt;
        else if (a !== b) want = UCt;
        else want = a;
        expect(getEffectiveMtrrType(a, b), `${mtrrShortName(a)}+${mtrrShortName(b)}`).toBe(want);
      }
    }
    expect(getEffectiveMtrrType(WBt, WTt)).toBe(WTt);
    expect(getEffectiveMtrrType(WTt, WBt)).toBe(WTt);
    expect(getEffectiveMtrrType(WPt, WCt)).toBe(UCt);
  });
});

describe('/proc/mtrr (mtrr_seq_show)', () => {
  const line = (reg: string, base: string, size: string, type: string): string => `${reg}: base=0x${base} (    0MB), size=${size}, count=1: ${type}`;

  it('/proc/mtrr: a regNN line without "size=" is refused at its line with the expected form', () => {
    const bad = 'reg00: base=0x000000000 (    0MB), 2048MB, count=1: write-back';
    expect(parseRefusal(bad)).toEqual({ message: `mtrr line 1: ${EXPECT_PROC}, got ${JSON.stringify(bad)}`, line: 1, column: 1 });
  });

  it('/proc/mtrr: a register listed twice is refused at its second line', () => {
    const second = 'reg01: base=0x080000000 ( 2048MB), size= 1024MB, count=1: uncachable';
    expect(parseRefusal(`reg01: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back\n${second}`)).toEqual({
      message: `mtrr line 2: register reg01 is listed twice; expected one /proc/mtrr listing, got ${JSON.stringify(second)}`,
      line: 2,
      column: 1,
    });
  });

  it('/proc/mtrr: size 0 is refused as an empty range', () => {
    const bad = line('reg00', '000000000', '    0MB', 'write-back');
    expect(parseRefusal(bad).message).toBe(`mtrr line 1: size 0: expected a non-empty range, got ${JSON.stringify(bad)}`);
  });

  it('/proc/mtrr: an unknown type word is refused naming the kernel names', () => {
    const bad = line('reg00', '000000000', ' 2048MB', 'write-backs');
    expect(parseRefusal(bad).message).toBe(`mtrr line 1: unknown MTRR type "write-backs": expected ${EXPECT_TYPE}, got ${JSON.stringify(bad)}`);
  });

  it('/proc/mtrr: a range may end at 2^52 exactly (13 hex digits after leading zeros), not beyond; a base of 2^52 is refused even with size 0', () => {
    expect(parseMtrrText(line('reg00', '00fffffc0000000', '    1GB', 'uncachable'))).toEqual({
      default: 'WB',
      variable: [{ base: 2 ** 52 - GiB, size: GiB, type: 'UC' }],
    });
    const over = line('reg00', '00fffffc0000000', '    2GB', 'uncachable');
    expect(parseRefusal(over).message).toBe(`mtrr line 1: range ends beyond the 52-bit physical address space, got ${JSON.stringify(over)}`);
    const at = line('reg00', '10000000000000', '    0MB', 'uncachable');
    expect(parseRefusal(at).message).toBe(`mtrr line 1: range ends beyond the 52-bit physical address space, got ${JSON.stringify(at)}`);
  });

  it('/proc/mtrr: the ranges come out in register order, whatever the line order', () => {
    const text = [line('reg02', '0e0000000', '  256MB', 'uncachable'), line('reg00', '000000000', ' 2048MB', 'write-back'), line('reg01', '080000000', '  512MB', 'write-combining')].join('\n');
    expect(parseMtrrText(text).variable).toEqual([
      { base: 0, size: 2 * GiB, type: 'WB' },
      { base: 2 * GiB, size: 512 * MiB, type: 'WC' },
      { base: 0xe0000000, size: 256 * MiB, type: 'UC' },
    ]);
  });

  it('/proc/mtrr: "regNN:" counts only at the start of a message; a line naming a register elsewhere is ignored', () => {
    const text = `mtrr: your BIOS reg00: is not a listing\n${line('reg00', '000000000', ' 2048MB', 'write-back')}`;
    expect(parseMtrrText(text)).toEqual({ default: 'UC', variable: [{ base: 0, size: 2 * GiB, type: 'WB' }] });
  });

  it('a quoted line is cut to 97 characters and "..." when it is longer than 100', () => {
    const exact = `reg00: ${'x'.repeat(93)}`;
    expect(exact).toHaveLength(100);
    expect(parseRefusal(exact).message).toBe(`mtrr line 1: ${EXPECT_PROC}, got ${JSON.stringify(exact)}`);
    const long = `reg00: ${'x'.repeat(94)}`;
    expect(parseRefusal(long).message).toBe(`mtrr line 1: ${EXPECT_PROC}, got ${JSON.stringify(`${long.slice(0, 97)}...`)}`);
  });

  it('a text mixing a /proc/mtrr listing and a boot-log block is refused at the later form, naming both first lines', () => {
    const proc = [line('reg00', '000000000', ' 2048MB', 'write-back'), line('reg01', '080000000', '  512MB', 'uncachable')];
    expect(parseRefusal([...proc, 'MTRR default type: uncachable', 'MTRR variable ranges enabled:'].join('\n'))).toEqual({
      message: 'mtrr line 3: this text mixes a /proc/mtrr listing (line 1) with a boot-log MTRR block (line 3); expected one of them',
      line: 3,
      column: 1,
    });
    expect(parseRefusal(['MTRR default type: uncachable', 'MTRR variable ranges enabled:', '  0 base 000000000 mask F80000000 write-back', ...proc].join('\n'))).toEqual({
      message: 'mtrr line 4: this text mixes a /proc/mtrr listing (line 4) with a boot-log MTRR block (line 1); expected one of them',
      line: 4,
      column: 1,
    });
  });

  it('CRLF line ends count one line each', () => {
    const text = 'MTRR default type: uncachable\r\nMTRR variable ranges enabled:\r\n  0 base 000000000 mask F80000000 write-back\r\n  1 bogus';
    expect(parseRefusal(text).line).toBe(4);
    expect(parseRefusal(text.replaceAll('\r\n', '\r')).line).toBe(4);
  });
});

describe('print_mtrr_state() boot-log block', () => {
  const DEF = 'MTRR default type: uncachable';
  const FIX = 'MTRR fixed ranges enabled:';
  const VAR = 'MTRR variable ranges enabled:';

  it('parse of the boot log: lines of other messages inside the block are ignored; unindented range lines count', () => {
    const text = [
      DEF,
      FIX,
      '  00000-9FFFF write-back',
      'dead-beef: not a range',
      'see 00000-9FFFF above',
      '  note: 1-2 more',
      'A0000-FFFFF uncachable',
      VAR,
      '  0 base 000000000 mask F80000000 write-back',
      '42 is the answer',
      'see 3 base registers',
      '  12abc',
      '  gran_size: 64K   num_reg: 9  lose cover RAM: 0G',
      '10 disabled',
      '11 base 080000000 mask FC0000000 uncachable',
    ].join('\n');
    expect(parseMtrrText(text)).toStrictEqual({
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0x100000, type: 'UC' },
      ],
      variable: [
        { base: 0, size: 2 * GiB, type: 'WB', mask: 0xf80000000 },
        { base: 2 * GiB, size: GiB, type: 'UC', mask: 0xfc0000000 },
      ],
      physBits: 36,
    });
  });

  it('parse of the boot log: the "mtrr: " prefix of newer kernels on the three headers', () => {
    const text = ['mtrr: MTRR default type: write-back', 'mtrr: MTRR fixed ranges enabled:', '  00000-FFFFF uncachable', 'mtrr: MTRR variable ranges enabled:', '  0 base 0000000000 mask FF80000000 write-through'].join('\n');
    expect(parseMtrrText(text)).toStrictEqual({
      default: 'WB',
      fixed: [{ start: 0, end: 0x100000, type: 'UC' }],
      variable: [{ base: 0, size: 2 * GiB, type: 'WT', mask: 0xff80000000 }],
      physBits: 40,
    });
  });

  it('parse of the boot log: without a variable-range header MTRRs are on, with the default and fixed ranges only', () => {
    expect(parseMtrrText([DEF, FIX, '00000-9FFFF write-back', 'A0000-FFFFF uncachable'].join('\n'))).toStrictEqual({
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0x100000, type: 'UC' },
      ],
    });
  });

  it('parse of the boot log: an enabled fixed header with no ranges and only disabled variable ranges leave fixed, variable and physBits out', () => {
    expect(parseMtrrText(['MTRR default type: write-back', FIX, VAR, '  0 disabled', '  1 disabled'].join('\n'))).toStrictEqual({ default: 'WB' });
  });

  it('parse of the boot log: the default type line needs its colon; one default per block; the type is named without its blanks', () => {
    expect(parseRefusal('MTRR default type uncachable')).toEqual({
      message: `mtrr line 1: expected "MTRR default type: TYPE" with TYPE one of ${EXPECT_TYPE}, got "MTRR default type uncachable"`,
      line: 1,
      column: 1,
    });
    expect(parseRefusal(`${DEF}\nMTRR default type: write-back`).message).toBe(
      'mtrr line 2: a second MTRR default type (the first is at line 1); expected one boot\'s MTRR block, got "MTRR default type: write-back"',
    );
    expect(parseRefusal('MTRR default type: bogus  ').message).toBe(`mtrr line 1: unknown MTRR type "bogus": expected ${EXPECT_TYPE}, got "MTRR default type: bogus"`);
  });

  it('parse of the boot log: a block without its default type is refused at the block\'s first line', () => {
    expect(parseRefusal(['Linux version 6.16.0', VAR, '  0 base 000000000 mask F80000000 write-back'].join('\n'))).toEqual({
      message: 'mtrr line 2: expected a "MTRR default type: TYPE" line with the MTRR block',
      line: 2,
      column: 1,
    });
  });

  it('parse of the boot log: malformed and repeated headers', () => {
    expect(parseRefusal(`${DEF}\nMTRR fixed ranges enable:`).message).toBe(
      'mtrr line 2: expected "MTRR fixed ranges enabled:" or "MTRR fixed ranges disabled:", got "MTRR fixed ranges enable:"',
    );
    expect(parseRefusal(`${DEF}\n${FIX}\nMTRR fixed ranges disabled:`).message).toBe(
      'mtrr line 3: a second fixed-range header (the first is at line 2); expected one boot\'s MTRR block, got "MTRR fixed ranges disabled:"',
    );
    expect(parseRefusal(`${DEF}\nMTRR variable ranges on:`).message).toBe(
      'mtrr line 2: expected "MTRR variable ranges enabled:" or "MTRR variable ranges disabled:", got "MTRR variable ranges on:"',
    );
    expect(parseRefusal(`${DEF}\n${VAR}\n${VAR}`).message).toBe(
      'mtrr line 3: a second variable-range header (the first is at line 2); expected one boot\'s MTRR block, got "MTRR variable ranges enabled:"',
    );
  });

  it('parse of the boot log\'s fixed range: END is inclusive up to FFFFF; an empty or longer range and a line without a type are refused', () => {
    const pre = `${DEF}\n${FIX}\n`;
    expect(parseMtrrText(`${pre}  00000-FFFFF write-back`).fixed).toEqual([{ start: 0, end: 0x100000, type: 'WB' }]);
    const range = 'expected a fixed range with START <= END below 0x100000 (fixed MTRRs cover the first MiB; hex, END inclusive)';
    expect(parseRefusal(`${pre}  A0000-9FFFF write-back`)).toEqual({ message: `mtrr line 3: ${range}, got "A0000-9FFFF write-back"`, line: 3, column: 1 });
    expect(parseRefusal(`${pre}  00000-100000 write-back`).message).toBe(`mtrr line 3: ${range}, got "00000-100000 write-back"`);
    expect(parseRefusal(`${pre}  A0000-FFFFF`).message).toBe(`mtrr line 3: ${EXPECT_FIXED}, got "A0000-FFFFF"`);
  });

  it('parse of the boot log\'s variable range: an indented line starting with a register number must be a range line', () => {
    const pre = `${DEF}\n${VAR}\n`;
    for (const bad of ['7 enabled', '12 enabled', '7']) {
      expect(parseRefusal(`${pre}  ${bad}`), bad).toEqual({ message: `mtrr line 3: ${EXPECT_VAR}, got ${JSON.stringify(bad)}`, line: 3, column: 1 });
    }
  });

  it('parse of the boot log\'s variable range: a register listed twice, a zero mask', () => {
    const pre = `${DEF}\n${VAR}\n  0 base 000000000 mask F80000000 write-back\n`;
    expect(parseRefusal(`${pre}  0 disabled`).message).toBe('mtrr line 4: variable MTRR 0 is listed twice; expected one boot\'s MTRR block, got "0 disabled"');
    expect(parseRefusal(`${DEF}\n${VAR}\n  0 base 000000000 mask 000000000 write-back`).message).toBe(
      'mtrr line 3: mask 0 covers nothing; expected a mask with the size bits set, got "0 base 000000000 mask 000000000 write-back"',
    );
  });

  it('parse of the boot log\'s variable range: the block may end at 2^52, not beyond; a mask of 2^52 is refused; physBits is at most the CPU\'s 46', () => {
    const pre = `${DEF}\n${VAR}\n`;
    expect(parseMtrrText(`${pre}  0 base FFFFFF0000000 mask FFFFFF0000000 write-back`)).toStrictEqual({
      default: 'UC',
      variable: [{ base: 2 ** 52 - 2 ** 28, size: 2 ** 28, type: 'WB', mask: 2 ** 52 - 2 ** 28 }],
      physBits: 46,
    });
    const beyond = 'range ends beyond the 52-bit physical address space';
    expect(parseRefusal(`${pre}  0 base 10000000000000 mask FFFFFF0000000 write-back`).message).toBe(
      `mtrr line 3: ${beyond}, got "0 base 10000000000000 mask FFFFFF0000000 write-back"`,
    );
    expect(parseRefusal(`${pre}  0 base 000000000 mask 10000000000000 write-back`).message).toBe(
      `mtrr line 3: ${beyond}, got "0 base 000000000 mask 10000000000000 write-back"`,
    );
  });
});

describe('the machine spec\'s mtrr object (Mtrr.fromSpec)', () => {
  it('machine.mtrr must be an object', () => {
    for (const bad of [null, 'WB', 6]) expect(specRefusal(bad)).toBe('machine.mtrr: expected {"default":"WB","fixed":[...],"variable":[...]}');
  });

  it('enabled: true or left out means MTRRs on; a spec without ranges is its default type everywhere, one range', () => {
    for (const spec of [{ default: 'WB', enabled: true }, { default: 'WB' }]) {
      const m = Mtrr.fromSpec(spec);
      expect(m.enabled).toBe(true);
      expect(m.defaultType).toBe(WBt);
      expect(m.rangeCount).toBe(1);
      expect(m.typeAt(0)).toBe(WBt);
      expect(m.typeAt(2 ** 52 - 1)).toBe(WBt);
      expect(m.lookup(0, 2 ** 52)).toBe(WBt);
    }
    const off = Mtrr.disabled();
    expect([off.enabled, off.defaultType, off.rangeCount]).toEqual([false, UCt, 1]);
  });

  it('types must be name strings', () => {
    expect(specRefusal({ default: 'WB', variable: [{ base: 0, size: 4096, type: 6 }] })).toBe(`machine.mtrr.variable[0].type: ${SPEC_TYPES}, got 6`);
    expect(specRefusal({ default: 'WB', fixed: [{ start: 0, end: 4096, type: 'XX' }] })).toBe(`machine.mtrr.fixed[0].type: ${SPEC_TYPES}, got "XX"`);
    expect(specRefusal({ default: null })).toBe(`machine.mtrr.default: ${SPEC_TYPES}, got null`);
  });

  it('physBits: an integer from 32 to 52', () => {
    for (const bad of [31, 53, 36.5]) expect(specRefusal({ default: 'UC', physBits: bad }), String(bad)).toBe(`machine.mtrr.physBits: expected an integer from 32 to 52, got ${bad}`);
    for (const ok of [32, 52]) {
      const m = Mtrr.fromSpec({ default: 'UC', physBits: ok, variable: [{ base: 0, size: 2 * GiB, type: 'WB', mask: 2 ** ok - 2 * GiB }] });
      expect(m.typeAt(0)).toBe(WBt);
      expect(m.typeAt(2 * GiB)).toBe(UCt);
    }
  });

  it('fixed and variable must be arrays of objects', () => {
    expect(specRefusal({ default: 'WB', fixed: {} })).toBe('machine.mtrr.fixed: expected an array of {"start","end","type"}');
    expect(specRefusal({ default: 'WB', variable: {} })).toBe('machine.mtrr.variable: expected an array of {"base","size","type"}');
    const fixed0 = { start: 0, end: 4096, type: 'WB' };
    for (const bad of [null, 5]) {
      expect(specRefusal({ default: 'WB', fixed: [fixed0, bad] })).toBe('machine.mtrr.fixed[1]: expected {"start","end","type"}');
      expect(specRefusal({ default: 'WB', variable: [{ base: 0, size: 4096, type: 'WB' }, bad] })).toBe('machine.mtrr.variable[1]: expected {"base","size","type"}');
    }
  });

  it('a fixed range: integer byte addresses, start < end <= 1 MiB', () => {
    const msg = (s: string, e: string): string =>
      `machine.mtrr.fixed[0]: expected integer byte addresses with start < end <= 0x100000 (fixed MTRRs cover the first MiB), got start ${s}, end ${e}`;
    const fixed = (start: unknown, end: unknown) => specRefusal({ default: 'WB', fixed: [{ start, end, type: 'UC' }] });
    expect(fixed('0', 4096)).toBe(msg('"0"', '4096'));
    expect(fixed(0, '4096')).toBe(msg('0', '"4096"'));
    expect(fixed(-4096, 4096)).toBe(msg('-4096', '4096'));
    expect(fixed(0, 4096.5)).toBe(msg('0', '4096.5'));
    expect(fixed(4096, 4096)).toBe(msg('4096', '4096'));
    expect(fixed(0, 0x100001)).toBe(msg('0', '1048577'));
    expect(Mtrr.fromSpec({ default: 'WB', fixed: [{ start: 0xf0000, end: 0x100000, type: 'UC' }] }).typeAt(0xfffff)).toBe(UCt);
  });

  it('a variable range: integer byte values, size > 0, ending at 2^52 at most', () => {
    const msg = (b: string, s: string): string => `machine.mtrr.variable[0]: expected integer byte values with size > 0 and base + size <= 2^52, got base ${b}, size ${s}`;
    const variable = (base: unknown, size: unknown) => specRefusal({ default: 'WB', variable: [{ base, size, type: 'UC' }] });
    expect(variable(-4096, 8192)).toBe(msg('-4096', '8192'));
    expect(variable(0, '4096')).toBe(msg('0', '"4096"'));
    expect(variable(0.5, 4096)).toBe(msg('0.5', '4096'));
    expect(variable(2 ** 52 - 4096, 8192)).toBe(msg(String(2 ** 52 - 4096), '8192'));
    const top = Mtrr.fromSpec({ default: 'UC', variable: [{ base: 2 ** 52 - GiB, size: GiB, type: 'WB' }] });
    expect(top.typeAt(2 ** 52 - 1)).toBe(WBt);
    expect(top.typeAt(2 ** 52 - GiB - 1)).toBe(UCt);
    expect(top.rangeCount).toBe(2); // nothing is mapped from 2^52 on
  });

  it('a variable range\'s mask: an integer below 2^52', () => {
    const mask = (m: unknown) => specRefusal({ default: 'WB', variable: [{ base: 0, size: 4096, type: 'UC', mask: m }] });
    expect(mask(-1)).toBe('machine.mtrr.variable[0].mask: expected an integer below 2^52, got -1');
    expect(mask(2 ** 52)).toBe(`machine.mtrr.variable[0].mask: expected an integer below 2^52, got ${2 ** 52}`);
    expect(mask('0xfff00000')).toBe('machine.mtrr.variable[0].mask: expected an integer below 2^52, got "0xfff00000"');
  });
});

describe('variable MTRRs by mask (SDM 11.11.2.3) and get_mtrr_size()', () => {
  it('a mask with no bit from 4 KiB up matches every address below 2^physBits; Linux sizes it 2^physBits too', () => {
    const m = Mtrr.fromSpec({ default: 'UC', physBits: 36, variable: [{ base: 0, size: 4096, type: 'WB', mask: 0 }] });
    expect(m.typeAt(0)).toBe(WBt);
    expect(m.typeAt(2 ** 36 - 1)).toBe(WBt);
    expect(m.typeAt(2 ** 36)).toBe(UCt);
    expect(m.lookup(2 ** 36 - 4096, 2 ** 36)).toBe(WBt);
    expect(m.lookup(2 ** 36, 2 ** 36 + 4096)).toBe(UCt);
  });

  it('a mask leaving 16 bits unmatched repeats its block 2^16 times (the most supported), only below 2^physBits; 17 bits are refused', () => {
    const m = Mtrr.fromSpec({ default: 'UC', physBits: 32, variable: [{ base: 0, size: 0x8000, type: 'WB', mask: 0x8000 }] });
    expect(m.typeAt(0)).toBe(WBt);
    expect(m.typeAt(0x8000)).toBe(UCt);
    expect(m.typeAt(0x10000)).toBe(WBt);
    expect(m.typeAt(0xffff0000)).toBe(WBt);
    expect(m.typeAt(0xffff8000)).toBe(UCt);
    expect(m.typeAt(2 ** 32)).toBe(UCt);
    expect(m.rangeCount).toBe(2 ** 17);
    // get_mtrr_size(): -(0x8000 | bits 32..63) = 4 GiB - 32 KiB of WB from the base, one range.
    expect(m.lookup(0x8000, 0x9000)).toBe(WBt);
    expect(m.lookup(2 ** 32 - 0x8000, 2 ** 32)).toBe(UCt);
    expect(specRefusal({ default: 'UC', physBits: 32, variable: [{ base: 0, size: 0x4000, type: 'WB', mask: 0x4000 }] })).toBe(
      'machine.mtrr.variable[0]: mask 0x4000 leaves 17 address bits above its lowest set bit unmatched, so the range repeats 2^17 times; at most 65536 blocks are supported',
    );
  });

  it('mtrr_type_lookup: ranges without a mask count in Linux\'s map next to ranges with one', () => {
    const m = Mtrr.fromSpec({
      default: 'UC',
      physBits: 36,
      variable: [
        { base: 0, size: 2 * GiB, type: 'WB' },
        { base: 4 * GiB, size: GiB, type: 'WB', mask: 0xc0000000 },
      ],
    });
    expect(m.lookup(0, 4096)).toBe(WBt);
    expect(m.lookup(2 * GiB - 4096, 2 * GiB)).toBe(WBt);
    expect(m.lookup(2 * GiB, 2 * GiB + 4096)).toBe(UCt);
    // the mask's hole: the CPU repeats the GiB every 4 GiB, Linux reads 0xF40000000 bytes from 4 GiB
    expect(m.typeAt(6 * GiB)).toBe(UCt);
    expect(m.lookup(6 * GiB, 6 * GiB + 4096)).toBe(WBt);
    expect(m.typeAt(8 * GiB)).toBe(WBt);
  });

  it('get_mtrr_size: Linux\'s range starts at the printed base, even unaligned, and is cut at 2^52', () => {
    const m = Mtrr.fromSpec({ default: 'UC', physBits: 52, variable: [{ base: 2 ** 52 - 2 ** 35, size: 2 ** 35, type: 'WB', mask: 2 ** 52 - 2 ** 36 }] });
    // The CPU matches the aligned 64 GiB block below 2^52; Linux maps [base, base + 64 GiB) cut at 2^52.
    expect(m.typeAt(2 ** 52 - 2 ** 36)).toBe(WBt);
    expect(m.lookup(2 ** 52 - 2 ** 36, 2 ** 52 - 2 ** 36 + 4096)).toBe(UCt);
    expect(m.lookup(2 ** 52 - 2 ** 35, 2 ** 52 - 2 ** 35 + 4096)).toBe(WBt);
    expect(m.lookup(2 ** 52 - 4096, 2 ** 52)).toBe(WBt);
  });
});

describe('mtrr_build_map() and mtrr_type_lookup()', () => {
  const spec: MtrrSpec = {
    default: 'UC',
    variable: [
      { base: GiB, size: GiB, type: 'WB' },
      { base: 3 * GiB, size: GiB, type: 'WT' },
    ],
  };

  it('mtrr_build_map: the map starts at 0 with the default type when no range does; equal neighbours are one range', () => {
    const m = Mtrr.fromSpec(spec);
    expect(m.typeAt(0)).toBe(UCt);
    expect(m.rangeCount).toBe(5); // UC, WB, UC, WT, UC
    expect(Mtrr.fromSpec({ default: 'UC', variable: [{ base: GiB, size: GiB, type: 'WB' }, { base: 2 * GiB, size: GiB, type: 'WB' }] }).rangeCount).toBe(3);
  });

  it('typeAt answers by address whatever the order of the questions', () => {
    const m = Mtrr.fromSpec(spec);
    const probes: [number, number][] = [
      [3.5 * GiB, WTt],
      [0.5 * GiB, UCt],
      [GiB - 1, UCt],
      [GiB, WBt],
      [0, UCt],
      [1.5 * GiB, WBt],
      [5 * GiB, UCt],
      [6 * GiB, UCt],
      [2 * GiB - 1, WBt],
      [2 * GiB, UCt],
      [4 * GiB - 1, WTt],
      [4 * GiB, UCt],
      [3 * GiB, WTt],
      [3 * GiB - 1, UCt],
    ];
    for (const [a, t] of probes) expect(m.typeAt(a), `0x${a.toString(16)}`).toBe(t);
  });

  it('mtrr_type_lookup: [start, end) stops before end; the parts met merge with type_merge()', () => {
    const m = Mtrr.fromSpec(spec);
    expect(m.lookup(2 * GiB - 4096, 2 * GiB)).toBe(WBt);
    expect(m.lookup(GiB, 2 * GiB)).toBe(WBt);
    expect(m.lookup(3 * GiB, 4 * GiB)).toBe(WTt);
    expect(m.lookup(GiB, 2 * GiB + 1)).toBe(UCt);
    expect(m.lookup(0.5 * GiB, 1.5 * GiB)).toBe(UCt); // UC then WB: UC, not the last part's type
    const wbwt = Mtrr.fromSpec({ default: 'UC', variable: [{ base: GiB, size: GiB, type: 'WB' }, { base: 2 * GiB, size: GiB, type: 'WT' }] });
    expect(wbwt.lookup(2 * GiB - 4096, 2 * GiB + 4096)).toBe(WTt);
    expect(wbwt.lookup(2 * GiB, 2 * GiB - 4096)).toBe(MTRR_TYPE_INVALID);
  });
});

describe('effectiveType (SDM Table 11-7): the PAT type must be a cache mode', () => {
  it('a PAT type below 0, above 5 or not an integer is a caller bug (RangeError naming it)', () => {
    for (const bad of [-1, 6, 2.5]) expect(() => effectiveType(WBt, bad), String(bad)).toThrow(new RangeError(`effectiveType: PAT type ${bad} is not a cache mode (0..5)`));
  });
});

