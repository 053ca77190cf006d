/**
 * One fork of an SMP cell — (group, tracker, cpus) — in the fresh isolate
 * bench/measure/isolate.ts started for it (the coordinator; it measures
 * nothing itself). It starts `cpus` fresh CPU worker threads
 * (bench/measure/smp-cpu.ts), never reused by another fork, so no CPU
 * inherits another tracker's compiled code, and runs on them:
 *
 * 1. a checked run, untimed: a fresh shared state, every CPU's critical
 *    sections logged, every CPU stopped at its stream's peak while the
 *    shared memtype list and page types are read, then run to its end;
 *    bench/measure/smp-check.ts judges it against the group's reference
 *    (per-CPU digests, the critical-section order replayed on the oracle,
 *    the final state with the alias check over every CPU's mappings). Its
 *    digests are the cell's; a failed check makes the fork `invalid`;
 * 2. warm-up and the timed phase through the one timer
 *    (bench/measure/timing.ts): per sample a fresh shared state (new
 *    SharedArrayBuffers) posted to each CPU, each CPU builds its Machine
 *    and tracker outside the timed region, all meet at the start barrier,
 *    and the sample's time is the slowest CPU's replay; every CPU's digest
 *    is checked after every sample; the lock's counts of the timed samples
 *    are summed (wait share, hand-offs, critical-section time).
 *
 * A tracker that is not an SMP composition (`null`; any tracker at one CPU)
 * runs private to each CPU: nothing shared, no lock, digests only. Which
 * tracker may run on how many CPUs is the plan's to refuse
 * (bench/plan/matrix.ts); a name that cannot run here errors the fork.
 */
import type { Worker } from 'node:worker_threads';
import { Hardware } from '../../core/hardware.js';
import type { OpStream } from '../../core/ops.js';
import { NULL_TRACKER } from '../../impls/registry.js';
import { Barrier } from '../../impls/smp/barrier.js';
import { CsLog } from '../../impls/smp/cs-log.js';
import { LockStats, type LockCounts } from '../../impls/smp/lock-stats.js';
import { SharedBtreeStore, DEFAULT_MAX_NODES } from '../../impls/smp/shared-btree.js';
import { SharedPageFlags } from '../../impls/smp/shared-page-flags.js';
import { createSmpState, isSmpTracker, smpRefusal, type SmpState } from '../../impls/smp/smp-tracker.js';
import { describeError, erroredFork, LONG_REPLAY_MS, minSamplesFor, timeEmptyReplay, WARMUP_CHUNK_MS, WARMUP_MIN_CHUNK, WARMUP_TOLERANCE, type ForkResult, type ForkTask } from './fork.js';
import { findGc } from './memory.js';
import { checkSmpRun, type SmpVerdict } from './smp-check.js';
import { sortedTriples } from './smp-prepare.js';
import { CTL, SmpControl, type CpuChecked, type CpuSample, type CpuSetup } from './smp-protocol.js';
import type { SmpForkFigures, SmpForkSpec } from './smp-types.js';
import { startWorker } from './thread.js';
import { timeReplays, warmUp } from './timing.js';

/** Hold times are sampled on one lock acquisition in 2^SAMPLE_SHIFT. */
export const SAMPLE_SHIFT = 6;

/**
 * Sampled holds over 20 µs in an SMP cell count as a preempted holder, not
 * critical-section time: ten times the longest section of the SMP workloads
 * (probe-smp's tree insert, ~0.4–2 µs), and the timed samples follow a
 * warm-up (no cold code). With the locks' default 1 ms, a few
 * sub-millisecond preemptions and GC pauses per fork entered the sum: one
 * fork's mean hold on xpmem-insert read 449 ns against 48 ns in the next,
 * and the projection took the whole op for critical section.
 */
export const SMP_LONG_HOLD_NS = 20_000;
/** Heap limit of each CPU thread, MiB. */
const CPU_HEAP_MB = 4096;

/** Zeroed lock counts. */
function zeroCounts(): LockCounts {
  return { acquired: 0, contended: 0, spins: 0, waitNs: 0, holdSamples: 0, holdNs: 0, handoffs: 0, sleeps: 0, retries: 0, reads: 0, longHolds: 0 };
}

/** Node records a sample's shared tree may need: every op could add one entry (nodes hold ≥ 8). */
function maxNodesFor(streams: readonly OpStream[]): number {
  const ops = streams.reduce((n, s) => n + s.count, 0);
  return Math.min(DEFAULT_MAX_NODES, Math.max(256, Math.ceil(ops / 4) + 64));
}

