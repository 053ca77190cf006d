/**
 * Worker of bench/micro/smp-machine.ts: one emulated CPU — its own Machine
 * (private page tables) with an SMP tracker over the shared state — replays
 * its op stream after the start barrier and reports the wall time.
 */
import { parentPort } from 'node:worker_threads';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { STRIDE, type OpStream } from '../../core/ops.js';
import { Barrier } from '../../impls/smp/barrier.js';
import { LockStats, nowNs } from '../../impls/smp/lock-stats.js';
import { smpTracker, type SmpState } from '../../impls/smp/smp-tracker.js';
import type { SpinlockKind } from '../../impls/smp/spinlock.js';

/** One CPU's run. */
export interface CpuRun {
  tracker: string;
  spinlock: SpinlockKind;
  state: SmpState;
  stream: OpStream;
  cpu: number;
  cpus: number;
  stats: SharedArrayBuffer;
  sampleShift: number;
  barrier: Int32Array;
}

/** Wall time of the replay, ns, and the ops replayed. */
export interface CpuTime {
  ns: number;
  ops: number;
}

const NO_SINK = { msg: (): void => {}, done: (): void => {} };

function run(t: CpuRun): CpuTime {
  const stats = new LockStats(t.stats, 1, t.cpus, t.sampleShift);
  const tracker = smpTracker(t.tracker, t.state, { cpu: t.cpu, stats, spinlock: t.spinlock });
  const m = new Machine(Hardware.fromParsed(t.stream.machine), tracker);
  m.attachStream(t.stream, NO_SINK);
  const ops = t.stream.ops;
  const n = t.stream.count;
  new Barrier(t.barrier, 0, t.cpus).wait();
  const t0 = nowNs();
  for (let i = 0, o = 0; i < n; i++, o += STRIDE) m.exec(ops, o);
  return { ns: nowNs() - t0, ops: n };
}

const port = parentPort;
if (port !== null) port.on('message', (t: CpuRun) => port.postMessage(run(t)));
