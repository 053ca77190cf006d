/**
 * One emulated CPU of an SMP fork: a worker thread started fresh by the
 * fork's coordinator (bench/measure/smp-fork.ts), never reused by another
 * fork. Per sample it receives the sample's fresh shared state, builds its
 * own Machine (its private processes, page tables, VMAs — each `mm` is its
 * own) and its tracker over that state outside the timed region, says it is
 * ready, waits at the start barrier with the other CPUs, replays its op
 * stream, and records its wall time and outcome digest in the control
 * block (bench/measure/smp-protocol.ts); it bumps the fork's replay counter
 * after every replay, so the per-replay time limit catches a CPU stuck in a
 * broken lock.
 *
 * A checked run (the first of each fork, untimed) also logs the order of
 * the critical sections, stops at its stream's peak with every other CPU
 * (while the coordinator reads the shared state), and reports its mappings
 * there and at its end, and its machine's consistency (one message).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Bugs } from '../../core/bugs.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { STRIDE } from '../../core/ops.js';
import { DigestSink } from '../../core/outcome.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import type { RangeStore } from '../../impls/parts.js';
import { createTracker } from '../../impls/registry.js';
import { Barrier } from '../../impls/smp/barrier.js';
import { PerturbedStore } from '../../impls/smp/perturbed-store.js';
import { CsLog } from '../../impls/smp/cs-log.js';
import { LockedTracker } from '../../impls/smp/lock-part.js';
import { LockStats, nowNs } from '../../impls/smp/lock-stats.js';
import { smpTracker } from '../../impls/smp/smp-tracker.js';
import { describeError } from './fork.js';
import { findGc } from './memory.js';
import { CTL, SmpControl, type CpuChecked, type CpuSample, type CpuSetup } from './smp-protocol.js';

const setup = (workerData as { data: CpuSetup }).data;
const { cpu, cpus, stream } = setup;
const ctl = new SmpControl(cpus, setup.control);
const hw = Hardware.fromParsed(stream.machine);
const bugs = Bugs.parse(setup.bugs);
const gc = findGc().fn;
// One handle per barrier for the thread's life (sense-reversing barriers are reused across samples).
const start = new Barrier(ctl.w, CTL.START, cpus + 1);
const peakIn = new Barrier(ctl.w, CTL.PEAK_IN, cpus + 1);
const peakOut = new Barrier(ctl.w, CTL.PEAK_OUT, cpus + 1);
const perturb = setup.perturb.length > 0 ? (s: RangeStore): RangeStore => new PerturbedStore(s, setup.perturb) : undefined;

/** This CPU's tracker for a sample. */
function trackerFor(s: CpuSample, log: CsLog | null): MemtypeTracker {
  if (s.state === null) return createTracker(setup.tracker);
  const stats = new LockStats(s.stats, 1, cpus, s.sampleShift, s.longHoldNs);
  return smpTracker(setup.tracker, s.state, { cpu, stats, log, spinlock: setup.spinlock, ...(perturb ? { storeHook: perturb } : {}) });
}

/** Runs one sample; a failure is recorded in the control block (the others stop waiting) and rethrown. */
function runSample(s: CpuSample): CpuChecked | null {
  const log = s.log !== null ? new CsLog(stream.count, s.log) : null;
  const tracker = trackerFor(s, log);
  const m = new Machine(hw, tracker, { bugs });
  const digest = new DigestSink();
  gc?.({ type: 'minor' });
  ctl.arrive(CTL.READY);
  if (!start.wait(CTL.ABORT)) return null;
  if (s.mode === 'timed') {
    const t0 = nowNs();
    m.run(stream, digest);
    ctl.setResult(cpu, nowNs() - t0, digest.digest());
    if (setup.progress) Atomics.add(setup.progress, 0, 1);
    return null;
  }
  // Checked: log every op's sections, stop at the peak with the others.
  const locked = tracker instanceof LockedTracker ? tracker : null;
  const ops = stream.ops;
  const peak = Math.min(stream.peak, stream.count);
  m.attachStream(stream, digest);
  const t0 = nowNs();
  const upTo = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      if (locked !== null) locked.opIndex = i;
      digest.done(i, m.exec(ops, i * STRIDE), m.outType, m.query);
    }
  };
  upTo(0, peak);
  const peakMappings = m.aliasMappings();
  const peakPageTableBytes = m.pageTableBytes();
  const peakTrackerBytes = tracker.modeledBytes();
  if (!peakIn.wait(CTL.ABORT) || !peakOut.wait(CTL.ABORT)) return null;
  upTo(peak, stream.count);
  ctl.setResult(cpu, nowNs() - t0, digest.digest());
  if (setup.progress) Atomics.add(setup.progress, 0, 1);
  return { cpu, peakMappings, peakPageTableBytes, peakTrackerBytes, endMappings: m.aliasMappings(), endProblems: m.checkConsistency() };
}

const port = parentPort!;
port.postMessage('loaded');
port.on('message', (s: CpuSample) => {
  let checked: CpuChecked | null = null;
  try {
    checked = runSample(s);
  } catch (e) {
    ctl.fail(cpu, describeError(e));
  }
  ctl.arrive(CTL.DONE);
  if (s.mode === 'checked') port.postMessage(checked);
});
