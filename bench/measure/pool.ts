/**
 * The piscina pool that prepares groups (bench/measure/worker.ts: op stream and
 * oracle digest) off the main thread. It never measures: a reused worker
 * carries the compiled code of everything it ran, so forks get fresh
 * isolates of their own (bench/measure/isolate.ts). One preparation at a
 * time per measuring lane (`maxThreads`).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PreparedGroup, PrepareTask } from './prepare.js';
import type { VerifyResult } from '../verify/verify.js';
import type { VerifyTask } from './worker.js';

/** Pool options. */
export interface PoolOptions {
  /** Preparations at once (≥ 1). Default 1. */
  maxThreads?: number;
  /**
   * The worker module's URL or path. Default: `worker.js` beside this file
   * (dist/bench/worker.js); when only `worker.ts` is there (running from
   * sources under tsx), that one, loaded with `--import tsx`.
   */
  filename?: string | URL;
  /** Node options for the workers. Never `--expose-gc` (workers reject it; it is inherited from the parent). */
  execArgv?: string[];
  /**
   * Heap limit of each worker, MiB (default 4096): a group whose stream
   * exceeds it kills only its worker, and its cells are recorded as errored.
   */
  maxOldGenerationSizeMb?: number;
}

/** A pool of group-preparing workers. */
export interface PreparePool {
  /** Worker threads that may prepare at once. */
  readonly threads: number;
  /** Prepares one group on a worker. Rejects only when the worker itself fails. */
  prepare(task: PrepareTask): Promise<PreparedGroup>;
  /**
   * Verifies a module-loaded tracker on a worker (bench/measure/worker.ts `verify`).
   * Rejects when a module cannot be loaded, the worker fails, or `signal`
   * aborts it (a tracker in an endless loop: the worker is stopped).
   */
  verify(task: VerifyTask, signal?: AbortSignal): Promise<VerifyResult>;
  /** Stops every worker. */
  destroy(): Promise<void>;
}

/**
 * Creates the pool.
 * @throws RangeError when `maxThreads` is not a positive integer
 */
export function createPool(options: PoolOptions = {}): PreparePool {
  const threads = options.maxThreads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new RangeError(`maxThreads must be a positive integer, got ${threads}`);
  let file = options.filename;
  let execArgv = options.execArgv;
  if (file === undefined) {
    const js = new URL('./worker.js', import.meta.url);
    const ts = new URL('./worker.ts', import.meta.url);
    if (!existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(ts))) {
      file = ts;
      execArgv ??= ['--import', 'tsx'];
    } else file = js;
  }
  const piscina = new Piscina<PrepareTask | VerifyTask, PreparedGroup | VerifyResult>({
    filename: file instanceof URL ? file.href : file,
    minThreads: Math.min(threads, 1),
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 4096 },
    ...(execArgv ? { execArgv } : {}),
  });
  return {
    threads,
    prepare: (task) => piscina.run(task) as Promise<PreparedGroup>,
    verify: (task, signal) => piscina.run(task, { name: 'verify', ...(signal ? { signal } : {}) }) as Promise<VerifyResult>,
    destroy: () => piscina.destroy(),
  };
}

/** Cores the host offers, for the run header. */
export function hostCores(): number {
  return availableParallelism();
}
