/**
 * `npm run bench:core`: the machine core's own cost, measured with the
 * `null` tracker (which tracks nothing), and page-table memory.
 *
 * 1. Core-only replay throughput (ops/s, median of tinybench samples, each
 *    sample a fresh machine built outside the timed region) for `ttm-fault`
 *    and `xorg-fb` at their default sizes.
 * 2. Page-table memory: processes each map fault-populated pfnmap VMAs and
 *    insert pages until `--pages` pages (default 10^7) are mapped; prints the
 *    modeled bytes (4 KiB per table page), the measured JS bytes (heap +
 *    ArrayBuffers delta after forced GC; run with --expose-gc) and the
 *    process RSS.
 *
 * Usage: node --expose-gc dist/scripts/bench-core.js [--pages N] [--time MS]
 */
import { Bench } from 'tinybench';
import { WC } from '../core/cachemode.js';
import { Hardware } from '../core/hardware.js';
import { Machine } from '../core/machine.js';
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE } from '../core/ops.js';
import { TablePool } from '../core/pagetable.js';
import { DigestSink } from '../core/outcome.js';
import { createTracker, NULL_TRACKER } from '../impls/registry.js';
import { resolveMachine } from '../workloads/profiles.js';
import { getWorkload } from '../workloads/registry.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`bench-core: ${name} needs a positive number\n`);
    process.exit(2);
  }
  return v;
}

const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function throughput(timeMs: number): void {
  console.log('core-only replay (null tracker), ops/s, median of timed replays:');
  for (const [w, target] of [
    ['ttm-fault', 3e6],
    ['xorg-fb', 1e6],
  ] as const) {
    const wl = getWorkload(w);
    for (const size of wl.defaultSizes) {
      const stream = wl.generate(size, 1);
      const hw = Hardware.fromSpec(stream.machine);
      let m: Machine | null = null;
      let sink: DigestSink | null = null;
      const bench = new Bench({ time: timeMs, warmupTime: 100 });
      bench.add(
        `${w}/${size}`,
        () => {
          m!.run(stream, sink!);
        },
        {
          beforeEach() {
            m = new Machine(hw, createTracker(NULL_TRACKER));
            sink = new DigestSink();
          },
        },
      );
      bench.runSync();
      const r = bench.tasks[0]!.result;
      if (r.state !== 'completed') throw new Error(`timing ended in state ${r.state}`);
      const ops = stream.count / (r.latency.p50 / 1000);
      const ok = ops >= target ? 'meets' : 'BELOW';
      console.log(`  ${w.padEnd(10)} size ${String(size).padStart(5)}  ${fmt(stream.count).padStart(7)} ops  ${fmt(ops).padStart(11)} ops/s  rme ${r.latency.rme.toFixed(1)}%  (${ok} ${fmt(target)})`);
    }
  }
}

function pageTableMemory(pages: number): void {
  const perVma = 1 << 16;
  const perProc = 64;
  const spec = resolveMachine({ profile: 'kvm-guest-24g' });
  const hw = Hardware.fromSpec(spec);
  const b = new OpStreamBuilder(spec, pages + pages / perVma + 64);
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
  TablePool.shared.drain();
  gc?.();
  gc?.();
  const mem = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const before = mem();
  const m = new Machine(hw, createTracker(NULL_TRACKER));
  const t0 = performance.now();
  m.run(stream, new DigestSink());
  const secs = (performance.now() - t0) / 1000;
  gc?.();
  gc?.();
  const js = mem() - before;
  const modeled = m.pageTableBytes();
  const rss = process.memoryUsage().rss;
  console.log(`page tables: ${fmt(mapped)} pages mapped in ${m.processCount} processes (${fmt(stream.count)} ops in ${secs.toFixed(1)} s)`);
  console.log(`  modeled ${fmt(modeled)} B (4 KiB per table page); measured JS ${fmt(js)} B (${((js / modeled - 1) * 100).toFixed(1)}% vs modeled${gc ? '' : ', no --expose-gc: includes garbage'}); page-table storage ${fmt(m.pageTableJsBytes())} B`);
  console.log(`  process RSS ${fmt(rss)} B (${(rss / 2 ** 30).toFixed(2)} GiB; target < 2 GiB)`);
}

throughput(arg('--time', 1000));
pageTableMemory(arg('--pages', 1e7));
