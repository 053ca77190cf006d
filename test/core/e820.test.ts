import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { e820ToResources, normalizeE820Type, parseE820Text, sanitizeE820, stripLogPrefix } from '../../core/e820.js';
import { InputError } from '../../core/errors.js';
import type { E820Entry } from '../../core/machine-spec.js';
import { PhysMap, SYSTEM_RAM } from '../../core/physmap.js';

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));
const read = (rel: string): string => readFileSync(join(DATA, rel), 'utf8');
const ALL_FILES = [
  ...readdirSync(join(DATA, 'e820')).map((f) => `e820/${f}`),
  ...readdirSync(join(DATA, 'ubuntu-2010/e820')).map((f) => `ubuntu-2010/e820/${f}`),
];

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, got none');
}

const ramBytes = (es: E820Entry[]): number => new PhysMap(e820ToResources(es)).ramBytes;
const ramRanges = (es: E820Entry[]): [number, number][] => es.filter((e) => e.type === 'usable').map((e) => [e.start, e.end]);

/** `e820_end_pfn(limit_pfn, E820_TYPE_RAM)` as Linux computes the printed `last_pfn`. */
function endPfn(es: E820Entry[], limit: number): number {
  let last = 0;
  for (const e of es) {
    if (e.type !== 'usable') continue;
    const s = Math.floor(e.start / 4096);
    const en = Math.floor(e.end / 4096);
    if (s >= limit) continue;
    if (en > limit) return limit;
    if (en > last) last = en;
  }
  return last;
}

/** The `modified:` table Linux 2.6 prints after its edits, parsed independently of the code under test. */
function modifiedTable(text: string): E820Entry[] {
  const out: E820Entry[] = [];
  for (const m of text.matchAll(/modified: ([0-9a-f]{16}) - ([0-9a-f]{16}) \(([^)]*)\)/g)) {
    const start = parseInt(m[1]!, 16);
    const end = parseInt(m[2]!, 16);
    const last = out[out.length - 1];
    if (last && last.end === start && last.type === m[3]) last.end = end;
    else out.push({ start, end, type: m[3]! });
  }
  return out;
}

/** `Early memory node ranges` lines (inclusive ends), merged. */
function nodeRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/node +\d+: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]/g)) {
    const s = parseInt(m[1]!, 16);
    const e = parseInt(m[2]!, 16) + 1;
    const last = out[out.length - 1];
    if (last && last[1] === s) last[1] = e;
    else out.push([s, e]);
  }
  return out;
}

