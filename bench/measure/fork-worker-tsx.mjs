// The fork worker's entry when running from sources (tests, `node --import tsx scripts/cli.ts`):
// a worker thread's own entry does not go through the `--import tsx` hooks on Node 20, so this
// plain module loads the TypeScript one through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./fork-worker.ts', import.meta.url);
