/**
 * Worker of bench/micro/smp-locks.ts: one task per message — the ping-pong
 * of one cache line between two threads, or a lock under contention.
 */
import { parentPort } from 'node:worker_threads';
import { Barrier } from '../../impls/smp/barrier.js';
import { LockStats, nowNs } from '../../impls/smp/lock-stats.js';
import { spinlock, type SpinlockKind } from '../../impls/smp/spinlock.js';

/** A task of this worker. */
export type LockBenchTask =
  | { kind: 'pingpong'; word: Int32Array; side: 0 | 1; rounds: number; barrier: Int32Array }
  | {
      kind: 'contend';
      lock: SpinlockKind;
      words: Int32Array;
      stats: SharedArrayBuffer;
      cpu: number;
      cpus: number;
      /** Shared words read and written inside the critical section. */
      data: Int32Array;
      csWords: number;
      /** Iterations of private work between sections (see `think`). */
      think: number;
      ms: number;
      barrier: Int32Array;
    };

/** A task's result. */
export interface LockBenchResult {
  /** Operations done (round trips, or critical sections). */
  ops: number;
  /** Wall time of the measured loop, ns. */
  ns: number;
}

let sink = 0;

/** `n` iterations of private arithmetic (no shared memory): the non-critical work. */
export function think(n: number): void {
  let x = sink | 1;
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0;
  sink = x;
}

function run(t: LockBenchTask): LockBenchResult {
  if (t.kind === 'pingpong') {
    const w = t.word;
    const b = new Barrier(t.barrier, 0, 2);
    b.wait();
    const t0 = nowNs();
    const mine = t.side;
    const theirs = mine ^ 1;
    for (let i = 0; i < t.rounds; i++) {
      while (Atomics.load(w, 0) !== mine);
      Atomics.store(w, 0, theirs);
    }
    return { ops: t.rounds, ns: nowNs() - t0 };
  }
  const stats = new LockStats(t.stats, 1, t.cpus, 6);
  const l = spinlock(t.lock, t.words, 0, { stats, lock: 0, cpu: t.cpu });
  const d = t.data;
  const b = new Barrier(t.barrier, 0, t.cpus);
  b.wait();
  const t0 = nowNs();
  const end = t0 + t.ms * 1e6;
  let ops = 0;
  for (;;) {
    for (let k = 0; k < 64; k++) {
      l.lock();
      for (let j = 0; j < t.csWords; j++) d[j * 16] = d[j * 16]! + 1;
      l.unlock();
      think(t.think);
    }
    ops += 64;
    if (nowNs() >= end) break;
  }
  return { ops, ns: nowNs() - t0 };
}

// The main script imports `think` and the types; only a worker listens.
const port = parentPort;
if (port !== null) port.on('message', (t: LockBenchTask) => port.postMessage(run(t)));
