import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { parseIomem } from '../../core/iomem.js';
import { PhysMap, SYSTEM_RAM } from '../../core/physmap.js';
import { at, replay } from '../helpers/replay.js';

const DATA = fileURLToPath(new URL('../../data/iomem/', import.meta.url));
/** Hex digit strings (fast-check 4 has no hexaString). */
const hexa = (c: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), ...c });
const read = (f: string): string => readFileSync(join(DATA, f), 'utf8');

/** Runs `fn`, expecting an InputError; returns it. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, got none');
}

describe('parseIomem on the real dumps', () => {
  it('parses every file in data/iomem with RAM and nesting', () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('.iomem'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const text = read(f);
      const res = parseIomem(text);
      const nonBlank = text.split('\n').filter((l) => l.trim() !== '').length;
      expect(res.length, f).toBe(nonBlank);
      expect(res.some((r) => r.depth > 0), f).toBe(true);
      expect(new PhysMap(res).ramBytes, f).toBeGreaterThan(2 ** 30);
    }
  });

  it('kvm-guest-24g: System RAM totals exactly what the three RAM lines say', () => {
    const res = parseIomem(read('kvm-guest-24g-6.18.iomem'));
    const ram = res.filter((r) => r.name === SYSTEM_RAM);
    // 00001000-0009fbff, 00100000-bfffffff, 100000000-63fffffff (inclusive ends)
    expect(ram.map((r) => [r.start, r.end, r.depth])).toEqual([
      [0x1000, 0x9fc00, 0],
      [0x100000, 0xc0000000, 0],
      [0x100000000, 0x640000000, 0],
    ]);
    const pm = new PhysMap(res);
    expect(pm.ramBytes).toBe(0x9ec00 + 0xbff00000 + 0x540000000);
    expect(pm.ramBytes).toBe(25769405440); // 24 GiB less 398336 bytes of low reserved memory
    expect(pm.maxPfn).toBe(0x640000);
    // nesting: Kernel code is a child of System RAM, virtio BARs two levels down
    const code = res.find((r) => r.name === 'Kernel code')!;
    expect(code).toEqual({ start: 0x1000000, end: 0x22090c8, name: 'Kernel code', depth: 1 });
    const virtio = res.filter((r) => r.name === 'virtio-pci-modern');
    expect(virtio.length).toBe(5);
    expect(virtio.every((r) => r.depth === 2)).toBe(true);
    expect(res.find((r) => r.name === 'PCI ECAM 0000 [bus 00-00]')).toMatchObject({ start: 0xeec00000, end: 0xeed00000, depth: 1 });
  });

  it('dell-precision-3540: names with colons and spaces, zero-size windows, RAM total', () => {
    const res = parseIomem(read('dell-precision-3540-laptop-5.16.iomem'));
    const pm = new PhysMap(res);
    // Hand sum of the eight depth-0 System RAM lines:
    // 1000-9dfff, 9f000-9ffff, 100000-3fffffff, 40400000-6d86cfff, 6d86f000-73628fff,
    // 736b3000-782d8fff, 7acff000-7acfffff, 100000000-87c7fffff
    const hand =
      0x9d000 + 0x1000 + 0x3ff00000 + (0x6d86d000 - 0x40400000) + (0x73629000 - 0x6d86f000) +
      (0x782d9000 - 0x736b3000) + 0x1000 + (0x87c800000 - 0x100000000);
    expect(pm.ramBytes).toBe(hand);
    expect(pm.ramBytes).toBe(34164621312);
    expect(res.filter((r) => r.name === 'PCI Bus 0000:00' && r.start === 0).length).toBe(8);
    expect(res.find((r) => r.name === 'i2c_designware.0 lpss_dev')).toMatchObject({ start: 0x7f800000, end: 0x7f800200, depth: 3 });
    expect(res.find((r) => r.name === 'PCI MMCONFIG 0000 [bus 00-7f]')).toMatchObject({ depth: 0, start: 0xf0000000, end: 0xf8000000 });
    expect(res.some((r) => r.name === 'Unknown E820 type')).toBe(true);
    // "RAM buffer" is not RAM
    expect(pm.pageIsRam(0x87c800)).toBe(false);
    expect(pm.pageIsRam(0x87c7ff)).toBe(true);
  });

  it('icelake: RAM, 64-bit hotplug windows above 256 GiB', () => {
    const res = parseIomem(read('icelake-laptop-thunderbolt-dock.iomem'));
    expect(res.find((r) => r.name === 'PCI Bus 0000:2c' && r.start === 0x6000000000)).toMatchObject({ end: 0x601c000000, depth: 1 });
    expect(new PhysMap(res).ramBytes).toBe(16907259904);
  });
});

describe('parseIomem errors', () => {
  it('reports a malformed line with its number and column', () => {
    const text = '00000000-00000fff : Reserved\n00001000-0009fbff System RAM\n';
    const e = inputError(() => parseIomem(text));
    expect(e.line).toBe(2);
    expect(e.column).toBe(18);
    expect(e.message).toBe(
      'iomem line 2: expected "START-END : NAME" (hex, END inclusive), got "00001000-0009fbff System RAM"',
    );
  });

  it('ignores blank lines (and CRLF) but counts them for line numbers', () => {
    const res = parseIomem('\r\n00000000-00000fff : Reserved\r\n\r\n00001000-0009fbff : System RAM\r\n');
    expect(res).toEqual([
      { start: 0, end: 0x1000, name: 'Reserved', depth: 0 },
      { start: 0x1000, end: 0x9fc00, name: SYSTEM_RAM, depth: 0 },
    ]);
    expect(inputError(() => parseIomem('\n\n00000000-00000fff : Reserved\n\nzzz\n')).line).toBe(5);
  });

  it('rejects a dump read without root (all zeros)', () => {
    const e = inputError(() => parseIomem('00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n'));
    expect(e.message).toMatch(/read \/proc\/iomem as root/);
  });

  it('rejects addresses of 2^52 and more, END below START, bad indentation, empty input', () => {
    expect(inputError(() => parseIomem('10000000000000-10000000000fff : x\n')).message).toMatch(/52-bit/);
    expect(parseIomem('fffffffff000-ffffffffffff : x\n')[0]!.end).toBe(2 ** 48);
    expect(parseIomem('ffffffffff000-fffffffffffff : x\n')[0]!.end).toBe(2 ** 52);
    expect(inputError(() => parseIomem('00002000-00000fff : x\n')).line).toBe(1);
    // END = START - 1 is how Linux prints an empty resource
    expect(parseIomem('00002000-00001fff : x\n')[0]).toEqual({ start: 0x2000, end: 0x2000, name: 'x', depth: 0 });
    expect(inputError(() => parseIomem('00000000-00000fff : a\n   00000000-000000ff : b\n')).line).toBe(2);
    expect(inputError(() => parseIomem('  00000000-00000fff : a\n')).line).toBe(1);
    expect(inputError(() => parseIomem('\n  \n')).message).toMatch(/no entries/);
  });

  it('garbage lines inserted into a real dump fail with that line number (fast-check)', () => {
    const lines = read('kvm-guest-24g-6.18.iomem').trimEnd().split('\n');
    const entry = /^( *)[0-9a-fA-F]+-[0-9a-fA-F]+ :/;
    const garbage = fc
      .oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.tuple(hexa({ maxLength: 16 }), fc.string({ maxLength: 20 })).map(([h, s]) => `${h}-${s}`),
        fc.tuple(hexa({ minLength: 1 }), hexa({ minLength: 1 })).map(([a, b]) => `${a}-${b} ${b}`),
      )
      .filter((g) => !/[\r\n]/.test(g) && g.trim() !== '' && !entry.test(g));
    fc.assert(
      fc.property(garbage, fc.nat(lines.length), (g, at) => {
        const text = [...lines.slice(0, at), g, ...lines.slice(at)].join('\n');
        const t0 = performance.now();
        const e = inputError(() => parseIomem(text));
        expect(performance.now() - t0).toBeLessThan(2000); // a guard against runaway parsing, not a speed figure (loaded CI machines pause for GC)
        expect(e.line).toBe(at + 1);
        expect(e.message.startsWith(`iomem line ${at + 1}: `)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but InputError on random text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('00000000-00000fff : a', '  00001000-00001fff : b', '')), { maxLength: 20 }), (ls) => {
        try {
          parseIomem(ls.join('\n'));
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** A CXL machine's map: dax/kmem's driver-managed System RAM three levels under Soft Reserved (as Linux 6.x prints it). */
const CXL_IOMEM = [
  '00000000-00000fff : Reserved',
  '00001000-0009ffff : System RAM',
  '000a0000-000fffff : Reserved',
  '00100000-7fffffff : System RAM',
  '  01000000-01ffffff : Kernel code',
  '80000000-efffffff : PCI Bus 0000:00',
  '1050000000-304fffffff : Soft Reserved',
  '  1050000000-304fffffff : CXL Window 0',
  '    1050000000-304fffffff : dax1.0',
  '      1050000000-304fffffff : System RAM (kmem)',
].join('\n');

