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
 * Run one case:  node --expose-gc --import tsx bench/micro/dispatch.ts interval-tree+page-bit+single-page
 * (bench/micro/trackers.ts runs all cases, one child process each, and prints them in its table.)
 * Output: one JSON line {target, aloneIo, afterIo, aloneRam, afterRam, directAlone, directAfter}
 * (ns per call; each the best of five medians of 9 rounds — the machine is shared).
 */
import { WC } from '../../core/cachemode.js';
import { Hardware } from '../../core/hardware.js';
import { PageFlags } from '../../core/pageflags.js';
import type { MachineView, MemtypeTracker, VmaView } from '../../core/tracker.js';
import { createTracker, NULL_TRACKER, ORACLE, trackerNames } from '../../impls/registry.js';
import { resolveMachine } from '../../workloads/profiles.js';
import { makeLoop, rng, time, type Loop } from './harness.js';

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

/** A view with empty I/O VMA list over `hw`'s map. */
function viewOf(hw: Hardware): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { physmap: hw.physmap, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 0 };
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
  const hw = Hardware.fromSpec(resolveMachine({ profile: PROFILE }));
  const pm = hw.physmap;
  const ioBase = Math.ceil(pm.maxPfn / 4096) * 4096 + 0x100000; // above RAM: MMIO
  const ramLo = pm.chunkStartPfn(pm.chunkCount - 1);
  const r = rng(1);
  const setup = (name: string): MemtypeTracker => {
    const t = createTracker(name);
    t.attach(viewOf(hw));
    for (let i = 0; i < N; i++) {
      t.memtypeCheckInsert(ioBase + 4 * i, ioBase + 4 * i + 2, WC, true, null);
      const p = ramLo + 8 * i;
      if (t.pagerangeIsRam(p, p + 2) === 1) t.reserveRamPagesType(p, p + 2, WC);
    }
    return t;
  };
  const io = new Float64Array(1 << 12);
  const ram = new Float64Array(1 << 12);
  for (let i = 0; i < io.length; i++) {
    io[i] = ioBase + Math.floor(r() * 4 * N);
    ram[i] = ramLo + Math.floor(r() * 8 * N);
  }
  // Loop bodies: x = the tracker; the shared lookupMemtype is reached as a global (one function for all).
  (globalThis as { __mtbLookup?: typeof lookupMemtype }).__mtbLookup = lookupMemtype;
  const loopIo = makeLoop(`${target} io`, '__mtbLookup(x, q)');
  const loopRam = makeLoop(`${target} ram`, '__mtbLookup(x, q)');
  const loopDirect = makeLoop(`${target} direct`, 'x.memtypeLookup(q)');
  const target0 = setup(target);
  // The machine is shared with other work: each figure is the best of five medians.
  const best = (loop: Loop, probes: Float64Array): number => {
    let m = Infinity;
    for (let k = 0; k < 5; k++) m = Math.min(m, time(loop, target0, probes, { rounds: 9, roundMs: 10 }).median);
    return m;
  };
  const aloneIo = best(loopIo, io);
  const aloneRam = best(loopRam, ram);
  const directAlone = best(loopDirect, io);

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
    loopIo(t, io, 1 << 12);
    loopRam(t, ram, 1 << 12);
    loopDirect(t, io, 1 << 12);
  }
  const afterIo = best(loopIo, io);
  const afterRam = best(loopRam, ram);
  const directAfter = best(loopDirect, io);
  return { target, aloneIo, afterIo, aloneRam, afterRam, directAlone, directAfter };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (isMain && process.argv[2] !== undefined) {
  process.stdout.write(`${JSON.stringify(runDispatch(process.argv[2]))}\n`);
}
