/**
 * Micro-benchmarks of the tracker parts, one table. Every case runs in a
 * child process of its own (bench/micro/harness.ts `runCase`: a fresh
 * isolate, so its loop sees one class), timed by the harness's timer;
 * medians over samples (min beside them: the machine is shared).
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
import { extname } from 'node:path';
import { WC } from '../../core/cachemode.js';
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { Dev, MAP_SHARED, OpStreamBuilder, PROT_READ, PROT_WRITE, type OpStream } from '../../core/ops.js';
import type { OutcomeSink } from '../../core/outcome.js';
import { PAGE_SIZE } from '../../core/physmap.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { BtreeStore } from '../../impls/btree.js';
import { IntervalTreeStore } from '../../impls/interval-tree.js';
import { ListStore } from '../../impls/list.js';
import type { RangeStore } from '../../impls/parts.js';
import { RbtreeStore } from '../../impls/rbtree.js';
import { createTracker } from '../../impls/registry.js';
import { VmaWalkStore } from '../../impls/vma-walk.js';
import { displayDevice } from '../../workloads/devices.js';
import { profileMachine } from '../../workloads/profiles.js';
import type { DispatchResult } from './dispatch.js';
import { timeReplays } from '../measure/timing.js';
import { bytesPerEntry, caseArg, emptyView, ns, probes, runCase, shuffled, table, timeOps } from './harness.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const SKIP = new Set((argv.find((a) => a.startsWith('--skip=')) ?? '--skip=').slice(7).split(',').filter(Boolean));
const SIZES = [30, 10_000, 1_000_000];
const PROBES = 1 << 16;
const PROFILE = 'icelake-tb-dock';
const SAMPLES = QUICK ? 5 : 15;

/** A table row: bench, case, N, median, min, JS B/entry, modeled B/entry, target, verdict. */
type Row = string[];
const HEAD: Row = ['bench', 'case', 'N / P', 'median', 'min', 'JS B/entry', 'model B/entry', 'target', 'ok'];

function row(bench: string, name: string, n: string, med: number | string | null, min: number | null, js: number | null, model: number | null, target: string, ok: boolean | null): Row {
  return [
    bench,
    name,
    n,
    med === null ? '' : typeof med === 'string' ? med : ns(med),
    min === null ? '' : ns(min),
    js === null ? '' : js.toFixed(1),
    model === null ? '' : model.toFixed(1),
    target,
    ok === null ? '' : ok ? 'yes' : 'NO',
  ];
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

/** `memtype_lookup()` of every probe in turn: the loop every lookup case times (one store class per isolate). */
function lookupLoop(store: RangeStore, ps: Float64Array, n: number, from: number): number {
  const mask = ps.length - 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += store.lookup(ps[(from + i) & mask]!);
  return s;
}

/** Case `lookup/STORE/N`: stabbing lookups of a store of N entries, its JS and modeled bytes per entry. */
function storeLookup(name: string, n: number): Row {
  const sc = STORE_CASES.find((c) => c.name === name)!;
  const order = sc.linearInsert && n > 10_000 ? Int32Array.from({ length: n }, (_, i) => i) : shuffled(n, n);
  const ps = probes(PROBES, n, (u) => Math.floor(u * 4 * n));
  const { perEntry, instance } = bytesPerEntry(() => build(sc.make, order, 0), n);
  const slow = sc.targets[SIZES.indexOf(n)] === null && n > 30;
  // O(n) lookups at large N take up to ~0.1 s each: fewer samples, but ≥ 16 probes per sample.
  const t = timeOps((k, from) => lookupLoop(instance, ps, k, from), slow ? { samples: 3, sampleMs: 200, minOps: n > 10_000 ? 16 : 64 } : { samples: SAMPLES });
  // Byte targets are per entry: judged where fixed per-store overhead is amortized (N ≥ 10^4).
  const target = sc.targets[SIZES.indexOf(n)] ?? null;
  const bytes = n >= 10_000 ? sc.bytesTarget : null;
  const checks: boolean[] = [];
  if (target !== null) checks.push(t.median <= target);
  if (bytes !== null) checks.push(perEntry <= bytes);
  const ok = checks.length === 0 ? null : checks.every(Boolean);
  const tgt = [target === null ? '' : `≤ ${target} ns`, bytes === null ? '' : `≤ ${bytes} B`].filter(Boolean).join(', ');
  return row('lookup', sc.name, String(n), t.median, t.min, perEntry, instance.modeledBytes() / n, tgt, ok);
}

/** Case `lookup-hi/STORE`: the same entries at pfn 2^35 (64-bit BARs), where object trees box their coordinates. */
function storeLookupHigh(name: string): Row {
  const sc = STORE_CASES.find((c) => c.name === name)!;
  const n = 10_000;
  const base = 2 ** 35;
  const ps = probes(PROBES, 7, (u) => base + Math.floor(u * 4 * n));
  const { perEntry, instance } = bytesPerEntry(() => build(sc.make, shuffled(n, 3), base), n);
  const t = timeOps((k, from) => lookupLoop(instance, ps, k, from), { samples: SAMPLES });
  return row('lookup', `${sc.name} @2^35`, String(n), t.median, t.min, perEntry, instance.modeledBytes() / n, '', null);
}

const HIGH_STORES = ['interval-tree', 'btree'];

const RAM_CASES: [string, string, number | null][] = [
  ['page-bit', 'btree+page-bit+single-page', 10],
  ['page-bit-ram-walk', 'interval-tree+page-bit-ram-walk+single-page', null],
  ['tree (btree)', 'btree+tree+single-page', null],
  ['tree (interval-tree)', 'interval-tree+tree+single-page', null],
];

/** `lookup_memtype()` of a RAM page through the tracker: RAM check, then page type or store lookup. */
function ramLoop(t: MemtypeTracker, ps: Float64Array, n: number, from: number): number {
  const mask = ps.length - 1;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const q = ps[(from + i) & mask]!;
    s += t.pagerangeIsRam(q, q + 1) !== 0 ? t.getPageMemtype(q) : t.memtypeLookup(q);
  }
  return s;
}

