/**
 * `memtype-bench project RUN --cpus 32,256 [--handoff-ns N] [--per-waiter-ns N]`:
 * an SMP run projected past the CPUs of the host it ran on. Each tracker's
 * 1-CPU costs per op (critical section, the rest, lock visits) go through
 * the closed queueing model of one lock (bench/summarise/projection.ts,
 * project.ts); the command prints the projected throughput per tracker and
 * workload, Holt's comparison (`spinlock` ÷ `cmpxchg` on `xpmem-insert`,
 * projected, beside his 52× at 32 CPUs and 683× at 256), the hand-off
 * latency that reproduces his 256-CPU figure, and writes `projection.json`
 * into the run folder, which `report` then draws as dashed, labelled
 * projected points.
 */
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { MSG } from '../messages.js';
import { partLabels } from '../present/format.js';
import { alignedTable } from '../present/text-table.js';
import { FILES, resolveRunDir, writeFileAtomic } from '../store/results.js';
import { DEFAULT_HANDOFF_NS, HOLT } from '../summarise/project.js';
import { projectRun, type RunProjection } from '../summarise/projection.js';
import { loadRun } from '../summarise/run.js';
import type { CommandIo } from './report.js';

/** Largest CPU count `project` accepts (the queueing model is solved exactly in log space; Linux's NR_CPUS tops out at 8192). */
export const MAX_PROJECT_CPUS = 8192;

/** Largest hand-off latency accepted, ns (1 ms: far past any cache-line transfer). */
export const MAX_HANDOFF_NS = 1e6;

/** What `project` is asked. */
export interface ProjectOptions {
  /** CPU counts to project to (integers 1..`MAX_PROJECT_CPUS`). */
  cpus: readonly number[];
  /** Lock hand-off latency, ns (default `DEFAULT_HANDOFF_NS`). */
  handoffNs?: number;
  /** Extra hand-off per waiting CPU, ns (a ticket lock's collapse; default 0). */
  perWaiterNs?: number;
}

/**
 * Parses `--cpus` of `project`: a comma list of integers 1..`MAX_PROJECT_CPUS`.
 * @throws InputError naming the bad value (`host` included: a projection is past this host)
 */
export function parseProjectCpus(v: string): number[] {
  const items = v.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const s of items) {
    const n = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(Number.isSafeInteger(n) && n >= 1 && n <= MAX_PROJECT_CPUS)) throw new InputError(MSG.project.badCpus(s, MAX_PROJECT_CPUS));
    out.push(n);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Parses a latency flag of `project` (`--handoff-ns`, `--per-waiter-ns`): a number of ns, 0..1e6.
 * @throws InputError naming the flag and the value
 */
export function parseNs(flag: string, v: string): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!(Number.isFinite(n) && n >= 0 && n <= MAX_HANDOFF_NS)) throw new InputError(MSG.project.badNs(flag, v));
  return n;
}

const sig = (x: number): string => (Number.isFinite(x) ? (x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3)) : '-');

/**
 * The projection's text: the header, one row per (workload, tracker) with
 * its 1-CPU inputs and the projected ops/s and speedup per CPU count, what
 * could not be projected, and Holt's comparison.
 */
export function formatProjection(p: RunProjection, defaultHandoff: boolean): string {
  const out: string[] = [MSG.project.header({ runId: p.runId, handoffNs: p.handoffNs, defaultHandoff, perWaiterNs: p.perWaiterNs, cpus: p.cpus })];
  const baseline = p.series.find((s) => s.tracker.endsWith('+cmpxchg'))?.tracker ?? p.series[0]?.tracker ?? '';
  const labels = partLabels(
    p.series.map((s) => s.tracker),
    baseline,
  );
  const head = ['workload', 'tracker', 'measured ops/s @1 CPU', 'cs ns/op', 'other ns/op', 'lock visits/op', ...p.cpus.flatMap((n) => [`${n} CPUs ops/s (projected)`, 'speedup'])];
  const rows = p.series.map((s) => [
    s.workload,
    labels.get(s.tracker) ?? s.tracker,
    sig(s.measuredOneCpuOpsPerSec),
    s.cost.csNs.toFixed(1),
    s.cost.nonCsNs.toFixed(1),
    s.cost.acquisitionsPerOp.toFixed(2),
    ...s.points.flatMap((pt) => [sig(pt.opsPerSec), `${pt.speedup.toPrecision(3)}×`]),
  ]);
  out.push(alignedTable(head, rows, head.map((_, i) => i >= 2)));
  for (const k of p.skipped) out.push(MSG.project.skipped(k.workload, k.tracker, k.why) + '\n');
  if (p.holt === null) out.push(MSG.project.noHolt() + '\n');
  else {
    out.push(MSG.project.holtRatios(p.holt) + '\n');
    out.push(MSG.project.holtCloseness({ projected: p.holt.at256, holt: HOLT.spinlockSeconds[256]! / HOLT.cmpxchgSeconds, handoffNs: p.handoffNs }) + '\n');
    out.push(MSG.project.holtHandoff({ handoffNs: p.holt.handoffFor256, twoPoint: p.holt.twoPoint }) + '\n');
  }
  return out.join('');
}

/**
 * `memtype-bench project RUN --cpus …`: prints the projection and writes
 * `<RUN>/projection.json`.
 * @param run a run folder or a run id under `io.baseDir` (default `results`)
 * @returns 0
 * @throws InputError for a missing or malformed run, a run without SMP cells or without a valid timed 1-CPU SMP cell, or a CPU count below 1
 */
export function runProjectCommand(run: string, opts: ProjectOptions, io: CommandIo = {}): number {
  const stdout = io.stdout ?? process.stdout;
  const dir = resolveRunDir(run, io.baseDir ?? 'results');
  const loaded = loadRun(dir);
  const cells = loaded.summary.cells;
  if (!cells.some((c) => c.cpus !== undefined)) throw new InputError(MSG.project.notSmp(dir));
  const handoffNs = opts.handoffNs ?? DEFAULT_HANDOFF_NS;
  const p = projectRun(loaded.summary.runId, cells, opts.cpus, handoffNs, opts.perWaiterNs ?? 0);
  if (p.series.length === 0) throw new InputError(MSG.project.noOneCpu(dir));
  stdout.write(formatProjection(p, opts.handoffNs === undefined));
  const path = join(loaded.dir, FILES.projection);
  writeFileAtomic(path, JSON.stringify(p, null, 2) + '\n');
  stdout.write(MSG.project.written(path, run));
  return 0;
}
