/**
 * Micro-benchmark: ns per stabbing `lookup(pfn)` (`memtype_lookup`) of
 * IntervalTreeStore holding N non-overlapping ranges, N = 30, 10^4, 10^6,
 * plus measured JS heap bytes per entry (heap delta after forced GC).
 *
 * Run: node --expose-gc --import tsx bench/micro/store-lookup.ts
 *
 * Ranges: entry i is [4i, 4i + 1 + (i mod 3)) pfns, inserted in a seeded
 * shuffled order; about half of the random probe pfns in [0, 4N) hit an
 * entry. One line per N; time is the median of 7 timed rounds after a
 * warm-up round, each round probing 2^21 pfns from a precomputed table.
 */
import { IntervalTreeStore } from '../../impls/interval-tree.js';

const SIZES = [30, 10_000, 1_000_000];
const ROUNDS = 7;
const PROBES_PER_ROUND = 1 << 21;
const PROBE_TABLE = 1 << 16; // power of two: index by mask

/** mulberry32 PRNG in [0, 1), seeded: same ranges and probes on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Forces a full GC; exits with a hint when node lacks --expose-gc. */
function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g !== 'function') {
    console.error('store-lookup: run with node --expose-gc --import tsx bench/micro/store-lookup.ts');
    process.exit(2);
  }
  g();
  g();
}

/** Probes `PROBES_PER_ROUND` pfns; returns elapsed ns and a checksum (keeps the loop alive). */
function round(store: IntervalTreeStore, probes: Int32Array): [number, number] {
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < PROBES_PER_ROUND; i++) sum += store.lookup(probes[i & (PROBE_TABLE - 1)]!);
  const t1 = performance.now();
  return [(t1 - t0) * 1e6, sum];
}

/** A store holding entry i = [4i, 4i + 1 + (i mod 3)), type i mod 6, inserted in `order`. */
function build(order: Int32Array, n: number): IntervalTreeStore {
  const store = new IntervalTreeStore();
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    store.insert(4 * i, 4 * i + 1 + (i % 3), i % 6, null);
  }
  return store;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function main(): void {
  for (const n of SIZES) {
    const r = rng(n);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const probes = new Int32Array(PROBE_TABLE);
    for (let i = 0; i < PROBE_TABLE; i++) probes[i] = Math.floor(r() * 4 * n);

    // Heap per entry: build enough copies for >= 10^5 entries so small N is
    // not lost in noise (one warm-up build first, so code and maps exist).
    build(order, n);
    const copies = Math.ceil(100_000 / n);
    const keep: IntervalTreeStore[] = new Array(copies);
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    for (let c = 0; c < copies; c++) keep[c] = build(order, n);
    gc();
    const heap1 = process.memoryUsage().heapUsed;
    const store = keep[0]!;
    keep.length = 1;

    let hits = 0;
    for (let i = 0; i < PROBE_TABLE; i++) if (store.lookup(probes[i]!) >= 0) hits++;

    round(store, probes); // warm-up
    const times: number[] = [];
    let check = 0;
    for (let k = 0; k < ROUNDS; k++) {
      const [ns, sum] = round(store, probes);
      times.push(ns / PROBES_PER_ROUND);
      check += sum;
    }
    const perEntry = (heap1 - heap0) / (n * copies);
    console.log(
      `interval-tree lookup N=${n}: ${median(times).toFixed(1)} ns/lookup ` +
        `(median of ${ROUNDS}, min ${Math.min(...times).toFixed(1)}), ` +
        `hits ${((100 * hits) / PROBE_TABLE).toFixed(0)}%, ` +
        `JS heap ${perEntry.toFixed(1)} B/entry, modeled ${(store.modeledBytes() / n).toFixed(1)} B/entry ` +
        `[check ${check % 1000}]`,
    );
  }
}

main();
