/**
 * Worker thread of smp-tracker.test.ts: one emulated CPU making tracker
 * calls on the shared memtype state through its own SMP tracker (or through
 * an unlocked wrapper, broken on purpose), with perturbations inside the
 * store calls — that is, inside the critical sections.
 */
import { parentPort } from 'node:worker_threads';
import { UC_MINUS, WC } from '../../../core/cachemode.js';
import { Hardware } from '../../../core/hardware.js';
import { Machine } from '../../../core/machine.js';
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../../../core/tracker.js';
import { ComposedTracker } from '../../../impls/composed.js';
import { PageBitPolicy } from '../../../impls/page-bit.js';
import type { RangeStore } from '../../../impls/parts.js';
import { SinglePagePolicy } from '../../../impls/single-page.js';
import { Barrier } from '../../../impls/smp/barrier.js';
import { CsLog } from '../../../impls/smp/cs-log.js';
import { SharedBtreeStore } from '../../../impls/smp/shared-btree.js';
import { SharedPageFlags } from '../../../impls/smp/shared-page-flags.js';
import { SharedPageTypes } from '../../../impls/smp/shared-page-types.js';
import { smpTracker } from '../../../impls/smp/smp-tracker.js';
import { TasSpinlock } from '../../../impls/smp/spinlock.js';
import { profileMachine } from '../../../workloads/profiles.js';
import { C_FREE, C_LOOKUP, C_PAGE_TYPE, C_RAM_FREE, C_RAM_RESERVE, C_RESERVE, type CpuResult, type CpuTask, type FlagsTask } from './cpu-task.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
let sink = 0;

/** A store that perturbs timing before mutations and lookups: inside the caller's critical section. */
class PerturbedStore implements RangeStore {
  readonly name: string;
  private i = 0;
  constructor(
    private readonly s: RangeStore,
    private readonly schedule: number[],
  ) {
    this.name = s.name;
  }
  private perturb(): void {
    const code = this.schedule[this.i++ % this.schedule.length]!;
    if (code > 0) for (let k = 0; k < code * 64; k++) sink += Atomics.load(sleeper, 0);
    else if (code < 0) Atomics.wait(sleeper, 0, 0, (-code * 10) / 1000);
  }
  get first(): number {
    return this.s.first;
  }
  get other(): number {
    return this.s.other;
  }
  get hitStart(): number {
    return this.s.hitStart;
  }
  get hitEnd(): number {
    return this.s.hitEnd;
  }
  get size(): number {
    return this.s.size;
  }
  attach(): void {}
  scan(start: number, end: number): void {
    this.s.scan(start, end);
  }
  overlap(start: number, end: number): boolean {
    return this.s.overlap(start, end);
  }
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    this.perturb(); // after the conflict scan, before the insert
    this.s.insert(start, end, type, owner);
  }
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    this.perturb();
    return this.s.erase(start, end, owner);
  }
  lookup(pfn: number): number {
    const r = this.s.lookup(pfn);
    this.perturb();
    return r;
  }
  list(out: number[]): void {
    this.s.list(out);
  }
  modeledBytes(): number {
    return this.s.modeledBytes();
  }
  checkInvariants(): void {
    this.s.checkInvariants();
  }
}

/** The broken-on-purpose scheme: the composed tracker with no lock at all, versions from a bare counter. */
class Unlocked implements MemtypeTracker {
  readonly name = 'btree+page-bit+single-page+none';
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;
  opIndex = 0;
  private readonly inner: MemtypeTracker;
  constructor(
    t: CpuTask,
    store: RangeStore,
    private readonly log: CsLog,
    private readonly counter: Int32Array,
  ) {
    this.inner = new ComposedTracker(store, new SharedPageTypes(new PageBitPolicy(), new SharedPageFlags(t.state.pageFlags), 'bitops'), new SinglePagePolicy());
  }
  private note(write: boolean): void {
    this.log.note(this.opIndex, write ? Atomics.add(this.counter, 0, 1) + 1 : Atomics.load(this.counter, 0), write);
  }
  private outs(): void {
    this.newType = this.inner.newType;
    this.conflictFound = this.inner.conflictFound;
    this.conflictOther = this.inner.conflictOther;
  }
  attach(view: MachineView): void {
    this.inner.attach(view);
  }
  pagerangeIsRam(s: number, e: number): number {
    return this.inner.pagerangeIsRam(s, e);
  }
  reserveRamPagesType(s: number, e: number, req: number): number {
    const r = this.inner.reserveRamPagesType(s, e, req);
    this.outs();
    return r;
  }
  freeRamPagesType(s: number, e: number): number {
    return this.inner.freeRamPagesType(s, e);
  }
  getPageMemtype(pfn: number): number {
    return this.inner.getPageMemtype(pfn);
  }
  memtypeCheckInsert(s: number, e: number, type: number, wantNew: boolean, owner: PfnmapTrackCtx | null): number {
    this.note(true);
    const r = this.inner.memtypeCheckInsert(s, e, type, wantNew, owner);
    this.outs();
    return r;
  }
  memtypeErase(s: number, e: number, owner: PfnmapTrackCtx | null): number {
    this.note(true);
    return this.inner.memtypeErase(s, e, owner);
  }
  memtypeLookup(pfn: number): number {
    this.note(false);
    return this.inner.memtypeLookup(pfn);
  }
  memtypeList(out: number[]): void {
    this.inner.memtypeList(out);
  }
  insertCachemode(vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return this.inner.insertCachemode(vma, pfn, lookup);
  }
  modeledBytes(): number {
    return this.inner.modeledBytes();
  }
}

