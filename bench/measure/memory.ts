/**
 * Memory and garbage-collection measurement inside a worker: the forced-GC
 * function, the JS bytes retained by a machine + tracker (heap delta after
 * forced GC), and a recorder of V8 GC events (perf_hooks `gc` entries) so
 * that each fork can report how many collections ran during its timed
 * replays and how long they paused it.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How the worker forces GC: `global.gc` present, exposed at run time through the V8 flag, or no forced GC. */
export type GcMode = 'exposed' | 'runtime-flag' | 'none';

/** V8's `gc()` with its optional options (`--expose-gc`). */
export type GcFn = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let gcCache: { fn: GcFn | null; mode: GcMode } | undefined;

/**
 * The forced-GC function: `global.gc` when the process runs with
 * `--expose-gc` (workers inherit it), else one obtained by setting the V8
 * flag at run time and reading `gc` from a new context, else none.
 */
export function findGc(): { fn: GcFn | null; mode: GcMode } {
  if (gcCache) return gcCache;
  const g = (globalThis as { gc?: GcFn }).gc;
  if (typeof g === 'function') return (gcCache = { fn: g, mode: 'exposed' });
  try {
    setFlagsFromString('--expose-gc');
    const f: unknown = runInNewContext('gc');
    if (typeof f === 'function') return (gcCache = { fn: f as GcFn, mode: 'runtime-flag' });
  } catch {
    // fall through: no forced GC
  }
  return (gcCache = { fn: null, mode: 'none' });
}

/** JS heap + ArrayBuffer bytes of this thread (typed arrays live outside the V8 heap). */
function jsHeapBytes(): number {
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}

/**
 * Bytes retained by each of `copies` results of `build`: (heapUsed +
 * arrayBuffers) after building them minus before, each read after a forced
 * full GC when one is available (else the figure includes garbage), divided
 * by `copies`, never negative. Several copies spread the heap's own noise
 * (compiled code, feedback, lazy sweeping: tens of KiB) over them.
 * @param reset runs before the first GC: drops caches that would otherwise
 *   hand `build` memory allocated before the reading (the thread's free
 *   page-table pool)
 */
export function measureJsBytes(build: () => unknown, gc: GcFn | null, copies = 1, reset: () => void = () => {}): number {
  reset();
  gc?.();
  const before = jsHeapBytes();
  const keep: unknown[] = [];
  for (let c = 0; c < copies; c++) keep.push(build());
  gc?.();
  const after = jsHeapBytes();
  // `keep` stays reachable until the reading is taken.
  return keep.length === copies ? Math.max(0, Math.round((after - before) / copies)) : 0;
}

/** GC activity attributed to a set of time windows. */
export interface GcTally {
  /** Collections that started inside a window. */
  count: number;
  /** Their total pause, ms. */
  pauseMs: number;
}

/**
 * Records V8 GC events of this thread (perf_hooks `gc` entries, delivered
 * asynchronously: call `flush()` before reading). Timestamps are
 * `performance.now()` ms of this thread.
 */
export class GcRecorder {
  private readonly starts: number[] = [];
  private readonly durations: number[] = [];
  private observer: PerformanceObserver | null = null;

  /** Starts observing. A no-op where `gc` entries are unsupported. */
  start(): this {
    try {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries() as PerformanceEntry[]) {
          this.starts.push(e.startTime);
          this.durations.push(e.duration);
        }
      });
      this.observer.observe({ entryTypes: ['gc'] });
    } catch {
      this.observer = null;
    }
    return this;
  }

  /** Lets pending entries be delivered (they arrive on a later turn of the event loop). */
  async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  }

  /**
   * GCs that started inside any of `windows` (pairs start, end in
   * `performance.now()` ms, sorted by start, non-overlapping).
   */
  tally(windows: readonly number[]): GcTally {
    let count = 0;
    let pauseMs = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const t = this.starts[i]!;
      // Binary search the last window starting at or before t.
      let lo = 0;
      let hi = windows.length / 2 - 1;
      let k = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (windows[2 * mid]! <= t) {
          k = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (k >= 0 && t < windows[2 * k + 1]!) {
        count++;
        pauseMs += this.durations[i]!;
      }
    }
    return { count, pauseMs };
  }

  /** Forgets every recorded entry. */
  clear(): void {
    this.starts.length = 0;
    this.durations.length = 0;
  }

  /** Stops observing. */
  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
  }
}
