/**
 * bench/plan/machine.ts, the one loader of a user's machine files: the
 * format detector and the checks on every real file in data/ (maps, MTRR
 * dumps, and the files that are not maps), garbage, labels and identities,
 * and the parse-once contract (`machineFor` hands out one value per machine).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../core/errors.js';
import { Hardware } from '../../../core/hardware.js';
import { detectMapFormat, groupMachineLabel, loadMachineChoice, loadMachineFor, machineFor, machineIdentity } from '../../../bench/plan/machine.js';
import { profileMachine, profileText, repoRoot } from '../../../workloads/profiles.js';
import { getWorkload } from '../../../workloads/registry.js';
import { record } from '../../helpers/record.js';

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

describe('detectMapFormat and loadMachineChoice on the real files in data/', () => {
  it('every /proc/iomem dump is iomem, parsed once into a machine with RAM', () => {
    for (const f of files('iomem')) {
      const text = readFileSync(data(f), 'utf8');
      expect(detectMapFormat(text), f).toBe('iomem');
      const c = loadMachineChoice({ machineFile: data(f) });
      expect(c).toMatchObject({ kind: 'file', format: 'iomem', text });
      const m = machineFor(c, 'ignored');
      expect(m.spec.iomem).toBe(text);
      expect(m.spec.profile).toBeUndefined();
      expect(Hardware.fromParsed(m).physmap.ramBytes, f).toBeGreaterThan(2 ** 30);
    }
  });

  it('every e820 boot log (new and pre-3.x formats) is e820', () => {
    const logs = [...files('e820'), ...files('ubuntu-2010/e820')];
    expect(logs.length).toBeGreaterThan(30);
    for (const f of logs) {
      expect(detectMapFormat(readFileSync(data(f), 'utf8')), f).toBe('e820');
      const m = machineFor(loadMachineChoice({ machineFile: data(f) }), 'ignored');
      expect(m.spec.e820Text, f).toContain('BIOS-e820');
      expect(Hardware.fromParsed(m).physmap.ramBytes, f).toBeGreaterThan(2 ** 28);
    }
  });

  it('a map file with its MTRRs gives the machine of the built-in profile made from the same files', () => {
    const c = loadMachineChoice({ machineFile: data('e820/asus-esc8000g4-8gpu-xeon-256g-5.4.dmesg'), mtrrFile: data('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg') });
    const m = machineFor(c, 'ignored');
    const prof = profileMachine('asus-esc8000g4');
    expect(m.spec.e820Text).toBe(profileText('asus-esc8000g4').e820Text);
    expect(m.resources).toEqual(prof.resources);
    expect(m.mtrr).toEqual(prof.mtrr);
    expect(Hardware.fromParsed(m).mtrr.enabled).toBe(true);
  });

  it('reads the MTRR dumps (one boot each); refuses a file listing three machines, naming it and the line', () => {
    for (const f of [...files('ubuntu-2010/mtrr'), 'mtrr/nvidia-desktop.proc-mtrr', 'mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg']) {
      expect(loadMachineChoice({ mtrrFile: data(f) }), f).toMatchObject({ kind: 'default', mtrrText: readFileSync(data(f), 'utf8') });
    }
    const e = inputError(() => loadMachineChoice({ mtrrFile: data('mtrr/i9-13900k-xiaomi-n100.proc-mtrr') }));
    expect(e.message).toMatch(/i9-13900k-xiaomi-n100\.proc-mtrr: mtrr line \d+: register reg00 is listed twice/);
    expect(e.line).toBeGreaterThan(1);
  });

  it('refuses the real files that are not maps (memtype lists, /proc/PID/maps, logs), saying what was expected', () => {
    for (const f of [...files('memtype-lists'), ...files('maps'), ...files('messages')]) {
      expect(detectMapFormat(readFileSync(data(f), 'utf8')), f).toBeNull();
      const e = inputError(() => loadMachineChoice({ machineFile: data(f) }));
      expect(e.message, f).toContain(data(f));
      expect(e.message).toMatch(/not a \/proc\/iomem dump or an e820 boot log: expected iomem lines like "00100000-bfffffff : System RAM"/);
      expect(e.message).toContain('BIOS-e820: [mem');
    }
  });
});

describe('loadMachineChoice on bad input', () => {
  it('names the file and what was expected, with the parser line and column', () => {
    expect(() => loadMachineChoice({ machine: 'a', machineFile: 'b' })).toThrow(/exclude each other/);
    expect(() => loadMachineChoice({ machine: 'no-such' })).toThrow(/unknown profile "no-such"; valid profiles: .*kvm-guest-24g/);
    expect(inputError(() => loadMachineChoice({ machineFile: '/nonexistent/iomem' })).message).toMatch(/--machine-file \/nonexistent\/iomem: cannot read the file \(ENOENT\)/);
    const bin = tmpFile('random.bin', '\u0000\u0001garbage\n\u00ff\u00fe\n');
    expect(inputError(() => loadMachineChoice({ machineFile: bin })).message).toContain(`${bin}: not a /proc/iomem dump`);
    const iomem = tmpFile('iomem', '00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\nzz100000-bfffffff : System RAM\n');
    const e1 = inputError(() => loadMachineChoice({ machineFile: iomem }));
    expect(e1.message).toMatch(new RegExp(`^${iomem}: iomem line 3: expected "START-END : NAME"`));
    expect(e1.line).toBe(3);
    const log = tmpFile('dmesg', '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n[    0.000000] BIOS-e820: [mem 0x100000-] usable\n');
    const e2 = inputError(() => loadMachineChoice({ machineFile: log }));
    expect(e2.message).toMatch(new RegExp(`^${log}: e820 line 2:`));
    expect(e2.line).toBe(2);
    // Unprivileged /proc/iomem: all zeros; a map without RAM.
    expect(inputError(() => loadMachineChoice({ machineFile: tmpFile('iomem-user', '00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n') })).message).toMatch(/read \/proc\/iomem as root/);
    expect(inputError(() => loadMachineChoice({ machineFile: tmpFile('iomem-noram', 'fed00000-fed003ff : HPET 0\n') })).message).toMatch(/the map has no RAM: expected "System RAM"/);
  });

  it('a bad MTRR file is named, next to a good map, a profile or the defaults', () => {
    const mtrr = tmpFile('mtrr', 'hello\n');
    for (const o of [{ machineFile: data('iomem/kvm-guest-24g-6.18.iomem') }, { machine: 'kvm-guest-24g' }, {}]) {
      expect(inputError(() => loadMachineChoice({ ...o, mtrrFile: mtrr })).message.startsWith(`${mtrr}: `)).toBe(true);
    }
  });
});

describe('machineFor', () => {
  it('parses each machine once: the same value for every group of the run', () => {
    const c = loadMachineChoice({ machineFile: data('e820/qemu-q35-kvm-amd-128g.dmesg') });
    expect(machineFor(c, 'a')).toBe(machineFor(c, 'b'));
    expect(machineFor(loadMachineChoice({}), 'icelake-tb-dock')).toBe(profileMachine('icelake-tb-dock'));
    expect(machineFor(loadMachineChoice({ machine: 'qemu-q35-128g' }), 'x')).toBe(profileMachine('qemu-q35-128g'));
  });

  it("a user's MTRRs replace a profile's own, and the spec keeps both texts without the profile name (a written trace carries them)", () => {
    const mtrr = data('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg');
    const d = loadMachineChoice({ mtrrFile: mtrr });
    const m = machineFor(d, 'kvm-guest-24g');
    expect(m.spec.profile).toBeUndefined();
    expect(m.spec.iomem).toBe(profileText('kvm-guest-24g').iomem);
    expect(m.spec.mtrrText).toBe(readFileSync(mtrr, 'utf8'));
    expect(m.mtrr).not.toBeNull();
    expect(machineFor(d, 'kvm-guest-24g')).toBe(m);
    expect(loadMachineFor({ mtrrFile: mtrr }, 'kvm-guest-24g').spec.mtrrText).toBe(m.spec.mtrrText);
  });

  it('labels and identities name the profile, the file and the MTRR file', () => {
    const c = loadMachineChoice({ machineFile: data('e820/qemu-q35-kvm-amd-128g.dmesg') });
    expect(groupMachineLabel(c, 'x')).toBe('file:qemu-q35-kvm-amd-128g.dmesg');
    expect(machineIdentity(c)).toMatch(/^file:qemu-q35-kvm-amd-128g.dmesg:[0-9a-f]{12}$/);
    expect(groupMachineLabel(loadMachineChoice({}), 'icelake-tb-dock')).toBe('icelake-tb-dock');
    const d = loadMachineChoice({ mtrrFile: data('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg') });
    expect(groupMachineLabel(d, 'kvm-guest-24g')).toBe('kvm-guest-24g+mtrr:asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg');
    expect(machineIdentity(d)).not.toBe(machineIdentity(loadMachineChoice({})));
  });

  it('a workload runs on a user map: alias-free on the oracle, the stream carrying the map text', () => {
    const m = machineFor(loadMachineChoice({ machineFile: data('e820/qemu-q35-kvm-amd-128g.dmesg') }), 'x');
    for (const name of ['desktop-day', 'server-pcie', 'vvar-hpet']) {
      const w = getWorkload(name);
      const s = w.generate(w.defaultSizes[0]!, 3, m);
      expect(s.machine).toBe(m);
      expect(record(s, 'oracle').machine.check(), name).toEqual([]);
    }
  });
});
