/**
 * Built-in machine profiles: real physical maps (and MTRR dumps where the
 * source has one) of real machines, shipped under `data/` (see
 * `data/SOURCES.md` for their origins). A profile whose source has no MTRR
 * dump gets firmware-like MTRRs synthesised from its map
 * (`firmwareMtrr`), except the KVM guest, which really runs with MTRRs
 * disabled. A trace's `"profile": "NAME"` — or no map source at all — is
 * turned into concrete map text here (`resolveMachine`), before
 * core/hardware.ts `parseMachineSpec` parses it; `profileMachine` does both,
 * once per profile. A user's own files are read at the edge
 * (bench/plan/machine.ts), never here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.js';
import { e820ToResources, parseE820Text } from '../core/e820.js';
import { parseMachineSpec } from '../core/hardware.js';
import { parseIomem } from '../core/iomem.js';
import type { MachineSpec, MtrrSpec, ParsedMachine } from '../core/machine-spec.js';
import { MTRR_FIXED_END } from '../core/mtrr.js';
import { PAGE_SIZE, PhysMap, type Resource } from '../core/physmap.js';

/** A built-in machine profile as `memtype-bench list profiles` shows it. */
export interface Profile {
  name: string;
  description: string;
}

/** Where a profile's texts live, relative to `data/`. */
interface ProfileSource extends Profile {
  /** `/proc/iomem` dump. */
  iomem?: string;
  /** Boot log with the `BIOS-e820:` table and its edits. */
  e820?: string;
  /** `/proc/mtrr` listing or boot-log MTRR block. */
  mtrr?: string;
  /** The machine runs with MTRRs disabled (no MTRRs synthesised). */
  mtrrDisabled?: true;
}

/** Profile used when a machine spec names no map source and no profile. */
export const DEFAULT_PROFILE = 'kvm-guest-24g';

