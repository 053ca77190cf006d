/**
 * Experiment: are worker threads independent enough as forks, or do forks
 * need child processes? A worker thread is a V8 isolate of its own (its own
 * heap, type feedback and compiled code), but it shares the process: V8's
 * platform threads (background compilation, concurrent GC), the allocator
 * and the code of Node itself. A child process shares nothing but the
 * machine.
 *
 * For each cell, `n` forks run as worker threads and `n` as child
 * processes, alternating (thread, process, thread, …) so that drift of the
 * machine hits both alike, each fork exactly as `memtype-bench run` runs it
 * (bench/measure/isolate.ts, the same timing). Printed per cell and mode:
 * the median of the fork medians, their spread (slowest ÷ fastest, and the
 * coefficient of variation), and the wall time of a fork including its
 * isolate's start-up. If threads were not independent, their fork medians
 * would cluster more tightly than the processes' (shared state making the
 * forks alike), or drift with the fork index.
 *
 * Run (from compiled code):  npm run build && node --expose-gc dist/bench/micro/isolation.js [n] [cell ...]
 * where a cell is `workload/size/tracker`; defaults: n = 10, three cells.
 */
import { mean, median, sampleStandardDeviation } from 'simple-statistics';
import { LINUX_TRACKER } from '../../impls/registry.js';
import type { ForkResult, ForkTask } from '../measure/fork.js';
import { createForkRunner, type Isolation } from '../measure/isolate.js';
import { prepareGroup } from '../measure/prepare.js';

const DEFAULT_CELLS = [`ttm-fault/128/${LINUX_TRACKER}`, 'ttm-fault/128/list+page-bit-ram-walk+single-page', `desktop-day/512/${LINUX_TRACKER}`];
const TIMING = { timeMs: 200, minSamples: 5, warmupMinMs: 50, warmupMaxMs: 150, harnessTimeMs: 10 };

interface Row {
  cell: string;
  mode: Isolation;
  medians: number[];
  wall: number[];
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`isolation: the fork count must be a positive integer, not "${process.argv[2]}" (usage: isolation.js [n] [workload/size/tracker ...])`);
    process.exitCode = 2;
    return;
  }
  const cells = process.argv.length > 3 ? process.argv.slice(3) : DEFAULT_CELLS;
  const runners = { thread: createForkRunner({ isolation: 'thread' }), process: createForkRunner({ isolation: 'process' }) };
  const rows: Row[] = [];
  for (const cell of cells) {
    const [workload, size, tracker] = cell.split('/') as [string, string, string];
    const p = prepareGroup({ workload, size: Number(size), seed: 1, bugs: [] });
    if (!p.ok) throw new Error(p.error);
    const byMode: Record<Isolation, Row> = { thread: { cell, mode: 'thread', medians: [], wall: [] }, process: { cell, mode: 'process', medians: [], wall: [] } };
    for (let k = 0; k < 2 * n; k++) {
      const mode: Isolation = k % 2 === 0 ? 'thread' : 'process';
      const task: ForkTask = { groupId: cell, tracker, fork: k >> 1, stream: p.stream, oracleDigest: p.oracleDigest, bugs: [], timing: TIMING, maxSamples: 100, measureMemory: false, measureHarness: false, modules: [], verified: true };
      const t0 = performance.now();
      const r: ForkResult = await runners[mode](task);
      if (r.stats === null) throw new Error(`${cell} ${mode}: ${r.error}`);
      byMode[mode].medians.push(r.stats.medianNs / p.stream.count);
      byMode[mode].wall.push(performance.now() - t0);
    }
    rows.push(byMode.thread, byMode.process);
  }
  console.log(`${n} forks per cell and mode, alternating; ns/op of each fork's median replay; node ${process.version}`);
  console.log(['cell'.padEnd(58), 'mode'.padEnd(7), 'median'.padStart(7), 'min'.padStart(7), 'max'.padStart(7), 'max÷min'.padStart(8), 'CV'.padStart(6), 'fork wall ms'.padStart(13)].join(' '));
  for (const r of rows) {
    const m = r.medians;
    console.log(
      [
        r.cell.padEnd(58),
        r.mode.padEnd(7),
        median(m).toFixed(1).padStart(7),
        Math.min(...m).toFixed(1).padStart(7),
        Math.max(...m).toFixed(1).padStart(7),
        (Math.max(...m) / Math.min(...m)).toFixed(3).padStart(8),
        `${((sampleStandardDeviation(m) / mean(m)) * 100).toFixed(1)}%`.padStart(6),
        median(r.wall).toFixed(0).padStart(13),
      ].join(' '),
    );
  }
}

try {
  await main();
} catch (e) {
  console.error(`isolation: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