/** `get_page_memtype()` alone: the page-flags load. */
function pageTypeLoop(t: MemtypeTracker, ps: Float64Array, n: number, from: number): number {
  const mask = ps.length - 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += t.getPageMemtype(ps[(from + i) & mask]!);
  return s;
}

/** Case `ram/K/N`: `lookup_memtype()` of RAM pages through RAM_CASES[K] with N RAM pages reserved. */
function ramLookup(k: number, n: number): Row[] {
  const [label, comp, target] = RAM_CASES[k]!;
  const hw = Hardware.fromParsed(profileMachine(PROFILE));
  const pm = hw.physmap;
  // RAM pfns above 1 MiB, uniformly over the chunks.
  const chunks: [number, number][] = [];
  for (let i = 0; i < pm.chunkCount; i++) if (pm.chunkEndPfn(i) > 0x100) chunks.push([Math.max(0x100, pm.chunkStartPfn(i)), pm.chunkEndPfn(i)]);
  const total = chunks.reduce((s, [a, b]) => s + b - a, 0);
  const ramPfn = (u: number): number => {
    let j = Math.floor(u * total);
    for (const [a, b] of chunks) {
      if (j < b - a) return a + j;
      j -= b - a;
    }
    return chunks[0]![0];
  };
  const ps = probes(PROBES, n + 1, ramPfn);
  const reserved = probes(n, n + 2, ramPfn);
  const t = createTracker(comp);
  t.attach(emptyView(hw));
  for (let i = 0; i < n; i++) t.reserveRamPagesType(reserved[i]!, reserved[i]! + 1, WC);
  const tm = timeOps((m, from) => ramLoop(t, ps, m, from), { samples: SAMPLES });
  const rows = [row('ram', `lookup_memtype(RAM) ${label}`, String(n), tm.median, tm.min, null, t.modeledBytes() / n, target === null ? '' : `≤ ${target} ns`, target === null ? null : tm.median <= target)];
  if (label === 'page-bit') {
    const g = timeOps((m, from) => pageTypeLoop(t, ps, m, from), { samples: SAMPLES });
    rows.push(row('ram', 'get_page_memtype page-bit (flags load)', String(n), g.median, g.min, null, null, `≤ ${target} ns`, g.median <= target!));
  }
  return rows;
}

const NO_SINK: OutcomeSink = { msg() {}, done() {} };

