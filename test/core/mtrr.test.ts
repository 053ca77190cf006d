import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UC, UC_MINUS, WB, WC, WP, WT } from '../../core/cachemode.js';
import { InputError } from '../../core/errors.js';
import { at, replay } from '../helpers/replay.js';
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
  mtrrTypeName,
  parseMtrrText,
} from '../../core/mtrr.js';

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const read = (rel: string): string => readFileSync(join(DATA, rel), 'utf8');
const MiB = 2 ** 20;
const GiB = 2 ** 30;

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, got none');
}

/** Splits the multi-dump file by its `### name` headers. */
function splitDumps(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name = '';
  for (const line of text.split('\n')) {
    const m = /^### (\S+)/.exec(line);
    if (m) {
      name = m[1]!;
      out.set(name, '');
    } else if (name && line.trim()) {
      out.set(name, `${out.get(name)}${line}\n`);
    }
  }
  return out;
}

const [UCt, WCt, WTt, WPt, WBt] = [MTRR_TYPE_UNCACHABLE, MTRR_TYPE_WRCOMB, MTRR_TYPE_WRTHROUGH, MTRR_TYPE_WRPROT, MTRR_TYPE_WRBACK];

describe('parseMtrrText on the real dumps', () => {
  it('parses every boot-log MTRR file (data/mtrr, data/ubuntu-2010/mtrr)', () => {
    const files = [
      ...readdirSync(join(DATA, 'mtrr')).filter((f) => f.endsWith('.mtrr-dmesg')).map((f) => `mtrr/${f}`),
      ...readdirSync(join(DATA, 'ubuntu-2010/mtrr')).map((f) => `ubuntu-2010/mtrr/${f}`),
    ];
    expect(files.length).toBe(31);
    for (const f of files) {
      const text = read(f);
      const spec = parseMtrrText(text);
      const enabledVars = (text.match(/\s\d+ base [0-9A-F]+ mask [0-9A-F]+ /g) ?? []).length;
      expect(spec.variable?.length ?? 0, f).toBe(enabledVars);
      expect(spec.fixed!.length, f).toBeGreaterThan(0);
      expect(spec.fixed![0]!.start, f).toBe(0);
      expect(spec.fixed![spec.fixed!.length - 1]!.end, f).toBe(MiB);
      const m = Mtrr.fromSpec(spec);
      expect(m.enabled).toBe(true);
      expect(m.typeAt(0), f).toBe(WBt); // every one of these BIOSes makes low RAM WB
      expect(m.typeAt(0x100000), f).toBe(WBt);
    }
  });

  it('asus-esc8000g4: default UC, 4 variable ranges, mask → size', () => {
    const spec = parseMtrrText(read('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg'));
    expect(spec).toEqual({
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0x100000, type: 'UC' },
      ],
      variable: [
        { base: 0, size: 256 * GiB, type: 'WB', mask: 0x3fc000000000 },
        { base: 256 * GiB, size: 2 * GiB, type: 'WB', mask: 0x3fff80000000 },
        { base: 2 * GiB, size: 2 * GiB, type: 'UC', mask: 0x3fff80000000 },
        { base: 0x7f000000, size: 16 * MiB, type: 'UC', mask: 0x3fffff000000 },
      ],
      physBits: 46,
    });
    const m = Mtrr.fromSpec(spec);
    expect(m.typeAt(0x9ffff)).toBe(WBt);
    expect(m.typeAt(0xa0000)).toBe(UCt);
    expect(m.typeAt(0x7effffff)).toBe(WBt);
    expect(m.typeAt(0x7f000000)).toBe(UCt); // UC carved out of WB
    expect(m.typeAt(0xfee00000)).toBe(UCt);
    expect(m.typeAt(0x100000000)).toBe(WBt);
    expect(m.typeAt(0x407fffffff)).toBe(WBt);
    expect(m.typeAt(0x4080000000)).toBe(UCt); // default above 258 GiB
    expect(m.lookup(0x7e000000, 0x7f001000)).toBe(UCt);
    expect(m.lookup(0x100000, 0x7f000000)).toBe(WBt);
    expect(m.lookup(0xa0000, 0xc0000)).toBe(UCt);
  });

  it('lp606511: fixed WP/WT ranges, UC holes at 3-4 GiB and 7-8 GiB, 36-bit masks', () => {
    const m = Mtrr.fromSpec(parseMtrrText(read('mtrr/ubuntu-2010-lp606511-2.6.35.mtrr-dmesg')));
    expect(m.typeAt(0xc0000)).toBe(WPt);
    expect(m.typeAt(0xe0000)).toBe(WTt);
    expect(m.typeAt(0xd0000)).toBe(UCt);
    expect(m.typeAt(0xbff8ffff)).toBe(WBt);
    expect(m.typeAt(0xc0000000)).toBe(UCt);
    expect(m.typeAt(0x100000000)).toBe(WBt);
    expect(m.typeAt(0x1bfffffff)).toBe(WBt);
    expect(m.typeAt(0x1c0000000)).toBe(UCt);
    expect(m.typeAt(0x200000000)).toBe(UCt);
  });

  it('proc-mtrr dumps: nvidia (WB + UC holes → default UC) and the three ### dumps', () => {
    const nv = parseMtrrText(read('mtrr/nvidia-desktop.proc-mtrr'));
    expect(nv.default).toBe('UC');
    expect(nv.variable).toEqual([
      { base: 0, size: 64 * GiB, type: 'WB' },
      { base: 0xdff00000, size: MiB, type: 'UC' },
      { base: 0xe0000000, size: 512 * MiB, type: 'UC' },
      { base: 0xff0000000, size: 256 * MiB, type: 'UC' },
    ]);
    const mnv = Mtrr.fromSpec(nv);
    expect(mnv.typeAt(0xdfefffff)).toBe(WBt);
    expect(mnv.typeAt(0xdff00000)).toBe(UCt);
    expect(mnv.typeAt(0x100000000)).toBe(WBt);
    expect(mnv.typeAt(0xff0000000)).toBe(UCt);
    expect(mnv.typeAt(64 * GiB)).toBe(UCt);

    const dumps = splitDumps(read('mtrr/i9-13900k-xiaomi-n100.proc-mtrr'));
    expect([...dumps.keys()]).toEqual(['13900k', 'xiaomi', 'n100']);
    const i9 = parseMtrrText(dumps.get('13900k')!);
    expect(i9.default).toBe('UC');
    expect(i9.variable!.length).toBe(3);
    const mi9 = Mtrr.fromSpec(i9);
    expect(mi9.typeAt(0x7c000000)).toBe(UCt);
    expect(mi9.typeAt(0x7bffffff)).toBe(WBt);
    expect(mi9.typeAt(127 * GiB)).toBe(WBt);
    expect(mi9.typeAt(128 * GiB)).toBe(UCt);

    const xiaomi = parseMtrrText(dumps.get('xiaomi')!);
    expect(xiaomi.default).toBe('WB'); // only UC ranges listed
    expect(xiaomi.variable!.length).toBe(5);
    const mx = Mtrr.fromSpec(xiaomi);
    expect(mx.typeAt(0x8d7fffff)).toBe(WBt);
    expect(mx.typeAt(0x8d800000)).toBe(UCt);
    expect(mx.typeAt(0x100000000)).toBe(WBt);

    const n100 = parseMtrrText(dumps.get('n100')!);
    expect(n100.default).toBe('WB');
    expect(n100.variable!.length).toBe(10);
    expect(n100.variable![5]).toEqual({ base: 256 * GiB, size: 256 * GiB, type: 'UC' });
    const mn = Mtrr.fromSpec(n100);
    expect(mn.typeAt(0x47f7fffff)).toBe(WBt);
    expect(mn.typeAt(0x47f800000)).toBe(UCt);
    expect(mn.typeAt(0x483800000)).toBe(WBt);
    expect(mn.typeAt(0x4000000000)).toBe(UCt);
    expect(mn.typeAt(512 * GiB)).toBe(WBt);
    expect(mn.lookup(0x47f000000, 0x480000000)).toBe(UCt);
  });
});

