/**
 * `npm run bench:core`: the machine core's own cost, measured with the
 * `null` tracker (which tracks nothing), and page-table memory — with the
 * harness's own pieces: its timer (tinybench, bench/measure/timing.ts) and
 * its memory probe (bench/measure/memory.ts).
 *
 * 1. Core-only replay throughput (ops/s, median of timed replays, each a
 *    fresh machine built outside the timed region) for `ttm-fault` and
 *    `xorg-fb` at their default sizes.
 * 2. Page-table memory: processes each map fault-populated pfnmap VMAs and
 *    insert pages until `--pages` pages (default 10^7) are mapped; prints the
 *    modeled bytes (4 KiB per table page), the measured JS bytes (heap +
 *    ArrayBuffers delta after forced GC) and the process RSS.
 *
 * Usage: node --expose-gc dist/scripts/bench-core.js [--pages N] [--time MS]
 */
import { Command, InvalidArgumentError } from 'commander';
import { WC } from '../core/cachemode.js';
import { Hardware } from '../core/hardware.js';
import { Machine } from '../core/machine.js';
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE } from '../core/ops.js';
import { TablePool } from '../core/pagetable.js';
import { DigestSink } from '../core/outcome.js';
import { createTracker, NULL_TRACKER } from '../impls/registry.js';
import { profileMachine } from '../workloads/profiles.js';
import { getWorkload } from '../workloads/registry.js';
import { findGc, measureJsBytes } from '../bench/measure/memory.js';
import { meanRme } from '../bench/measure/sample-stats.js';
import { timeReplays } from '../bench/measure/timing.js';

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function positive(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number');
  return n;
}

function throughput(timeMs: number): void {
  console.log('core-only replay (null tracker), ops/s, median of timed replays:');
  const gc = findGc().fn;
  for (const [w, target] of [
    ['ttm-fault', 3e6],
    ['xorg-fb', 1e6],
  ] as const) {
    const wl = getWorkload(w);
    for (const size of wl.defaultSizes) {
      const stream = wl.generate(size, 1);
      const hw = Hardware.fromParsed(stream.machine);
      let m: Machine | null = null;
      let sink: DigestSink | null = null;
      const setup = (): void => {
        m = new Machine(hw, createTracker(NULL_TRACKER));
        sink = new DigestSink();
      };
      const replay = (): void => m!.run(stream, sink!);
      // Warm-up, then the timed phase: both through the harness's timer.
      timeReplays(`${w}/${size}`, { budgetMs: 100, minSamples: 5, estimateMs: 1, maxSamples: 10, gc }, setup, replay, () => {});
      const { stats } = timeReplays(`${w}/${size}`, { budgetMs: timeMs, minSamples: 10, estimateMs: 1, maxSamples: 1000, gc }, setup, replay, () => {});
      const ops = stream.count / (stats.medianNs / 1e9);
      const ok = ops >= target ? 'meets' : 'BELOW';
      console.log(`  ${w.padEnd(10)} size ${String(size).padStart(5)}  ${fmt(stream.count).padStart(7)} ops  ${fmt(ops).padStart(11)} ops/s  rme ${meanRme(stats.samples, stats.meanNs, stats.sdNs).toFixed(1)}%  (${ok} ${fmt(target)})`);
    }
  }
}

function pageTableMemory(pages: number): void {
  const perVma = 1 << 16;
  const perProc = 64;
  const host = profileMachine('kvm-guest-24g');
  const hw = Hardware.fromParsed(host);
  const b = new OpStreamBuilder(host, pages + pages / perVma + 64);
  b.memtypeReserve(0x4000000000, 0x4000000000 + perVma * 4096, WC);
  let mapped = 0;
  for (let p = 0; mapped < pages; p++) {
    b.spawn(p, 'gpu-client', 1000 + p);
    for (let v = 0; v < perProc && mapped < pages; v++) {
      const addr = 0x7f0000000000 + v * (perVma + 16) * 4096;
      const n = Math.min(perVma, pages - mapped);
      b.mmap(p, addr, n * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, 0, WC);
      for (let i = 0; i < n; i++) b.vmInsertPfnProt(p, addr + i * 4096, 0x4000000 + i, WC);
      mapped += n;
    }
  }
  const stream = b.build();
  const gc = findGc().fn;
  let m: Machine | null = null;
  let secs = 0;
  const js = measureJsBytes(
    () => {
      m = new Machine(hw, createTracker(NULL_TRACKER));
      const t0 = performance.now();
      m.run(stream, new DigestSink());
      secs = (performance.now() - t0) / 1000;
      return m;
    },
    gc,
    1,
    () => TablePool.shared.drain(),
  );
  const machine = m! as Machine;
  const modeled = machine.pageTableBytes();
  const rss = process.memoryUsage().rss;
  console.log(`page tables: ${fmt(mapped)} pages mapped in ${machine.processCount} processes (${fmt(stream.count)} ops in ${secs.toFixed(1)} s)`);
  console.log(`  modeled ${fmt(modeled)} B (4 KiB per table page); measured JS ${fmt(js)} B (${((js / modeled - 1) * 100).toFixed(1)}% vs modeled${gc ? '' : ', no forced GC: includes garbage'}); page-table storage ${fmt(machine.pageTableJsBytes())} B`);
  console.log(`  process RSS ${fmt(rss)} B (${(rss / 2 ** 30).toFixed(2)} GiB; target < 2 GiB)`);
}

const program = new Command('bench-core')
  .description("the machine core's own replay cost (null tracker) and page-table memory")
  .option('--time <ms>', 'timed budget per workload and size, milliseconds', positive, 1000)
  .option('--pages <n>', 'pages mapped for the page-table memory reading', positive, 1e7)
  .addHelpText('after', '\nExample:\n  $ npm run build && node --expose-gc dist/scripts/bench-core.js --pages 1000000')
  .action((o: { time: number; pages: number }) => {
    throughput(o.time);
    pageTableMemory(Math.floor(o.pages));
  });
program.parse();
