/**
 * The machine a run measures on, from the command line: each workload's own
 * default profile, one built-in profile for every workload (`--machine P`),
 * or a user's physical map (`--machine-file PATH`: a `/proc/iomem` dump or a
 * boot log with the e820 table — detected from the text), optionally with
 * their MTRRs (`--mtrr-file PATH`: `/proc/mtrr` or the boot-log block).
 * Files are read and parsed here, in the main thread, so a bad file costs
 * one clear message before anything runs; the texts then travel to the
 * workers inside each group task (`MachineSpec`, plain data).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import type { MachineSpec } from '../../core/machine-spec.js';
import { listProfiles, resolveMachine } from '../../workloads/profiles.js';
import { MSG } from '../messages.js';

/** Which machine a run uses. Plain data (kept in run.json for `--resume`). */
export type MachineChoice =
  | { kind: 'default'; mtrrText?: string; mtrrLabel?: string }
  | { kind: 'profile'; name: string; mtrrText?: string; mtrrLabel?: string }
  | {
      kind: 'file';
      /** `file:NAME` (NAME = the map file's base name, plus `+mtrr:NAME` when given). */
      label: string;
      /** Detected format. */
      format: 'iomem' | 'e820';
      text: string;
      mtrrText?: string;
      /** First 12 hex digits of SHA-256 over the texts (part of the matrix hash). */
      digest: string;
    };

/** Command-line machine options. */
export interface MachineOptions {
  /** Built-in profile name (`--machine`). */
  machine?: string;
  /** A `/proc/iomem` dump or an e820 boot log (`--machine-file`). */
  machineFile?: string;
  /** `/proc/mtrr` or a boot-log MTRR block (`--mtrr-file`). */
  mtrrFile?: string;
}

/**
 * Tells a boot log with an e820 table from a `/proc/iomem` dump: a text
 * mentioning `e820` (as `BIOS-e820:` or `e820:` lines do) is a boot log.
 */
export function detectMapFormat(text: string): 'iomem' | 'e820' {
  return /e820/i.test(text) ? 'e820' : 'iomem';
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(MSG.machine.unreadable(what, path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
}

/** Prefixes an InputError from a parser with the file's path. */
function inFile(path: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(MSG.machine.badFile(path, e.message), e.line, e.column);
    throw e;
  }
}

/**
 * Reads, detects and validates the machine options.
 * @param readFile file reader (tests inject one)
 * @throws InputError for both `--machine` and `--machine-file`, an unknown profile (listing the
 *   valid ones), an unreadable file, or a file the core's parsers reject (the message names the
 *   file and its line)
 */
export function loadMachineChoice(o: MachineOptions, readFile: (path: string, what: string) => string = readText): MachineChoice {
  if (o.machine !== undefined && o.machineFile !== undefined) throw new InputError(MSG.machine.both());
  const mtrrText = o.mtrrFile !== undefined ? readFile(o.mtrrFile, '--mtrr-file') : undefined;
  const mtrrLabel = o.mtrrFile !== undefined ? basename(o.mtrrFile) : undefined;
  const mtrr = mtrrText !== undefined ? { mtrrText, mtrrLabel: mtrrLabel! } : {};
  if (o.machineFile !== undefined) {
    const text = readFile(o.machineFile, '--machine-file');
    const format = detectMapFormat(text);
    const spec: MachineSpec = format === 'e820' ? { e820Text: text } : { iomem: text };
    if (mtrrText !== undefined) spec.mtrrText = mtrrText;
    inFile(o.machineFile, () => {
      Hardware.fromSpec({ ...spec, mtrrText: undefined });
    });
    if (mtrrText !== undefined) inFile(o.mtrrFile!, () => void Hardware.fromSpec(spec));
    const digest = createHash('sha256')
      .update(text)
      .update('\u0000')
      .update(mtrrText ?? '')
      .digest('hex')
      .slice(0, 12);
    const label = `file:${basename(o.machineFile)}${mtrrLabel ? `+mtrr:${mtrrLabel}` : ''}`;
    return { kind: 'file', label, format, text, ...(mtrrText !== undefined ? { mtrrText } : {}), digest };
  }
  if (o.machine !== undefined) {
    const names = listProfiles().map((p) => p.name);
    if (!names.includes(o.machine)) throw new InputError(MSG.machine.unknownProfile(o.machine, names));
    if (mtrrText !== undefined) inFile(o.mtrrFile!, () => void Hardware.fromSpec(resolveMachine({ profile: o.machine, mtrrText })));
    return { kind: 'profile', name: o.machine, ...mtrr };
  }
  if (mtrrText !== undefined) {
    inFile(o.mtrrFile!, () => void Hardware.fromSpec({ e820: [{ start: 0, end: 1 << 30, type: 'usable' }], mtrrText }));
  }
  return { kind: 'default', ...mtrr };
}

/**
 * The machine spec a workload generates for, under `choice`.
 * @returns undefined for the workload's own default profile (the workload resolves it)
 */
export function machineSpecFor(choice: MachineChoice, defaultProfile: string): MachineSpec | undefined {
  switch (choice.kind) {
    case 'default':
      return choice.mtrrText !== undefined ? { profile: defaultProfile, mtrrText: choice.mtrrText } : undefined;
    case 'profile':
      return { profile: choice.name, ...(choice.mtrrText !== undefined ? { mtrrText: choice.mtrrText } : {}) };
    case 'file':
      return {
        ...(choice.format === 'e820' ? { e820Text: choice.text } : { iomem: choice.text }),
        ...(choice.mtrrText !== undefined ? { mtrrText: choice.mtrrText } : {}),
      };
  }
}

/** A short label of the choice for headers. */
export function machineLabel(choice: MachineChoice): string {
  const mtrr = choice.kind !== 'file' && choice.mtrrLabel ? ` + mtrr:${choice.mtrrLabel}` : '';
  if (choice.kind === 'profile') return choice.name + mtrr;
  if (choice.kind === 'file') return choice.label;
  return `per-workload default profile${mtrr}`;
}

/** The machine label recorded with a group of a workload whose default profile is `defaultProfile`. */
export function groupMachineLabel(choice: MachineChoice, defaultProfile: string): string {
  if (choice.kind === 'file') return choice.label;
  const name = choice.kind === 'profile' ? choice.name : defaultProfile;
  return choice.mtrrLabel ? `${name}+mtrr:${choice.mtrrLabel}` : name;
}

/** What identifies the machine in the matrix hash: labels, plus content digests of user files. */
export function machineIdentity(choice: MachineChoice): string {
  if (choice.kind === 'file') return `${choice.label}:${choice.digest}`;
  const mtrr = choice.mtrrText !== undefined ? `+mtrr:${createHash('sha256').update(choice.mtrrText).digest('hex').slice(0, 12)}` : '';
  return (choice.kind === 'profile' ? `profile:${choice.name}` : 'default') + mtrr;
}