describe('Mtrr model', () => {
  it('mtrr_type_lookup (v6.16): MTRRs disabled answer UNCACHABLE, and the CPU applies UC to all memory (SDM 11.11.2.1)', () => {
    for (const m of [Mtrr.disabled(), Mtrr.fromSpec({ default: 'WB', variable: [{ base: 0, size: GiB, type: 'WB' }], enabled: false })]) {
      expect(m.enabled).toBe(false);
      expect(m.typeAt(0)).toBe(UCt);
      expect(m.typeAt(0xfee00000)).toBe(UCt);
      expect(m.lookup(0, 4096)).toBe(UCt);
      expect(m.lookup(0x100000, 0x200000)).toBe(UCt);
    }
  });

  it('overlapping variable ranges combine as get_effective_type; fixed ranges win below 1 MiB', () => {
    const spec: MtrrSpec = {
      default: 'UC',
      fixed: [{ start: 0, end: 0x80000, type: 'WC' }],
      variable: [
        { base: 0, size: 4 * GiB, type: 'WB' },
        { base: 1 * GiB, size: 1 * GiB, type: 'WT' }, // WB+WT → WT
        { base: 2 * GiB, size: 1 * GiB, type: 'WC' }, // WB+WC → UC
        { base: 3 * GiB, size: 256 * MiB, type: 'UC' }, // UC wins
        { base: 5 * GiB, size: 1 * GiB, type: 'write-protect' }, // alone: WP
        { base: 5 * GiB, size: 512 * MiB, type: 'WP' }, // WP+WP → WP
      ],
    };
    const m = Mtrr.fromSpec(spec);
    expect(m.typeAt(0)).toBe(WCt);
    expect(m.typeAt(0x7ffff)).toBe(WCt);
    expect(m.typeAt(0x80000)).toBe(WBt); // below 1 MiB but no fixed range: variable
    expect(m.typeAt(GiB - 1)).toBe(WBt);
    expect(m.typeAt(GiB)).toBe(WTt);
    expect(m.typeAt(2 * GiB)).toBe(UCt);
    expect(m.typeAt(3 * GiB)).toBe(UCt);
    expect(m.typeAt(3 * GiB + 256 * MiB)).toBe(WBt);
    expect(m.typeAt(4 * GiB)).toBe(UCt); // default
    expect(m.typeAt(5 * GiB)).toBe(WPt);
    expect(m.typeAt(6 * GiB)).toBe(UCt);
    // lookup over parts: WB+WT = WT, WT+WC-part(UC) = UC, all-WB = WB, empty = INVALID
    expect(m.lookup(GiB - 4096, GiB + 4096)).toBe(WTt);
    expect(m.lookup(GiB, 2 * GiB + 1)).toBe(UCt);
    expect(m.lookup(MiB, 2 * MiB)).toBe(WBt);
    expect(m.lookup(0x7f000, 0x81000)).toBe(UCt); // WC + WB
    expect(m.lookup(MiB, MiB)).toBe(MTRR_TYPE_INVALID);
  });

  it('typeAt agrees with a brute-force model on random specs (fast-check)', () => {
    const T = fc.constantFrom('UC', 'WC', 'WT', 'WP', 'WB');
    const addr = fc.integer({ min: 0, max: 2 ** 36 });
    const spec = fc.record({
      default: T,
      fixed: fc.array(fc.record({ a: fc.integer({ min: 0, max: 0xfffff }), n: fc.integer({ min: 1, max: 0x40000 }), type: T }), { maxLength: 4 }),
      variable: fc.array(fc.record({ base: addr, size: fc.integer({ min: 1, max: 2 ** 34 }), type: T }), { maxLength: 6 }),
    });
    const code = (t: string): number => ({ UC: UCt, WC: WCt, WT: WTt, WP: WPt, WB: WBt })[t]!;
    fc.assert(
      fc.property(spec, fc.array(addr, { minLength: 1, maxLength: 20 }), (s, probes) => {
        const fixed = s.fixed.map((f) => ({ start: f.a, end: Math.min(f.a + f.n, MiB), type: f.type })).filter((f) => f.end > f.start);
        const m = Mtrr.fromSpec({ default: s.default, fixed, variable: s.variable });
        for (const p of [...probes, ...probes.map((x) => x % MiB)]) {
          let t = -1;
          if (p < MiB) for (const f of fixed) if (f.start <= p && p < f.end) t = t < 0 ? code(f.type) : getEffectiveMtrrType(t, code(f.type));
          if (t < 0) for (const v of s.variable) if (v.base <= p && p < v.base + v.size) t = t < 0 ? code(v.type) : getEffectiveMtrrType(t, code(v.type));
          if (t < 0) t = code(s.default);
          expect(m.typeAt(p)).toBe(t);
          // a one-byte lookup is the byte's type
          expect(m.lookup(p, p + 1)).toBe(t);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('fromSpec rejects bad specs with InputError', () => {
    expect(inputError(() => Mtrr.fromSpec({ default: 'XX' })).message).toMatch(/machine\.mtrr\.default/);
    expect(inputError(() => Mtrr.fromSpec({ default: 'WB', fixed: [{ start: 0, end: 0x200000, type: 'WB' }] })).message).toMatch(/fixed\[0\]/);
    expect(inputError(() => Mtrr.fromSpec({ default: 'WB', variable: [{ base: 0, size: 0, type: 'WB' }] })).message).toMatch(/variable\[0\]/);
    expect(inputError(() => Mtrr.fromSpec({ default: 'WB', variable: [{ base: 2 ** 52, size: 4096, type: 'WB' }] })).message).toMatch(/2\^52/);
    expect(inputError(() => Mtrr.fromSpec({ default: 'WB', variable: [{ base: 0, size: 4096, type: 'UC-' }] })).message).toMatch(/variable\[0\]\.type/);
    expect(Mtrr.fromSpec({ default: 'write-back', variable: [{ base: 0, size: 4096, type: 'uc' }] }).typeAt(0)).toBe(UCt);
  });

  it('mtrrTypeName gives the kernel names', () => {
    expect([0, 1, 4, 5, 6].map(mtrrTypeName)).toEqual(['uncachable', 'write-combining', 'write-through', 'write-protect', 'write-back']);
    expect(mtrrTypeName(MTRR_TYPE_INVALID)).toBe('?');
  });
});

describe('effectiveType (SDM Table 11-7)', () => {
  // rows: MTRR type; columns: PAT UC, UC-, WC, WT, WB, WP
  const COLS = [UC, UC_MINUS, WC, WT, WB, WP];
  const TABLE: [number, number[]][] = [
    [UCt, [UC, UC, WC, UC, UC, UC]],
    [WCt, [UC, WC, WC, UC, WC, UC]],
    [WTt, [UC, UC, WC, WT, WT, WP]],
    [WBt, [UC, UC, WC, WT, WB, WP]],
    [WPt, [UC, WC, WC, WT, WP, WP]],
  ];
  it('every cell of the table', () => {
    for (const [mtrr, row] of TABLE) {
      COLS.forEach((pat, i) => expect(effectiveType(mtrr, pat), `MTRR ${mtrrTypeName(mtrr)} PAT ${pat}`).toBe(row[i]));
    }
  });
  it('named rows: PAT WC over MTRR UC = WC; UC- over WC = WC; UC- over WB = UC; an invalid MTRR encoding = UC row', () => {
    expect(effectiveType(UCt, WC)).toBe(WC);
    expect(effectiveType(WCt, UC_MINUS)).toBe(WC);
    expect(effectiveType(WBt, UC_MINUS)).toBe(UC);
    for (const pat of COLS) expect(effectiveType(MTRR_TYPE_INVALID, pat)).toBe(effectiveType(UCt, pat));
    expect(() => effectiveType(WBt, 7)).toThrow(RangeError);
  });
});

describe('parseMtrrText forms and errors', () => {
  const BOOT = [
    '[    0.000000] MTRR default type: uncachable',
    '[    0.000000] MTRR fixed ranges enabled:',
    '[    0.000000]   00000-9FFFF write-back',
    '[    0.000000]   A0000-FFFFF uncachable',
    '[    0.000000] MTRR variable ranges enabled:',
    '[    0.000000]   0 base 000000000 mask F80000000 write-back',
    '[    0.000000]   1 disabled',
  ];

  it('boot log without timestamps, with other lines around', () => {
    const text = ['Linux version 6.1', ...BOOT.map((l) => l.slice(15)), 'x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT'].join('\n');
    expect(parseMtrrText(text)).toEqual({
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0x100000, type: 'UC' },
      ],
      variable: [{ base: 0, size: 2 * GiB, type: 'WB', mask: 0xf80000000 }],
      physBits: 36,
    });
  });

  it('print_mtrr_state: disabled fixed ranges are dropped; "variable ranges disabled" is MTRRdefType.E clear: MTRRs off (UC)', () => {
    const t = BOOT.join('\n').replace('fixed ranges enabled', 'fixed ranges disabled');
    expect(parseMtrrText(t).fixed).toBeUndefined();
    const off = parseMtrrText(BOOT.join('\n').replace('variable ranges enabled', 'variable ranges disabled'));
    expect(off).toEqual({ default: 'UC', enabled: false });
    expect(Mtrr.fromSpec(off).lookup(0, 4096)).toBe(UCt);
  });

  it('/proc/mtrr: KB sizes and the old "size=NMB: type, count=N" form', () => {
    const spec = parseMtrrText('reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back\nreg01: base=0x0000a0000 (    0MB), size=  128KB, count=1: write-combining\nreg02: base=0xe0000000 (3584MB), size= 256MB: uncachable, count=1\n');
    expect(spec).toEqual({
      default: 'UC',
      variable: [
        { base: 0, size: 2 * GiB, type: 'WB' },
        { base: 0xa0000, size: 128 * 1024, type: 'WC' },
        { base: 0xe0000000, size: 256 * MiB, type: 'UC' },
      ],
    });
    expect(parseMtrrText('reg00: base=0x100000000 ( 4096MB), size=    4GB, count=1: uncachable').variable![0]!.size).toBe(4 * GiB);
  });

  it('malformed lines give InputError with the line number and the expected form', () => {
    let e = inputError(() => parseMtrrText('reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back\nreg01: base=0xZZ'));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^mtrr line 2: expected "regNN: base=0xBASE/);
    e = inputError(() => parseMtrrText(BOOT.join('\n').replace('  A0000-FFFFF uncachable', '  A0000-FFFFF uncached')));
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/unknown MTRR type "uncached"/);
    e = inputError(() => parseMtrrText(BOOT.join('\n').replace('1 disabled', '1 base 00000 write-back')));
    expect(e.line).toBe(7);
    expect(e.message).toMatch(/expected a variable-range line/);
    e = inputError(() => parseMtrrText(BOOT.join('\n').replace('00000-9FFFF', '00000-9FFFF0')));
    expect(e.line).toBe(3);
    e = inputError(() => parseMtrrText(BOOT.join('\n').replace('mask F80000000', 'mask 000000000')));
    expect(e.message).toMatch(/mask 0/);
    e = inputError(() => parseMtrrText(`${BOOT.join('\n')}\n  0 disabled`));
    expect(e.line).toBe(8);
    e = inputError(() => parseMtrrText(`${BOOT.join('\n')}\nreg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back`));
    expect(e.message).toMatch(/mixes a \/proc\/mtrr listing/);
    e = inputError(() => parseMtrrText(BOOT.slice(1).join('\n')));
    expect(e.message).toMatch(/MTRR default type/);
    e = inputError(() => parseMtrrText('nothing here\n'));
    expect(e.message).toMatch(/^no MTRR data found/);
    e = inputError(() => parseMtrrText('MTRR default type: uncachable\nMTRR variable ranges enabled:\n  0 base 10000000000000 mask F0000000000000 write-back'));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/52-bit/);
  });

  it('garbage lines inserted into a real block: same spec or an InputError on that line (fast-check)', () => {
    const lines = read('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg').trimEnd().split('\n');
    const expected = parseMtrrText(lines.join('\n'));
    const prefix = fc.constantFrom('', '[    0.005420] ', '[    0.005420]   ', '  1', '  9 ', '  A0000-', 'reg0', 'MTRR default type', 'MTRR fixed ranges', 'MTRR variable');
    const garbage = fc
      .tuple(prefix, fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })))
      .map(([p, s]) => p + s)
      .filter((g) => !/[\r\n]/.test(g));
    fc.assert(
      fc.property(garbage, fc.nat(lines.length), (g, at) => {
        const text = [...lines.slice(0, at), g, ...lines.slice(at)].join('\n');
        const t0 = performance.now();
        try {
          expect(parseMtrrText(text)).toEqual(expected);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          expect((e as InputError).line).toBe(at + 1);
        }
        expect(performance.now() - t0).toBeLessThan(2000); // a guard against runaway parsing, not a speed figure (loaded CI machines pause for GC)
      }),
      { numRuns: 400 },
    );
  });
});

