/**
 * Micro-benchmarks of the tracker parts, side by side in one process, one
 * table. Medians over rounds (min beside them: the machine is shared).
 *
 *   node --expose-gc --import tsx bench/micro/trackers.ts [--quick] [--skip=stores,ram,insert,dispatch]
 *
 * Sections (column "bench"):
 *  - `lookup`: stabbing `lookup(pfn)` (`memtype_lookup`) of every range store
 *    holding N = 30, 10^4, 10^6 entries [4i, 4i + 1 + i mod 3), inserted in
 *    seeded random order (ascending for the O(n)-insert list at 10^6); random
 *    probes in [0, 4N), about half hit. Beside it: measured JS bytes per
 *    entry (V8 heap + ArrayBuffer delta after forced GC, ≥ 10^5 entries
 *    built) and the modeled kernel bytes per entry. Rows `@2^35` put the same
 *    entries at pfn 2^35 (64-bit BARs): object trees then box their
 *    coordinates.
 *  - `ram`: `lookup_memtype()` of a RAM page (pagerange_is_ram + page type)
 *    through a composed tracker with N RAM pages reserved, per RAM policy.
 *  - `insert`: ns per `vmf_insert_pfn_prot` on a ttm-fault-like stream (one
 *    VMA of P pages at a fake offset, P inserts, munmap; repeated), as P
 *    grows: (replay time − the same stream without inserts) / inserts, each
 *    replay time the fastest of several on fresh machines. Includes the
 *    machine's own work per insert (VMA lookup, PTE write).
 *  - `dispatch`: lookup cost of one composition alone vs after all 30
 *    compositions warmed the same code, with shared vs per-composition hot
 *    methods (child processes running bench/micro/dispatch.ts).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WC } from '../../core/cachemode.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../../core/ops.js';
import type { OutcomeSink } from '../../core/outcome.js';
import { PageFlags } from '../../core/pageflags.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { BtreeStore } from '../../impls/btree.js';
import { IntervalTreeStore } from '../../impls/interval-tree.js';
import { ListStore } from '../../impls/list.js';
import type { RangeStore } from '../../impls/parts.js';
import { RbtreeStore } from '../../impls/rbtree.js';
import { createTracker } from '../../impls/registry.js';
import { VmaWalkStore } from '../../impls/vma-walk.js';
import { displayDevice } from '../../workloads/devices.js';
import { resolveMachine } from '../../workloads/profiles.js';
import type { DispatchResult } from './dispatch.js';
import { bytesPerEntry, makeLoop, ns, rng, shuffled, table, time } from './harness.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const SKIP = new Set((argv.find((a) => a.startsWith('--skip=')) ?? '--skip=').slice(7).split(',').filter(Boolean));
const SIZES = [30, 10_000, 1_000_000];
const PROBES = 1 << 16;
const PROFILE = 'icelake-tb-dock';

/** Table rows: bench, case, N, median, min, JS B/entry, modeled B/entry, target, verdict. */
const rows: string[][] = [['bench', 'case', 'N / P', 'median', 'min', 'JS B/entry', 'model B/entry', 'target', 'ok']];
function row(bench: string, name: string, n: string, med: number | string | null, min: number | null, js: number | null, model: number | null, target: string, ok: boolean | null): void {
  rows.push([
    bench,
    name,
    n,
    med === null ? '' : typeof med === 'string' ? med : ns(med),
    min === null ? '' : ns(min),
    js === null ? '' : js.toFixed(1),
    model === null ? '' : model.toFixed(1),
    target,
    ok === null ? '' : ok ? 'yes' : 'NO',
  ]);
  process.stderr.write(`  ${rows[rows.length - 1]!.join(' | ')}\n`);
}

function emptyView(): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { ioVmas: head as unknown as VmaView, vmaCount: 0 } as unknown as MachineView;
}

interface StoreCase {
  name: string;
  make: () => RangeStore;
  /** Insert cost per entry is O(n) in random order: build ascending at large N. */
  linearInsert: boolean;
  /** Lookup target at [30, 10^4, 10^6] in ns, or null (no target: the historical O(n) designs). */
  targets: (number | null)[];
  /** JS bytes per entry target. */
  bytesTarget: number | null;
}

const STORE_CASES: StoreCase[] = [
  { name: 'list', make: () => new ListStore(), linearInsert: true, targets: [60, null, null], bytesTarget: 96 },
  { name: 'rbtree', make: () => new RbtreeStore(), linearInsert: false, targets: [60, null, null], bytesTarget: 96 },
  { name: 'interval-tree', make: () => new IntervalTreeStore(), linearInsert: false, targets: [60, 300, 1500], bytesTarget: 96 },
  {
    name: 'vma-walk',
    make: () => {
      const s = new VmaWalkStore();
      s.attach(emptyView());
      return s;
    },
    linearInsert: true,
    targets: [60, null, null],
    bytesTarget: 96,
  },
  { name: 'btree', make: () => new BtreeStore(), linearInsert: false, targets: [60, 300, 400], bytesTarget: 40 },
];

