/**
 * The trace format (shared/spec/trace-format.md, version 1): JSON Lines in,
 * a packed `OpStream` out, and back. Parsing is where text becomes numbers:
 * addresses may be JSON integers, `"0x..."` or decimal strings; cache types
 * short or long names; `mm` any JSON scalar, interned to small integers.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CATTR_NAME, PAT_MODES, SHORT_NAME, parseCacheMode, type PatMode } from './cachemode.js';
import { InputError } from './errors.js';
import { parseMachineSpec } from './hardware.js';
import type { E820Entry, MachineSpec, MtrrSpec, ParsedMachine } from './machine-spec.js';
import {
  DEV_NAMES,
  F_A,
  F_B,
  F_C,
  F_D,
  F_E,
  F_F,
  F_MM,
  MAP_PRIVATE,
  MAP_SHARED,
  OP_NAMES,
  Op,
  OpStreamBuilder,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  STRIDE,
  mmapCache,
  mmapExtra,
  mmapODsync,
  mmapProt,
  type OpStream,
} from './ops.js';
import { MAX_PHYS_ADDR } from './physmap.js';

/** A malformed trace line: `LINE:COLUMN: message`. */
export class TraceError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${line}:${column}: ${reason}`);
    this.name = 'TraceError';
  }
}

/** A parsed trace: the stream plus, per op, its line number and raw text (for error columns). */
export interface ParsedTrace {
  stream: OpStream;
  /** 1-based trace line of each op. */
  lines: number[];
  /** Raw text of each op's line. */
  raw: string[];
  /** Names of the `mm` ids, by interned id (for writing back). */
  mmNames: (string | number)[];
  /** Errors recorded instead of thrown (`keepGoing`), in line order. */
  errors: TraceError[];
}

export interface ParseOptions {
  /** Directory that `*_file` paths are relative to. */
  baseDir?: string;
  /** Record malformed lines in `errors` and go on, instead of throwing. */
  keepGoing?: boolean;
  /**
   * Turns the machine line's spec — or `{}` when there is none — into the
   * parsed machine (workloads/profiles.ts `loadMachine` resolves profile
   * names); default `parseMachineSpec`, which needs a map source in the line.
   */
  loadMachine?: (spec: MachineSpec) => ParsedMachine;
  /** Upper bound on operations (untrusted input); default 50 million. */
  maxOps?: number;
}

/** Column (1-based) of `"field"` in `line`, or 1. */
export function fieldColumn(line: string, field: string): number {
  const i = line.indexOf(`"${field}"`);
  return i < 0 ? 1 : i + 1;
}

const E820_TYPES = ['usable', 'reserved', 'ACPI data', 'ACPI NVS', 'unusable', 'persistent'];

/** Per-line field reader that reports errors at the field's column. */
class Fields {
  constructor(
    readonly obj: Record<string, unknown>,
    readonly lineNo: number,
    readonly text: string,
  ) {}

  fail(field: string, why: string): never {
    throw new TraceError(this.lineNo, fieldColumn(this.text, field), why);
  }

  has(f: string): boolean {
    return this.obj[f] !== undefined;
  }

  /** A non-negative integer (JSON number, "0x..." or decimal string), exact. */
  num(f: string, dflt?: number): number {
    const v = this.obj[f];
    if (v === undefined) {
      if (dflt !== undefined) return dflt;
      this.fail(f, `missing field "${f}"`);
    }
    return this.integer(f, f, v);
  }

  /**
   * `v` as a non-negative integer in any of the trace's three forms; a
   * failure names `what` (e.g. `mtrr.fixed[0].start`) at the column of `f`.
   */
  integer(f: string, what: string, v: unknown): number {
    const n = traceInteger(v);
    if (Number.isNaN(n)) this.fail(f, `"${what}" must be an integer or a "0x..." / decimal string, got ${JSON.stringify(v)}`);
    if (!Number.isInteger(n) || n < 0) this.fail(f, `"${what}" must be a non-negative integer, got ${JSON.stringify(v)}`);
    if (n > Number.MAX_SAFE_INTEGER) this.fail(f, `"${what}" is too large (above 2^53)`);
    return n;
  }

  /** A physical byte address or size: below 2^52. */
  phys(f: string, dflt?: number): number {
    const n = this.num(f, dflt);
    if (n > MAX_PHYS_ADDR) this.fail(f, `"${f}" ${hex(n)} is beyond the 52-bit physical address space`);
    return n;
  }

  pfn(f: string): number {
    const n = this.num(f);
    if (n >= MAX_PHYS_ADDR / 4096) this.fail(f, `"${f}" ${hex(n)} is beyond the 52-bit physical address space`);
    return n;
  }

  str(f: string, dflt?: string): string {
    const v = this.obj[f];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'string') this.fail(f, v === undefined ? `missing field "${f}"` : `"${f}" must be a string`);
    return v;
  }

  bool(f: string, dflt: boolean): boolean {
    const v = this.obj[f];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail(f, `"${f}" must be true or false`);
    return v;
  }

  cache(f: string, dflt?: number): number {
    const v = this.obj[f];
    if (v === undefined && dflt !== undefined) return dflt;
    const t = typeof v === 'string' ? parseCacheMode(v) : -1;
    if (t < 0) this.fail(f, `"${f}" must be a cache type (${SHORT_NAME.join(', ')} or ${CATTR_NAME.join(', ')}), got ${JSON.stringify(v)}`);
    return t;
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * A number as a trace may write it: a JSON number, or a string of `0x` (or
 * `0X`) and hex digits in any case, or of decimal digits (blanks around it
 * ignored). Returns the value (possibly not an integer, or unsafe — the
 * caller checks), or NaN for anything else.
 */
export function traceInteger(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const t = v.trim();
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return parseInt(t, 10);
  return NaN;
}

/**
 * The machine line's `mtrr` object with its numbers in any of the three
 * forms (`fixed[].start/end`, `variable[].base/size`) made JSON numbers;
 * type names are left for `Mtrr.fromSpec()` to check. Only the spec's
 * fields are kept (a trace cannot give a boot log's masks).
 */
function parseMtrrObject(fs: Fields): MtrrSpec {
  const m = fs.obj.mtrr;
  const shape = '{"default": TYPE, "fixed": [{"start","end","type"}], "variable": [{"base","size","type"}]}';
  if (m === null || typeof m !== 'object' || Array.isArray(m)) fs.fail('mtrr', `"mtrr" must be an object ${shape}`);
  const o = m as Record<string, unknown>;
  const spec: MtrrSpec = { default: o.default as string };
  const list = (key: 'fixed' | 'variable', fields: readonly [string, string]): Record<string, unknown>[] | undefined => {
    const a = o[key];
    if (a === undefined) return undefined;
    if (!Array.isArray(a)) fs.fail('mtrr', `"mtrr.${key}" must be an array of {"${fields[0]}","${fields[1]}","type"}`);
    return a.map((e, i) => {
      if (e === null || typeof e !== 'object' || Array.isArray(e)) fs.fail('mtrr', `"mtrr.${key}[${i}]" must be an object {"${fields[0]}","${fields[1]}","type"}`);
      const r = e as Record<string, unknown>;
      const out: Record<string, unknown> = { type: r.type };
      for (const f of fields) out[f] = fs.integer('mtrr', `mtrr.${key}[${i}].${f}`, r[f]);
      return out;
    });
  };
  const fixed = list('fixed', ['start', 'end']);
  if (fixed !== undefined) spec.fixed = fixed as unknown as NonNullable<MtrrSpec['fixed']>;
  const variable = list('variable', ['base', 'size']);
  if (variable !== undefined) spec.variable = variable as unknown as NonNullable<MtrrSpec['variable']>;
  return spec;
}

function parseProt(fs: Fields, f: string): number {
  const v = fs.str(f, 'rw');
  if (v === '' || v === 'none') return 0;
  if (!/^[rwx]+$/.test(v)) fs.fail(f, `"${f}" must be letters from "rwx" (or "none"), got ${JSON.stringify(v)}`);
  return (v.includes('r') ? PROT_READ : 0) | (v.includes('w') ? PROT_WRITE : 0) | (v.includes('x') ? PROT_EXEC : 0);
}

/**
 * Parses the `machine` line into a spec. `*_file` paths are read relative to
 * `baseDir`.
 */
function parseMachine(fs: Fields, baseDir: string): MachineSpec {
  const spec: MachineSpec = {};
  const srcFields = ['profile', 'iomem', 'iomem_file', 'e820', 'e820_text', 'e820_file'].filter((f) => fs.has(f));
  if (srcFields.length > 1) fs.fail(srcFields[1]!, `machine takes exactly one physical-map source, got ${srcFields.join(' and ')}`);
  const readRel = (f: string): string => {
    const p = resolve(baseDir, fs.str(f));
    try {
      return readFileSync(p, 'utf8');
    } catch (e) {
      fs.fail(f, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  if (fs.has('profile')) spec.profile = fs.str('profile');
  if (fs.has('iomem')) spec.iomem = fs.str('iomem');
  if (fs.has('iomem_file')) spec.iomem = readRel('iomem_file');
  if (fs.has('e820_text')) spec.e820Text = fs.str('e820_text');
  if (fs.has('e820_file')) spec.e820Text = readRel('e820_file');
  if (fs.has('e820')) {
    const arr = fs.obj.e820;
    if (!Array.isArray(arr)) fs.fail('e820', '"e820" must be an array of {start, end, type}');
    spec.e820 = arr.map((x): E820Entry => {
      const ef = new Fields(x as Record<string, unknown>, fs.lineNo, fs.text);
      if (typeof x !== 'object' || x === null) fs.fail('e820', 'each e820 entry must be an object {start, end, type}');
      const type = ef.str('type');
      if (!E820_TYPES.includes(type) && !/^type \d+$/.test(type)) {
        fs.fail('e820', `e820 type must be one of ${E820_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
      }
      const start = ef.phys('start');
      const end = ef.phys('end');
      if (end <= start) fs.fail('e820', `e820 entry end ${hex(end)} is not above start ${hex(start)}`);
      return { start, end, type };
    });
  }
  if (fs.has('mtrr') && (fs.has('mtrr_text') || fs.has('mtrr_file'))) fs.fail('mtrr', 'give one of mtrr, mtrr_text, mtrr_file');
  if (fs.has('mtrr')) spec.mtrr = parseMtrrObject(fs);
  if (fs.has('mtrr_text')) spec.mtrrText = fs.str('mtrr_text');
  if (fs.has('mtrr_file')) spec.mtrrText = readRel('mtrr_file');
  if (fs.has('pat')) {
    const p = fs.str('pat');
    if (!PAT_MODES.includes(p as PatMode)) fs.fail('pat', `"pat" must be one of ${PAT_MODES.join(', ')}, got ${JSON.stringify(p)}`);
    spec.pat = p as PatMode;
  }
  if (fs.has('page_table_levels')) {
    const l = fs.num('page_table_levels');
    if (l < 2 || l > 5) fs.fail('page_table_levels', '"page_table_levels" must be 2, 3, 4 or 5');
    spec.pageTableLevels = l as 2 | 3 | 4 | 5;
  }
  if (fs.has('dynamic_levels')) spec.dynamicLevels = fs.bool('dynamic_levels', false);
  if (fs.has('strict_devmem')) spec.strictDevmem = fs.bool('strict_devmem', true);
  return spec;
}

