/**
 * Random operation streams on real machine maps, as fast-check arbitraries:
 * the generator behind the differential tests (every tracker against the
 * oracle) and `memtype-bench verify` (a user's tracker, before it is timed).
 * A stream is a list of small commands interpreted against the live state
 * (processes, mappings, handles), so every op is valid and shrinking works
 * on the command list.
 */
import fc from 'fast-check';
import { Dev, MAP_PRIVATE, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../core/ops.js';
import { displayDevice, largestRam } from './devices.js';
import { profileMachine } from './profiles.js';

/** One command: `kind` picks the operation (0..24), `a`, `b`, `c` pick ranges and targets, `t` a cache type or variant. */
export interface Cmd {
  kind: number;
  a: number;
  b: number;
  c: number;
  t: number;
}

/** One random command. */
export const cmdArb: fc.Arbitrary<Cmd> = fc.record({
  kind: fc.nat(24),
  a: fc.nat(1 << 16),
  b: fc.nat(1 << 16),
  c: fc.nat(64),
  t: fc.nat(5),
});

/** A random command list of useful length (fast-check's default arrays are tiny). */
export const cmdsArb: fc.Arbitrary<Cmd[]> = fc.array(cmdArb, { minLength: 30, maxLength: 150 });

/** Profiles the random traces run on. */
export const PROFILES = ['kvm-guest-24g', 'dell-precision-3540', 'icelake-tb-dock', 'asus-esc8000g4', 'lp606511'];

const BASE = 0x7f0000000000;

/**
 * Interprets commands as an op stream on `profile`: pfns are drawn from a
 * framebuffer BAR, a register BAR, a RAM chunk and the ISA window, in small
 * windows so that ranges collide often.
 *
 * Anything goes by default, including kernel-API misuse that makes real
 * Linux create aliases (a bare `memtype_reserve` of RAM that leaves the
 * direct map WB; `vm_insert_pfn` of MMIO nobody reserved, later reserved
 * with another type). With `wellBehaved`, the trace follows the drivers'
 * rules: the framebuffer aperture is reserved WC first and held; inserts
 * use only its pfns or RAM; RAM types change only through `set_memory`;
 * reservations, mmaps and ioremaps avoid RAM.
 */
export function buildStream(profile: string, cmds: readonly Cmd[], wellBehaved = false): OpStream {
  const host = profileMachine(profile);
  const { fb, regs } = displayDevice(host);
  const ram = largestRam(host);
  const regions = [
    { pfn: fb.start / 4096, pages: Math.min(24, (fb.end - fb.start) / 4096) },
    { pfn: regs.start / 4096, pages: Math.min(12, (regs.end - regs.start) / 4096) },
    { pfn: ram.startPfn, pages: Math.min(16, ram.endPfn - ram.startPfn) },
    { pfn: 0x9c, pages: 8 },
  ];
  /** Regions for reservations, mmaps and ioremaps (no RAM when well behaved). */
  const mapRegions = wellBehaved ? [0, 1, 3] : [0, 1, 2, 3];
  /** Regions for inserted pfns (the reserved aperture and RAM when well behaved). */
  const insertRegions = wellBehaved ? [0, 2] : [0, 1, 2, 3];
  if (wellBehaved) regions[3] = { pfn: 0xa0, pages: 8 };
  const b = new OpStreamBuilder(host, cmds.length + 4);
  const live: number[] = [];
  const maps = new Map<number, { addr: number; pages: number; dev: number }[]>();
  const handles: string[] = [];
  const reservations: [number, number][] = [];
  let nextMm = 0;
  let nextHandle = 0;
  const range = (c: Cmd, from: readonly number[]): { start: number; pages: number } => {
    const r = regions[from[c.a % from.length]!]!;
    const pages = 1 + (c.c % Math.min(8, r.pages));
    const start = r.pfn + (c.b % Math.max(1, r.pages - pages + 1));
    return { start, pages };
  };
  const mmOf = (c: Cmd): number => live[c.b % live.length]!;
  /** pfns ever inserted into a user mapping (a well-behaved driver never retypes them). */
  const inserted = new Set<number>();
  if (wellBehaved) b.memtypeReserve(regions[0]!.pfn * 4096, (regions[0]!.pfn + regions[0]!.pages) * 4096, 1);
  for (const comm of ['Xorg', 'dmidecode']) {
    b.spawn(nextMm, comm, 100 + nextMm);
    live.push(nextMm);
    maps.set(nextMm, []);
    nextMm++;
  }
  for (const c of cmds) {
    const { start, pages } = range(c, mapRegions);
    const ins = range(c, insertRegions).start;
    if (c.kind === 10 || c.kind === 11 || c.kind === 21) inserted.add(ins);
    switch (c.kind) {
      case 0:
      case 1:
      case 16:
      case 17:
      case 18:
      case 19: {
        // memtype_reserve() takes byte ranges: kinds 18 and 19 start and end inside pages.
        const lo = c.kind >= 18 ? (c.a % 8) * 256 : 0;
        const hi = c.kind >= 18 ? (c.b % 8) * 256 : 0;
        b.memtypeReserve(start * 4096 + lo, (start + pages) * 4096 - hi, c.t, c.kind !== 1);
        reservations.push([start * 4096 + lo, (start + pages) * 4096 - hi]);
        break;
      }
      case 2: {
        if (reservations.length > 0 && c.t < 4) {
          const [s, e] = reservations.splice(c.b % reservations.length, 1)[0]!;
          b.memtypeFree(s, e);
        } else b.memtypeFree(start * 4096, (start + pages) * 4096);
        break;
      }
      case 3:
        b.lookupMemtype(start * 4096);
        break;
      case 4: {
        const h = `h${nextHandle++}`;
        handles.push(h);
        b.ioremap(h, start * 4096, pages * 4096, c.t);
        break;
      }
      case 5:
        if (handles.length > 0) b.iounmap(handles.splice(c.b % handles.length, 1)[0]!);
        break;
      case 6:
        b.spawn(nextMm, ['Xorg', 'a', 'dmidecode'][c.t % 3]!, 100 + nextMm);
        live.push(nextMm);
        maps.set(nextMm, []);
        nextMm++;
        break;
      case 7:
      case 8:
      case 9: {
        if (live.length === 0) break;
        const mm = mmOf(c);
        const dev = [Dev.Resource, Dev.ResourceWc, Dev.Mem, Dev.Pfnmap, Dev.Anon, Dev.Mixedmap][(c.kind - 7 + c.t) % 6]!;
        const ms = maps.get(mm)!;
        const addr = BASE + ms.length * 0x100000;
        const flags = dev === Dev.Mem && c.t === 5 ? MAP_PRIVATE : MAP_SHARED;
        const anonPrivate = dev === Dev.Anon && c.a % 2 === 0 ? MAP_PRIVATE : flags;
        const cache = dev === Dev.Pfnmap || dev === Dev.Mixedmap ? c.t : -1;
        b.mmap(mm, addr, pages * 4096, PROT_READ | PROT_WRITE, anonPrivate, dev, dev === Dev.Anon ? 0 : start * 4096, cache, c.t === 4);
        ms.push({ addr, pages, dev });
        break;
      }
      case 10:
      case 11: {
        if (live.length === 0) break;
        const mm = mmOf(c);
        const ms = maps.get(mm)!;
        if (ms.length === 0) break;
        const m = ms[c.a % ms.length]!;
        const off = c.c % m.pages;
        if (c.kind === 10) b.vmInsertPfnProt(mm, m.addr + off * 4096, ins, c.t);
        else b.vmInsertPfn(mm, m.addr + off * 4096, ins);
        break;
      }
      case 12: {
        if (live.length === 0) break;
        const mm = mmOf(c);
        const ms = maps.get(mm)!;
        if (ms.length === 0) break;
        const m = ms[c.a % ms.length]!;
        const off = c.c % m.pages;
        b.munmap(mm, m.addr + off * 4096, (1 + (c.t % (m.pages - off))) * 4096);
        break;
      }
      case 13: {
        if (live.length === 0) break;
        const parent = mmOf(c);
        b.fork(parent, nextMm, 100 + nextMm);
        live.push(nextMm);
        maps.set(nextMm, maps.get(parent)!.map((m) => ({ ...m })));
        nextMm++;
        break;
      }
      case 14: {
        if (live.length === 0) break;
        const i = c.b % live.length;
        b.exit(live[i]!);
        live.splice(i, 1);
        break;
      }
      case 15:
        if (c.t < 3 && regions[2]!.pages > 0) {
          const r = regions[2]!;
          const n = 1 + (c.c % Math.min(8, r.pages));
          const p0 = r.pfn + (c.b % Math.max(1, r.pages - n + 1));
          let touched = false;
          for (let p = p0; p < p0 + n; p++) touched ||= inserted.has(p);
          if (!(wellBehaved && touched)) b.setMemory(p0 * 4096, n, [0, 1, 2][c.t]!);
        }
        else b.query(Op.QMemtypeList);
        break;
      case 20:
      case 21:
      case 22: {
        // A user access, a vm_insert_mixed, or an mprotect of one of the process's mappings.
        if (live.length === 0) break;
        const mm = mmOf(c);
        const ms = maps.get(mm)!;
        if (ms.length === 0) break;
        const m = ms[c.a % ms.length]!;
        const off = c.c % m.pages;
        const addr = m.addr + off * 4096;
        if (c.kind === 20) b.fault(mm, addr + (c.b % 4096), c.t % 2 === 1);
        else if (c.kind === 21) b.vmInsertMixed(mm, addr, ins);
        else b.mprotect(mm, addr, (1 + (c.t % (m.pages - off))) * 4096, [PROT_READ, PROT_READ | PROT_WRITE, 0][c.b % 3]!);
        break;
      }
      case 23:
        if (live.length > 0) b.query(Op.QPte, mmOf(c), BASE + (c.a % 8) * 0x100000 + (c.c % 8) * 4096);
        break;
      case 24:
        b.query(Op.QCheck);
        break;
    }
  }
  b.query(Op.QMemtypeList);
  return b.build();
}