/** A store holding entry i = [base + 4i, base + 4i + 1 + (i mod 3)), type i mod 6, inserted in `order`. */
function build(make: () => RangeStore, order: Int32Array, base: number): RangeStore {
  const s = make();
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    s.insert(base + 4 * i, base + 4 * i + 1 + (i % 3), i % 6, null);
  }
  return s;
}

function storeLookups(): void {
  for (const n of SIZES) {
    const r = rng(n);
    const random = shuffled(n, n);
    const ascending = Int32Array.from({ length: n }, (_, i) => i);
    const probes = new Float64Array(PROBES);
    for (let i = 0; i < PROBES; i++) probes[i] = Math.floor(r() * 4 * n);
    for (const sc of STORE_CASES) {
      const order = sc.linearInsert && n > 10_000 ? ascending : random;
      const { perEntry, first } = bytesPerEntry(() => build(sc.make, order, 0), n);
      const loop = makeLoop(`lookup ${sc.name} ${n}`, 'x.lookup(q)');
      const slow = sc.targets[SIZES.indexOf(n)] === null && n > 30;
      // O(n) lookups at large N take up to ~0.1 s each: fewer rounds, but ≥ 16 probes per round.
      const t = time(loop, first, probes, slow ? { rounds: 3, roundMs: 200, minOps: n > 10_000 ? 16 : 64 } : { rounds: QUICK ? 5 : 15 });
      // Byte targets are per entry: judged where fixed per-store overhead is amortized (N ≥ 10^4).
      const target = sc.targets[SIZES.indexOf(n)] ?? null;
      const bytes = n >= 10_000 ? sc.bytesTarget : null;
      const checks: boolean[] = [];
      if (target !== null) checks.push(t.median <= target);
      if (bytes !== null) checks.push(perEntry <= bytes);
      const ok = checks.length === 0 ? null : checks.every(Boolean);
      const tgt = [target === null ? '' : `≤ ${target} ns`, bytes === null ? '' : `≤ ${bytes} B`].filter(Boolean).join(', ');
      row('lookup', sc.name, String(n), t.median, t.min, perEntry, first.modeledBytes() / n, tgt, ok);
    }
  }
  // Coordinates beyond 2^31 (64-bit BARs): the object tree boxes them.
  const n = 10_000;
  const r = rng(7);
  const base = 2 ** 35;
  const probes = new Float64Array(PROBES);
  for (let i = 0; i < PROBES; i++) probes[i] = base + Math.floor(r() * 4 * n);
  for (const sc of STORE_CASES.filter((c) => c.name === 'interval-tree' || c.name === 'btree')) {
    const { perEntry, first } = bytesPerEntry(() => build(sc.make, shuffled(n, 3), base), n);
    const t = time(makeLoop(`lookup ${sc.name} hi`, 'x.lookup(q)'), first, probes, { rounds: QUICK ? 5 : 15 });
    row('lookup', `${sc.name} @2^35`, String(n), t.median, t.min, perEntry, first.modeledBytes() / n, '', null);
  }
}

function viewOf(hw: Hardware): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { physmap: hw.physmap, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 0 };
}

function ramLookups(): void {
  const hw = Hardware.fromSpec(resolveMachine({ profile: PROFILE }));
  const pm = hw.physmap;
  // RAM pfns above 1 MiB, uniformly over the chunks.
  const chunks: [number, number][] = [];
  for (let i = 0; i < pm.chunkCount; i++) if (pm.chunkEndPfn(i) > 0x100) chunks.push([Math.max(0x100, pm.chunkStartPfn(i)), pm.chunkEndPfn(i)]);
  const total = chunks.reduce((s, [a, b]) => s + b - a, 0);
  const ramPfn = (u: number): number => {
    let k = Math.floor(u * total);
    for (const [a, b] of chunks) {
      if (k < b - a) return a + k;
      k -= b - a;
    }
    return chunks[0]![0];
  };
  const cases: [string, string, number | null][] = [
    ['page-bit', 'btree+page-bit+single-page', 10],
    ['page-bit-ram-walk', 'interval-tree+page-bit-ram-walk+single-page', null],
    ['tree (btree)', 'btree+tree+single-page', null],
    ['tree (interval-tree)', 'interval-tree+tree+single-page', null],
  ];
  for (const n of SIZES) {
    const r = rng(n + 1);
    const probes = new Float64Array(PROBES);
    for (let i = 0; i < PROBES; i++) probes[i] = ramPfn(r());
    const reserved = new Float64Array(n);
    for (let i = 0; i < n; i++) reserved[i] = ramPfn(r());
    for (const [label, comp, target] of cases) {
      const t0 = createTracker(comp);
      t0.attach(viewOf(hw));
      for (let i = 0; i < n; i++) t0.reserveRamPagesType(reserved[i]!, reserved[i]! + 1, WC);
      const loop = makeLoop(`ram ${label} ${n}`, '(x.pagerangeIsRam(q, q + 1) !== 0 ? x.getPageMemtype(q) : x.memtypeLookup(q))');
      const t = time(loop, t0, probes, { rounds: QUICK ? 5 : 15 });
      row('ram', `lookup_memtype(RAM) ${label}`, String(n), t.median, t.min, null, t0.modeledBytes() / n, target === null ? '' : `≤ ${target} ns`, target === null ? null : t.median <= target);
      if (label === 'page-bit') {
        const g = time(makeLoop(`ram getPageMemtype ${n}`, 'x.getPageMemtype(q)'), t0, probes, { rounds: QUICK ? 5 : 15 });
        row('ram', 'get_page_memtype page-bit (flags load)', String(n), g.median, g.min, null, null, `≤ ${target} ns`, g.median <= target!);
      }
    }
  }
}

