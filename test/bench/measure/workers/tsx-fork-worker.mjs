// Loads the real bench/measure/fork-worker.ts in a worker thread from
// sources: tsx's module hooks given as `--import tsx` in a worker's execArgv
// do not apply to the worker on Node 20 (see isolate.test.ts), but tsx's
// tsImport does.
import { tsImport } from 'tsx/esm/api';

await tsImport('../../../../bench/measure/fork-worker.ts', import.meta.url);