describe('walk_system_ram_range() (kernel/resource.c) over nested System RAM', () => {
  it('walk_system_ram_range: System RAM (kmem) nested three levels under Soft Reserved / CXL Window 0 / dax1.0 is RAM', () => {
    const pm = new PhysMap(parseIomem(CXL_IOMEM));
    expect(pm.ramRanges).toEqual([
      { start: 0x1000, end: 0xa0000 },
      { start: 0x100000, end: 0x80000000 },
      { start: 0x1050000000, end: 0x3050000000 },
    ]);
    expect(pm.ramBytes).toBe(0x9f000 + 0x7ff00000 + 0x2000000000);
    expect(pm.pageIsRam(0x1050000000 / 4096)).toBe(true);
    expect(pm.pagerangeIsRam(0x1050000000 / 4096, 0x1050010000 / 4096)).toBe(1);
    expect(pm.pageIsRam(0x80000000 / 4096)).toBe(false);
  });

  it('walk_system_ram_range: memtype_reserve of kmem RAM takes the RAM path (page flags, no tree entry)', async () => {
    const r = await replay([
      { op: 'machine', iomem: CXL_IOMEM, mtrr: { default: 'WB' } },
      { op: 'ram_ranges' },
      { op: 'memtype_reserve', start: '0x1050000000', end: '0x1050002000', req: 'WC' },
      { op: 'page_memtype', addr: '0x1050001000' },
      { op: 'memtype_list' },
    ]);
    expect(at(r, 2).bytes).toBe(0x9f000 + 0x7ff00000 + 0x2000000000);
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WC' });
    expect(at(r, 4)).toMatchObject({ type: 'WC' });
    expect(at(r, 5).entries).toEqual([]);
  });
});

