// Entry of TestWorkers' threads. In a Node 20 worker, `--import tsx` hooks
// `require` but not the worker's own entry nor `import()` of a .ts file, so
// this plain entry requires the TypeScript worker module (as piscina's
// worker does for bench/worker.ts).
const { workerData } = require('node:worker_threads');

require(workerData.tsPath);
