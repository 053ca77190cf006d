/**
 * The machine a run, `trace` or `describe` works on, from the command line —
 * the one place a user's machine files are read: each workload's own default
 * profile, one built-in profile for every workload (`--machine P`), or a
 * user's physical map (`--machine-file PATH`: a `/proc/iomem` dump or a boot
 * log with the e820 table, told apart by `detectMapFormat`), optionally with
 * their MTRRs (`--mtrr-file PATH`: `/proc/mtrr` or the boot-log block).
 *
 * `loadMachineChoice` reads and checks the files in the main thread (one
 * clear message naming the file before anything runs) and returns the choice
 * as plain data (kept in run.json, so `--resume` needs nothing else);
 * `machineFor` gives the parsed machine (core/hardware.ts `parseMachineSpec`)
 * a workload generates on — parsed once per process, then passed along as a
 * value, never as text to parse again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../core/errors.js';
import { parseMachineSpec } from '../../core/hardware.js';
import type { MachineSpec, ParsedMachine } from '../../core/machine-spec.js';
import { parseMtrrText } from '../../core/mtrr.js';
import { PhysMap } from '../../core/physmap.js';
import { listProfiles, profileMachine, resolveMachine } from '../../workloads/profiles.js';
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

/** A `/proc/iomem` line: `START-END : NAME` (hex, indented by nesting). */
const IOMEM_LINE = /^ *[0-9a-fA-F]+-[0-9a-fA-F]+ :/m;

/**
 * The format of a physical-map text: a kernel boot log with the
 * `BIOS-e820:` table (its `e820: update`/`remove` edits apply), or a
 * `/proc/iomem` dump (lines `START-END : NAME`); null for neither.
 */
export function detectMapFormat(text: string): 'iomem' | 'e820' | null {
  if (text.includes('BIOS-e820')) return 'e820';
  return IOMEM_LINE.test(text) ? 'iomem' : null;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(MSG.machine.unreadable(what, path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
}

/** Runs `f`; an InputError from a parser comes back prefixed with the file's path, keeping its line and column. */
function inFile<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(MSG.machine.badFile(path, e.message), e.line, e.column);
    throw e;
  }
}

/** Parsed machines of this process, by `machineIdentity` and default profile. */
const parsed = new Map<string, ParsedMachine>();

/**
 * Parses `spec` once per `key`; a parse error names `mapFile` — or
 * `mtrrFile` when the MTRR text alone is what fails.
 */
function parseOnce(key: string, spec: MachineSpec, mapFile: string | null, mtrrFile: string | null): ParsedMachine {
  let m = parsed.get(key);
  if (m !== undefined) return m;
  try {
    m = parseMachineSpec(spec);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (spec.mtrrText !== undefined && mtrrFile !== null) inFile(mtrrFile, () => parseMtrrText(spec.mtrrText!));
    throw mapFile !== null ? new InputError(MSG.machine.badFile(mapFile, e.message), e.line, e.column) : e;
  }
  parsed.set(key, m);
  return m;
}

/** A built-in profile's texts with a user's MTRRs instead of its own, and no profile name (so a written trace carries both texts). */
function withMtrr(profile: string, mtrrText: string): MachineSpec {
  const { profile: _label, mtrr: _mtrr, mtrrText: _own, ...rest } = resolveMachine({ profile });
  return { ...rest, mtrrText };
}

/**
 * The parsed machine a workload whose default profile is `defaultProfile`
 * generates on, under `choice` (parsed once per process).
 * @param mtrrFile the MTRR file's path, to name it in an error (checked choices never fail)
 * @throws InputError for MTRR text that does not parse with the profile
 */
export function machineFor(choice: MachineChoice, defaultProfile: string, mtrrFile: string | null = null): ParsedMachine {
  switch (choice.kind) {
    case 'default':
    case 'profile': {
      const name = choice.kind === 'profile' ? choice.name : defaultProfile;
      if (choice.mtrrText === undefined) return profileMachine(name);
      return parseOnce(`${machineIdentity(choice)}|${name}`, withMtrr(name, choice.mtrrText), null, mtrrFile ?? choice.mtrrLabel ?? '--mtrr-file');
    }
    case 'file':
      return parseOnce(machineIdentity(choice), { ...(choice.format === 'e820' ? { e820Text: choice.text } : { iomem: choice.text }), ...(choice.mtrrText !== undefined ? { mtrrText: choice.mtrrText } : {}) }, choice.label, null);
  }
}

/**
 * Reads, detects and checks the machine options: a user's files are parsed
 * here, once (`machineFor` then returns that parse).
 * @param readFile file reader (tests inject one)
 * @throws InputError for both `--machine` and `--machine-file`, an unknown profile (listing the
 *   valid ones), an unreadable file, a map in neither format or without RAM, or a file the core's
 *   parsers reject (the message names the file and its line)
 */
export function loadMachineChoice(o: MachineOptions, readFile: (path: string, what: string) => string = readText): MachineChoice {
  if (o.machine !== undefined && o.machineFile !== undefined) throw new InputError(MSG.machine.both());
  const mtrrText = o.mtrrFile !== undefined ? readFile(o.mtrrFile, '--mtrr-file') : undefined;
  const mtrrLabel = o.mtrrFile !== undefined ? basename(o.mtrrFile) : undefined;
  const mtrr = mtrrText !== undefined ? { mtrrText, mtrrLabel: mtrrLabel! } : {};
  if (o.machineFile !== undefined) {
    const path = o.machineFile;
    const text = readFile(path, '--machine-file');
    const format = detectMapFormat(text);
    if (format === null) throw new InputError(MSG.machine.notAMap(path));
    const digest = createHash('sha256')
      .update(text)
      .update('\u0000')
      .update(mtrrText ?? '')
      .digest('hex')
      .slice(0, 12);
    const label = `file:${basename(path)}${mtrrLabel ? `+mtrr:${mtrrLabel}` : ''}`;
    const choice: MachineChoice = { kind: 'file', label, format, text, ...(mtrrText !== undefined ? { mtrrText } : {}), digest };
    const spec: MachineSpec = { ...(format === 'e820' ? { e820Text: text } : { iomem: text }), ...(mtrrText !== undefined ? { mtrrText } : {}) };
    const m = parseOnce(machineIdentity(choice), spec, path, o.mtrrFile ?? null);
    if (new PhysMap(m.resources).ramBytes === 0) throw new InputError(MSG.machine.noRam(path));
    return choice;
  }
  if (o.machine !== undefined) {
    const names = listProfiles().map((p) => p.name);
    if (!names.includes(o.machine)) throw new InputError(MSG.machine.unknownProfile(o.machine, names));
    const choice: MachineChoice = { kind: 'profile', name: o.machine, ...mtrr };
    machineFor(choice, o.machine, o.mtrrFile ?? null);
    return choice;
  }
  if (mtrrText !== undefined) inFile(o.mtrrFile!, () => parseMtrrText(mtrrText));
  return { kind: 'default', ...mtrr };
}

/**
 * The parsed machine of a trace's or `describe`'s options: `--machine-file`
 * (with `--mtrr-file`), `--machine P`, or the workload's `defaultProfile`.
 * @throws InputError as `loadMachineChoice`
 */
export function loadMachineFor(o: MachineOptions, defaultProfile: string): ParsedMachine {
  return machineFor(loadMachineChoice(o), defaultProfile, o.mtrrFile ?? null);
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