const SOURCES: readonly ProfileSource[] = [
  {
    name: 'kvm-guest-24g',
    description: 'Linux 6.18 x86_64 KVM guest, 24 GiB RAM, virtio devices in a 64-bit PCI window (/proc/iomem; MTRRs disabled)',
    iomem: 'iomem/kvm-guest-24g-6.18.iomem',
    mtrrDisabled: true,
  },
  {
    name: 'dell-precision-3540',
    description: 'Dell Precision 3540 laptop, Linux 5.16, ~32 GiB RAM, "Unknown E820 type" range, Graphics Stolen Memory, zero-size PCI windows (/proc/iomem; MTRRs synthesised from the map)',
    iomem: 'iomem/dell-precision-3540-laptop-5.16.iomem',
  },
  {
    name: 'icelake-tb-dock',
    description: 'Intel Ice Lake laptop with a Thunderbolt dock present at boot, ~16 GiB RAM, GPU BAR and hotplug windows above 256 GiB (/proc/iomem; MTRRs synthesised from the map)',
    iomem: 'iomem/icelake-laptop-thunderbolt-dock.iomem',
  },
  {
    name: 'asus-esc8000g4',
    description: 'ASUS ESC8000 G4 8-GPU server, 2-socket Xeon, 256 GiB, Linux 5.4 (e820 boot log + MTRRs: UC default, UC holes at 0x7f000000 and 2-4 GiB)',
    e820: 'e820/asus-esc8000g4-8gpu-xeon-256g-5.4.dmesg',
    mtrr: 'mtrr/asus-esc8000g4-8gpu-xeon-256g-5.4.mtrr-dmesg',
  },
  {
    name: 'asrockrack-romed8-2t',
    description: 'ASRock Rack ROMED8-2T, AMD EPYC, ~256 GiB, Linux 6.3 UEFI (e820 boot log; EFI removes MMIO ranges, incl. reserved ranges above 1 TiB; MTRRs synthesised from the map)',
    e820: 'e820/asrockrack-romed8-2t-epyc-256g-6.3.dmesg',
  },
  {
    name: 'macbook10-1',
    description: 'Apple MacBook10,1 (Retina 12-inch, 2017), Kaby Lake, 8 GiB, Linux 6.2 (e820 boot log; EFI removes the ECAM window; MTRRs synthesised from the map)',
    e820: 'e820/apple-macbook10-1-8g-6.2.dmesg',
  },
  {
    name: 'qemu-q35-128g',
    description: 'QEMU q35/KVM guest on an AMD host, 128 GiB, CentOS 7 kernel 3.10 (e820 boot log; reserved HT hole at 0xfd00000000; MTRRs synthesised from the map)',
    e820: 'e820/qemu-q35-kvm-amd-128g.dmesg',
  },
  {
    name: 'aws-r5d-xlarge',
    description: 'AWS EC2 r5d.xlarge (Nitro/KVM), 32 GiB (e820 boot log; reserved tail above RAM, 4 MiB ECAM; MTRRs synthesised from the map)',
    e820: 'e820/aws-ec2-r5d-xlarge-32g.dmesg',
  },
  {
    name: 'lp606511',
    description: 'Ubuntu 2010 laptop (Launchpad bug 606511), Linux 2.6.35 x86_64, 6 GiB (old-format e820 + MTRRs: UC default, fixed WP/WT ranges, UC 3-4 GiB and 7-8 GiB)',
    e820: 'e820/ubuntu-2010-lp606511-2.6.35.dmesg',
    mtrr: 'mtrr/ubuntu-2010-lp606511-2.6.35.mtrr-dmesg',
  },
  {
    name: 'lp521260',
    description: 'Ubuntu 2010 machine (Launchpad bug 521260), Linux 2.6.32 32-bit, 3.75 GiB incl. 1 GiB above 4 GiB (old-format e820 + MTRRs)',
    e820: 'e820/ubuntu-2010-lp521260-2.6.32.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp521260-2.6.32-13-generic.mtrr-dmesg',
  },
  {
    name: 'lp594965',
    description: 'Ubuntu 2010 machine (Launchpad bug 594965), Linux 2.6.32 32-bit, 1.5 GiB (old-format e820 + MTRRs with a write-combining variable range and WC fixed range)',
    e820: 'ubuntu-2010/e820/lp594965-2.6.32-22-generic.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp594965-2.6.32-22-generic.mtrr-dmesg',
  },
  {
    name: 'lp611470',
    description: 'Ubuntu 2010 machine (Launchpad bug 611470), Linux 2.6.32 x86_64, 24 GiB (old-format e820 + MTRRs with a write-back default and UC holes only)',
    e820: 'ubuntu-2010/e820/lp611470-2.6.32-24-generic.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp611470-2.6.32-24-generic.mtrr-dmesg',
  },
  {
    name: 'lp665424',
    description: 'Ubuntu 2010 machine (Launchpad bug 665424), Linux 2.6.35 x86_64, 3.8 GiB (old-format e820 + 8 variable MTRRs incl. two write-protect ranges)',
    e820: 'ubuntu-2010/e820/lp665424-2.6.35-22-generic.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp665424-2.6.35-22-generic.mtrr-dmesg',
  },
  {
    name: 'lp668017',
    description: 'Ubuntu 2010 machine (Launchpad bug 668017), Linux 2.6.35 32-bit PAE, 3.7 GiB (old-format e820 + 8 variable MTRRs)',
    e820: 'ubuntu-2010/e820/lp668017-2.6.35-22-generic-pae.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp668017-2.6.35-22-generic-pae.mtrr-dmesg',
  },
  {
    name: 'lp674479',
    description: 'Ubuntu 2010 machine (Launchpad bug 674479), Linux 2.6.35 x86_64, 1.9 GiB (old-format e820 + MTRRs with a write-combining variable range)',
    e820: 'ubuntu-2010/e820/lp674479-2.6.35-22-generic.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp674479-2.6.35-22-generic.mtrr-dmesg',
  },
  {
    name: 'lp783502',
    description: 'ASUS RS100-E5 server (Launchpad bug 783502), Linux 2.6.38 x86_64, 8 GiB (old-format e820 + MTRRs)',
    e820: 'ubuntu-2010/e820/lp783502-2.6.38-8-server.dmesg',
    mtrr: 'ubuntu-2010/mtrr/lp783502-2.6.38-8-server.mtrr-dmesg',
  },
];

