/**
 * Runs one fork in a fresh isolate and waits for its result: a new worker
 * thread (default) or a new child process per fork, never reused — a
 * reused isolate would carry the type feedback and compiled code of what
 * ran in it before (which is why piscina, a pool that reuses its workers, is
 * used for stream preparation but not for forks).
 *
 * A worker thread shares the op stream's SharedArrayBuffer (no copy); a
 * child process gets a copy over IPC. Limits: a heap limit per isolate
 * (a group that exhausts it errors only its fork), and a time limit per
 * replay — the fork bumps a shared counter after every replay and is
 * terminated when the counter stands still for `replayTimeoutMs` (a tracker
 * in an endless loop); a child process has one limit for the whole fork.
 */
import { fork as forkProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { erroredFork, type ForkResult, type ForkTask } from './fork.js';
import { RUNNING } from './turns.js';

/** How forks are isolated: worker threads (one V8 isolate each, in this process) or child processes. */
export type Isolation = 'thread' | 'process';

/** Options of `createForkRunner`. */
export interface IsolateOptions {
  /** Default `thread`. */
  isolation?: Isolation;
  /** A replay (thread) or whole fork (process) running longer than this is stopped and the fork errored, ms. Default 120 000. */
  replayTimeoutMs?: number;
  /** Heap limit of each isolate, MiB. Default 4096. */
  maxOldGenerationSizeMb?: number;
  /**
   * The entry module's URL or path. Default: `fork-worker.js` beside this
   * file (dist/), or — when only the sources are there (tests) —
   * `fork-worker-tsx.mjs`, which loads `fork-worker.ts` through tsx's API
   * (a worker's own entry file does not go through `--import tsx`).
   */
  filename?: string | URL;
  /** Node options of the isolate; never `--expose-gc` for threads (inherited from the parent, rejected in a worker's execArgv). */
  execArgv?: string[];
}

/**
 * Runs one fork; resolves with its result (errored when the isolate failed
 * or `signal` aborted it, which stops the isolate at once), never rejects.
 */
export type ForkRunner = (task: ForkTask, signal?: AbortSignal) => Promise<ForkResult>;

/** Default replay time limit, ms. */
export const REPLAY_TIMEOUT_MS = 120_000;

function entry(o: IsolateOptions): { file: string; execArgv: string[] | undefined } {
  if (o.filename !== undefined) return { file: o.filename instanceof URL ? fileURLToPath(o.filename) : o.filename, execArgv: o.execArgv };
  const js = fileURLToPath(new URL('./fork-worker.js', import.meta.url));
  const ts = fileURLToPath(new URL('./fork-worker-tsx.mjs', import.meta.url));
  if (!existsSync(js) && existsSync(ts)) return { file: ts, execArgv: o.execArgv };
  return { file: js, execArgv: o.execArgv };
}

function failed(task: ForkTask, error: string): ForkResult {
  return erroredFork(task.tracker, task.fork, error);
}

/**
 * A runner of forks, each in a fresh isolate.
 * @throws RangeError for a non-positive time or heap limit
 */
export function createForkRunner(options: IsolateOptions = {}): ForkRunner {
  const isolation = options.isolation ?? 'thread';
  const timeoutMs = options.replayTimeoutMs ?? REPLAY_TIMEOUT_MS;
  const heapMb = options.maxOldGenerationSizeMb ?? 4096;
  if (!(timeoutMs > 0) || !(heapMb > 0)) throw new RangeError('fork limits must be positive');
  const { file, execArgv } = entry(options);
  return isolation === 'thread'
    ? (task, signal) => inThread(task, file, execArgv, timeoutMs, heapMb, signal)
    : (task, signal) => inProcess(task, file, execArgv, timeoutMs, heapMb, signal);
}

function inThread(task: ForkTask, file: string, execArgv: string[] | undefined, timeoutMs: number, heapMb: number, signal?: AbortSignal): Promise<ForkResult> {
  const progress = new Int32Array(new SharedArrayBuffer(4));
  return new Promise<ForkResult>((resolve) => {
    let settled = false;
    const settle = (r: ForkResult): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => {
      settle(failed(task, 'interrupted'));
      void worker.terminate();
    };
    const worker = new Worker(file, {
      workerData: { ...task, progress },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
      ...(execArgv ? { execArgv } : {}),
    });
    let seen = -1;
    let since = performance.now();
    const watchdog = setInterval(
      () => {
        const p = Atomics.load(progress, 0);
        // A fork that waits for its turn (bench/measure/turns.ts) is not stuck.
        if (p !== seen || (task.turn !== undefined && Atomics.load(task.turn, 0) !== RUNNING)) {
          seen = p;
          since = performance.now();
        } else if (performance.now() - since > timeoutMs) {
          settle(failed(task, `a replay ran longer than ${Math.round(timeoutMs / 1000)} s; the fork was stopped`));
          void worker.terminate();
        }
      },
      Math.min(1000, timeoutMs / 4),
    );
    worker.once('message', (r: ForkResult) => {
      settle(r);
      void worker.terminate();
    });
    worker.once('error', (e: Error) => settle(failed(task, `isolate: ${e.message}`)));
    worker.once('exit', (code) => settle(failed(task, `isolate exited (code ${code}) without a result`)));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function inProcess(task: ForkTask, file: string, execArgv: string[] | undefined, timeoutMs: number, heapMb: number, signal?: AbortSignal): Promise<ForkResult> {
  const args = [...(execArgv ?? process.execArgv), `--max-old-space-size=${heapMb}`];
  // A SharedArrayBuffer cannot cross a process boundary: the ops are copied,
  // and a child process does not take turns (bench/measure/group.ts runs it through).
  const stream = { ...task.stream, ops: Float64Array.from(task.stream.ops) };
  const { turn: _turn, ...rest } = task;
  return new Promise<ForkResult>((resolve) => {
    let settled = false;
    const settle = (r: ForkResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => {
      settle(failed(task, 'interrupted'));
      child.kill('SIGKILL');
    };
    const child = forkProcess(file, [], { execArgv: args, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      settle(failed(task, `the fork ran longer than ${Math.round(timeoutMs / 1000)} s; it was stopped`));
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('message', (r) => settle(r as ForkResult));
    child.once('error', (e) => settle(failed(task, `isolate: ${e.message}`)));
    child.once('exit', (code, signal) => settle(failed(task, `isolate exited (${signal ?? `code ${code}`}) without a result`)));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    child.send({ ...rest, stream });
  });
}
