/**
 * Micro-benchmark: why the harness measures one tracker per isolate.
 *
 * One process per target: the target composition's `lookup_memtype()` is
 * timed alone (the only tracker the isolate has seen — what a fork of the
 * harness measures), then every composition + oracle + null is warmed
 * through the same code (what one isolate running a whole group would do:
 * `ComposedTracker`'s `this.store.lookup` then sees 5 store classes and the
 * core's call sites every tracker class), and the target is timed again.
 * `lookupMemtype` below is the core's `lookup_memtype()` (core/memtype.ts)
 * copied as one function shared by all trackers.
 *
 * Run one case:  node --expose-gc --import tsx bench/micro/dispatch.ts --case interval-tree+page-bit+single-page
 * (bench/micro/trackers.ts runs all cases, one child process each, and prints them in its table.)
 * The loops are plain functions: in this isolate, before the warming, their
 * call sites have seen one tracker class; after it, every class.
 * Output: one JSON line {target, aloneIo, afterIo, aloneRam, afterRam, directAlone, directAfter}
 * (ns per call; each the best of five medians of 9 rounds — the machine is shared).
 */
import { WC } from '../../core/cachemode.js';
import { Hardware } from '../../core/hardware.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { createTracker, NULL_TRACKER, ORACLE, trackerNames } from '../../impls/registry.js';
import { profileMachine } from '../../workloads/profiles.js';
import { caseArg, emptyView, probes, timeOps } from './harness.js';

const PROFILE = 'icelake-tb-dock';
/** Entries reserved in each tracker (the realistic regime, ~20–30). */
const N = 30;

/** `lookup_memtype()` as core/memtype.ts has it: one function for every tracker. */
export function lookupMemtype(tracker: MemtypeTracker, pfn: number): number {
  if (pfn >= 0xa0 && pfn + 1 <= 0x100) return 0; // WB in the ISA window
  if (tracker.pagerangeIsRam(pfn, pfn + 1) !== 0) return tracker.getPageMemtype(pfn);
  const t = tracker.memtypeLookup(pfn);
  return t < 0 ? 2 : t; // UC-
}

/** `lookup_memtype()` of every probe through the shared function. */
function sharedLoop(t: MemtypeTracker, ps: Float64Array, n: number, from: number): number {
  const mask = ps.length - 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += lookupMemtype(t, ps[(from + i) & mask]!);
  return s;
}

/** The tracker's own `memtypeLookup` of every probe (the store dispatch alone). */
function directLoop(t: MemtypeTracker, ps: Float64Array, n: number, from: number): number {
  const mask = ps.length - 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += t.memtypeLookup(ps[(from + i) & mask]!);
  return s;
}

/** Result of one case. */
export interface DispatchResult {
  target: string;
  /** lookup_memtype of non-RAM pfns (the store path), alone / after all compositions warmed. */
  aloneIo: number;
  afterIo: number;
  /** lookup_memtype of RAM pfns (the RAM policy path). */
  aloneRam: number;
  afterRam: number;
  /** tracker.memtypeLookup called directly from a loop of its own (the store dispatch alone). */
  directAlone: number;
  directAfter: number;
}

/** Runs one case; see the file header. */
export function runDispatch(target: string): DispatchResult {
  const hw = Hardware.fromParsed(profileMachine(PROFILE));
  const pm = hw.physmap;
  const ioBase = Math.ceil(pm.maxPfn / 4096) * 4096 + 0x100000; // above RAM: MMIO
  const ramLo = pm.chunkStartPfn(pm.chunkCount - 1);
  const setup = (name: string): MemtypeTracker => {
    const t = createTracker(name);
    t.attach(emptyView(hw));
    for (let i = 0; i < N; i++) {
      t.memtypeCheckInsert(ioBase + 4 * i, ioBase + 4 * i + 2, WC, true, null);
      const p = ramLo + 8 * i;
      if (t.pagerangeIsRam(p, p + 2) === 1) t.reserveRamPagesType(p, p + 2, WC);
    }
    return t;
  };
  const io = probes(1 << 12, 1, (u) => ioBase + Math.floor(u * 4 * N));
  const ram = probes(1 << 12, 2, (u) => ramLo + Math.floor(u * 8 * N));
  const target0 = setup(target);
  // The machine is shared with other work: each figure is the best of five medians.
  const best = (loop: typeof sharedLoop, ps: Float64Array): number => {
    let m = Infinity;
    for (let k = 0; k < 5; k++) m = Math.min(m, timeOps((n, from) => loop(target0, ps, n, from), { samples: 9, sampleMs: 10 }).median);
    return m;
  };
  const aloneIo = best(sharedLoop, io);
  const aloneRam = best(sharedLoop, ram);
  const directAlone = best(directLoop, io);

  // Warm every tracker through the same shared code (a worker running a whole group).
  for (const name of [...trackerNames(), ORACLE, NULL_TRACKER]) {
    const t = setup(name);
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 1 << 13; i++) {
        lookupMemtype(t, io[i & 4095]!);
        lookupMemtype(t, ram[i & 4095]!);
        t.memtypeLookup(io[i & 4095]!);
      }
    }
    sharedLoop(t, io, 1 << 12, 0);
    sharedLoop(t, ram, 1 << 12, 0);
    directLoop(t, io, 1 << 12, 0);
  }
  const afterIo = best(sharedLoop, io);
  const afterRam = best(sharedLoop, ram);
  const directAfter = best(directLoop, io);
  return { target, aloneIo, afterIo, aloneRam, afterRam, directAlone, directAfter };
}

const id = caseArg();
if (id !== null) process.stdout.write(`${JSON.stringify(runDispatch(id))}\n`);
