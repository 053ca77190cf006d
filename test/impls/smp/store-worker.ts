/**
 * Worker thread of shared-btree.test.ts: attaches to a shared B-tree by its
 * handle and writes (under a lock) or reads (with or without the seqlock).
 */
import { parentPort } from 'node:worker_threads';
import { Barrier } from '../../../impls/smp/barrier.js';
import { LockStats } from '../../../impls/smp/lock-stats.js';
import { SeqLock } from '../../../impls/smp/seqlock.js';
import { SharedBtreeStore } from '../../../impls/smp/shared-btree.js';
import { TicketSpinlock } from '../../../impls/smp/spinlock.js';
import { W_INSERT, type StoreResult, type StoreTask } from './store-task.js';

function run(t: StoreTask): StoreResult {
  const store = new SharedBtreeStore(t.handle);
  const res: StoreResult = { done: 0, wrong: 0, retries: 0, metWriter: 0, size: 0 };
  new Barrier(t.flags, 1, t.parties).wait();
  if (t.kind === 'writer') {
    const spin = t.lock === 'spin' ? new TicketSpinlock(t.words, 0) : null;
    const seq = t.lock === 'seq' ? new SeqLock(t.words, 0) : null;
    const ops = t.ops;
    for (let i = 0; i < ops.length; i += 4) {
      if (spin) spin.lock();
      else seq!.writeLock();
      if (ops[i] === W_INSERT) store.insert(ops[i + 1]!, ops[i + 2]!, ops[i + 3]!, null);
      else store.erase(ops[i + 1]!, ops[i + 2]!, null);
      if (spin) spin.unlock();
      else seq!.writeUnlock();
      res.done++;
    }
    res.size = store.size;
    Atomics.add(t.flags, 0, 1);
    return res;
  }
  const stats = LockStats.create(1, 1, 30);
  const seq = new SeqLock(t.words, 0, { stats, lock: 0, cpu: 0 });
  const a = t.anchors;
  const t0 = performance.now();
  let k = 0;
  while (res.done < t.minReads || Atomics.load(t.flags, 0) < t.writers) {
    const i = 2 * (k++ % (a.length / 2));
    let got: number;
    if (t.mode === 'seq') {
      for (;;) {
        const s = seq.readBegin();
        got = store.lookup(a[i]!);
        if (!seq.readRetry(s)) break;
        res.retries++;
      }
    } else {
      got = store.lookup(a[i]!);
    }
    if (got !== a[i + 1]) res.wrong++;
    res.done++;
    if (t.capMs > 0 && (res.done & 1023) === 0 && performance.now() - t0 > t.capMs) break;
    if (t.mode === 'none' && res.wrong > 0 && res.done >= t.minReads) break;
  }
  res.size = store.size;
  res.metWriter = stats.total(0).retries + stats.total(0).contended;
  return res;
}

parentPort!.on('message', (t: StoreTask) => {
  try {
    parentPort!.postMessage({ ok: true, result: run(t) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: String(e) });
  }
});
