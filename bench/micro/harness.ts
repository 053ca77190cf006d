/**
 * Shared pieces of the micro-benchmarks: each case runs in a child process
 * of its own (a fresh isolate, as the harness's forks do), timed by the
 * harness's one timer (tinybench, bench/measure/timing.ts), its memory read
 * by the one memory probe (bench/measure/memory.ts), its data drawn from the
 * one PRNG (workloads/rng.ts).
 *
 * Why an isolate per case: V8 keeps type feedback per call site, so one
 * shared `for (...) x.lookup(p)` loop timing six store classes turns
 * megamorphic after the fifth and penalizes whichever case runs last. In an
 * isolate that has seen one class, the same plain loop stays monomorphic —
 * no code compiled from strings is needed to get there.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Hardware } from '../../core/hardware.js';
import { PageFlags } from '../../core/pageflags.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { Rng } from '../../workloads/rng.js';
import { findGc, measureJsBytes } from '../measure/memory.js';
import { timeReplays } from '../measure/timing.js';

/**
 * A machine view for a tracker used without a machine: an empty I/O VMA
 * list, fresh page flags, and `hw`'s physical map (none without `hw`: a
 * range store alone needs no map).
 */
export function emptyView(hw?: Hardware): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  return { ...(hw ? { physmap: hw.physmap } : {}), pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 0 } as MachineView;
}

/** A seeded permutation of 0..n-1 (Fisher–Yates over the project's PRNG). */
export function shuffled(n: number, seed: number): Int32Array {
  const r = new Rng(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** `n` uniform probes in [0, 1) mapped through `f` (seeded). */
export function probes(n: number, seed: number, f: (u: number) => number): Float64Array {
  const r = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(r.next());
  return out;
}

/**
 * Measured JS bytes per entry of a structure: `copies` instances (enough
 * for `minTotal` entries in all) built between two forced GCs
 * (`measureJsBytes`), after one warm-up build, and one more instance to time.
 * @param build builds one instance holding `entries` entries
 * @throws Error when the process has no forced GC (run it with `--expose-gc`)
 */
export function bytesPerEntry<T>(build: () => T, entries: number, minTotal = 100_000): { perEntry: number; instance: T } {
  const gc = findGc().fn;
  if (gc === null) throw new Error('micro-benchmarks need a forced GC: run node with --expose-gc');
  const instance = build(); // also the warm-up: code and hidden classes exist before the reading
  const copies = Math.max(1, Math.ceil(minTotal / entries));
  return { perEntry: measureJsBytes(build, gc, copies) / entries, instance };
}

/** Timing of one case: ns per operation over samples. */
export interface Timing {
  /** Median of the samples, ns/op. */
  median: number;
  /** Fastest sample, ns/op (least disturbed by other load on the machine). */
  min: number;
  samples: number;
  /** Operations per sample. */
  perSample: number;
}

/** Options of `timeOps`. */
export interface TimeOpsOptions {
  /** Samples (default 15). */
  samples?: number;
  /** Target duration of one sample, ms (default 25). */
  sampleMs?: number;
  /** Bounds of the operations per sample (default 64 .. 2^24). */
  minOps?: number;
  maxOps?: number;
}

/**
 * Times `run(n, from)` — n operations starting at position `from` of the
 * case's probe sequence, returning a checksum — with the harness's timer:
 * calibrates n so that a sample lasts about `sampleMs`, warms up at that
 * size, then takes `samples` samples; successive calls walk on through the
 * probes, so slow cases with few operations per sample still see varied ones.
 */
export function timeOps(run: (n: number, from: number) => number, o: TimeOpsOptions = {}): Timing {
  const samples = o.samples ?? 15;
  const sampleMs = o.sampleMs ?? 25;
  const minOps = o.minOps ?? 64;
  const maxOps = o.maxOps ?? 1 << 24;
  let from = 0;
  let sink = 0;
  const once = (n: number, count: number): { medianNs: number; minNs: number } => {
    const t = timeReplays('micro', { budgetMs: 0, minSamples: count, estimateMs: 0, maxSamples: count, gc: null }, () => {}, () => {
      sink += run(n, from);
      from += n;
    }, () => {});
    return t.stats;
  };
  let n = minOps;
  for (;;) {
    const ms = once(n, 1).medianNs / 1e6;
    if (ms >= sampleMs / 4 || n >= maxOps) {
      n = Math.max(minOps, Math.min(maxOps, Math.ceil((n * sampleMs) / Math.max(ms, 1e-3))));
      break;
    }
    n *= 4;
  }
  once(n, 1); // warm-up at the final size
  const s = once(n, samples);
  if (sink === Number.MIN_VALUE) process.stdout.write('');
  return { median: s.medianNs / n, min: s.minNs / n, samples, perSample: n };
}

/**
 * Runs `script --case ID [args]` in a child process of its own (a fresh
 * isolate, the parent's Node options — `--expose-gc`, `--import tsx` —
 * inherited) and parses the last line it prints as JSON.
 * @throws Error with the child's standard error when it fails
 */
export function runCase<T>(script: URL, id: string, args: readonly string[] = []): T {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(script), '--case', id, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** The case id a child process was started with (`--case ID`), or null in the parent. */
export function caseArg(argv: readonly string[] = process.argv): string | null {
  const i = argv.indexOf('--case');
  return i >= 0 ? (argv[i + 1] ?? null) : null;
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