/** Why `tracker` cannot run on `cpus` CPUs here, or null. */
export function smpForkRefusal(tracker: string, cpus: number): string | null {
  if (cpus === 1 || tracker === NULL_TRACKER) return null;
  const why = smpRefusal(tracker);
  return why === null ? null : `${tracker} cannot run on ${cpus} CPUs: ${why}`;
}

/** The running CPU threads of one fork and the control block they share with it. */
class Cpus {
  readonly ctl: SmpControl;
  readonly workers: Worker[];
  private readonly start: Barrier;
  private readonly peakIn: Barrier;
  private readonly peakOut: Barrier;

  constructor(
    readonly task: ForkTask,
    readonly spec: SmpForkSpec,
  ) {
    const cpus = spec.cpus;
    this.ctl = new SmpControl(cpus);
    this.start = new Barrier(this.ctl.w, CTL.START, cpus + 1);
    this.peakIn = new Barrier(this.ctl.w, CTL.PEAK_IN, cpus + 1);
    this.peakOut = new Barrier(this.ctl.w, CTL.PEAK_OUT, cpus + 1);
    this.workers = spec.streams.map((stream, cpu) => {
      const setup: CpuSetup = {
        cpu,
        cpus,
        tracker: task.tracker,
        stream,
        bugs: task.bugs,
        control: this.ctl.buffer,
        ...(task.progress ? { progress: task.progress } : {}),
        spinlock: spec.spinlock ?? 'tas',
        perturb: spec.perturb ?? [],
      };
      const w = startWorker(new URL('./smp-cpu.js', import.meta.url), setup, { resourceLimits: { maxOldGenerationSizeMb: CPU_HEAP_MB } });
      // A thread that dies (out of memory, a load error) fails the sample it was in.
      w.on('error', (e) => this.ctl.fail(cpu, `thread: ${e.message}`));
      return w;
    });
  }

  /** Throws the first CPU's failure, if any. */
  private rethrow(): void {
    const f = this.ctl.failure();
    if (f !== null) throw new Error(f);
  }

  /** Posts one sample to every CPU and waits until all are ready at the start barrier. */
  post(mode: CpuSample['mode'], state: SmpState | null, stats: LockStats, logs: SharedArrayBuffer[] | null): void {
    const w = this.ctl.w;
    Atomics.store(w, CTL.READY, 0);
    Atomics.store(w, CTL.DONE, 0);
    this.workers.forEach((worker, cpu) => {
      const s: CpuSample = { mode, state, stats: stats.buffer, sampleShift: stats.sampleShift, longHoldNs: stats.longHoldNs, log: logs?.[cpu] ?? null };
      worker.postMessage(s);
    });
    if (!this.ctl.waitFor(CTL.READY, this.spec.cpus)) this.rethrow();
  }

  /** Releases the CPUs from the start barrier. */
  go(): void {
    if (!this.start.wait(CTL.ABORT)) this.rethrow();
  }

  /** Waits at the peak with every CPU; `atPeak` runs while they are all stopped there. */
  peak(atPeak: () => void): void {
    if (!this.peakIn.wait(CTL.ABORT)) this.rethrow();
    atPeak();
    if (!this.peakOut.wait(CTL.ABORT)) this.rethrow();
  }

  /** Waits until every CPU finished the sample; throws the first failure. */
  finish(): void {
    this.ctl.waitFor(CTL.DONE, this.spec.cpus);
    this.rethrow();
  }

  /** The slowest CPU's replay of the last sample, ns. */
  slowestNs(): number {
    let max = 0;
    for (let c = 0; c < this.spec.cpus; c++) max = Math.max(max, this.ctl.ns(c));
    return max;
  }

  /**
   * Resolves once every thread has started and loaded its module (before
   * the coordinator first blocks: a thread's start-up errors arrive as
   * events on this thread's loop); rejects with the first start-up error.
   */
  ready(): Promise<void> {
    return Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', (m: unknown) => (m === 'loaded' ? resolve() : reject(new Error(`unexpected first message ${String(m)}`))));
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`a CPU thread exited (code ${code}) while starting`)));
          }),
      ),
    ).then(() => {});
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Each worker's next message; rejects when the thread fails or exits first. */
function nextMessages<T>(workers: readonly Worker[]): Promise<T>[] {
  return workers.map(
    (w, cpu) =>
      new Promise<T>((resolve, reject) => {
        const onError = (e: Error): void => reject(new Error(`cpu ${cpu}: thread: ${e.message}`));
        const onExit = (code: number): void => reject(new Error(`cpu ${cpu}: its thread exited (code ${code})`));
        w.once('error', onError);
        w.once('exit', onExit);
        w.once('message', (m: T) => {
          w.off('error', onError);
          w.off('exit', onExit);
          resolve(m);
        });
      }),
  );
}