describe('parseE820Text on the real boot logs', () => {
  it('parses every file; sorted, disjoint, merged; last_pfn lines agree', () => {
    expect(ALL_FILES.length).toBeGreaterThanOrEqual(35);
    for (const f of ALL_FILES) {
      const text = read(f);
      const es = parseE820Text(text);
      for (let i = 1; i < es.length; i++) {
        expect(es[i]!.start, f).toBeGreaterThanOrEqual(es[i - 1]!.end);
        if (es[i]!.start === es[i - 1]!.end) expect(es[i]!.type, f).not.toBe(es[i - 1]!.type);
      }
      expect(ramBytes(es), f).toBeGreaterThan(400 * 2 ** 20);
      // `last_pfn = X max_arch_pfn = Y`: first the end of RAM below max_arch_pfn,
      // on 64-bit kernels then the end of RAM below 4 GiB.
      const lines = [...text.matchAll(/last_pfn = (0x[0-9a-f]+) max_arch_pfn = (0x[0-9a-f]+)/g)];
      expect(lines.length, f).toBeGreaterThan(0);
      lines.forEach((m, i) => {
        const arch = Number(m[2]);
        const limit = arch === 0x400000000 && i === 1 ? 0x100000 : arch;
        expect(endPfn(es, limit), `${f} last_pfn #${i}`).toBe(Number(m[1]));
      });
    }
  });

  it('old-format logs: applying the edits gives exactly the "modified:" table Linux printed', () => {
    let checked = 0;
    for (const f of ALL_FILES) {
      const text = read(f);
      if (!text.includes('modified physical RAM map')) continue;
      expect(parseE820Text(text), f).toEqual(modifiedTable(text));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(25);
  });

  it('lp606511: old format, RAM total from the table and its edits', () => {
    const es = parseE820Text(read('e820/ubuntu-2010-lp606511-2.6.35.dmesg'));
    // usable 0-9fc00, 100000-bff90000, 100000000-1c0000000; the first 64 KiB became reserved
    expect(ramRanges(es)).toEqual([
      [0x10000, 0x9fc00],
      [0x100000, 0xbff90000],
      [0x100000000, 0x1c0000000],
    ]);
    expect(ramBytes(es)).toBe(0x9fc00 - 0x10000 + 0xbfe90000 + 0xc0000000);
    expect(es[0]).toEqual({ start: 0, end: 0x10000, type: 'reserved' });
  });

  it('macbook10-1 and asus: RAM pages are exactly the "Early memory node ranges"', () => {
    for (const f of ['e820/apple-macbook10-1-8g-6.2.dmesg', 'e820/asus-esc8000g4-8gpu-xeon-256g-5.4.dmesg']) {
      const text = read(f);
      const pm = new PhysMap(e820ToResources(parseE820Text(text)));
      const pages: [number, number][] = [];
      for (let i = 0; i < pm.chunkCount; i++) pages.push([pm.chunkStartPfn(i) * 4096, pm.chunkEndPfn(i) * 4096]);
      expect(pages, f).toEqual(nodeRanges(text));
    }
  });

  it('macbook10-1: EFI removed the 256 MiB ECAM but kept the other MMIO ranges; one-page hole at 0x58000', () => {
    const es = parseE820Text(read('e820/apple-macbook10-1-8g-6.2.dmesg'));
    expect(es.some((e) => e.start < 0xf0000000 && e.end > 0xe0000000)).toBe(false);
    expect(es).toContainEqual({ start: 0xfe010000, end: 0xfe011000, type: 'reserved' });
    expect(es).toContainEqual({ start: 0x58000, end: 0x59000, type: 'reserved' });
    expect(ramBytes(es)).toBe(8482156544);
  });

  it('asrockrack: efi Remove drops the reserved ranges above 1 TiB; the esrt update turns a RAM page into non-RAM', () => {
    const text = read('e820/asrockrack-romed8-2t-epyc-256g-6.3.dmesg');
    const es = parseE820Text(text);
    expect(es.filter((e) => e.end > 0x10000000000)).toEqual([]);
    expect(es.filter((e) => e.start >= 0xb4800000 && e.end <= 0x100000000)).toEqual([]);
    expect(es[es.length - 1]).toEqual({ start: 0x404f200000, end: 0x4050000000, type: 'reserved' });
    // Without the edits the table had those ranges:
    const tableOnly = parseE820Text(text.split('\n').filter((l) => l.includes('BIOS-e820')).join('\n'));
    expect(tableOnly.filter((e) => e.start >= 0x10000000000).length).toBe(5);
    // "e820: update [mem 0xa0f4a000-0xa0f4afff] usable ==> reserved" (the last line)
    const pm = new PhysMap(e820ToResources(es));
    expect(pm.pageIsRam(0xa0f4a)).toBe(false);
    expect(pm.pageIsRam(0xa0f49)).toBe(true);
    expect(pm.pageIsRam(0xa0f4b)).toBe(true);
    const withoutLast = parseE820Text(text.trimEnd().split('\n').slice(0, -1).join('\n'));
    expect(ramBytes(withoutLast) - ramBytes(es)).toBe(4096);
    expect(new PhysMap(e820ToResources(withoutLast)).pageIsRam(0xa0f4a)).toBe(true);
  });

  it('asus: the MTRR trim update (usable ==> reserved over non-RAM) changes nothing', () => {
    const text = read('e820/asus-esc8000g4-8gpu-xeon-256g-5.4.dmesg');
    const all = parseE820Text(text);
    const noTrim = parseE820Text(text.replace(/.*e820: update \[mem 0x7f000000-0xffffffff\].*\n/, ''));
    expect(all).toEqual(noTrim);
    expect(ramBytes(all)).toBe(274459735040);
  });

  it('qemu and aws: RAM totals', () => {
    expect(ramBytes(parseE820Text(read('e820/qemu-q35-kvm-amd-128g.dmesg')))).toBe(0x9fc00 + 0x7fedc000 + 0x1f80000000);
    expect(ramBytes(parseE820Text(read('e820/aws-ec2-r5d-xlarge-32g.dmesg')))).toBe(
      0x9fc00 - 0x1000 + 0xbfefa000 + 0x722a00000,
    );
  });
});

describe('parseE820Text edits and formats', () => {
  const TABLE = [
    '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable',
    '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable',
    '[    0.000000] BIOS-e820: [mem 0x0000000040000000-0x000000004fffffff] reserved',
    '[    0.000000] BIOS-e820: [mem 0x0000010000000000-0x00000100201fffff] reserved',
  ].join('\n');

  it('update changes only the parts of the old type, splitting entries', () => {
    const es = parseE820Text(`${TABLE}\ne820: update [mem 0x3ff00000-0x40000fff] usable ==> reserved\n`);
    expect(es).toEqual([
      { start: 0, end: 0xa0000, type: 'usable' },
      { start: 0x100000, end: 0x3ff00000, type: 'usable' },
      { start: 0x3ff00000, end: 0x50000000, type: 'reserved' },
      { start: 0x10000000000, end: 0x10020200000, type: 'reserved' },
    ]);
    const split = parseE820Text(`${TABLE}\ne820: update [mem 0x00001000-0x00001fff] usable ==> ACPI NVS\n`);
    expect(split.slice(0, 3)).toEqual([
      { start: 0, end: 0x1000, type: 'usable' },
      { start: 0x1000, end: 0x2000, type: 'ACPI NVS' },
      { start: 0x2000, end: 0xa0000, type: 'usable' },
    ]);
  });

  it('typed remove, untyped remove and efi Remove (reserved only)', () => {
    expect(ramRanges(parseE820Text(`${TABLE}\ne820: remove [mem 0x00080000-0x000fffff] usable`))[0]).toEqual([0, 0x80000]);
    // typed remove of reserved leaves usable alone
    expect(parseE820Text(`${TABLE}\ne820: remove [mem 0x00000000-0xffffffff] reserved`).map((e) => e.type)).toEqual(['usable', 'usable', 'reserved']);
    // untyped remove removes everything
    expect(parseE820Text(`${TABLE}\ne820: remove [mem 0x00000000-0x3fffffff]`).map((e) => e.start)).toEqual([0x40000000, 0x10000000000]);
    const efi = parseE820Text(`${TABLE}\n[    0.000000] efi: Remove mem255: MMIO range=[0x0-0x100201fffff] (514MB) from e820 map`);
    expect(efi).toEqual([
      { start: 0, end: 0xa0000, type: 'usable' },
      { start: 0x100000, end: 0x40000000, type: 'usable' },
    ]);
    // "Not removing" lines are ignored
    expect(parseE820Text(`${TABLE}\nefi: Not removing mem48: MMIO range=[0x40000000-0x4fffffff] (256MB) from e820 map`)).toHaveLength(4);
  });

  it('edits apply in file order', () => {
    const a = parseE820Text(`${TABLE}\ne820: update [mem 0x0-0xfff] usable ==> reserved\ne820: update [mem 0x0-0x1fff] reserved ==> usable`);
    expect(a[0]).toEqual({ start: 0, end: 0xa0000, type: 'usable' });
    const b = parseE820Text(`${TABLE}\ne820: update [mem 0x0-0x1fff] reserved ==> usable\ne820: update [mem 0x0-0xfff] usable ==> reserved`);
    expect(b[0]).toEqual({ start: 0, end: 0x1000, type: 'reserved' });
  });

  it('old format: exclusive ends, "e820 update range" and "e820 remove range"', () => {
    const text = [
      ' BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)',
      ' BIOS-e820: 00000000000e0000 - 0000000000100000 (reserved)',
      ' BIOS-e820: 0000000000100000 - 00000000bff90000 (usable)',
      ' BIOS-e820: 00000000fee00000 - 00000000fee01000 type 20',
      'e820 update range: 0000000000000000 - 0000000000010000 (usable) ==> (reserved)',
      'e820 remove range: 00000000000a0000 - 0000000000100000 (usable)',
      'e820 remove range: 00000000bff00000 - 00000000bff90000',
    ].join('\n');
    expect(parseE820Text(text)).toEqual([
      { start: 0, end: 0x10000, type: 'reserved' },
      { start: 0x10000, end: 0x9fc00, type: 'usable' },
      { start: 0xe0000, end: 0x100000, type: 'reserved' },
      { start: 0x100000, end: 0xbff00000, type: 'usable' },
      { start: 0xfee00000, end: 0xfee01000, type: 'type 20' },
    ]);
  });

  it('newer kernels: System RAM / device reserved, size column, [gap] lines, journald prefixes', () => {
    const text = [
      'May 04 12:22:28 host kernel: BIOS-e820: [mem 0x0000000000000000-0x000000000009efff]  System RAM',
      'May 04 12:22:28 host kernel: BIOS-e820: [mem 0x000000000009f000-0x00000000000fffff]  device reserved',
      'May 04 12:22:28 host kernel: BIOS-e820: [gap 0x0000000000100000-0x00000000001fffff]',
      '\tBIOS-e820: [mem 0x0000000000200000-0x000000007ffdbfff]    1.9 GB kernel usable RAM',
      '[    0.000026] e820: update [mem 0x00000000-0x00000fff] System RAM ==> device reserved',
    ].join('\n');
    expect(parseE820Text(text)).toEqual([
      { start: 0, end: 0x1000, type: 'reserved' },
      { start: 0x1000, end: 0x9f000, type: 'usable' },
      { start: 0x9f000, end: 0x100000, type: 'reserved' },
      { start: 0x200000, end: 0x7ffdc000, type: 'usable' },
    ]);
  });

  it('normalises types; unknown types are not RAM', () => {
    expect(normalizeE820Type('(ACPI NVS)')).toBe('ACPI NVS');
    expect(normalizeE820Type('persistent (type 12)')).toBe('persistent');
    expect(normalizeE820Type('persistent (type 7)')).toBe('persistent');
    expect(normalizeE820Type('type 12')).toBe('persistent');
    expect(normalizeE820Type('type 20')).toBe('type 20');
    expect(normalizeE820Type('soft reserved')).toBe('soft reserved');
    expect(normalizeE820Type('unusable')).toBe('unusable');
    expect(normalizeE820Type('bogus')).toBeUndefined();
    const es = parseE820Text(
      'BIOS-e820: [mem 0x0-0xfff] type 20\nBIOS-e820: [mem 0x1000-0x1fff] persistent (type 12)\nBIOS-e820: [mem 0x2000-0x2fff] usable\n',
    );
    expect(es.map((e) => e.type)).toEqual(['type 20', 'persistent', 'usable']);
    expect(ramBytes(es)).toBe(0x1000);
  });

  it('ignores reserve setup_data, modified and other lines', () => {
    const extra = [
      'reserve setup_data: [mem 0x0000000000000000-0x00000000003fffff] usable',
      'modified: 0000000000000000 - 0000000000100000 (reserved)',
      'e820: [mem 0x50000000-0xfed1bfff] available for PCI devices',
      'e820: BIOS-provided physical RAM map:',
      'e820: last_pfn = 0x40000 max_arch_pfn = 0x400000000',
    ].join('\n');
    expect(parseE820Text(`${TABLE}\n${extra}`)).toEqual(parseE820Text(TABLE));
  });

  it('sanitises overlapping table entries: the higher-numbered type wins', () => {
    expect(
      sanitizeE820([
        { start: 0, end: 0x10000, type: 'usable' },
        { start: 0x8000, end: 0x9000, type: 'ACPI data' },
        { start: 0x8800, end: 0x20000, type: 'reserved' },
      ]),
    ).toEqual([
      { start: 0, end: 0x8000, type: 'usable' },
      { start: 0x8000, end: 0x9000, type: 'ACPI data' },
      { start: 0x9000, end: 0x20000, type: 'reserved' },
    ]);
  });
});

describe('parseE820Text errors', () => {
  it('no table', () => {
    const e = inputError(() => parseE820Text('hello\nworld\n'));
    expect(e.message).toBe('no e820 table found: expected lines like "BIOS-e820: [mem 0x...-0x...] usable"');
  });

  it('malformed table and edit lines name their line and the expected form', () => {
    const good = 'BIOS-e820: [mem 0x0-0xfff] usable';
    let e = inputError(() => parseE820Text(`x\n${good}\n[    0.000000] BIOS-e820: [mem 0x1000-0x1fff usable\n`));
    expect(e.line).toBe(3);
    expect(e.column).toBe(16);
    expect(e.message).toMatch(/^e820 line 3: expected "BIOS-e820: \[mem 0xSTART-0xEND\] TYPE" \(END inclusive\) or "BIOS-e820: START - END \(TYPE\)"/);
    e = inputError(() => parseE820Text(`${good}\ne820: update [mem 0x0-0xfff] usable => reserved`));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/expected "e820: update \[mem 0xSTART-0xEND\] OLDTYPE ==> NEWTYPE"/);
    e = inputError(() => parseE820Text(`${good}\n\ne820 update range: 0 - 1000 usable ==> reserved`));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/e820 update range: START - END/);
    e = inputError(() => parseE820Text(`${good}\nefi: Remove mem3: MMIO range=[zz]`));
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/efi: Remove memNN/);
    e = inputError(() => parseE820Text(`${good}\ne820: remove [mem 0x0-0xfff] bogus`));
    expect(e.message).toMatch(/^e820 line 2: unknown e820 type "bogus"/);
  });

  it('END below START, addresses of 2^52 and more', () => {
    expect(inputError(() => parseE820Text('BIOS-e820: [mem 0x2000-0xfff] usable')).message).toMatch(/below START/);
    expect(inputError(() => parseE820Text('BIOS-e820: 0000000000002000 - 0000000000001000 (usable)')).line).toBe(1);
    expect(inputError(() => parseE820Text('BIOS-e820: [mem 0x10000000000000-0x10000000000fff] reserved')).message).toMatch(/52-bit/);
    expect(parseE820Text('BIOS-e820: [mem 0xffffffffff000-0xfffffffffffff] reserved')[0]!.end).toBe(2 ** 52);
    expect(parseE820Text('BIOS-e820: 000ffffffffff000 - 0010000000000000 (reserved)')[0]!.end).toBe(2 ** 52);
  });

  it('an edit before the table, a second table after edits', () => {
    expect(inputError(() => parseE820Text('e820: remove [mem 0x0-0xfff]\nBIOS-e820: [mem 0x0-0xfff] usable')).line).toBe(1);
    const e = inputError(() =>
      parseE820Text('BIOS-e820: [mem 0x0-0xfff] usable\ne820: remove [mem 0x0-0xfff]\nBIOS-e820: [mem 0x0-0xfff] usable'),
    );
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/second e820 table/);
  });

  it('garbage lines inserted into a real log: same map or an InputError on that line (fast-check)', () => {
    const lines = read('e820/asrockrack-romed8-2t-epyc-256g-6.3.dmesg').trimEnd().split('\n');
    const expected = parseE820Text(lines.join('\n'));
    // Prefixes that start like e820 lines but leave a random tail very unlikely
    // to complete a valid one.
    const prefix = fc.constantFrom(
      '',
      '[    0.000000] ',
      'BIOS-e820: ',
      '[    0.000000] BIOS-e820: [mem ',
      ' BIOS-e820: 0000000000000000 ',
      'e820: update ',
      'e820: remove ',
      'e820 update range: ',
      'e820 remove range: ',
      'efi: Remove mem',
      'modified: ',
    );
    const garbage = fc
      .tuple(prefix, fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })))
      .map(([p, s]) => p + s)
      .filter((g) => !/[\r\n]/.test(g));
    fc.assert(
      fc.property(garbage, fc.nat(lines.length), (g, at) => {
        const text = [...lines.slice(0, at), g, ...lines.slice(at)].join('\n');
        const t0 = performance.now();
        try {
          expect(parseE820Text(text)).toEqual(expected);
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          const err = e as InputError;
          // A garbage line that happens to be a valid edit (e.g. an empty
          // "e820 remove range: 0000 - 0") inside the table makes the next
          // table line a "second table": the only error allowed elsewhere.
          if (err.line !== at + 1) {
            expect(err.line).toBeGreaterThan(at + 1);
            expect(err.message).toMatch(/second e820 table starts here after the edit at line (\d+)/);
            expect(err.message).toContain(`after the edit at line ${at + 1}`);
          }
        }
        expect(performance.now() - t0).toBeLessThan(2000); // a guard against runaway parsing, not a speed figure (loaded CI machines pause for GC)
      }),
      { numRuns: 400 },
    );
  });
});