function runCalls(t: CpuTask): CpuResult {
  const log = new CsLog(t.calls.length / 4, t.log);
  const hook = (s: RangeStore): RangeStore => new PerturbedStore(s, t.schedule.length > 0 ? t.schedule : [0]);
  const tracker: MemtypeTracker & { opIndex: number } = t.tracker.endsWith('+none')
    ? new Unlocked(t, hook(new SharedBtreeStore(t.state.store)), log, t.sync)
    : smpTracker(t.tracker, t.state, { cpu: t.cpu, log, storeHook: hook, spinlock: t.spinlock ?? 'tas' });
  new Machine(Hardware.fromParsed(profileMachine(t.profile)), tracker);
  const c = t.calls;
  const out = new Float64Array(c.length);
  new Barrier(t.sync, 1, t.parties).wait();
  for (let i = 0, o = 0; o < c.length; i++, o += 4) {
    tracker.opIndex = i;
    let ret = 0;
    switch (c[o]) {
      case C_RESERVE:
        ret = tracker.memtypeCheckInsert(c[o + 1]!, c[o + 2]!, c[o + 3]!, true, null);
        break;
      case C_FREE:
        ret = tracker.memtypeErase(c[o + 1]!, c[o + 2]!, null);
        break;
      case C_LOOKUP:
        ret = tracker.memtypeLookup(c[o + 1]!);
        break;
      case C_RAM_RESERVE:
        ret = tracker.reserveRamPagesType(c[o + 1]!, c[o + 2]!, c[o + 3]!);
        break;
      case C_RAM_FREE:
        ret = tracker.freeRamPagesType(c[o + 1]!, c[o + 2]!);
        break;
      case C_PAGE_TYPE:
        ret = tracker.getPageMemtype(c[o + 1]!);
        break;
    }
    out[o] = ret;
    // newType is an out slot of a successful reservation (and of a busy RAM one); other calls leave it stale.
    out[o + 1] = (c[o] === C_RESERVE && ret === 0) || c[o] === C_RAM_RESERVE ? tracker.newType : -1;
    out[o + 2] = c[o] === C_RESERVE && ret < 0 ? tracker.conflictFound : -1;
    out[o + 3] = c[o] === C_RESERVE && ret < 0 ? tracker.conflictOther : -1;
  }
  return { results: out, torn: 0, error: null };
}

function runFlags(t: FlagsTask): CpuResult {
  const f = new SharedPageFlags(t.flags);
  const lock = new TasSpinlock(t.words, 0);
  let torn = 0;
  new Barrier(t.sync, 1, t.parties).wait();
  if (t.role === 'writer') {
    for (let i = 0; i < t.iterations; i++) {
      const type = i & 1 ? WC : UC_MINUS;
      if (t.locked) lock.lock();
      if (t.update === 'cmpxchg') f.setMemtypeCmpxchg(t.pfn, type);
      else f.setMemtypeBitops(t.pfn, type);
      if (t.locked) lock.unlock();
    }
    Atomics.add(t.sync, 0, 1);
  } else {
    let n = 0;
    while (Atomics.load(t.sync, 0) === 0 || n < t.iterations) {
      if (t.locked) lock.lock();
      const type = f.memtype(t.pfn);
      if (t.locked) lock.unlock();
      if (type !== WC && type !== UC_MINUS) torn++;
      n++;
      if (n > 50 * t.iterations) break;
    }
  }
  return { results: new Float64Array(0), torn, error: null };
}

parentPort!.on('message', (t: CpuTask | FlagsTask) => {
  try {
    parentPort!.postMessage({ ok: true, result: t.kind === 'calls' ? runCalls(t) : runFlags(t) });
  } catch (e) {
    // A broken scheme may corrupt the tree: report, do not die.
    parentPort!.postMessage({ ok: true, result: { results: new Float64Array(0), torn: 0, error: String(e) } });
  }
});
