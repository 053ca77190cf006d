// A stand-in for bench/measure/fork-worker.ts in the isolate tests: the same
// protocol (a worker thread reads its ForkTask from workerData, a child
// process from its first IPC message; one result message), and behaviour
// chosen by the task's tracker name:
//   spin   — loops forever without reporting progress (a tracker in an endless loop)
//   alive  — runs ~2 s, bumping the progress counter every 50 ms, then answers
//   hog    — allocates until its heap limit
//   crash  — throws
//   exit   — exits with code 3 without answering
//   other  — answers at once
// Every answer carries what this isolate had seen: `runs` (a module-level
// counter), `marks` (a counter on globalThis), its threadId and pid, and
// whether the op stream and progress counter arrived as shared memory.
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';

let runs = 0;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function result(task) {
  runs++;
  globalThis.__memtypeForkMarks = (globalThis.__memtypeForkMarks ?? 0) + 1;
  return {
    tracker: task.tracker,
    fork: task.fork,
    digest: null,
    validity: 'valid',
    error: null,
    warmup: null,
    stats: null,
    gcCount: 0,
    gcPauseMs: 0,
    modeledBytes: null,
    jsBytes: null,
    emptyReplayNs: null,
    gc: 'none',
    wallMs: 0,
    runs,
    marks: globalThis.__memtypeForkMarks,
    threadId,
    pid: process.pid,
    opsShared: task.stream.ops.buffer instanceof SharedArrayBuffer,
    progressShared: task.progress instanceof Int32Array && task.progress.buffer instanceof SharedArrayBuffer,
  };
}

function run(task) {
  switch (task.tracker) {
    case 'spin':
      for (;;) {
        // no progress, ever
      }
    case 'alive':
      for (let i = 0; i < 40; i++) {
        sleep(50);
        if (task.progress) Atomics.add(task.progress, 0, 1);
      }
      return result(task);
    case 'hog': {
      const keep = [];
      for (;;) keep.push(new Array(1 << 16).fill(keep.length));
    }
    case 'crash':
      throw new Error('stub fork crashed');
    case 'exit':
      process.exit(3);
    default:
      return result(task);
  }
}

if (!isMainThread && parentPort !== null) {
  parentPort.postMessage(run(workerData));
} else if (process.send !== undefined) {
  process.once('message', (task) => process.send(run(task), () => process.disconnect()));
}
