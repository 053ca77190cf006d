import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { e820ToResources, parseE820Text } from '../../core/e820.js';
import { InputError } from '../../core/errors.js';
import { parseIomem } from '../../core/iomem.js';
import { Mtrr, MTRR_TYPE_UNCACHABLE, MTRR_TYPE_WRBACK, parseMtrrText } from '../../core/mtrr.js';
import { PhysMap } from '../../core/physmap.js';
import { DEFAULT_PROFILE, firmwareMtrr, listProfiles, profileText, repoRoot, resolveMachine } from '../../workloads/profiles.js';
import { at, replay } from '../helpers/replay.js';

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

/** Builds the physical map and MTRRs of a resolved spec, as `Hardware.fromSpec` would. */
function build(name: string): { pm: PhysMap; mtrr: Mtrr } {
  const spec = resolveMachine({ profile: name });
  const resources = spec.iomem !== undefined ? parseIomem(spec.iomem) : e820ToResources(parseE820Text(spec.e820Text!));
  const mtrr =
    spec.mtrrText !== undefined ? Mtrr.fromSpec(parseMtrrText(spec.mtrrText)) : spec.mtrr !== undefined ? Mtrr.fromSpec(spec.mtrr) : Mtrr.disabled();
  return { pm: new PhysMap(resources), mtrr };
}

describe('profiles', () => {
  it('lists the required profiles, sorted by name, each with a description', () => {
    const ps = listProfiles();
    const names = ps.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    for (const n of [
      'kvm-guest-24g',
      'dell-precision-3540',
      'icelake-tb-dock',
      'asus-esc8000g4',
      'asrockrack-romed8-2t',
      'macbook10-1',
      'qemu-q35-128g',
      'aws-r5d-xlarge',
      'lp606511',
    ]) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(ps.every((p) => p.description.length > 20)).toBe(true);
    expect(DEFAULT_PROFILE).toBe('kvm-guest-24g');
  });

  it('finds the repository root (the directory with package.json)', () => {
    const root = repoRoot();
    expect(JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).name).toBe('memtype-bench');
    expect(root).toBe(fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, ''));
  });

  it('every profile resolves and builds a machine with RAM', () => {
    for (const { name } of listProfiles()) {
      const { pm } = build(name);
      expect(pm.ramBytes, name).toBeGreaterThan(400 * 2 ** 20);
    }
  });

  it('RAM sizes and MTRRs of known profiles', () => {
    expect(build('kvm-guest-24g').pm.ramBytes).toBe(25769405440);
    expect(build('qemu-q35-128g').pm.ramBytes).toBe(0x9fc00 + 0x7fedc000 + 0x1f80000000);
    expect(Math.round(build('asrockrack-romed8-2t').pm.ramBytes / GiB)).toBe(256);
    const asus = build('asus-esc8000g4');
    expect(asus.mtrr.enabled).toBe(true);
    expect(asus.mtrr.typeAt(0x7f000000)).toBe(MTRR_TYPE_UNCACHABLE);
    expect(asus.mtrr.typeAt(0x100000000)).toBe(MTRR_TYPE_WRBACK);
    const lp = build('lp606511');
    expect(lp.pm.ramBytes).toBe(0x9fc00 - 0x10000 + (0xbff90000 - 0x100000) + (0x1c0000000 - 0x100000000));
    expect(lp.mtrr.typeAt(0xc0000000)).toBe(MTRR_TYPE_UNCACHABLE);
    expect(build('kvm-guest-24g').mtrr.enabled).toBe(false);
  });

  it('resolveMachine fills iomem or e820Text and mtrrText, keeping other fields', () => {
    const kvm = resolveMachine({ profile: 'kvm-guest-24g', pat: 'legacy4', pageTableLevels: 5 });
    expect(kvm.iomem).toContain('System RAM');
    expect(kvm.e820Text).toBeUndefined();
    expect(kvm.mtrrText).toBeUndefined();
    expect(kvm).toMatchObject({ profile: 'kvm-guest-24g', pat: 'legacy4', pageTableLevels: 5 });

    const asus = resolveMachine({ profile: 'asus-esc8000g4' });
    expect(asus.e820Text).toContain('BIOS-e820');
    expect(asus.mtrrText).toContain('MTRR default type');
    expect(asus.iomem).toBeUndefined();

    // the spec's own MTRRs win over the profile's, dumped or synthesised
    const own = { default: 'WB' };
    expect(resolveMachine({ profile: 'asus-esc8000g4', mtrr: own }).mtrrText).toBeUndefined();
    expect(resolveMachine({ profile: 'asus-esc8000g4', mtrrText: 'x' }).mtrrText).toBe('x');
    expect(resolveMachine({ profile: 'dell-precision-3540', mtrr: own }).mtrr).toBe(own);
    expect(resolveMachine({ profile: 'dell-precision-3540', mtrrText: 'x' }).mtrr).toBeUndefined();
  });

  it('a spec with its own map source is returned unchanged (as a copy)', () => {
    const spec = { profile: 'asus-esc8000g4', iomem: '00000000-00000fff : System RAM\n' };
    const out = resolveMachine(spec);
    expect(out).toEqual(spec);
    expect(out).not.toBe(spec);
    const e = { e820: [{ start: 0, end: 4096, type: 'usable' }] };
    expect(resolveMachine(e)).toEqual(e);
    expect(resolveMachine({ e820Text: 'BIOS-e820: [mem 0x0-0xfff] usable' }).profile).toBeUndefined();
  });

  it('no source and no profile → the default profile', () => {
    const out = resolveMachine({ pat: 'full' });
    expect(out.profile).toBe(DEFAULT_PROFILE);
    expect(out.iomem).toBe(profileText(DEFAULT_PROFILE).iomem);
    expect(out.pat).toBe('full');
  });

  it('unknown profile → InputError listing the valid names', () => {
    const e = inputError(() => resolveMachine({ profile: 'pdp-11' }));
    expect(e.message).toMatch(/unknown profile "pdp-11"/);
    for (const { name } of listProfiles()) expect(e.message).toContain(name);
    expect(() => profileText('nope')).toThrow(InputError);
  });

  it('reads each file once (cached)', () => {
    const a = profileText('macbook10-1').e820Text;
    const b = profileText('macbook10-1').e820Text;
    expect(a).toBe(b);
    expect(a).toContain('MacBook10,1');
  });
});

