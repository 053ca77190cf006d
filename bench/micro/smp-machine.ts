/**
 * SMP trackers on this host, for docs/smp.md:
 *
 *   node --import tsx bench/micro/smp-machine.ts [--rounds=5] [--spinlock=tas|ticket]
 *
 *  - `1-cpu`: replay time of each single-CPU workload (second default size)
 *    with `btree+page-bit-ram-walk+single-page` as today (private buffers)
 *    and as SMP compositions at one CPU (shared buffers, locks taken
 *    uncontended): the cost of sharing.
 *  - `smp`: each SMP workload at 1 and 2 CPUs (worker threads, one Machine
 *    each, shared tracker state, started behind a barrier), per locking
 *    scheme: aggregate ops/s (ops of all CPUs ÷ the slowest CPU's time),
 *    speedup over 1 CPU, hand-offs per acquisition, share of CPU time spent
 *    waiting for the lock, sampled critical-section time per op.
 *  - `projection`: the 1-CPU critical-section and other time per op of
 *    `xpmem-insert` and `ttm-fault-smp` fed to bench/summarise/project.ts at
 *    32–512 CPUs, and the hand-off that would give Holt's 683× ratio.
 * Medians over rounds (min–max beside them): the 2 cores are shared.
 */
import { cpus, loadavg } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { STRIDE, type OpStream } from '../../core/ops.js';
import { createTracker } from '../../impls/registry.js';
import { clockNs, LockStats, meanHoldNs, nowNs } from '../../impls/smp/lock-stats.js';
import { createSmpState, smpTracker } from '../../impls/smp/smp-tracker.js';
import type { SpinlockKind } from '../../impls/smp/spinlock.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { getSmpWorkload } from '../../workloads/smp/registry.js';
import { DEFAULT_HANDOFF_NS, HOLT, handoffForRatio, project, type OpCost } from '../summarise/project.js';
import { startWorker } from '../measure/thread.js';
import type { CpuRun, CpuTime } from './smp-machine-worker.js';

const arg = (name: string, dflt: string): string => process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const ROUNDS = Number(arg('rounds', '5'));
const SPIN = arg('spinlock', 'tas') as SpinlockKind;
const SCHEMES = ['spinlock', 'cmpxchg', 'rwlock', 'seqlock'] as const;
const BASE = 'btree+page-bit-ram-walk+single-page';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const range = (xs: number[], d = 1): string => `[${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)}]`;
const NO_SINK = { msg: (): void => {}, done: (): void => {} };

/** ns per op of one replay of `s` on a fresh machine with `t`. */
function replayNs(s: OpStream, t: MemtypeTracker): number {
  const m = new Machine(Hardware.fromParsed(s.machine), t);
  m.attachStream(s, NO_SINK);
  const t0 = nowNs();
  for (let i = 0, o = 0; i < s.count; i++, o += STRIDE) m.exec(s.ops, o);
  return (nowNs() - t0) / s.count;
}

function oneCpu(): void {
  console.log(`\n1-cpu: ns per op, ${BASE} today vs as SMP compositions at 1 CPU (spinlock algorithm ${SPIN}); median [min–max]`);
  console.log(`  workload          size   today      ${SCHEMES.map((s) => `+${s}`.padEnd(18)).join('')}`);
  for (const name of workloadNames()) {
    const w = getWorkload(name);
    const size = w.defaultSizes[Math.min(1, w.defaultSizes.length - 1)]!;
    const s = w.generate(size, 7);
    const maxPfn = Hardware.fromParsed(s.machine).physmap.maxPfn;
    const kinds = ['today', ...SCHEMES] as const;
    const res = new Map<string, number[]>(kinds.map((k) => [k, []]));
    // A warm-up round, then rounds with the kinds interleaved; in a round,
    // fresh replays for ≥ 30 ms, their median.
    for (let r = -1; r < ROUNDS; r++) {
      for (const k of kinds) {
        const xs: number[] = [];
        for (const t0 = nowNs(); nowNs() - t0 < 30e6 || xs.length < 3; ) {
          const t = k === 'today' ? createTracker(BASE) : smpTracker(`${BASE}+${k}`, createSmpState(maxPfn), { cpu: 0, spinlock: SPIN });
          xs.push(replayNs(s, t));
        }
        if (r >= 0) res.get(k)!.push(median(xs));
      }
    }
    const today = median(res.get('today')!);
    const cols = SCHEMES.map((k) => `${fmt(median(res.get(k)!), 0)} (${fmt(median(res.get(k)!) / today, 2)}×)`.padEnd(18)).join('');
    console.log(`  ${name.padEnd(16)} ${String(size).padStart(5)} ${fmt(today, 0).padStart(7)}    ${cols}`);
  }
}

function send(w: Worker, t: CpuRun): Promise<CpuTime> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    w.once('error', onError);
    w.once('message', (r: CpuTime) => {
      w.off('error', onError);
      resolve(r);
    });
    w.postMessage(t);
  });
}

interface SmpRun {
  opsPerSec: number;
  waitShare: number;
  handoffs: number;
  csPerOpNs: number;
  acqPerOp: number;
  nsPerOp: number;
  sleeps: number;
}

