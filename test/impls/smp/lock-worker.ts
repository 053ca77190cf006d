/**
 * Worker thread for the multi-thread lock tests (locks.test.ts): runs one
 * task per message on shared buffers and posts back what it saw. Loaded
 * from sources with `--import tsx`.
 *
 * A task's `schedule` perturbs the interleaving: entry i (used cyclically)
 * says what to do inside the i-th critical section between reading and
 * writing shared data — 0 nothing, k > 0 spin k × 64 loads, k < 0 sleep
 * −k × 10 µs (the thread leaves the CPU while it holds the lock).
 */
import { parentPort } from 'node:worker_threads';
import { Barrier } from '../../../impls/smp/barrier.js';
import { LockStats } from '../../../impls/smp/lock-stats.js';
import { RwLock } from '../../../impls/smp/rwlock.js';
import { SeqLock } from '../../../impls/smp/seqlock.js';
import { spinlock, type Spinlock } from '../../../impls/smp/spinlock.js';
import { D_COUNTER, D_DONE, D_INSIDE, D_RECORD, D_WRITER_IN, RECORD_WORDS, type LockResult, type LockTask } from './lock-task.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
let sink = 0;

/** Perturbation `code` inside a critical section (see the module comment). */
function perturb(code: number, data: Int32Array): void {
  if (code > 0) for (let i = 0; i < code * 64; i++) sink += Atomics.load(data, D_DONE);
  else if (code < 0) Atomics.wait(sleeper, 0, 0, (-code * 10) / 1000);
}

function run(t: LockTask): LockResult {
  const stats = t.stats === null ? null : { stats: new LockStats(t.stats.buffer, t.stats.locks, t.stats.cpus, t.stats.sampleShift), lock: 0, cpu: t.cpu };
  const d = t.data;
  const sched = t.schedule.length > 0 ? t.schedule : [0];
  const res: LockResult = { violations: 0, done: 0, retries: 0 };
  const me = t.cpu + 1;
  new Barrier(t.barrier, 0, t.parties).wait();
  if (t.kind === 'mutex') {
    let lock: () => void = () => {};
    let unlock: () => void = () => {};
    if (t.lock === 'ticket' || t.lock === 'tas') {
      const l: Spinlock = spinlock(t.lock, t.words, t.slot, stats);
      lock = () => l.lock();
      unlock = () => l.unlock();
    } else if (t.lock === 'rw' || t.lock === 'rw-ticket') {
      const l = new RwLock(t.words, t.slot, stats, t.lock === 'rw' ? 'tas' : 'ticket');
      lock = () => l.writeLock();
      unlock = () => l.writeUnlock();
    } else if (t.lock === 'seq') {
      const l = new SeqLock(t.words, t.slot, stats);
      lock = () => l.writeLock();
      unlock = () => l.writeUnlock();
    }
    for (let i = 0; i < t.iterations; i++) {
      lock();
      if (Atomics.exchange(d, D_INSIDE, me) !== 0) res.violations++;
      Atomics.store(d, D_WRITER_IN, 1);
      const c = d[D_COUNTER]!;
      perturb(sched[i % sched.length]!, d);
      d[D_COUNTER] = c + 1;
      for (let k = 0; k < RECORD_WORDS; k++) d[D_RECORD + k] = c + 1;
      Atomics.store(d, D_WRITER_IN, 0);
      if (Atomics.exchange(d, D_INSIDE, 0) !== me) res.violations++;
      unlock();
      res.done++;
    }
  } else if (t.kind === 'rw-reader') {
    const l = new RwLock(t.words, t.slot, stats);
    for (let i = 0; i < t.iterations; i++) {
      l.readLock();
      if (Atomics.load(d, D_WRITER_IN) !== 0) res.violations++;
      const c = d[D_COUNTER]!;
      perturb(sched[i % sched.length]!, d);
      if (d[D_COUNTER] !== c || Atomics.load(d, D_WRITER_IN) !== 0) res.violations++;
      l.readUnlock();
      res.done++;
    }
  } else if (t.kind === 'seq-writer') {
    const l = new SeqLock(t.words, t.slot, stats);
    for (let i = 0; i < t.iterations; i++) {
      l.writeLock();
      const v = d[D_RECORD]! + 1;
      for (let k = 0; k < RECORD_WORDS; k++) {
        d[D_RECORD + k] = v;
        if (k === RECORD_WORDS >> 1) perturb(sched[i % sched.length]!, d);
      }
      l.writeUnlock();
      res.done++;
    }
    Atomics.add(d, D_DONE, 1);
  } else {
    const l = new SeqLock(t.words, t.slot, stats);
    const copy = new Int32Array(RECORD_WORDS);
    let i = 0;
    // Read until every writer has finished, and at least `iterations` times.
    // With lock 'none' the reader skips begin/retry (broken on purpose).
    const validate = t.lock !== 'none';
    while (res.done < t.iterations || Atomics.load(d, D_DONE) < (t.writers ?? 0)) {
      for (;;) {
        const s = validate ? l.readBegin() : 0;
        for (let k = 0; k < RECORD_WORDS; k++) {
          copy[k] = d[D_RECORD + k]!;
          if (k === 2) perturb(sched[i++ % sched.length]! > 0 ? 1 : 0, d);
        }
        if (!validate || !l.readRetry(s)) break;
        res.retries++;
      }
      for (let k = 1; k < RECORD_WORDS; k++) if (copy[k] !== copy[0]) res.violations++;
      res.done++;
    }
  }
  return res;
}

parentPort!.on('message', (t: LockTask) => {
  try {
    parentPort!.postMessage({ ok: true, result: run(t) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: String(e) });
  }
});
