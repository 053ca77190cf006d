/**
 * Micro-benchmarks of the SMP locks on this host (impls/smp/), for
 * docs/smp.md and the projection model's hand-off parameter:
 *
 *   node --import tsx bench/micro/smp-locks.ts [--rounds=5] [--ms=300]
 *
 *  - `uncontended`: ns per acquire + release on one thread (lock word in
 *    this core's cache): ticket, tas, rwlock read/write, seqlock
 *    read (begin + retry check) / write.
 *  - `ping-pong`: two threads hand one cache line back and forth (strict
 *    alternation); ns per one-way transfer = the hand-off latency floor
 *    between two CPUs of this host.
 *  - `contended`: 2 threads (and 1, for the speedup), each looping
 *    lock → read-modify-write `cs` shared lines → unlock → private work
 *    (`think` iterations, ≈ ns given), for `--ms`: throughput, speedup,
 *    hand-offs per acquisition, fairness (min/max thread share), share of
 *    time waiting, sampled hold time.
 * Medians over `--rounds` rounds, kinds interleaved within a round; the
 * host has 2 shared cores, so repeat and compare runs.
 */
import { cpus, loadavg } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../measure/thread.js';
import { clockNs, LockStats, meanHoldNs, nowNs } from '../../impls/smp/lock-stats.js';
import { RwLock } from '../../impls/smp/rwlock.js';
import { SeqLock } from '../../impls/smp/seqlock.js';
import { lockWords } from '../../impls/smp/shared-buffer.js';
import { spinlock, type SpinlockKind } from '../../impls/smp/spinlock.js';
import { think, type LockBenchResult, type LockBenchTask } from './smp-locks-worker.js';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.split('=')[1]);
};
const ROUNDS = arg('rounds', 5);
const MS = arg('ms', 300);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');

/** ns per call of `body`, best-effort: n calls timed, median of 7. */
function perCall(n: number, body: () => void): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = nowNs();
    for (let i = 0; i < n; i++) body();
    runs.push((nowNs() - t0) / n);
  }
  return median(runs);
}

function uncontended(): void {
  const words = lockWords(8);
  const t = spinlock('ticket', words, 0);
  const a = spinlock('tas', words, 1);
  const rw = new RwLock(words, 2);
  const sq = new SeqLock(words, 4);
  const cases: [string, () => void][] = [
    ['ticket lock+unlock', () => (t.lock(), t.unlock())],
    ['tas lock+unlock', () => (a.lock(), a.unlock())],
    ['rwlock read', () => (rw.readLock(), rw.readUnlock())],
    ['rwlock write', () => (rw.writeLock(), rw.writeUnlock())],
    ['seqlock read (begin+retry)', () => void sq.readRetry(sq.readBegin())],
    ['seqlock write', () => (sq.writeLock(), sq.writeUnlock())],
  ];
  const res = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) for (const [name, f] of cases) (res.get(name) ?? res.set(name, []).get(name)!).push(perCall(200_000, f));
  console.log('\nuncontended (1 thread), ns per acquire+release: median [min–max] over rounds');
  for (const [name, xs] of res) console.log(`  ${name.padEnd(28)} ${fmt(median(xs), 1).padStart(6)}  [${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}]`);
  console.log(`  clock read (performance.now)  ${fmt(clockNs(), 1).padStart(6)}`);
}

function send(w: Worker, t: LockBenchTask): Promise<LockBenchResult> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    w.once('error', onError);
    w.once('message', (r: LockBenchResult) => {
      w.off('error', onError);
      resolve(r);
    });
    w.postMessage(t);
  });
}

async function pingPong(ws: Worker[]): Promise<void> {
  const xs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const word = new Int32Array(new SharedArrayBuffer(64));
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    const rounds = 200_000;
    const res = await Promise.all([send(ws[0]!, { kind: 'pingpong', word, side: 0, rounds, barrier }), send(ws[1]!, { kind: 'pingpong', word, side: 1, rounds, barrier })]);
    xs.push(Math.max(res[0]!.ns, res[1]!.ns) / (2 * rounds));
  }
  console.log(`\nping-pong (2 threads, one cache line), ns per one-way hand-off: median ${fmt(median(xs))}  [${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}]`);
}

