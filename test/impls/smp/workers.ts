/**
 * A few persistent worker threads for the multi-thread tests, started from
 * TypeScript sources through tsx (bench/measure/thread.ts), each answering one
 * message with one message.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../../bench/measure/thread.js';

/** Worker threads running one module; `run` sends a task to worker `i` and resolves with its answer. */
export class TestWorkers<Task, Result> {
  private readonly workers: Worker[];

  /**
   * @param module URL of the worker module (`.js`; its `.ts` source is used under tsx)
   * @param count threads to start
   */
  constructor(module: URL, count: number) {
    this.workers = Array.from({ length: count }, () => startWorker(module, null));
  }

  /** Sends `task` to worker `i`; rejects if the task threw there. */
  run(i: number, task: Task): Promise<Result> {
    const w = this.workers[i]!;
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      w.once('error', onError);
      w.once('message', (m: { ok: boolean; result?: Result; error?: string }) => {
        w.off('error', onError);
        if (m.ok) resolve(m.result!);
        else reject(new Error(m.error));
      });
      w.postMessage(task);
    });
  }

  /** Runs one task per worker (task i on worker i) at once. */
  all(tasks: Task[]): Promise<Result[]> {
    return Promise.all(tasks.map((t, i) => this.run(i, t)));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