describe('MTRRs of the profiles (data/SOURCES.md)', () => {
  const SYNTHESISED = ['dell-precision-3540', 'icelake-tb-dock', 'asrockrack-romed8-2t', 'macbook10-1', 'qemu-q35-128g', 'aws-r5d-xlarge'];

  it('mtrr_type_lookup: only the KVM guest runs with MTRRs disabled; every other profile has a dump or synthesised MTRRs', () => {
    for (const { name } of listProfiles()) {
      const spec = resolveMachine({ profile: name });
      expect(build(name).mtrr.enabled, name).toBe(name !== 'kvm-guest-24g');
      expect(spec.mtrr !== undefined, name).toBe(SYNTHESISED.includes(name));
    }
  });

  it('firmwareMtrr: UC default, WB fixed low RAM, WP option ROMs, WB over [0, last low RAM) and [4 GiB, last RAM)', () => {
    const spec = resolveMachine({ profile: 'dell-precision-3540' });
    expect(spec.mtrr).toEqual(firmwareMtrr(parseIomem(spec.iomem!)));
    expect(spec.mtrr).toEqual({
      default: 'UC',
      fixed: [
        { start: 0, end: 0xa0000, type: 'WB' },
        { start: 0xa0000, end: 0xc0000, type: 'UC' },
        { start: 0xc0000, end: 0x100000, type: 'WP' },
      ],
      variable: [
        { base: 0, size: 0x7ad00000, type: 'WB' },
        { base: 4 * GiB, size: 0x87c800000 - 4 * GiB, type: 'WB' },
      ],
    });
    const { mtrr } = build('dell-precision-3540');
    expect(mtrr.typeAt(0x78e31000)).toBe(MTRR_TYPE_WRBACK); // ACPI NVS below the last low RAM
    expect(mtrr.typeAt(0x7d800000)).toBe(MTRR_TYPE_UNCACHABLE); // graphics stolen memory after it
    expect(mtrr.typeAt(0x80000000)).toBe(MTRR_TYPE_UNCACHABLE); // the GPU BAR
    expect(mtrr.typeAt(0x87c7ff000)).toBe(MTRR_TYPE_WRBACK);
    expect(mtrr.typeAt(0x87c800000)).toBe(MTRR_TYPE_UNCACHABLE);
    // a map without RAM above 4 GiB gets one WB range
    expect(firmwareMtrr(parseIomem('00000000-0009ffff : System RAM\n00100000-7fffffff : System RAM\n')).variable).toEqual([{ base: 0, size: 0x80000000, type: 'WB' }]);
  });

  it('pat_x_mtrr_type on synthesised MTRRs: WB over a PCI BAR is tracked UC-, over ACPI NVS below the last RAM stays WB', async () => {
    const r = await replay([
      { op: 'machine', profile: 'dell-precision-3540' },
      { op: 'memtype_reserve', start: '0x80000000', end: '0x80001000', req: 'WB' },
      { op: 'memtype_reserve', start: '0x78e31000', end: '0x78e32000', req: 'WB' },
    ]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3)).toMatchObject({ ret: 0, type: 'WB' });
  });

  it('pat_x_mtrr_type: the KVM guest (MTRRs disabled) tracks a WB request on MMIO as UC-', async () => {
    const r = await replay([{ op: 'machine', profile: 'kvm-guest-24g' }, { op: 'memtype_reserve', start: '0xc0000000', end: '0xc0001000', req: 'WB' }, { op: 'mtrr_type', addr: '0x100000' }]);
    expect(at(r, 2)).toMatchObject({ ret: 0, type: 'UC-' });
    expect(at(r, 3).type).toBe('UC');
  });
});
