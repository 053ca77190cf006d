/**
 * The worker pool that runs groups (bench/worker.ts) off the main thread.
 * One busy worker at a time by default: on a 2-core machine a second
 * measuring thread competes with the first (and with the main thread's
 * progress and result writing), so published numbers use `maxThreads: 1`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { GroupResult, GroupTask } from './cell.js';

/** Pool options. */
export interface PoolOptions {
  /** Worker threads measuring at once (≥ 1). Default 1. */
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
   * Heap limit of each worker, MiB (default 4096): a group that exceeds it
   * kills only its worker, and its cells are recorded as errored.
   */
  maxOldGenerationSizeMb?: number;
}

/** A pool of group-measuring workers. */
export interface GroupPool {
  /** Worker threads that may measure at once. */
  readonly threads: number;
  /** Measures one group on a worker. Rejects only when the worker itself fails. */
  run(task: GroupTask): Promise<GroupResult>;
  /** Stops every worker. */
  destroy(): Promise<void>;
}

/**
 * Creates the pool.
 * @throws RangeError when `maxThreads` is not a positive integer
 */
export function createPool(options: PoolOptions = {}): GroupPool {
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
  const piscina = new Piscina<GroupTask, GroupResult>({
    filename: file instanceof URL ? file.href : file,
    minThreads: Math.min(threads, 1),
    maxThreads: threads,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 4096 },
    ...(execArgv ? { execArgv } : {}),
  });
  return {
    threads,
    run: (task) => piscina.run(task),
    destroy: () => piscina.destroy(),
  };
}

/** Cores the host offers, for the run header. */
export function hostCores(): number {
  return availableParallelism();
}
