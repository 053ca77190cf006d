import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../core/errors.js';
import { detectMapFormat, groupMachineLabel, loadMachineChoice, machineIdentity, machineSpecFor } from '../../../bench/plan/machine.js';
import { repoRoot } from '../../../workloads/profiles.js';

const data = (rel: string): string => join(repoRoot(), 'data', rel);

describe('machine input', () => {
  it('detects /proc/iomem dumps and e820 boot logs', () => {
    expect(detectMapFormat(readFileSync(data('iomem/kvm-guest-24g-6.18.iomem'), 'utf8'))).toBe('iomem');
    expect(detectMapFormat(readFileSync(data('e820/qemu-q35-kvm-amd-128g.dmesg'), 'utf8'))).toBe('e820');
  });

  it('a machine file becomes a spec with its text; labels and identity name it', () => {
    const c = loadMachineChoice({ machineFile: data('e820/qemu-q35-kvm-amd-128g.dmesg') });
    expect(c).toMatchObject({ kind: 'file', format: 'e820', label: 'file:qemu-q35-kvm-amd-128g.dmesg' });
    const spec = machineSpecFor(c, 'ignored')!;
    expect(spec.e820Text).toContain('BIOS-e820');
    expect(spec.iomem).toBeUndefined();
    expect(groupMachineLabel(c, 'x')).toBe('file:qemu-q35-kvm-amd-128g.dmesg');
    expect(machineIdentity(c)).toMatch(/^file:qemu-q35-kvm-amd-128g.dmesg:[0-9a-f]{12}$/);
    const i = loadMachineChoice({ machineFile: data('iomem/kvm-guest-24g-6.18.iomem') });
    expect(machineSpecFor(i, 'x')!.iomem).toContain('System RAM');
  });

  it('profiles and defaults, with or without an MTRR file', () => {
    expect(machineSpecFor(loadMachineChoice({}), 'icelake-tb-dock')).toBeUndefined();
    expect(groupMachineLabel(loadMachineChoice({}), 'icelake-tb-dock')).toBe('icelake-tb-dock');
    const p = loadMachineChoice({ machine: 'qemu-q35-128g' });
    expect(machineSpecFor(p, 'x')).toEqual({ profile: 'qemu-q35-128g' });
    const mtrr = data('mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg');
    const d = loadMachineChoice({ mtrrFile: mtrr });
    expect(machineSpecFor(d, 'kvm-guest-24g')).toMatchObject({ profile: 'kvm-guest-24g' });
    expect(machineSpecFor(d, 'kvm-guest-24g')!.mtrrText).toContain('MTRR');
    expect(groupMachineLabel(d, 'kvm-guest-24g')).toBe('kvm-guest-24g+mtrr:asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg');
    expect(machineIdentity(d)).not.toBe(machineIdentity(loadMachineChoice({})));
  });

  it('bad input: both options, unknown profile, unreadable or malformed file (named, with its line)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-mach-'));
    const bad = join(dir, 'bad.iomem');
    writeFileSync(bad, '00000000-00000fff : Reserved\nthis is not iomem\n');
    expect(() => loadMachineChoice({ machine: 'a', machineFile: 'b' })).toThrow(/exclude each other/);
    expect(() => loadMachineChoice({ machine: 'no-such' })).toThrow(/unknown profile "no-such"; valid profiles: .*kvm-guest-24g/);
    expect(() => loadMachineChoice({ machineFile: join(dir, 'missing') })).toThrow(/--machine-file .*missing: cannot read the file \(ENOENT\)/);
    let err: unknown;
    try {
      loadMachineChoice({ machineFile: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/bad\.iomem: iomem line 2: /);
    expect((err as InputError).line).toBe(2);
  });
});