/** A ttm-fault-like stream: `bos` buffer objects of `pages` pages each, mapped, faulted in page by page, unmapped. */
function ttmStream(pages: number, bos: number, withInserts: boolean): OpStream {
  const host = profileMachine(PROFILE);
  const vram = displayDevice(host).fb;
  const vramPfn0 = vram.start / PAGE_SIZE;
  const vramPages = (vram.end - vram.start) / PAGE_SIZE;
  const b = new OpStreamBuilder(host, bos * (pages + 2) + 8);
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

/** Fastest of `samples` replays of `stream` on fresh machines with tracker `name` (the harness's timer, after one warm-up replay), ms. */
function replayMs(hw: Hardware, stream: OpStream, name: string, samples: number): number {
  let m: Machine | null = null;
  const t = timeReplays(
    name,
    { budgetMs: 0, minSamples: samples + 1, estimateMs: 0, maxSamples: samples + 1, gc: null },
    () => (m = new Machine(hw, createTracker(name))),
    () => m!.run(stream, NO_SINK),
    () => {},
  );
  return t.stats.minNs / 1e6;
}

const INSERT_PAGES = [1, 4, 16, 64, 256, 1024];
const INSERT_POLICIES = ['single-page', 'whole-vma'];

/**
 * Case `insert/P/POLICY`: ns per `vmf_insert_pfn_prot` on a ttm-fault-like
 * stream with VMAs of P pages: (replay time − the same stream without
 * inserts) / inserts, each replay time the fastest of several on fresh
 * machines. Includes the machine's own work per insert (VMA lookup, PTE write).
 */
function insertCost(pages: number, policy: string): Row {
  const hw = Hardware.fromParsed(profileMachine(PROFILE));
  const inserts = QUICK ? 1 << 12 : 1 << 14;
  const bos = Math.max(4, Math.floor(inserts / pages));
  const name = `interval-tree+page-bit-ram-walk+${policy}`;
  const samples = policy === 'whole-vma' && pages >= 256 ? 3 : QUICK ? 3 : 9;
  const per = ((replayMs(hw, ttmStream(pages, bos, true), name, samples) - replayMs(hw, ttmStream(pages, bos, false), name, samples)) * 1e6) / (bos * pages);
  return row('insert', `ttm vmf_insert_pfn ${policy}`, String(pages), per, null, null, null, policy === 'single-page' ? 'flat in P' : 'grows with P', null);
}

/** Every case id, in table order. */
function caseIds(): string[] {
  const ids: string[] = [];
  if (!SKIP.has('stores')) {
    for (const n of SIZES) for (const sc of STORE_CASES) ids.push(`lookup/${sc.name}/${n}`);
    for (const s of HIGH_STORES) ids.push(`lookup-hi/${s}`);
  }
  if (!SKIP.has('ram')) for (const n of SIZES) RAM_CASES.forEach((_, k) => ids.push(`ram/${k}/${n}`));
  if (!SKIP.has('insert')) for (const p of INSERT_PAGES) for (const pol of INSERT_POLICIES) ids.push(`insert/${p}/${pol}`);
  return ids;
}

/** Runs one case in this process (the child): its table rows. */
function runOne(id: string): Row[] {
  const [kind, a, b] = id.split('/') as [string, string, string | undefined];
  if (kind === 'lookup') return [storeLookup(a, Number(b))];
  if (kind === 'lookup-hi') return [storeLookupHigh(a)];
  if (kind === 'ram') return ramLookup(Number(a), Number(b));
  if (kind === 'insert') return [insertCost(Number(a), b!)];
  throw new Error(`unknown micro case ${id}`);
}

/** `dispatch` rows from bench/micro/dispatch.ts, one child process per target. */
function dispatchRows(): Row[] {
  const script = new URL(`./dispatch${extname(new URL(import.meta.url).pathname)}`, import.meta.url);
  const out: Row[] = [];
  for (const target of ['interval-tree+page-bit+single-page', 'btree+page-bit+single-page', 'btree+tree+single-page']) {
    const d = runCase<DispatchResult>(script, target);
    const pair = (x: number, y: number) => `${ns(x)} → ${ns(y)}`;
    out.push(row('dispatch', `${target}: lookup_memtype(MMIO)`, '30', pair(d.aloneIo, d.afterIo), null, null, null, 'alone → after all', null));
    out.push(row('dispatch', `${target}: lookup_memtype(RAM)`, '30', pair(d.aloneRam, d.afterRam), null, null, null, 'alone → after all', null));
    out.push(row('dispatch', `${target}: tracker.memtypeLookup`, '30', pair(d.directAlone, d.directAfter), null, null, null, 'alone → after all', null));
  }
  return out;
}

function main(): void {
  const t0 = performance.now();
  const flags = argv.filter((a) => a === '--quick');
  const rows: Row[] = [HEAD];
  for (const id of caseIds()) {
    const got = runCase<Row[]>(new URL(import.meta.url), id, flags);
    for (const r of got) process.stderr.write(`  ${r.join(' | ')}\n`);
    rows.push(...got);
  }
  if (!SKIP.has('dispatch')) rows.push(...dispatchRows());
  console.log(table(rows));
  console.log(`\n(each case in a fresh child process; medians over samples; dispatch: alone → after all 30 compositions warmed the same code; ${((performance.now() - t0) / 1000).toFixed(0)} s, node ${process.version})`);
}

const id = caseArg();
if (id !== null) process.stdout.write(`${JSON.stringify(runOne(id))}\n`);
else main();