const OP_BY_NAME = new Map(OP_NAMES.map((n, i) => [n, i] as const).filter(([n]) => n !== ''));

/**
 * Parses a trace. Malformed lines never throw: they are returned in
 * `errors` — only the first one, with the ops before it, unless `keepGoing`
 * (then every one, and every valid op).
 * @param text the whole trace (UTF-8 JSON Lines)
 */
export function parseTrace(text: string, opts: ParseOptions = {}): ParsedTrace {
  const baseDir = opts.baseDir ?? '.';
  const maxOps = opts.maxOps ?? 50_000_000;
  const lines = text.split('\n');
  let machine: ParsedMachine | null = null;
  let b: OpStreamBuilder | null = null;
  const opLines: number[] = [];
  const raw: string[] = [];
  const errors: TraceError[] = [];
  const mmIds = new Map<string, number>();
  const mmNames: (string | number)[] = [];
  const pending: { lineNo: number; text: string; obj: Record<string, unknown> }[] = [];

  const mmId = (fs: Fields, f: string): number => {
    const v = fs.obj[f];
    if (typeof v !== 'number' && typeof v !== 'string') fs.fail(f, `"${f}" must be a number or a string`);
    const key = typeof v + ':' + String(v);
    let id = mmIds.get(key);
    if (id === undefined) {
      id = mmNames.length;
      mmIds.set(key, id);
      mmNames.push(v);
    }
    return id;
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const t = lines[i]!.replace(/\r$/, '');
    const trimmed = t.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
    try {
      let obj: unknown;
      try {
        obj = JSON.parse(t);
      } catch (e) {
        const m = /position (\d+)/.exec((e as Error).message);
        throw new TraceError(lineNo, m ? Number(m[1]) + 1 : 1, `malformed JSON: ${(e as Error).message}`);
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new TraceError(lineNo, 1, 'each line must be a JSON object');
      const o = obj as Record<string, unknown>;
      const fs = new Fields(o, lineNo, t);
      if (typeof o.op !== 'string') fs.fail('op', o.op === undefined ? 'missing string field "op"' : '"op" must be a string');
      if (o.op === 'machine') {
        if (machine !== null) fs.fail('op', 'the machine line may appear at most once');
        if (b !== null || pending.length > 0) fs.fail('op', 'the machine line must come before every operation');
        const spec = parseMachine(fs, baseDir);
        try {
          machine = (opts.loadMachine ?? parseMachineSpec)(spec);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          fs.fail(['profile', 'iomem', 'iomem_file', 'e820', 'e820_text', 'e820_file', 'mtrr', 'mtrr_text', 'mtrr_file', 'pat'].find((f) => fs.has(f)) ?? 'op', e.message);
        }
        continue;
      }
      if (!OP_BY_NAME.has(o.op as string)) fs.fail('op', `unknown op "${String(o.op)}"`);
      if (opLines.length + pending.length >= maxOps) throw new TraceError(lineNo, 1, `trace has more than ${maxOps} operations`);
      pending.push({ lineNo, text: t, obj: o });
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      if (!opts.keepGoing) {
        errors.push(e);
        break;
      }
      errors.push(e);
    }
  }

  if (machine === null) {
    try {
      machine = (opts.loadMachine ?? parseMachineSpec)({});
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new TraceError(1, 1, `no machine line, and no default machine: ${e.message}`);
    }
  }
  b = new OpStreamBuilder(machine, pending.length + 1);
  for (const p of pending) {
    const fs = new Fields(p.obj, p.lineNo, p.text);
    try {
      encodeOp(b, fs, p.obj.op as string, mmId);
      opLines.push(p.lineNo);
      raw.push(p.text);
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      errors.push(e);
      if (!opts.keepGoing) break;
    }
  }
  errors.sort((x, y) => x.line - y.line);
  if (!opts.keepGoing && errors.length > 0) {
    // Keep only the ops before the first error: they still run.
    const first = errors[0]!.line;
    let n = opLines.findIndex((l) => l > first);
    if (n < 0) n = opLines.length;
    const s = b.build();
    return {
      stream: { ...s, ops: s.ops.slice(0, n * STRIDE), count: n, peak: n },
      lines: opLines.slice(0, n),
      raw: raw.slice(0, n),
      mmNames,
      errors: [errors[0]!],
    };
  }
  return { stream: b.build(), lines: opLines, raw, mmNames, errors };
}

function encodeOp(b: OpStreamBuilder, fs: Fields, op: string, mmId: (fs: Fields, f: string) => number): void {
  const mm = fs.has('mm') ? mmId(fs, 'mm') : -1;
  const needMm = (): number => {
    if (mm < 0) fs.fail('mm', `"${op}" needs an "mm"`);
    return mm;
  };
  switch (op) {
    case 'memtype_reserve':
      b.push(Op.MemtypeReserve, mm, fs.phys('start'), fs.phys('end'), fs.cache('req'), fs.bool('new', true) ? 1 : 0);
      return;
    case 'memtype_free':
      b.push(Op.MemtypeFree, mm, fs.phys('start'), fs.phys('end'));
      return;
    case 'lookup_memtype':
      b.push(Op.LookupMemtype, mm, fs.phys('addr'));
      return;
    case 'ioremap':
      b.push(Op.Ioremap, mm, b.str(fs.str('handle')), fs.phys('addr'), fs.phys('size'), fs.cache('type', 2));
      return;
    case 'iounmap':
      b.push(Op.Iounmap, mm, b.str(fs.str('handle')));
      return;
    case 'set_memory': {
      const t = fs.cache('type');
      if (t === 5) fs.fail('type', 'set_memory type must be UC, UC-, WC, WT or WB');
      b.push(Op.SetMemory, mm, fs.phys('addr'), fs.num('npages'), t);
      return;
    }
    case 'spawn':
      b.push(Op.Spawn, needMm(), b.str(fs.str('comm')), fs.num('pid'));
      return;
    case 'mmap': {
      const devName = fs.str('dev');
      const dev = DEV_NAMES.indexOf(devName);
      if (dev <= 0) fs.fail('dev', `unknown device "${devName}"; devices: ${DEV_NAMES.slice(1).join(', ')}`);
      const flagsName = fs.str('flags', 'shared');
      if (flagsName !== 'shared' && flagsName !== 'private') fs.fail('flags', '"flags" must be "shared" or "private"');
      const cache = fs.has('cache') ? fs.cache('cache') : -1;
      b.mmap(needMm(), fs.num('addr'), fs.num('len'), parseProt(fs, 'prot'), flagsName === 'shared' ? MAP_SHARED : MAP_PRIVATE, dev, fs.phys('offset', 0), cache, fs.bool('o_dsync', false));
      return;
    }
    case 'remap_pfn_range':
      b.push(Op.RemapPfnRange, needMm(), fs.num('addr'), fs.pfn('pfn'), fs.phys('size'), fs.cache('cache'));
      return;
    case 'vm_insert_pfn':
      b.push(Op.VmInsertPfn, needMm(), fs.num('addr'), fs.pfn('pfn'));
      return;
    case 'vm_insert_pfn_prot':
      b.push(Op.VmInsertPfnProt, needMm(), fs.num('addr'), fs.pfn('pfn'), fs.cache('cache'));
      return;
    case 'vm_insert_mixed':
      b.push(Op.VmInsertMixed, needMm(), fs.num('addr'), fs.pfn('pfn'));
      return;
    case 'fault':
      b.push(Op.Fault, needMm(), fs.num('addr'), fs.bool('write', false) ? 1 : 0);
      return;
    case 'mprotect':
      b.push(Op.Mprotect, needMm(), fs.num('addr'), fs.num('len'), parseProt(fs, 'prot'));
      return;
    case 'munmap':
      b.push(Op.Munmap, needMm(), fs.num('addr'), fs.num('len'));
      return;
    case 'fork':
      b.push(Op.Fork, needMm(), mmId(fs, 'child'), fs.num('pid'));
      return;
    case 'exit':
      b.push(Op.Exit, needMm());
      return;
    case 'pte':
      b.push(Op.QPte, needMm(), fs.num('addr'));
      return;
    case 'memtype_list':
      b.push(Op.QMemtypeList, mm);
      return;
    case 'page_memtype':
      b.push(Op.QPageMemtype, mm, fs.phys('addr'));
      return;
    case 'page_is_ram':
      b.push(Op.QPageIsRam, mm, fs.phys('addr'));
      return;
    case 'ram_ranges':
      b.push(Op.QRamRanges, mm);
      return;
    case 'mtrr_type':
      b.push(Op.QMtrrType, mm, fs.phys('addr'));
      return;
    case 'effective_type':
      b.push(Op.QEffectiveType, mm, fs.phys('addr'), fs.cache('type'));
      return;
    case 'check':
      b.push(Op.QCheck, mm);
      return;
  }
}

/**
 * Writes a stream as a trace (the inverse of `parseTrace`): a `machine` line
 * then one line per op, addresses as `"0x..."` strings.
 * @param mmName how to name `mm` ids (default: the number itself)
 */
export function writeTrace(stream: OpStream, mmName: (id: number) => string | number = (id) => id): string {
  const out: string[] = [];
  const m = stream.machine.spec;
  const ml: Record<string, unknown> = { op: 'machine' };
  if (m.iomem !== undefined && m.profile === undefined) ml.iomem = m.iomem;
  else if (m.e820 !== undefined && m.profile === undefined) ml.e820 = m.e820;
  else if (m.e820Text !== undefined && m.profile === undefined) ml.e820_text = m.e820Text;
  else if (m.profile !== undefined) ml.profile = m.profile;
  if (m.profile === undefined && m.mtrr !== undefined) ml.mtrr = m.mtrr;
  if (m.profile === undefined && m.mtrrText !== undefined) ml.mtrr_text = m.mtrrText;
  if (m.pat !== undefined) ml.pat = m.pat;
  if (m.pageTableLevels !== undefined) ml.page_table_levels = m.pageTableLevels;
  if (m.dynamicLevels !== undefined) ml.dynamic_levels = m.dynamicLevels;
  if (m.strictDevmem !== undefined) ml.strict_devmem = m.strictDevmem;
  out.push(JSON.stringify(ml));
  const ops = stream.ops;
  const S = stream.strings;
  for (let i = 0, o = 0; i < stream.count; i++, o += STRIDE) {
    const op = ops[o]! as Op;
    const mmv = ops[o + F_MM]!;
    const a = ops[o + F_A]!;
    const bb = ops[o + F_B]!;
    const c = ops[o + F_C]!;
    const d = ops[o + F_D]!;
    const r: Record<string, unknown> = { op: OP_NAMES[op] };
    if (mmv >= 0) r.mm = mmName(mmv);
    const ty = (t: number): string => SHORT_NAME[t]!;
    switch (op) {
      case Op.MemtypeReserve:
        Object.assign(r, { start: hex(a), end: hex(bb), req: ty(c) });
        if (d === 0) r.new = false;
        break;
      case Op.MemtypeFree:
        Object.assign(r, { start: hex(a), end: hex(bb) });
        break;
      case Op.LookupMemtype:
      case Op.QPageMemtype:
      case Op.QPageIsRam:
      case Op.QMtrrType:
      case Op.QPte:
        r.addr = hex(a);
        break;
      case Op.Ioremap:
        Object.assign(r, { handle: S[a], addr: hex(bb), size: hex(c), type: ty(d) });
        break;
      case Op.Iounmap:
        r.handle = S[a];
        break;
      case Op.SetMemory:
        Object.assign(r, { addr: hex(a), npages: bb, type: ty(c) });
        break;
      case Op.Spawn:
        Object.assign(r, { comm: S[a], pid: bb });
        break;
      case Op.Mmap: {
        const prot = mmapProt(c);
        const extra = mmapExtra(c);
        const p = (prot & PROT_READ ? 'r' : '') + (prot & PROT_WRITE ? 'w' : '') + (prot & PROT_EXEC ? 'x' : '');
        Object.assign(r, { addr: hex(a), len: hex(bb), prot: p || 'none', flags: d === MAP_SHARED ? 'shared' : 'private', dev: DEV_NAMES[ops[o + F_E]!], offset: hex(ops[o + F_F]!) });
        if (mmapCache(extra) >= 0) r.cache = ty(mmapCache(extra));
        if (mmapODsync(extra)) r.o_dsync = true;
        break;
      }
      case Op.RemapPfnRange:
        Object.assign(r, { addr: hex(a), pfn: hex(bb), size: hex(c), cache: ty(d) });
        break;
      case Op.VmInsertPfn:
      case Op.VmInsertMixed:
        Object.assign(r, { addr: hex(a), pfn: hex(bb) });
        break;
      case Op.VmInsertPfnProt:
        Object.assign(r, { addr: hex(a), pfn: hex(bb), cache: ty(c) });
        break;
      case Op.Fault:
        Object.assign(r, { addr: hex(a), write: bb !== 0 });
        break;
      case Op.Mprotect: {
        const p = (c & PROT_READ ? 'r' : '') + (c & PROT_WRITE ? 'w' : '') + (c & PROT_EXEC ? 'x' : '');
        Object.assign(r, { addr: hex(a), len: hex(bb), prot: p || 'none' });
        break;
      }
      case Op.Munmap:
        Object.assign(r, { addr: hex(a), len: hex(bb) });
        break;
      case Op.Fork:
        Object.assign(r, { child: mmName(a), pid: bb });
        break;
      case Op.QEffectiveType:
        Object.assign(r, { addr: hex(a), type: ty(bb) });
        break;
      default:
        break;
    }
    out.push(JSON.stringify(r));
  }
  return out.join('\n') + '\n';
}

/** Reads and parses a trace file; `*_file` paths resolve next to it. */
export function readTraceFile(path: string, opts: Omit<ParseOptions, 'baseDir'> = {}): ParsedTrace {
  return parseTrace(readFileSync(path, 'utf8'), { ...opts, baseDir: dirname(resolve(path)) });
}