describe('variable MTRRs matched by mask (Intel SDM Vol. 3A 11.11.2.3)', () => {
  // A 2010 BIOS on a 36-bit CPU that programmed masks without bits 32-35.
  const LP604929 = 'ubuntu-2010/mtrr/lp604929-2.6.35-7-generic.mtrr-dmesg';

  it('SDM 11.11.2.3: (addr & mask) == (base & mask): "mask 0C0000000" repeats the 1 GiB WB range every 4 GiB up to 2^36', () => {
    const spec = parseMtrrText(read(LP604929));
    expect(spec.physBits).toBe(36);
    expect(spec.variable![0]).toEqual({ base: 0, size: GiB, type: 'WB', mask: 0xc0000000 });
    const m = Mtrr.fromSpec(spec);
    expect(m.typeAt(0)).toBe(WBt);
    expect(m.typeAt(0x3f6fffff)).toBe(WBt);
    expect(m.typeAt(0x3f700000)).toBe(UCt); // reg1 and reg2 carve UC out of the WB GiB's top 9 MiB
    expect(m.typeAt(GiB)).toBe(UCt); // the default type
    expect(m.typeAt(4 * GiB)).toBe(WBt); // the repeat: WB at 4 GiB, not the default
    expect(m.typeAt(4 * GiB + 0x3f700000)).toBe(UCt); // reg1 repeats too
    expect(m.typeAt(5 * GiB)).toBe(UCt);
    expect(m.typeAt(60 * GiB)).toBe(WBt);
    expect(m.typeAt(64 * GiB)).toBe(UCt); // nothing above the CPU's 36 bits
  });

  it('SDM 11.11.2.3: the mtrr_type query at 4 GiB of that machine is write-back', async () => {
    const r = await replay([
      { op: 'machine', e820: [{ start: 0, end: 0x3f700000, type: 'usable' }], mtrr_text: read(LP604929) },
      { op: 'mtrr_type', addr: '0x100000000' },
      { op: 'mtrr_type', addr: '0x140000000' },
      { op: 'effective_type', addr: '0x100000000', type: 'WB' },
    ]);
    expect(at(r, 2).type).toBe('WB');
    expect(at(r, 3).type).toBe('UC');
    expect(at(r, 4).type).toBe('WB');
  });

  it('get_mtrr_size (mtrr_type_lookup, v6.16): Linux sizes such a mask as -(mask | reserved high bits), one contiguous range', () => {
    const m = Mtrr.fromSpec(parseMtrrText(read(LP604929)));
    // reg0: -(0xFFFFFFF0_C0000000) = 0xF40000000 bytes of WB from 0; reg1/reg2 likewise huge UC ranges from 0x3F700000.
    expect(m.lookup(0x100000, 0x3f700000)).toBe(WBt);
    expect(m.lookup(4 * GiB, 4 * GiB + 4096)).toBe(UCt); // the CPU says WB here
    expect(m.lookup(0xf40000000, 0xf40001000)).toBe(UCt);
  });

  it('SDM 11.11.2.3: a well-formed mask is one range, the same in both views', () => {
    const m = Mtrr.fromSpec(parseMtrrText(read('mtrr/ubuntu-2010-lp606511-2.6.35.mtrr-dmesg')));
    for (const a of [0, 3 * GiB, 4 * GiB, 7 * GiB, 8 * GiB, 60 * GiB]) expect(m.lookup(a, a + 4096), `0x${a.toString(16)}`).toBe(m.typeAt(a));
    expect(m.typeAt(8 * GiB)).toBe(UCt);
  });

  it('a mask whose holes would repeat the range more than 2^16 times is refused', () => {
    expect(inputError(() => Mtrr.fromSpec({ default: 'UC', variable: [{ base: 0, size: 4096, type: 'WB', mask: 0x1000 }] })).message).toMatch(/repeats 2\^33 times/);
  });
});
