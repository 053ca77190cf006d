/**
 * Starting one worker thread per emulated CPU from a module that may exist
 * only as TypeScript source: the compiled `.js` beside it when there is one
 * (dist/), else the `.ts` through tsx's API (`ts-entry.mjs`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker running `module` (a `.js` URL; its `.ts` twin is used
 * when the `.js` file does not exist). `workerData` reaches the module as
 * `workerData.data`.
 * @param module URL of the worker module, ending in `.js`
 * @param data the worker's data (structured-cloned; SharedArrayBuffers are shared)
 * @param options other Worker options (resource limits)
 * @throws Error when neither the `.js` nor the `.ts` file exists
 */
export function startWorker(module: URL, data: unknown, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  const js = fileURLToPath(module);
  if (existsSync(js)) return new Worker(module, { ...options, workerData: { data } });
  const ts = js.replace(/\.js$/, '.ts');
  if (!existsSync(ts)) throw new Error(`worker module not found: ${js} (nor ${ts})`);
  return new Worker(new URL('./ts-entry.mjs', import.meta.url), { ...options, workerData: { data, tsPath: ts } });
}
