/**
 * `--machine-file` / `--mtrr-file`: `machineFromFiles()` on every real map
 * in data/, on the other real files there (which are not maps), and on
 * garbage; workloads generated on a user's map.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import { machineFromFiles, profileText, readMtrrFile, repoRoot } from '../../workloads/profiles.js';
import { getWorkload } from '../../workloads/registry.js';
import { record } from '../helpers/record.js';

const data = (rel: string): string => join(repoRoot(), 'data', rel);
const files = (dir: string): string[] => readdirSync(data(dir)).map((f) => join(dir, f));

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, got none');
}

function tmpFile(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'mtb-mf-')), name);
  writeFileSync(p, text);
  return p;
}

describe('machineFromFiles', () => {
  it('reads every /proc/iomem dump in data/ as iomem', () => {
    for (const f of files('iomem')) {
      const spec = machineFromFiles(data(f));
      expect(spec.iomem, f).toBe(readFileSync(data(f), 'utf8'));
      expect(spec.e820Text).toBeUndefined();
      expect(spec.profile).toBeUndefined();
      expect(Hardware.fromSpec(spec).physmap.ramBytes, f).toBeGreaterThan(2 ** 30);
    }
  });

  it('reads every e820 boot log in data/ (new and pre-3.x formats) as e820 text', () => {
    const logs = [...files('e820'), ...files('ubuntu-2010/e820')];
    expect(logs.length).toBeGreaterThan(30);
    for (const f of logs) {
      const spec = machineFromFiles(data(f));
      expect(spec.e820Text, f).toContain('BIOS-e820');
      expect(spec.iomem).toBeUndefined();
      expect(Hardware.fromSpec(spec).physmap.ramBytes, f).toBeGreaterThan(2 ** 28);
    }
  });

  it('gives the same map as the built-in profile made from the same file, with MTRRs', () => {
    const spec = machineFromFiles(data('e820/asus-esc8000g4-8gpu-xeon-256g-5.4.dmesg'), data('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg'));
    const prof = profileText('asus-esc8000g4');
    expect(spec.e820Text).toBe(prof.e820Text);
    expect(spec.mtrrText).toBe(prof.mtrrText);
    expect(Hardware.fromSpec(spec).mtrr.enabled).toBe(true);
  });

  it('reads the MTRR dumps in data/ (one boot each)', () => {
    for (const f of [...files('ubuntu-2010/mtrr'), 'mtrr/nvidia-desktop.proc-mtrr', 'mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg']) {
      expect(readMtrrFile(data(f)), f).toBe(readFileSync(data(f), 'utf8'));
    }
    // Three machines' listings in one file: refused, naming the file and line.
    const e = inputError(() => readMtrrFile(data('mtrr/i9-13900k-xiaomi-n100.proc-mtrr')));
    expect(e.message).toMatch(/i9-13900k-xiaomi-n100\.proc-mtrr: mtrr line \d+: register reg00 is listed twice/);
    expect(e.line).toBeGreaterThan(1);
  });

  it('refuses the real files that are not maps (memtype lists, /proc/PID/maps, logs), saying what was expected', () => {
    for (const f of [...files('memtype-lists'), ...files('maps'), ...files('messages')]) {
      const e = inputError(() => machineFromFiles(data(f)));
      expect(e.message, f).toContain(data(f));
      expect(e.message).toMatch(/not a \/proc\/iomem dump or an e820 boot log: expected iomem lines like "00100000-bfffffff : System RAM"/);
      expect(e.message).toContain('BIOS-e820: [mem');
    }
  });

  it('refuses garbage, naming the file and what was expected', () => {
    expect(inputError(() => machineFromFiles('/nonexistent/iomem')).message).toMatch(/cannot read machine file \/nonexistent\/iomem: ENOENT/);
    const bin = tmpFile('random.bin', '\u0000\u0001garbage\n\u00ff\u00fe\n');
    expect(inputError(() => machineFromFiles(bin)).message).toContain(`${bin}: not a /proc/iomem dump`);
    // An iomem dump with a broken line: the parser's line and column, under the file name.
    const iomem = tmpFile('iomem', '00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\nzz100000-bfffffff : System RAM\n');
    const e1 = inputError(() => machineFromFiles(iomem));
    expect(e1.message).toMatch(new RegExp(`^${iomem}: iomem line 3: expected "START-END : NAME"`));
    expect(e1.line).toBe(3);
    // An e820 log with a malformed table line.
    const log = tmpFile('dmesg', '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n[    0.000000] BIOS-e820: [mem 0x100000-] usable\n');
    const e2 = inputError(() => machineFromFiles(log));
    expect(e2.message).toMatch(new RegExp(`^${log}: e820 line 2:`));
    expect(e2.line).toBe(2);
    // Unprivileged /proc/iomem: all zeros.
    const zeros = tmpFile('iomem-user', '00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n');
    expect(inputError(() => machineFromFiles(zeros)).message).toMatch(/read \/proc\/iomem as root/);
    // A map without RAM.
    const noRam = tmpFile('iomem-noram', 'fed00000-fed003ff : HPET 0\n');
    expect(inputError(() => machineFromFiles(noRam)).message).toMatch(/the map has no RAM: expected "System RAM"/);
    // A bad MTRR file next to a good map.
    const mtrr = tmpFile('mtrr', 'hello\n');
    const e3 = inputError(() => machineFromFiles(data('iomem/kvm-guest-24g-6.18.iomem'), mtrr));
    expect(e3.message.startsWith(`${mtrr}: `)).toBe(true);
  });

  it('a workload runs on a user map: alias-free on the oracle', () => {
    const spec = machineFromFiles(data('e820/qemu-q35-kvm-amd-128g.dmesg'));
    for (const name of ['desktop-day', 'server-pcie', 'vvar-hpet']) {
      const w = getWorkload(name);
      const s = w.generate(w.defaultSizes[0]!, 3, spec);
      expect(s.machine.e820Text).toBe(spec.e820Text);
      expect(record(s, 'oracle').machine.check(), name).toEqual([]);
    }
  });
});
