/**
 * The plain values the messages take (bench/messages.ts), derived from a
 * loaded run: its facts, its precision figures, its findings with size
 * units and legend labels, its noise reasons in words. Every rendering —
 * terminal, summary.md, report.html — words a run through these, so they
 * say the same thing.
 */
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { getSmpWorkload, smpWorkloadNames } from '../../workloads/smp/registry.js';
import { MSG, ratioText, type GrowthFacts, type HoltFacts, type PrecisionFacts, type RunFacts, type ScalingFacts, type WorkloadFindingFacts } from '../messages.js';
import { HOLT } from '../summarise/project.js';
import { formatShard } from '../store/shard.js';
import { GROWTH_FACTOR } from '../summarise/findings.js';
import type { LoadedRun } from '../summarise/run.js';
import { UNSTABLE_RATIO, type RunSummary } from '../summarise/summary.js';
import { partLabels } from './format.js';

/** What `size` counts for a workload of either registry ('' for an unknown name). */
export function sizeUnit(workload: string): string {
  if (workloadNames().includes(workload)) return getWorkload(workload).sizeUnit;
  return smpWorkloadNames().includes(workload) ? getSmpWorkload(workload).sizeUnit : '';
}

/** The run's facts (summary.md's list, the report's header). */
export function runFacts(run: LoadedRun): RunFacts {
  const s = run.summary;
  const m = run.manifest;
  const e = run.env;
  return {
    matrixSource: m.matrix.source,
    matrixHash: s.matrixHash,
    description: m.matrix.description,
    cells: s.cells.length,
    valid: s.counts.valid,
    invalid: s.counts.invalid,
    errored: s.counts.errored,
    harness: s.counts.unchecked,
    forks: m.matrix.forks,
    shard: m.shard ? formatShard(m.shard) : null,
    timingNote: m.matrix.timingNote,
    threads: m.threads,
    machine: m.matrix.machine,
    baseline: s.baseline,
    host: e
      ? { cpu: e.cpuModel, cores: e.cores, memoryGiB: e.totalMemoryBytes / 2 ** 30, kernel: e.kernel, node: e.node, v8: e.v8, loadStart: e.loadAverage1m, loadEnd: e.loadAverageEnd1m ?? null }
      : null,
    code: e ? { commit: e.gitCommit, branch: e.gitBranch } : null,
    startedAt: m.createdAt,
    finishedAt: m.finishedAt,
    skipped: m.matrix.skipped,
    missing: s.missing.length,
  };
}

/** The run's precision and overhead figures. */
export function precisionFacts(s: RunSummary): PrecisionFacts {
  return {
    rmeMedian: s.rmeMedian,
    rmeMax: s.rmeMax,
    timedCells: s.cells.filter((c) => c.role !== 'null' && c.rme !== null).length,
    unstable: s.unstable.length,
    unstableRatio: UNSTABLE_RATIO,
    warmupReplays: s.warmup.replaysMedian,
    warmupMs: s.warmup.msMedian,
    steadyShare: s.warmup.steadyShare,
    sanity: MSG.summary.sanity(s.nullNotFastest),
    emptyShareMedian: s.harness.emptyShareMedian,
    emptyShareMax: s.harness.emptyShareMax,
    emptyNsPerOp: s.harness.emptyNsPerOpMedian,
    nullShareMedian: s.harness.nullShareMedian,
  };
}

/** The run's noise reasons, worded; empty when its figures are not noisy. */
export function noiseTexts(s: RunSummary): string[] {
  return s.noise.map((r) => MSG.noise.reason(r));
}

/** The findings as the messages word them: legend labels and size units filled in. */
export function findingFacts(s: RunSummary): { workloads: WorkloadFindingFacts[]; grows: GrowthFacts[]; scaling: ScalingFacts[]; holt: HoltFacts | null } {
  const labels = partLabels(
    s.cells.map((c) => c.tracker),
    s.baseline,
  );
  const side = (f: RunSummary['findings']['workloads'][number]['fastest']) => ({ tracker: f.tracker, label: labels.get(f.tracker)!, nsPerOp: f.nsPerOp, vsBaseline: f.vsBaseline, unstable: f.unstable });
  return {
    workloads: s.findings.workloads.map((f) => ({
      workload: f.workload,
      size: f.size,
      sizeUnit: sizeUnit(f.workload),
      ...(f.cpus !== undefined ? { cpus: f.cpus } : {}),
      compared: f.compared,
      fastest: side(f.fastest),
      slowest: side(f.slowest),
      spread: f.spread,
    })),
    grows: s.findings.grows.map((g) => ({ workload: g.workload, label: labels.get(g.tracker)!, class: g.class, fromSize: g.fromSize, toSize: g.toSize, fromNsPerOp: g.fromNsPerOp, toNsPerOp: g.toNsPerOp })),
    scaling: [...new Set((s.findings.scaling ?? []).map((x) => x.workload))].map((w) => {
      const rows = s.findings.scaling!.filter((x) => x.workload === w);
      const r0 = rows[0]!;
      return {
        workload: w,
        size: r0.size,
        sizeUnit: sizeUnit(w),
        cpus: r0.cpus,
        oversubscribed: rows.some((x) => x.oversubscribed),
        rows: rows.map((x) => ({ label: labels.get(x.tracker)!, speedup: x.speedup, waitShare: x.waitShare })),
      };
    }),
    holt: s.findings.holt
      ? { cpus: s.findings.holt.cpus, oversubscribed: s.findings.holt.oversubscribed, ratio: s.findings.holt.ratio, holt32: HOLT.spinlockSeconds[32]! / HOLT.cmpxchgSeconds, holt256: HOLT.spinlockSeconds[256]! / HOLT.cmpxchgSeconds }
      : null,
  };
}

