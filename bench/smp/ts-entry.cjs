// Entry of worker threads started from TypeScript sources (bench/smp/thread.ts).
// In a Node 20 worker, `--import tsx` hooks `require` but neither the
// worker's own entry nor `import()` of a .ts file, so this plain entry
// requires the TypeScript module through tsx (as piscina's worker does for
// bench/worker.ts).
const { workerData } = require('node:worker_threads');

require(workerData.tsPath);