async function smpOnce(ws: Worker[], tracker: string, streams: OpStream[]): Promise<SmpRun> {
  const cpus = streams.length;
  const state = createSmpState(Hardware.fromParsed(streams[0]!.machine).physmap.maxPfn);
  const sampleShift = 4;
  const stats = LockStats.create(1, cpus, sampleShift);
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const res = await Promise.all(streams.map((stream, cpu) => send(ws[cpu]!, { tracker, spinlock: SPIN, state, stream, cpu, cpus, stats: stats.buffer, sampleShift, barrier })));
  const ops = res.reduce((n, r) => n + r.ops, 0);
  const ns = Math.max(...res.map((r) => r.ns));
  const busy = res.reduce((n, r) => n + r.ns, 0);
  const tot = stats.total(0);
  const acq = tot.acquired;
  return {
    opsPerSec: (ops / ns) * 1e9,
    waitShare: tot.waitNs / busy,
    handoffs: acq > 0 ? tot.handoffs / acq : 0,
    csPerOpNs: acq > 0 ? (meanHoldNs(tot) * acq) / ops : 0,
    acqPerOp: acq / ops,
    nsPerOp: busy / ops,
    sleeps: tot.sleeps,
  };
}

let clock = 0;
const SMP_SIZES: Record<string, number> = { 'xpmem-insert': 16384, 'ttm-fault-smp': 128, 'probe-smp': 512 };
const costs = new Map<string, OpCost>();

async function smp(ws: Worker[]): Promise<void> {
  clock = clockNs();
  console.log(`\nsmp: aggregate ops/s at 1 and 2 CPUs (worker threads), spinlock algorithm ${SPIN}; clock read ${fmt(clock)} ns (sampled holds are net of it)`);
  console.log('  workload        scheme    cpus   kops/s [min–max]          speedup  wait share  handoff/acq  acq/op  cs ns/op  ns/op  sleeps');
  for (const [name, size] of Object.entries(SMP_SIZES)) {
    const w = getSmpWorkload(name);
    const streams2 = w.generate(size, 2, 7);
    const acc = new Map<string, SmpRun[]>();
    for (let r = -2; r < ROUNDS; r++) {
      for (const scheme of SCHEMES) {
        for (const n of [1, 2]) {
          const run = await smpOnce(ws, `${BASE}+${scheme}`, streams2.slice(0, n));
          if (r >= 0) (acc.get(`${scheme}/${n}`) ?? acc.set(`${scheme}/${n}`, []).get(`${scheme}/${n}`)!).push(run);
        }
      }
    }
    for (const scheme of SCHEMES) {
      const one = median(acc.get(`${scheme}/1`)!.map((x) => x.opsPerSec));
      for (const n of [1, 2]) {
        const xs = acc.get(`${scheme}/${n}`)!;
        const k = xs.map((x) => x.opsPerSec / 1e3);
        const m = (f: (x: SmpRun) => number): number => median(xs.map(f));
        console.log(
          `  ${name.padEnd(15)} ${scheme.padEnd(9)} ${String(n).padStart(4)} ${fmt(median(k), 0).padStart(8)} ${range(k, 0).padEnd(16)} ${fmt(median(k) * 1e3 / one, 2).padStart(8)} ${fmt(m((x) => x.waitShare), 3).padStart(11)} ${fmt(m((x) => x.handoffs), 3).padStart(12)} ${fmt(m((x) => x.acqPerOp), 2).padStart(7)} ${fmt(m((x) => x.csPerOpNs), 1).padStart(9)} ${fmt(m((x) => x.nsPerOp), 0).padStart(6)} ${fmt(m((x) => x.sleeps), 0).padStart(7)}`,
        );
        if (n === 1 && scheme === 'spinlock') costs.set(name, { csNs: m((x) => x.csPerOpNs), nonCsNs: m((x) => x.nsPerOp) - m((x) => x.csPerOpNs), acquisitionsPerOp: m((x) => x.acqPerOp) });
      }
    }
  }
}

function projection(): void {
  const CPUS = [1, 2, 32, 64, 128, 256, 512];
  console.log(`\nprojection (bench/summarise/project.ts) from the 1-CPU spinlock costs above, hand-off ${DEFAULT_HANDOFF_NS} ns:`);
  for (const [name, cost] of costs) {
    const pts = project(cost, CPUS, { handoffNs: DEFAULT_HANDOFF_NS });
    console.log(`  ${name}: cs ${fmt(cost.csNs)} ns/op, other ${fmt(cost.nonCsNs)} ns/op, ${fmt(cost.acquisitionsPerOp, 2)} acquisitions/op`);
    console.log(`    cpus      ${CPUS.map((c) => String(c).padStart(8)).join('')}`);
    console.log(`    Mops/s    ${pts.map((p) => fmt(p.opsPerSec / 1e6, 2).padStart(8)).join('')}`);
    console.log(`    speedup   ${pts.map((p) => fmt(p.speedup, 1).padStart(8)).join('')}`);
    console.log(`    wait      ${pts.map((p) => fmt(p.waitShare, 2).padStart(8)).join('')}`);
  }
  const x = costs.get('xpmem-insert');
  if (x !== undefined) {
    const ratio = HOLT.spinlockSeconds[256]! / HOLT.cmpxchgSeconds;
    const cmp = (256 / (x.csNs + x.nonCsNs)) * 1e9;
    const spin = project(x, [256], { handoffNs: DEFAULT_HANDOFF_NS })[0]!.opsPerSec;
    console.log(`  xpmem-insert at 256 CPUs: spinlock ÷ cmpxchg time ${fmt(cmp / spin, 1)}× at ${DEFAULT_HANDOFF_NS} ns; Holt measured ${fmt(ratio, 0)}×; the model needs a hand-off of ${fmt(handoffForRatio(x, 256, ratio), 0)} ns for it`);
  }
}

async function main(): Promise<void> {
  console.log(`host: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
  if (!process.argv.includes('--skip-1cpu')) oneCpu();
  const ws = [0, 1].map(() => startWorker(new URL('./smp-machine-worker.js', import.meta.url), null));
  try {
    await smp(ws);
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
  projection();
  console.log(`\nload average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
}

await main();
