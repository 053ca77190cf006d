/**
 * Shards of one small fake run (workload `w`, trackers base and good, 2
 * forks, seeds 1 and 2), for the merge tests of store/ and commands/.
 */
import { measureFork } from '../../bench/measure/fork.js';
import type { PreparePool } from '../../bench/measure/pool.js';
import { runBench, type RunDeps } from '../../bench/commands/run.js';
import { config, fakeDeps, fakePrepare, noVerify, sink, sources } from './fakes.js';

const pool = (n: number): PreparePool => ({ threads: n, prepare: fakePrepare(30), verify: noVerify, destroy: async () => {} });
const forkDeps = fakeDeps();

/** What runBench needs for the fake run. */
export function shardRunDeps(): RunDeps {
  return {
    matrixSources: sources(['base', 'good']),
    loadConfig: () => config(['base', 'good'], { forks: 2, seeds: [1, 2] }),
    createPool: pool,
    runFork: (t) => measureFork(t, forkDeps),
    stdout: sink().stream,
    stderr: sink().stream,
    tty: false,
  };
}

/** Runs shards `which` of `n` into `out`, named s<i>; returns their run folders. */
export async function shards(out: string, n: number, which: number[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const i of which) {
    const r = await runBench({ outDir: out, runId: `s${i}`, shard: `${i}/${n}`, workloads: ['w'], charts: false }, shardRunDeps());
    dirs.push(r.dir);
  }
  return dirs;
}