const BY_NAME = new Map(SOURCES.map((s) => [s.name, s]));

let rootDir: string | undefined;

/**
 * The repository root: the first directory at or above this module that holds
 * a `package.json` (works from `workloads/` under vitest/tsx and from
 * `dist/workloads/` when compiled).
 */
export function repoRoot(): string {
  if (rootDir !== undefined) return rootDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (rootDir = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`profiles: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

const cache = new Map<string, string>();

/** Reads `data/<rel>` once (lazily) and caches it. */
function dataText(rel: string): string {
  let t = cache.get(rel);
  if (t === undefined) {
    t = readFileSync(join(repoRoot(), 'data', rel), 'utf8');
    cache.set(rel, t);
  }
  return t;
}

/** All built-in profiles, `{name, description}`, sorted by name. */
export function listProfiles(): Profile[] {
  return SOURCES.map((s) => ({ name: s.name, description: s.description })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

function unknownProfile(name: unknown): InputError {
  const names = listProfiles().map((p) => p.name).join(', ');
  return new InputError(`machine: unknown profile ${JSON.stringify(name)}; expected one of: ${names}`);
}

/** 4 GiB, bytes. */
const FOUR_G = 2 ** 32;

/**
 * Firmware-like MTRRs for a map without an MTRR dump, programmed the way a
 * BIOS programs them (the rule stated in `data/SOURCES.md`):
 * - default type UC (MMIO, and anything above the last RAM);
 * - fixed ranges: 0–0x9FFFF WB (low RAM), 0xA0000–0xBFFFF UC (legacy VGA),
 *   0xC0000–0xFFFFF WP (option ROM and BIOS shadow);
 * - variable ranges: WB from 0 up to the end of the highest System RAM
 *   range below 4 GiB (so firmware-reserved DRAM between RAM ranges — ACPI
 *   tables, NVS — is WB, and the PCI hole after it UC), and WB from 4 GiB up
 *   to the end of the highest System RAM range above 4 GiB, if any. Ends are
 *   rounded up to 4 KiB, the MTRR granularity; ranges are not split into
 *   the power-of-two registers a BIOS needs (same cache map).
 * @param resources the machine's physical map
 */
export function firmwareMtrr(resources: readonly Resource[]): MtrrSpec {
  const up = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;
  let low = 0;
  let high = 0;
  for (const r of new PhysMap(resources).ramRanges) {
    if (r.start < FOUR_G) low = Math.max(low, up(Math.min(r.end, FOUR_G)));
    if (r.end > FOUR_G) high = Math.max(high, up(r.end));
  }
  const variable: NonNullable<MtrrSpec['variable']> = [];
  if (low > 0) variable.push({ base: 0, size: low, type: 'WB' });
  if (high > 0) variable.push({ base: FOUR_G, size: high - FOUR_G, type: 'WB' });
  return {
    default: 'UC',
    fixed: [
      { start: 0, end: 0xa0000, type: 'WB' },
      { start: 0xa0000, end: 0xc0000, type: 'UC' },
      { start: 0xc0000, end: MTRR_FIXED_END, type: 'WP' },
    ],
    variable,
  };
}

/** Synthesised MTRRs by profile name (built once per process). */
const firmwareCache = new Map<string, MtrrSpec>();

/**
 * The inputs behind profile `name`: `iomem` (a `/proc/iomem` dump) or
 * `e820Text` (a boot log with the e820 table); `mtrrText` when the profile
 * has an MTRR dump, else `mtrr`, firmware-like MTRRs synthesised from the
 * map (`firmwareMtrr`) — neither for a profile that runs with MTRRs
 * disabled. Files are read and MTRRs built on first use, and cached.
 * @throws InputError for an unknown profile name, listing the valid ones
 */
export function profileText(name: string): { iomem?: string; e820Text?: string; mtrrText?: string; mtrr?: MtrrSpec } {
  const src = BY_NAME.get(name);
  if (!src) throw unknownProfile(name);
  const out: { iomem?: string; e820Text?: string; mtrrText?: string; mtrr?: MtrrSpec } = {};
  if (src.iomem) out.iomem = dataText(src.iomem);
  if (src.e820) out.e820Text = dataText(src.e820);
  if (src.mtrr) out.mtrrText = dataText(src.mtrr);
  else if (!src.mtrrDisabled) {
    let m = firmwareCache.get(name);
    if (m === undefined) {
      m = firmwareMtrr(out.iomem !== undefined ? parseIomem(out.iomem) : e820ToResources(parseE820Text(out.e820Text!)));
      firmwareCache.set(name, m);
    }
    out.mtrr = m;
  }
  return out;
}

/**
 * Resolves a machine spec to one with a concrete physical-map source.
 *
 * - A spec with a map source (`iomem`, `e820` or `e820Text`) is returned
 *   as a shallow copy, unchanged (its `profile`, if any, is only a label).
 * - Otherwise the profile `spec.profile` (or `DEFAULT_PROFILE` when absent,
 *   which is then recorded in `profile`) supplies `iomem` or `e820Text`, and
 *   — when the spec gives neither `mtrr` nor `mtrrText` — its MTRRs:
 *   `mtrrText` (a dump) or `mtrr` (synthesised, `firmwareMtrr`). All other
 *   fields are kept.
 *
 * Parses a map only to synthesise its MTRRs, once per profile; the texts
 * themselves are parsed by `parseMachineSpec`.
 * @throws InputError for an unknown profile name, listing the valid ones
 */
export function resolveMachine(spec: MachineSpec): MachineSpec {
  if (spec.iomem !== undefined || spec.e820 !== undefined || spec.e820Text !== undefined) return { ...spec };
  const name = spec.profile ?? DEFAULT_PROFILE;
  if (typeof name !== 'string' || !BY_NAME.has(name)) throw unknownProfile(name);
  const texts = profileText(name);
  const out: MachineSpec = { ...spec, profile: name };
  if (texts.iomem !== undefined) out.iomem = texts.iomem;
  if (texts.e820Text !== undefined) out.e820Text = texts.e820Text;
  if (spec.mtrr === undefined && spec.mtrrText === undefined) {
    if (texts.mtrrText !== undefined) out.mtrrText = texts.mtrrText;
    if (texts.mtrr !== undefined) out.mtrr = texts.mtrr;
  }
  return out;
}

const parsed = new Map<string, ParsedMachine>();

/**
 * A machine spec resolved (`resolveMachine`) and parsed (`parseMachineSpec`):
 * what a trace's machine line or a workload's default becomes. A spec that
 * names only a built-in profile is parsed once per isolate and then shared
 * (a `ParsedMachine` is never modified).
 * @throws InputError for an unknown profile name, or what `parseMachineSpec` throws
 */
export function loadMachine(spec: MachineSpec): ParsedMachine {
  const only = Object.keys(spec).length === 1 && typeof spec.profile === 'string' ? spec.profile : null;
  let m = only !== null ? parsed.get(only) : undefined;
  if (m === undefined) {
    m = parseMachineSpec(resolveMachine(spec));
    if (only !== null) parsed.set(only, m);
  }
  return m;
}

/** Built-in profile `name`, parsed once per isolate (`loadMachine`). @throws InputError for an unknown name */
export function profileMachine(name: string): ParsedMachine {
  return loadMachine({ profile: name });
}