/** The shared memtype state as a snapshot (without aliases, which come from the CPUs' mappings). */
function sharedSnapshot(state: SmpState): { list: number[]; ram: number[] } {
  const list: number[] = [];
  new SharedBtreeStore(state.store).list(list);
  return { list: sortedTriples(list), ram: new SharedPageFlags(state.pageFlags).nonWbPages().flatMap((p) => [p.pfn, p.type]) };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** What the checked run gave. */
interface CheckedRun {
  verdict: SmpVerdict;
  /** Per CPU: its outcome digest. */
  digests: string[];
  /** The slowest CPU's replay, ms (cold code: the fork's first replay). */
  firstMs: number;
  reports: CpuChecked[];
}

/** The pieces of a fork that both runs use. */
interface ForkContext {
  task: ForkTask;
  spec: SmpForkSpec;
  /** The tracker is an SMP composition (shared state, locks, logs). */
  shared: boolean;
  freshState: () => SmpState | null;
  stats: LockStats;
}

/** Builds the context of a fork of `task`. */
function forkContext(task: ForkTask): ForkContext {
  const spec = task.smp!;
  const shared = isSmpTracker(task.tracker);
  const maxPfn = Hardware.fromParsed(spec.streams[0]!.machine).physmap.maxPfn;
  const storeOptions = { maxNodes: maxNodesFor(spec.streams) };
  return { task, spec, shared, freshState: () => (shared ? createSmpState(maxPfn, storeOptions) : null), stats: LockStats.create(1, spec.cpus, SAMPLE_SHIFT, SMP_LONG_HOLD_NS) };
}

/** The checked run on the fork's CPUs (see the module comment), judged. */
async function checkedRun(r: Cpus, c: ForkContext): Promise<CheckedRun> {
  const { spec, task } = c;
  const logs = c.shared ? spec.streams.map((s) => new SharedArrayBuffer(CsLog.bytes(s.count))) : null;
  const pending = Promise.all(nextMessages<CpuChecked | null>(r.workers));
  // When a CPU fails below, nobody awaits the reports: their threads' exit must not reject unhandled.
  pending.catch(() => {});
  const state = c.freshState();
  r.post('checked', state, c.stats, logs);
  r.go();
  let peakShared: { list: number[]; ram: number[] } | null = null;
  r.peak(() => {
    if (state !== null) peakShared = sharedSnapshot(state);
  });
  r.finish();
  const reports = (await pending).map((x, cpu) => {
    if (x === null) throw new Error(`cpu ${cpu}: no report of the checked run`);
    return x;
  });
  const digests = spec.streams.map((_, cpu) => r.ctl.digest(cpu));
  const observed = {
    digests,
    logs: logs === null ? null : logs.map((b, cpu) => new CsLog(spec.streams[cpu]!.count, b).rows()),
    peakShared,
    endShared: state === null ? null : sharedSnapshot(state),
    peakMappings: reports.map((x) => x.peakMappings),
    endMappings: reports.map((x) => x.endMappings),
    endProblems: reports.map((x) => x.endProblems),
  };
  // The null tracker implements no semantics: nothing to check but that it ran.
  const verdict: SmpVerdict = task.tracker === NULL_TRACKER ? { problems: [], csOrder: 'unlogged', straddling: 0 } : checkSmpRun(spec.streams, spec.reference, observed, task.bugs);
  return { verdict, digests, firstMs: r.slowestNs() / 1e6, reports };
}

/**
 * Only the checked run of an SMP cell, on fresh CPU threads (tests: the
 * checks under chosen interleavings, `SmpForkSpec.perturb`).
 * @returns the verdict and each CPU's digest
 * @throws what a CPU throws
 */
export async function checkSmpCell(task: ForkTask): Promise<{ verdict: SmpVerdict; digests: string[] }> {
  const refused = smpForkRefusal(task.tracker, task.smp!.cpus);
  if (refused !== null) throw new Error(refused);
  const c = forkContext(task);
  const r = new Cpus(task, c.spec);
  try {
    await r.ready();
    const { verdict, digests } = await checkedRun(r, c);
    return { verdict, digests };
  } finally {
    await r.stop();
  }
}

/**
 * Measures one fork of an SMP cell (see the module comment).
 * @returns plain data; a failing CPU, check or thread becomes `validity: 'errored'` or `'invalid'` with `error` set, never a rejection
 */
export async function measureSmpFork(task: ForkTask): Promise<ForkResult> {
  const t0 = performance.now();
  const found = findGc();
  const gc = found.fn;
  const result: ForkResult = { ...erroredFork(task.tracker, task.fork, null), gc: gc === null ? 'none' : found.mode };
  const refused = smpForkRefusal(task.tracker, task.smp!.cpus);
  if (refused !== null) return { ...result, error: refused, wallMs: performance.now() - t0 };
  const c = forkContext(task);
  const { spec, shared, stats, freshState } = c;
  const cpus = spec.cpus;
  const isNull = task.tracker === NULL_TRACKER;
  let run: Cpus | null = null;
  try {
    run = new Cpus(task, spec);
    const r = run;
    await r.ready();

    // 1. The checked run.
    const { verdict, digests, firstMs, reports } = await checkedRun(r, c);
    result.digest = digests.join('.');
    const wrong = verdict.problems.length > 0;
    result.validity = wrong ? 'invalid' : isNull || !task.verified ? 'unchecked' : 'valid';
    if (wrong) result.error = verdict.problems[0]! + (verdict.problems.length > 1 ? ` (and ${verdict.problems.length - 1} more)` : '');
    if (task.measureMemory) {
      const tables = reports.reduce((n, x) => n + x.peakPageTableBytes, 0);
      result.pageTableBytes = tables;
      result.modeledBytes = tables + (shared ? reports[0]!.peakTrackerBytes : reports.reduce((n, x) => n + x.peakTrackerBytes, 0));
    }

    // 2. Warm-up and the timed phase: per sample a fresh state, the slowest CPU's time.
    let drift: string | null = null;
    let timed = false;
    const lock = zeroCounts();
    const perCpu: number[][] = spec.streams.map(() => []);
    let busyNs = 0;
    let samples = 0;
    const setup = (): void => {
      stats.reset();
      r.post('timed', freshState(), stats, null);
    };
    const replay = (): number => {
      r.go();
      r.finish();
      return r.slowestNs() / 1e6;
    };
    const check = (): void => {
      for (let cpu = 0; cpu < cpus; cpu++) {
        const d = r.ctl.digest(cpu);
        if (drift === null && d !== digests[cpu]) drift = `cpu ${cpu}: a timed replay gave digest ${d}, the checked run ${digests[cpu]}`;
      }
      if (!timed) return;
      samples++;
      const t = stats.total(0);
      for (const k of Object.keys(lock) as (keyof LockCounts)[]) lock[k] += t[k];
      for (let cpu = 0; cpu < cpus; cpu++) {
        perCpu[cpu]!.push(r.ctl.ns(cpu));
        busyNs += r.ctl.ns(cpu);
      }
    };
    const t = task.timing;
    const common = { maxSamples: 8, gc };
    result.warmup = warmUp(
      { minMs: t.warmupMinMs, maxMs: t.warmupMaxMs, chunkMs: WARMUP_CHUNK_MS, minChunk: WARMUP_MIN_CHUNK, tolerance: WARMUP_TOLERANCE, longMs: LONG_REPLAY_MS },
      firstMs,
      (n) => timeReplays(task.tracker, { ...common, budgetMs: 0, minSamples: n, estimateMs: firstMs }, setup, replay, check).stats.medianNs / 1e6,
      () => performance.now(),
    );
    const replayMs = result.warmup.lastMedianNs / 1e6;
    timed = true;
    const phase = timeReplays(task.tracker, { ...common, budgetMs: t.timeMs, minSamples: minSamplesFor(t, replayMs), estimateMs: replayMs, maxSamples: task.maxSamples }, setup, replay, check);
    result.stats = phase.stats;
    if (drift !== null && !isNull) {
      result.validity = 'invalid';
      result.error ??= `non-deterministic: ${drift}`;
    }
    const figures: SmpForkFigures = {
      cpus,
      cpuOps: spec.streams.map((s) => s.count),
      cpuMedianNs: perCpu.map(median),
      samples,
      busyNs,
      lock,
      csOrder: verdict.csOrder,
      straddling: verdict.straddling,
    };
    result.smp = figures;

    // 3. The harness's own cost: the digest sink fed every op of the longest stream, nothing replayed.
    if (task.measureHarness) result.emptyReplayNs = timeEmptyReplay(Math.max(...spec.streams.map((s) => s.count)), { ...common, budgetMs: t.harnessTimeMs });
  } catch (e) {
    result.validity = 'errored';
    result.error = describeError(e);
    result.stats = null;
    delete result.smp;
  } finally {
    await run?.stop();
  }
  result.wallMs = performance.now() - t0;
  return result;
}