describe('e820ToResources', () => {
  it('names resources as /proc/iomem does, at depth 0, and PhysMap counts only usable', () => {
    const res = e820ToResources([
      { start: 0x100000, end: 0x200000, type: 'usable' },
      { start: 0, end: 0x1000, type: 'reserved' },
      { start: 0x200000, end: 0x201000, type: 'ACPI data' },
      { start: 0x201000, end: 0x202000, type: 'ACPI NVS' },
      { start: 0x202000, end: 0x203000, type: 'unusable' },
      { start: 0x203000, end: 0x204000, type: 'persistent' },
      { start: 0x204000, end: 0x205000, type: 'soft reserved' },
      { start: 0x205000, end: 0x206000, type: 'type 20' },
      { start: 0x300000, end: 0x400000, type: 'System RAM' },
    ]);
    expect(res.map((r) => r.name)).toEqual([
      'Reserved',
      SYSTEM_RAM,
      'ACPI Tables',
      'ACPI Non-volatile Storage',
      'Unusable memory',
      'Persistent Memory (legacy)',
      'Soft Reserved',
      'Unknown E820 type',
      SYSTEM_RAM,
    ]);
    expect(res.every((r) => r.depth === 0)).toBe(true);
    expect(new PhysMap(res).ramBytes).toBe(0x200000);
  });

  it('a real log through to PhysMap', () => {
    const pm = new PhysMap(e820ToResources(parseE820Text(read('e820/ubuntu-2010-lp521260-2.6.32.dmesg'))));
    expect(pm.ramBytes).toBe(0x9d800 - 0x10000 + 0xafdb0000 + 0x40000000);
    expect(pm.ramRanges[0]).toEqual({ start: 0x10000, end: 0x9d800 });
    expect(pm.maxPfn).toBe(0x140000);
  });

  it('rejects ill-formed entries with InputError', () => {
    expect(inputError(() => e820ToResources([{ start: -1, end: 5, type: 'usable' }])).message).toMatch(/e820 entry 0/);
    expect(inputError(() => e820ToResources([{ start: 0, end: 4096, type: 'usable' }, { start: 10, end: 5, type: 'usable' }])).message).toMatch(/e820 entry 1/);
    expect(inputError(() => e820ToResources([{ start: 0, end: 2 ** 53, type: 'usable' }])).message).toMatch(/2\^52/);
    expect(inputError(() => e820ToResources([{ start: 0, end: 1, type: 3 as unknown as string }])).message).toMatch(/type/);
  });
});

describe('stripLogPrefix', () => {
  it('removes timestamps and syslog prefixes, keeps the message indent', () => {
    expect(stripLogPrefix('[    0.005416]   0 base 000000000000 mask 3FC000000000 write-back').text).toBe('  0 base 000000000000 mask 3FC000000000 write-back');
    expect(stripLogPrefix('<6>[    1.5] x').text).toBe('x');
    expect(stripLogPrefix('2026-08-09T08:08:43.080727+00:00 ubuntu-lab kernel: BIOS-e820: x').text).toBe('BIOS-e820: x');
    expect(stripLogPrefix('[Mon Jan  1 00:00:00 2024] e820: x').text).toBe('e820: x');
    expect(stripLogPrefix('plain').offset).toBe(0);
  });
});
