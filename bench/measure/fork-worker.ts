/**
 * Entry point of a fork's isolate (bench/measure/isolate.ts starts it): a
 * worker thread receives its `ForkTask` as `workerData`, a child process as
 * its first IPC message; either loads the task's tracker modules, measures
 * it once — a single-CPU fork (fork.ts), or an SMP fork whose CPUs are
 * threads of their own (smp-fork.ts) — posts the `ForkResult` back — one
 * message per fork — and ends.
 * Nothing else runs in the isolate.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadTrackerModules } from '../../impls/modules.js';
import { describeError, erroredFork, FORK_DEPS, measureFork, type ForkResult, type ForkTask } from './fork.js';

/** Loads the task's tracker modules and runs it, never rejecting: a failure becomes an errored result. */
async function run(task: ForkTask): Promise<ForkResult> {
  try {
    await loadTrackerModules(task.modules);
    // Alone in this isolate: between its turns the fork blocks the thread (nothing of it runs).
    if (task.smp === undefined) return await measureFork(task, { ...FORK_DEPS, blockingTurns: true });
    // Loaded only by SMP forks: a single-CPU fork's fresh isolate does not pay for it.
    const { measureSmpFork } = await import('./smp-fork.js');
    return await measureSmpFork(task);
  } catch (e) {
    return erroredFork(task.tracker, task.fork, describeError(e));
  }
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  port.postMessage(await run(workerData as ForkTask));
} else if (process.send !== undefined) {
  process.once('message', (task: ForkTask) => {
    void run(task).then((r) => process.send!(r, () => process.disconnect()));
  });
}