interface Contended {
  mops: number;
  perThread: number[];
  handoffs: number;
  waitShare: number;
  holdNs: number;
  sleeps: number;
}

async function contendOnce(ws: Worker[], lock: SpinlockKind, n: number, csWords: number, thinkIters: number): Promise<Contended> {
  const words = lockWords(1);
  const stats = LockStats.create(1, n, 6);
  const data = new Int32Array(new SharedArrayBuffer(Math.max(1, csWords) * 64));
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const res = await Promise.all(
    ws.slice(0, n).map((w, cpu) => send(w, { kind: 'contend', lock, words, stats: stats.buffer, cpu, cpus: n, data, csWords, think: thinkIters, ms: MS, barrier })),
  );
  const tot = stats.total(0);
  const ops = res.reduce((s, r) => s + r.ops, 0);
  const ns = Math.max(...res.map((r) => r.ns));
  const elapsed = res.reduce((s, r) => s + r.ns, 0);
  return {
    mops: (ops / ns) * 1e3,
    perThread: res.map((r) => r.ops / ops),
    handoffs: tot.handoffs / tot.acquired,
    waitShare: tot.waitNs / elapsed,
    holdNs: meanHoldNs(tot),
    sleeps: tot.sleeps,
  };
}

async function contended(ws: Worker[]): Promise<void> {
  // Calibrate `think`: iterations per ns on this thread.
  const perIter = perCall(1000, () => think(1000)) / 1000;
  const settings = [
    { cs: 1, thinkNs: 0 },
    { cs: 4, thinkNs: 200 },
    { cs: 4, thinkNs: 1000 },
  ];
  console.log(`\ncontended: ${MS} ms per run; think calibrated at ${fmt(perIter, 2)} ns/iteration; host cores ${cpus().length}`);
  console.log('  lock    cs  think  thr  Mops/s  speedup  handoff/acq  min/max share  wait share  hold ns  sleeps');
  for (const s of settings) {
    const thinkIters = Math.round(s.thinkNs / perIter);
    const acc = new Map<string, Contended[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (const lock of ['ticket', 'tas'] as const) {
        for (const n of [1, 2]) {
          const key = `${lock}/${n}`;
          (acc.get(key) ?? acc.set(key, []).get(key)!).push(await contendOnce(ws, lock, n, s.cs, thinkIters));
        }
      }
    }
    for (const lock of ['ticket', 'tas'] as const) {
      const one = median(acc.get(`${lock}/1`)!.map((c) => c.mops));
      for (const n of [1, 2]) {
        const cs = acc.get(`${lock}/${n}`)!;
        const m = median(cs.map((c) => c.mops));
        const share = median(cs.map((c) => Math.min(...c.perThread) / Math.max(...c.perThread)));
        console.log(
          `  ${lock.padEnd(6)} ${String(s.cs).padStart(3)} ${String(s.thinkNs).padStart(6)} ${String(n).padStart(4)} ${fmt(m, 2).padStart(7)} ${fmt(m / one, 2).padStart(8)} ${fmt(median(cs.map((c) => c.handoffs)), 3).padStart(12)} ${fmt(share, 2).padStart(14)} ${fmt(median(cs.map((c) => c.waitShare)), 3).padStart(11)} ${fmt(median(cs.map((c) => c.holdNs)), 0).padStart(8)} ${String(median(cs.map((c) => c.sleeps))).padStart(7)}   [Mops/s ${fmt(Math.min(...cs.map((c) => c.mops)), 2)}–${fmt(Math.max(...cs.map((c) => c.mops)), 2)}]`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  console.log(`host: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`);
  uncontended();
  const ws = [0, 1].map(() => startWorker(new URL('./smp-locks-worker.js', import.meta.url), null));
  try {
    await pingPong(ws);
    await contended(ws);
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
  console.log(`\nload average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
}

await main();