describe('/proc/iomem excerpts (r_show indentation)', () => {
  it('r_show: a line nested more than one level deeper is a child of the nearest shallower entry', () => {
    const excerpt = [
      '00100000-7fffffff : System RAM',
      '1050000000-304fffffff : Soft Reserved',
      '    1050000000-304fffffff : dax1.0',
      '      1050000000-304fffffff : System RAM (kmem)',
      '  3050000000-305fffffff : CXL Window 1',
      '3060000000-306fffffff : PCI Bus 0000:80',
    ].join('\n');
    const res = parseIomem(excerpt);
    expect(res.map((r) => [r.name, r.depth])).toEqual([
      ['System RAM', 0],
      ['Soft Reserved', 0],
      ['dax1.0', 1],
      ['System RAM (kmem)', 2],
      ['CXL Window 1', 1],
      ['PCI Bus 0000:80', 0],
    ]);
    expect(new PhysMap(res).ramBytes).toBe(0x7ff00000 + 0x2000000000);
  });

  it('r_show: the first entry must still be at top level, and indents come in steps of two spaces', () => {
    expect(inputError(() => parseIomem('  00000000-00000fff : a\n')).message).toMatch(/first entry at top level/);
    expect(inputError(() => parseIomem('00000000-00000fff : a\n     00000000-000000ff : b\n')).message).toMatch(/2 spaces per nesting level/);
  });
});
