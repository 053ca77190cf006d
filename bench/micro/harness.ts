/**
 * Shared helpers of the micro-benchmarks: a seeded PRNG, forced GC and heap
 * figures, and a timer that runs every case in a loop function of its own.
 *
 * Why a loop of its own: V8 keeps type feedback per function source, so one
 * shared `for (...) x.lookup(p)` loop timing six store classes turns
 * megamorphic after the fifth and penalizes whichever case runs last. Each
 * case here gets a loop compiled from a template with the case's label in
 * its source (`new Function`), so its call site sees one class.
 */

/** mulberry32 PRNG in [0, 1), seeded: same data on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded permutation of 0..n-1. */
export function shuffled(n: number, seed: number): Int32Array {
  const r = rng(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Forces a full GC; exits with a hint when node lacks --expose-gc. */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g !== 'function') {
    console.error('run with: node --expose-gc --import tsx bench/micro/trackers.ts');
    process.exit(2);
  }
  g();
  g();
}

/** JS bytes in use: V8 heap + ArrayBuffer backing stores (typed arrays live outside the heap). */
export function jsBytesInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Measured JS bytes per entry of a structure: builds `copies` instances
 * (enough for ≥ 10^5 entries in total) between two forced GCs.
 * @param build builds one instance holding `entries` entries
 * @returns bytes per entry and the first instance (kept alive)
 */
export function bytesPerEntry<T>(build: () => T, entries: number, minTotal = 100_000): { perEntry: number; first: T } {
  build(); // warm-up: code and hidden classes exist before measuring
  const copies = Math.max(1, Math.ceil(minTotal / entries));
  const keep: T[] = new Array(copies);
  gc();
  const before = jsBytesInUse();
  for (let c = 0; c < copies; c++) keep[c] = build();
  gc();
  const after = jsBytesInUse();
  return { perEntry: (after - before) / (entries * copies), first: keep[0]! };
}

/**
 * A loop `(x, probes, n, from) => checksum` evaluating `call` (an expression
 * over `x` and `q`) n times, `q` = probes[(from + i) mod length].
 */
export type Loop = (x: unknown, probes: Float64Array, n: number, from?: number) => number;

let loopSerial = 0;

/**
 * Compiles a timing loop of its own for one case.
 * @param label case name (embedded in the source: distinct feedback per case)
 * @param call expression evaluated per iteration, e.g. `x.lookup(q)`; `q` is
 *   the probe `probes[i & mask]`, the table length a power of two
 */
export function makeLoop(label: string, call: string): Loop {
  const src = `"use strict";\n// micro loop ${loopSerial++}: ${label.replace(/[\r\n]/g, ' ')}\n` +
    'const mask = probes.length - 1;\nconst o = from | 0;\nlet s = 0;\n' +
    `for (let i = 0; i < n; i++) { const q = probes[(o + i) & mask]; s += ${call}; }\nreturn s;`;
  return new Function('x', 'probes', 'n', 'from', src) as Loop;
}

/** Timing of one case: ns per operation over rounds. */
export interface Timing {
  /** Median of the rounds, ns/op. */
  median: number;
  /** Fastest round, ns/op (least disturbed by other load on the machine). */
  min: number;
  rounds: number;
  /** Operations per round. */
  perRound: number;
}

/**
 * Times `loop(x, probes, n, from)`: calibrates n so a round takes ≥
 * `roundMs` (but at least `minOps` operations), warms up, then runs
 * `rounds` rounds; successive rounds walk on through the probe table, so
 * slow cases with few operations per round still see varied probes.
 */
export function time(
  loop: Loop,
  x: unknown,
  probes: Float64Array,
  opts: { rounds?: number; roundMs?: number; maxOps?: number; minOps?: number } = {},
): Timing {
  const rounds = opts.rounds ?? 15;
  const roundMs = opts.roundMs ?? 25;
  const maxOps = opts.maxOps ?? 1 << 24;
  const minOps = opts.minOps ?? 64;
  let n = minOps;
  let sink = 0;
  let from = 0;
  for (;;) {
    const t0 = performance.now();
    sink += loop(x, probes, n, from);
    from += n;
    const ms = performance.now() - t0;
    if (ms >= roundMs / 4 || n >= maxOps) {
      n = Math.max(minOps, Math.min(maxOps, Math.ceil((n * roundMs) / Math.max(ms, 1e-3))));
      break;
    }
    n *= 4;
  }
  sink += loop(x, probes, n, from); // warm-up at the final size
  from += n;
  const xs: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now();
    sink += loop(x, probes, n, from);
    from += n;
    xs.push(((performance.now() - t0) * 1e6) / n);
  }
  if (sink === Number.MIN_VALUE) console.log('');
  xs.sort((a, b) => a - b);
  return { median: xs[xs.length >> 1]!, min: xs[0]!, rounds, perRound: n };
}

/** Formats ns with sensible precision. */
export function ns(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} ms`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} µs`;
  if (v >= 100) return `${v.toFixed(0)} ns`;
  return `${v.toFixed(1)} ns`;
}

/** Renders rows as an aligned text table (first row = header). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
