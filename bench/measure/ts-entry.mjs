// Entry of worker threads started from TypeScript sources (bench/measure/thread.ts).
// A worker thread's own entry does not go through `--import tsx` hooks on
// Node 20, so this plain module loads the TypeScript one through tsx's API
// (as bench/measure/fork-worker-tsx.mjs does for the fork worker).
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(pathToFileURL(workerData.tsPath).href, import.meta.url);
