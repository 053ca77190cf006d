/**
 * The plain values the messages take (bench/messages.ts), derived from a
 * loaded run: its facts, its precision figures, its findings with size
 * units and legend labels, its noise reasons in words. Every rendering —
 * terminal, summary.md, report.html — words a run through these, so they
 * say the same thing.
 */
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { MSG, type PrecisionFacts, type RunFacts, type WorkloadFindingFacts, type GrowthFacts } from '../messages.js';
import { formatShard } from '../store/shard.js';
import { GROWTH_FACTOR } from '../summarise/findings.js';
import type { LoadedRun } from '../summarise/run.js';
import { UNSTABLE_RATIO, type RunSummary } from '../summarise/summary.js';
import { partLabels } from './format.js';

/** What `size` counts for a workload of the registry ('' for an unknown name). */
export function sizeUnit(workload: string): string {
  return workloadNames().includes(workload) ? getWorkload(workload).sizeUnit : '';
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
export function findingFacts(s: RunSummary): { workloads: WorkloadFindingFacts[]; grows: GrowthFacts[] } {
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
      compared: f.compared,
      fastest: side(f.fastest),
      slowest: side(f.slowest),
      spread: f.spread,
    })),
    grows: s.findings.grows.map((g) => ({ workload: g.workload, label: labels.get(g.tracker)!, class: g.class, fromSize: g.fromSize, toSize: g.toSize, fromNsPerOp: g.fromNsPerOp, toNsPerOp: g.toNsPerOp })),
  };
}

/** The findings as lines of text: one per workload, one per growing design (or the line saying there is none). */
export function findingLines(s: RunSummary): string[] {
  const f = findingFacts(s);
  const out = f.workloads.length > 0 ? f.workloads.map((w) => MSG.findings.workload(w)) : [MSG.findings.none()];
  out.push(...(f.grows.length > 0 ? f.grows.map((g) => MSG.findings.grows(g)) : [MSG.findings.noGrowth(GROWTH_FACTOR)]));
  return out;
}