/** The findings as lines of text: one per workload, one per growing design (or the line saying there is none). */
export function findingLines(s: RunSummary): string[] {
  const f = findingFacts(s);
  const out = f.workloads.length > 0 ? f.workloads.map((w) => MSG.findings.workload(w)) : [MSG.findings.none()];
  out.push(...f.scaling.map((x) => MSG.findings.scaling(x)));
  if (f.holt !== null) out.push(MSG.findings.holt(f.holt));
  out.push(...(f.grows.length > 0 ? f.grows.map((g) => MSG.findings.grows(g)) : [MSG.findings.noGrowth(GROWTH_FACTOR)]));
  return out;
}

/** A table as plain text cells: its title, header, rows and which columns are numbers. */
export interface TextTable {
  title: string;
  head: string[];
  rows: string[][];
  right: boolean[];
}

/**
 * An SMP run's tables: each workload's time ÷ the baseline at its most CPUs
 * measured (one column per tracker), and Holt's comparison — `spinlock` ÷
 * `cmpxchg` time on xpmem-insert measured here at the most CPUs, projected
 * (when `memtype-bench project` wrote projection.json) and Holt's 2010
 * figures. Measured, projected and published rows say which they are.
 * Empty for a single-CPU run.
 */
export function smpTables(run: Pick<LoadedRun, 'summary' | 'projection'>): TextTable[] {
  const s = run.summary;
  const smp = s.cells.filter((c) => c.cpus !== undefined && c.role !== 'null');
  if (smp.length === 0) return [];
  const labels = partLabels(
    s.cells.map((c) => c.tracker),
    s.baseline,
  );
  const others = [...new Set(smp.filter((c) => c.role !== 'baseline').map((c) => c.tracker))];
  const rows: string[][] = [];
  for (const w of [...new Set(smp.map((c) => c.workload))]) {
    const mine = smp.filter((c) => c.workload === w);
    const cpus = Math.max(...mine.map((c) => c.cpus!));
    const at = mine.filter((c) => c.cpus === cpus);
    const size = Math.max(...at.map((c) => c.size));
    const seed = Math.min(...at.filter((c) => c.size === size).map((c) => c.seed));
    const here = at.filter((c) => c.size === size && c.seed === seed);
    const over = here.some((c) => c.oversubscribed === true);
    rows.push([
      w,
      String(size),
      `${cpus}${over ? ' OVERSUB' : ''}`,
      ...others.map((t) => {
        const c = here.find((x) => x.tracker === t);
        if (c === undefined) return '-';
        if (c.validity === 'invalid' || c.validity === 'errored') return c.validity.toUpperCase();
        return ratioText(c.vsBaseline);
      }),
    ]);
  }
  const out: TextTable[] = [
    {
      title: `Time ÷ ${s.baseline} at each workload's most CPUs measured (< 1 = faster; 95% interval)`,
      head: ['workload', 'size', 'CPUs', ...others.map((t) => labels.get(t) ?? t)],
      rows,
      right: [false, true, true, ...others.map(() => true)],
    },
  ];
  const h = s.findings.holt ?? null;
  const p = run.projection?.holt ?? null;
  const holtRatio = (n: number): number => HOLT.spinlockSeconds[n]! / HOLT.cmpxchgSeconds;
  const holtRows: string[][] = [];
  if (h) holtRows.push([`this run, measured${h.oversubscribed ? ' (OVERSUBSCRIBED)' : ''}`, String(h.cpus), ratioText(h.ratio), `xpmem-insert @ ${h.size} ${sizeUnit('xpmem-insert')}`]);
  if (p && run.projection) for (const r of p.ratios) holtRows.push(['this run, PROJECTED', String(r.cpus), r.ratio.toPrecision(3), `queueing model, hand-off ${run.projection.handoffNs} ns (memtype-bench project)`]);
  for (const n of [32, 256]) holtRows.push(['Holt 2010, measured', String(n), holtRatio(n).toFixed(0), `${n === 32 ? '1:08' : '14:48'} vs ~1.3 s, 2 GiB of vm_insert_pfn per CPU (commit 1f9cc3cb6a27)`]);
  out.push({ title: "Holt's comparison: spinlock ÷ cmpxchg time on xpmem-insert", head: ['source', 'CPUs', 'spinlock ÷ cmpxchg', 'what'], rows: holtRows, right: [false, true, true, false] });
  return out;
}