const NO_SINK: OutcomeSink = { msg() {}, done() {} };

/** A ttm-fault-like stream: `bos` buffer objects of `pages` pages each, mapped, faulted in page by page, unmapped. */
function ttmStream(pages: number, bos: number, withInserts: boolean): OpStream {
  const spec = resolveMachine({ profile: PROFILE });
  const vram = displayDevice(spec).fb;
  const vramPfn0 = vram.start / PAGE_SIZE;
  const vramPages = (vram.end - vram.start) / PAGE_SIZE;
  const b = new OpStreamBuilder(spec, bos * (pages + 2) + 8);
  b.memtypeReserve(vram.start, vram.end, WC);
  b.spawn(0, 'glxgears', 2000);
  let addr = 0x7f0000000000;
  for (let i = 0; i < bos; i++) {
    const pfn = vramPfn0 + ((i * pages) % Math.max(1, vramPages - pages));
    // DRM fake mmap offsets start at 4 GiB worth of pages: vm_pgoff ≈ 2^20 + i·2^8.
    b.mmap(0, addr, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, Dev.Pfnmap, (0x100000 + i * 0x100) * PAGE_SIZE, WC);
    if (withInserts) for (let j = 0; j < pages; j++) b.vmInsertPfnProt(0, addr + j * PAGE_SIZE, pfn + j, WC);
    b.munmap(0, addr, pages * PAGE_SIZE);
    addr += (pages + 1) * PAGE_SIZE;
  }
  b.exit(0);
  return b.build();
}

/** Fastest of `rounds` replays (after one warm-up) of `stream` on fresh machines with tracker `name`, ms. */
function replayMs(hw: Hardware, stream: OpStream, name: string, rounds: number): number {
  let best = Infinity;
  for (let k = 0; k < rounds + 1; k++) {
    const m = new Machine(hw, createTracker(name));
    const t0 = performance.now();
    m.run(stream, NO_SINK);
    if (k > 0) best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function insertSweep(): void {
  const hw = Hardware.fromSpec(resolveMachine({ profile: PROFILE }));
  const inserts = QUICK ? 1 << 12 : 1 << 14;
  for (const pages of [1, 4, 16, 64, 256, 1024]) {
    const bos = Math.max(4, Math.floor(inserts / pages));
    const full = ttmStream(pages, bos, true);
    const bare = ttmStream(pages, bos, false);
    for (const ins of ['single-page', 'whole-vma']) {
      const name = `interval-tree+page-bit-ram-walk+${ins}`;
      const rounds = ins === 'whole-vma' && pages >= 256 ? 3 : QUICK ? 3 : 9;
      const per = ((replayMs(hw, full, name, rounds) - replayMs(hw, bare, name, rounds)) * 1e6) / (bos * pages);
      row('insert', `ttm vmf_insert_pfn ${ins}`, String(pages), per, null, null, null, ins === 'single-page' ? 'flat in P' : 'grows with P', null);
    }
  }
}

function dispatch(): void {
  const script = fileURLToPath(new URL('./dispatch.ts', import.meta.url));
  const targets = ['interval-tree+page-bit+single-page', 'btree+page-bit+single-page', 'btree+tree+single-page'];
  for (const target of targets) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, target], { encoding: 'utf8' });
    const d = JSON.parse(out.trim().split('\n').pop()!) as DispatchResult;
    const pair = (a: number, b: number) => `${ns(a)} → ${ns(b)}`;
    row('dispatch', `${target}: lookup_memtype(MMIO)`, '30', pair(d.aloneIo, d.afterIo), null, null, null, 'alone → after all', null);
    row('dispatch', `${target}: lookup_memtype(RAM)`, '30', pair(d.aloneRam, d.afterRam), null, null, null, 'alone → after all', null);
    row('dispatch', `${target}: tracker.memtypeLookup`, '30', pair(d.directAlone, d.directAfter), null, null, null, 'alone → after all', null);
  }
}

function main(): void {
  const t0 = performance.now();
  if (!SKIP.has('stores')) storeLookups();
  if (!SKIP.has('ram')) ramLookups();
  if (!SKIP.has('insert')) insertSweep();
  if (!SKIP.has('dispatch')) dispatch();
  console.log(table(rows));
  console.log(`\n(medians over rounds; dispatch: alone → after all 30 compositions warmed the same code; ${((performance.now() - t0) / 1000).toFixed(0)} s, node ${process.version})`);
}

main();

