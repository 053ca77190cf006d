/**
 * Worker thread of smp-tracker.test.ts: one emulated CPU making tracker
 * calls on the shared memtype state through its own SMP tracker (`nolock`
 * among them, broken on purpose), with perturbations inside the store calls
 * — that is, inside the critical sections.
 */
import { parentPort } from 'node:worker_threads';
import { UC_MINUS, WC } from '../../../core/cachemode.js';
import { Hardware } from '../../../core/hardware.js';
import { Machine } from '../../../core/machine.js';
import type { RangeStore } from '../../../impls/parts.js';
import { Barrier } from '../../../impls/smp/barrier.js';
import { PerturbedStore } from '../../../impls/smp/perturbed-store.js';
import { CsLog } from '../../../impls/smp/cs-log.js';
import { SharedPageFlags } from '../../../impls/smp/shared-page-flags.js';
import { smpTracker } from '../../../impls/smp/smp-tracker.js';
import { TasSpinlock } from '../../../impls/smp/spinlock.js';
import { profileMachine } from '../../../workloads/profiles.js';
import { C_FREE, C_LOOKUP, C_PAGE_TYPE, C_RAM_FREE, C_RAM_RESERVE, C_RESERVE, type CpuResult, type CpuTask, type FlagsTask } from './cpu-task.js';

function runCalls(t: CpuTask): CpuResult {
  const log = new CsLog(t.calls.length / 4, t.log);
  const hook = (s: RangeStore): RangeStore => new PerturbedStore(s, t.schedule.length > 0 ? t.schedule : [0]);
  const tracker = smpTracker(t.tracker, t.state, { cpu: t.cpu, log, storeHook: hook, spinlock: t.spinlock ?? 'tas' });
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
