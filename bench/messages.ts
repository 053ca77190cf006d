/**
 * Every user-facing message of bench/ (errors, headers, progress lines,
 * verdicts, findings, summary text), in one module so that wording stays
 * consistent and can be reviewed in one place (vega-lite's habit).
 *
 * Messages are plain functions of plain values — strings, numbers, lists
 * of them, small records of them — and compute nothing: the caller has
 * derived every figure; a message only words and formats it. This module
 * imports nothing, so every phase of bench/ may use it. Callers add the
 * `memtype-bench: ` prefix for errors (the CLI does).
 */

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (names: readonly string[]): string => (names.length > 0 ? names.join(', ') : '(none registered)');
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
const pct = (f: number | null, d = 1): string => (f === null ? '-' : `${(f * 100).toFixed(d)}%`);
const fixed = (n: number | null, d = 1): string => (n === null ? '-' : n.toFixed(d));
const minutes = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);
/** The first three names of a list, and how many more. */
const some = (names: readonly string[]): string => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);
/** A ratio or interval bound: three significant digits. */
const r3 = (x: number): string => x.toPrecision(3);

/** A time ratio with its 95% interval, as every ratio is written: `0.830 [0.790, 0.880]`. */
export function ratioText(r: { ratio: number; low: number; high: number } | null): string {
  return r === null ? '-' : `${r3(r.ratio)} [${r3(r.low)}, ${r3(r.high)}]`;
}

/** The title of every ratio column and axis: the one convention (time ÷ reference, < 1 faster). */
export function ratioTitle(reference: string): string {
  return `time ÷ ${reference}`;
}

/** The reading of every ratio, in legends and captions. */
export const RATIO_NOTE = '< 1 = faster';

/** The facts summary.md, the report and the run's end list about a run. Plain values. */
export interface RunFacts {
  matrixSource: string;
  matrixHash: string;
  description: string;
  cells: number;
  valid: number;
  invalid: number;
  errored: number;
  harness: number;
  forks: number;
  shard: string | null;
  timingNote: string;
  threads: number;
  machine: string;
  baseline: string;
  host: { cpu: string; cores: number; memoryGiB: number; kernel: string; node: string; v8: string; loadStart: number; loadEnd: number | null } | null;
  code: { commit: string | null; branch: string | null } | null;
  startedAt: string;
  finishedAt: string | null;
  skipped: readonly string[];
  missing: number;
}

/** The precision figures of a run. Plain values; percentages as numbers of percent, shares as fractions. */
export interface PrecisionFacts {
  rmeMedian: number | null;
  rmeMax: number | null;
  timedCells: number;
  unstable: number;
  unstableRatio: number;
  warmupReplays: number | null;
  warmupMs: number | null;
  steadyShare: number | null;
  sanity: string;
  emptyShareMedian: number | null;
  emptyShareMax: number | null;
  emptyNsPerOp: number | null;
  nullShareMedian: number | null;
}

/** One noise reason, plain (bench/summarise/types.ts `NoiseReason`). */
export type NoiseFact =
  | { kind: 'rme'; medianPct: number; thresholdPct: number }
  | { kind: 'load'; start: number; end: number }
  | { kind: 'unstable'; cells: readonly string[] }
  | { kind: 'null-not-fastest'; groups: readonly string[] };

/** A tracker of a finding. */
export interface FindingSide {
  tracker: string;
  /** The tracker's name as the charts' legends show it (the part that differs from the baseline). */
  label: string;
  nsPerOp: number;
  vsBaseline: { ratio: number; low: number; high: number } | null;
  unstable: boolean;
}

/** One workload's finding. */
export interface WorkloadFindingFacts {
  workload: string;
  size: number;
  sizeUnit: string;
  /** An SMP run: the CPUs of the cells compared. */
  cpus?: number;
  compared: number;
  fastest: FindingSide;
  slowest: FindingSide;
  spread: { ratio: number; low: number; high: number };
}

/** One design whose cost grows with size. */
export interface GrowthFacts {
  workload: string;
  label: string;
  class: string;
  fromSize: number;
  toSize: number;
  fromNsPerOp: number;
  toNsPerOp: number;
}

/** An SMP run: each tracker's speedup over its 1-CPU cell on one workload, at the most CPUs measured. */
export interface ScalingFacts {
  workload: string;
  size: number;
  sizeUnit: string;
  cpus: number;
  oversubscribed: boolean;
  rows: readonly { label: string; speedup: { ratio: number; low: number; high: number }; waitShare: number | null }[];
}

/** An SMP run: `spinlock` ÷ `cmpxchg` on xpmem-insert at its most CPUs, and Holt's published figures. */
export interface HoltFacts {
  cpus: number;
  oversubscribed: boolean;
  ratio: { ratio: number; low: number; high: number };
  /** Holt's ratios: spinlock seconds ÷ cmpxchg seconds at 32 and 256 CPUs. */
  holt32: number;
  holt256: number;
}

/** The figures of a comparison's header and footer. Plain values. */
export interface CompareFacts {
  base: string;
  head: string;
  rows: number;
  normalize: boolean;
  alpha: number;
  /** Fractions. */
  minEffect: number;
  threshold: number;
  matrixDiffers: boolean;
  onlyBase: readonly string[];
  onlyHead: readonly string[];
  significant: number;
  /** `significant` ÷ `rows` (0 without rows). */
  significantShare: number;
  regressions: number;
  brokeCorrectness: number;
  unstable: number;
  exitCode: number;
}

/** Why a comparison's verdict is not safe: a run's noise. */
export interface UnsafeFacts {
  run: string;
  /** Median ±95% of the run, percent, when it is wider than what the verdict needs to tell apart; null otherwise. */
  tooWidePct: number | null;
  /** What the verdict needs to tell apart, percent (the threshold or the tolerance). */
  needPct: number;
  /** The run's own noise reasons, worded (`MSG.noise.reason`). */
  reasons: readonly string[];
}

/** The messages, grouped by the module that shows them. */
export const MSG = {
  matrix: {
    unknownName: (kind: string, name: string, valid: readonly string[]) => `unknown ${kind} "${name}"; valid ${kind}s: ${list(valid)}`,
    noMatch: (kind: string, glob: string, valid: readonly string[]) => `no ${kind} matches "${glob}"; valid ${kind}s: ${list(valid)}`,
    unknownNameIn: (file: string, kind: string, name: string, valid: readonly string[]) => `matrix ${file}: unknown ${kind} "${name}"; valid ${kind}s: ${list(valid)}`,
    noMatchIn: (file: string, kind: string, glob: string, valid: readonly string[]) =>
      `matrix ${file}: no ${kind} matches "${glob}" (mark the entry "optional": true if it names compositions not registered yet); valid ${kind}s: ${list(valid)}`,
    badBaseline: (name: string, valid: readonly string[]) => `--baseline: unknown tracker "${name}"; valid baselines: ${list(valid)}`,
    sizeForUnselected: (w: string, selected: readonly string[]) => `--size ${w}=...: "${w}" is not among the selected workloads (${list(selected)})`,
    badSize: (s: unknown) => `size must be a positive integer, got ${show(s)}`,
    badSeed: (s: unknown) => `seed must be a 32-bit integer, got ${show(s)}`,
    badForks: (r: unknown) => `forks must be an integer from 1 to 100, got ${show(r)}`,
    badTime: (t: unknown) => `--time must be a positive number of milliseconds, got ${show(t)}`,
    timingFixed: (ms: number, from: string) => `${ms} ms timed per fork (from ${from})`,
    timingAuto: (budgetS: number, overheadS: number, forks: number, ms: number, clamp: 'min' | 'max' | null) =>
      `auto: ${budgetS} s${overheadS > 0 ? ` less ${Math.round(overheadS)} s of group and fork overhead` : ''} over ${plural(forks, 'fork')} = ${ms} ms timed each${clamp ? ` (clamped to the ${clamp}imum)` : ''}`,
    dropped: (groupId: string, machine: string, why: string) => `dropped ${groupId} on ${machine}: ${why}`,
    badCpus: (c: unknown, max: number) => `--cpus: a CPU count must be an integer from 1 to ${max} or "host" (this machine's parallelism), got ${show(c)}`,
    notSmp: (tracker: string, cpus: number, why: string) =>
      `${tracker} cannot run on ${cpus} CPUs: ${why}. The SMP lineup is btree+{page-bit,page-bit-ram-walk}+{single-page,whole-vma}+{spinlock,cmpxchg,rwlock,seqlock} (bench/plan/matrices/smp.json); any tracker runs at --cpus 1`,
    smpOnly: (tracker: string) => `${tracker} is an SMP composition (its last part is a locking scheme): run it on an SMP machine, e.g. --cpus 1,2`,
    singleCpuWorkload: (workload: string, cpus: number, smp: readonly string[]) =>
      `${workload} is a single-CPU workload (one op stream) and cannot run on ${cpus} CPUs; the SMP workloads (one stream per CPU) are ${list(smp)}`,
    allDropped: (n: number) => `nothing to run: every one of the ${plural(n, 'group')} cannot fit its machine (see the lines above)`,
  },
  config: {
    notJson: (file: string, why: string) => `matrix ${file}: not valid JSON: ${why}`,
    badValue: (file: string, key: string, expected: string, got: unknown) => `matrix ${file}: "${key}" must be ${expected}, got ${show(got)}`,
    unknownKey: (file: string, key: string, valid: readonly string[]) => `matrix ${file}: unknown key "${key}"; expected one of: ${valid.join(', ')}`,
    missingKey: (file: string, key: string) => `matrix ${file}: missing "${key}"`,
    unreadable: (file: string, code: string) => `matrix ${file}: cannot read the file (${code})`,
    roundsRenamed: (file: string) =>
      `matrix ${file}: "rounds" was replaced by "forks" (each cell is measured in that many fresh isolates; rounds inside one isolate were not independent)`,
  },
  machine: {
    unreadable: (what: string, path: string, code: string) => `${what} ${path}: cannot read the file (${code})`,
    badFile: (path: string, why: string) => `${path}: ${why}`,
    both: () => `--machine and --machine-file exclude each other: give a built-in profile or a file`,
    unknownProfile: (name: string, valid: readonly string[]) => `--machine: unknown profile "${name}"; valid profiles: ${list(valid)}`,
    notAMap: (path: string) =>
      `${path}: not a /proc/iomem dump or an e820 boot log: expected iomem lines like "00100000-bfffffff : System RAM" or boot-log lines like "BIOS-e820: [mem 0x0000000000100000-0x00000000bfffffff] usable"`,
    noRam: (path: string) => `${path}: the map has no RAM: expected "System RAM" resources (iomem) or "usable" e820 entries`,
  },
  shard: {
    malformed: (spec: string) => `--shard must be i/n (1 ≤ i ≤ n), auto/n or auto, got "${spec}"`,
    noCount: () => `--shard auto needs SLURM_ARRAY_TASK_COUNT; give the count: --shard auto/N`,
    noEnv: () => `--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm array) is set`,
    outOfRange: (i: number, n: number, fromEnv: boolean) => `--shard: index ${i} is outside 1..${n}${fromEnv ? ' (from the environment)' : ''}`,
    badEnv: (name: string, v: string) => `--shard auto: ${name}=${show(v)} is not a non-negative integer`,
  },
  results: {
    badRunId: (id: string) => `--run-id must be letters, digits, '.', '_' or '-' (at most 128), got "${id}"`,
    runExists: (dir: string) => `--run-id: ${dir} already exists; pick another id or --resume it`,
    unreadable: (path: string, code: string) => `${path}: cannot read the results (${code})`,
    badLine: (path: string, line: number, why: string) => `${path} line ${line}: not a result line: ${why}`,
    schema: (path: string, got: unknown, want: number) => `${path}: schema version ${show(got)}, this memtype-bench reads version ${want}`,
    noRun: (arg: string) => `no run "${arg}": not a run folder, and no such run id under the results folder`,
    noManifest: (dir: string) => `${dir}: not a run folder (no run.json)`,
    badManifest: (path: string, why: string) => `${path}: malformed run manifest: ${why}`,
    badProjection: (path: string, why: string) => `${path}: malformed projection (written by memtype-bench project): ${why}`,
  },
  run: {
    quickAndMatrix: () => `--quick and --matrix exclude each other (--quick is --matrix bench/plan/matrices/quick.json)`,
    badParallel: (n: unknown) => `--parallel must be a positive integer, got ${show(n)}`,
    badMaxSamples: (n: unknown) => `--max-samples must be an integer ≥ 10, got ${show(n)}`,
    resumeConflicts: (flags: readonly string[]) => `--resume takes the matrix, machine and shard from the run; drop ${flags.join(', ')}`,
    empty: (workloads: readonly string[], trackers: readonly string[]) => `nothing to run: the matrix is empty (workloads: ${list(workloads)}; trackers: ${list(trackers)})`,
    workerFailed: (why: string) => `worker: ${why}`,
    interrupted: (signal: string, done: number, total: number, runId: string) =>
      `\n${signal}: stopped after ${done} of ${total} groups; every finished group is in results.jsonl.\nresume with: memtype-bench run --resume ${runId}\n`,
    resuming: (dir: string, done: number, total: number, dropped: number, torn: boolean) =>
      `resuming ${dir}: ${done} of ${plural(total, 'group')} finished${dropped > 0 ? `; dropped ${plural(dropped, 'line')} of unfinished groups` : ''}${torn ? '; dropped a torn last line' : ''}\n`,
    listHeader: (f: {
      source: string;
      hash: string;
      description: string;
      groups: number;
      perGroup: number;
      cells: number;
      forks: number;
      /** Cells × forks. */
      forkCount: number;
      shard: string | null;
      shardGroups: number;
      shardCells: number;
      baseline: string;
      others: readonly string[];
      workloads: readonly string[];
      machine: string;
      seeds: readonly number[];
      bugs: readonly string[];
      timingNote: string;
      warmupMinMs: number;
      warmupMaxMs: number;
      minSamples: number;
      estimateS: number;
      forkSeconds: number;
      groupSeconds: number;
      modules: readonly string[];
      skipped: readonly string[];
      dropped: readonly string[];
    }): string[] => [
      `matrix ${f.source} (hash ${f.hash})${f.description ? `: ${f.description}` : ''}`,
      `${plural(f.groups, 'group')} × ${plural(f.perGroup, 'tracker')} = ${plural(f.cells, 'cell')}, each measured in ${plural(f.forks, 'fork')} (a fresh isolate each) = ${plural(f.forkCount, 'fork')}${f.shard ? `; shard ${f.shard}: ${plural(f.shardGroups, 'group')}, ${plural(f.shardCells, 'cell')}` : ''}`,
      `trackers: null (harness), ${f.baseline} (baseline)${f.others.length > 0 ? `, ${f.others.join(', ')}` : ''}`,
      `workloads: ${f.workloads.join(', ')}; machine: ${f.machine}; seeds: ${f.seeds.join(', ')}${f.bugs.length > 0 ? `; historical bugs ON: ${f.bugs.join(', ')}` : ''}`,
      `timing: ${f.timingNote}; warm-up ${f.warmupMinMs}–${f.warmupMaxMs} ms to a steady state; ≥ ${f.minSamples} samples per fork`,
      `estimated: ${minutes(f.estimateS)} on 2 unloaded cores (${f.forkSeconds} s per fork and ${f.groupSeconds} s per group of overhead, plus the timed budget and warm-up; replays longer than the budget take longer)`,
      ...(f.modules.length > 0 ? [`tracker modules: ${f.modules.join(', ')}`] : []),
      ...(f.skipped.length > 0 ? [`skipped (optional, no registered tracker matches): ${f.skipped.join(', ')}`] : []),
      ...(f.dropped.length > 0 ? [`dropped before the run (cannot fit the machine): ${plural(f.dropped.length, 'group')}`, ...f.dropped.map((d) => `  ${d}`)] : []),
      `cells:`,
    ],
    header: (f: {
      runId: string;
      groups: number;
      perGroup: number;
      baseline: string;
      others: number;
      forks: number;
      shard: string | null;
      matrixGroups: number;
      source: string;
      hash: string;
      machine: string;
      timingNote: string;
      bugs: readonly string[];
      isolation: 'thread' | 'process';
      /** Timing slices per fork taken in turns (bench/measure/turns.ts); 1 when the forks run through (SMP). */
      slices: number;
      threads: number;
      cores: number;
      todo: number;
      estimateS: number;
      modules: readonly string[];
      /** The load average at start, when it is high enough to compete with the measurement; null otherwise. */
      busyLoad: number | null;
      linesPath: string;
      /** An SMP run: its CPU counts, and those above the host's cores. */
      smp?: { cpus: readonly number[]; oversubscribed: readonly number[] } | null;
    }) =>
      [
        `memtype-bench run ${f.runId}: ${plural(f.groups, 'group')} × ${plural(f.perGroup, 'tracker')} (null + baseline ${f.baseline} + ${f.others} more) × ${plural(f.forks, 'fork')}${f.shard ? `; shard ${f.shard} (${plural(f.groups, 'group')} of ${f.matrixGroups})` : ''}`,
        `matrix: ${f.source} (hash ${f.hash}); machine: ${f.machine}; timing: ${f.timingNote}${f.bugs.length > 0 ? `; historical bugs ON: ${f.bugs.join(', ')}` : ''}`,
        `forks: a fresh ${f.isolation === 'process' ? 'child process' : 'worker thread'} per tracker and fork${f.isolation === 'thread' && f.slices > 1 ? `, the forks of a block taking turns (${f.slices} timing slices each)` : ''}, ${plural(f.threads, 'fork')} measuring at once` +
          (f.threads === 1 ? ' (one at a time for stable timing; --parallel N to change)' : ' (--parallel; timings may interfere)') +
          ` on ${f.cores} cores; ${plural(f.todo, 'group')} to run, ≈ ${minutes(f.estimateS)}`,
        ...(f.modules.length > 0 ? [`tracker modules: ${f.modules.join(', ')}`] : []),
        ...(f.busyLoad !== null ? [`note: load average ${f.busyLoad} on ${f.cores} cores: other processes compete with the measurement`] : []),
        ...(f.smp
          ? [
              `SMP: each group runs on ${f.smp.cpus.join(', ')} CPUs (worker threads sharing one memtype state; the sample is the slowest CPU's replay)` +
                (f.smp.oversubscribed.length > 0 ? `; ${f.smp.oversubscribed.join(', ')} CPUs exceed this host's ${f.cores}: those cells are OVERSUBSCRIBED (CPU threads share cores)` : ''),
            ]
          : []),
        `results: ${f.linesPath}`,
      ].join('\n') + '\n',
    preflight: (lines: readonly string[]) => (lines.length === 0 ? '' : `preflight: ${plural(lines.length, 'group')} cannot fit the machine and will not run:\n${lines.map((l) => `  ${l}`).join('\n')}\n`),
    cellError: (cellId: string, error: string) => `error: ${cellId}: ${error}`,
    verified: (tracker: string, passed: boolean, error: string | null, modules: readonly string[]) =>
      passed
        ? `verify: ${tracker} matches the oracle on the conformance and random traces\n`
        : `verify: ${tracker} FAILED: ${error ?? ''}; it will not be timed (memtype-bench verify ${modules.map((m) => `--tracker-module ${m} `).join('')}--tracker ${tracker} writes the minimal trace; run --no-verify times it unchecked)\n`,
    verifyDiverged: (trace: string, line: number, op: string) => `diverges from the oracle at ${trace}, line ${line} (${op})`,
    verifyTimeout: (ms: number) => `verify did not finish in ${Math.round(ms / 1000)} s (a replay that never ends?)`,
    refused: (why: string) => `not timed: verify failed: ${why}`,
    files: (lines: string, dir: string, names: readonly string[]) => `results: ${lines}\nwritten in ${dir}: ${names.join(', ')}\n`,
    verdict: (failed: number, total: number, measured: number, noise: readonly string[]) =>
      failed > 0
        ? `FAILED: ${failed} of ${total} cells are INVALID or errored (exit status 1)\n`
        : noise.length > 0
          ? `all ${measured} tracker cells valid; NOISY, read the figures with care: ${noise.join('; ')}\n`
          : `all ${measured} tracker cells valid\n`,
  },
  progress: {
    line: (p: { done: number; total: number; groupId: string; cells: number; ops: number | null; wallMs: number; note: string }) =>
      `[${p.done}/${p.total}] ${p.groupId}: ${plural(p.cells, 'cell')}, ${p.ops === null ? '-' : p.ops.toLocaleString('en-US')} ops, ${(p.wallMs / 1000).toFixed(1)} s, ${p.note}`,
    barFormat: () => 'groups {bar} {value}/{total} {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted} | {last}',
    barLast: (groupId: string, note: string) => `${groupId}: ${note}`,
    groupOk: () => 'all valid',
    groupBad: (n: number) => `${n} INVALID or errored`,
    groupError: (why: string) => `ERROR ${why}`,
  },
  findings: {
    title: () => 'Findings',
    none: () => 'no workload has two or more valid tracker cells timed at one size: nothing to compare',
    workload: (f: WorkloadFindingFacts) =>
      `${f.workload} @ ${f.size}${f.sizeUnit ? ` ${f.sizeUnit}` : ''}${f.cpus !== undefined ? ` on ${plural(f.cpus, 'CPU')}` : ''}: fastest ${f.fastest.label}${f.fastest.unstable ? ' (UNSTABLE)' : ''}, ${f.fastest.nsPerOp.toFixed(1)} ns/op, ${ratioTitle('baseline')} ${ratioText(f.fastest.vsBaseline)}; ` +
      `slowest ${f.slowest.label}${f.slowest.unstable ? ' (UNSTABLE)' : ''}, ${f.slowest.nsPerOp.toFixed(1)} ns/op, ${ratioTitle('baseline')} ${ratioText(f.slowest.vsBaseline)}; ` +
      `slowest ÷ fastest ${ratioText(f.spread)} (${plural(f.compared, 'tracker')} compared)`,
    grows: (g: GrowthFacts) =>
      `grows with size: ${g.label} on ${g.workload}, tracker-only cost ${g.fromNsPerOp.toFixed(1)} → ${g.toNsPerOp.toFixed(1)} ns/op from size ${g.fromSize} to ${g.toSize} (fit ${g.class}, net of the null tracker)`,
    scaling: (f: ScalingFacts) =>
      `scaling on ${f.workload} @ ${f.size}${f.sizeUnit ? ` ${f.sizeUnit}` : ''}, ${plural(f.cpus, 'CPU')}${f.oversubscribed ? ' (OVERSUBSCRIBED)' : ''} over 1: ` +
      f.rows.map((r) => `${r.label} ×${ratioText(r.speedup)}${r.waitShare !== null ? ` (waiting ${pct(r.waitShare)})` : ''}`).join(', '),
    holt: (f: HoltFacts) =>
      `Holt's effect: spinlock ÷ cmpxchg time on xpmem-insert at ${plural(f.cpus, 'CPU')}${f.oversubscribed ? ' (OVERSUBSCRIBED)' : ''}: ${ratioText(f.ratio)}; Holt measured ${f.holt32.toFixed(0)}× at 32 CPUs (1:08 vs ~1.3 s) and ${f.holt256.toFixed(0)}× at 256 (14:48 vs ~1.3 s); \`memtype-bench project RUN --cpus 32,256\` projects past this host`,
    noGrowth: (factor: number) => `no design's own cost grows with size (fit net of the null tracker, at least ×${factor} across three or more sizes)`,
    growthRule: (factor: number) => `a design grows when its tracker-only ns/op (net of the null tracker, paired by fork) fits a class other than O(1) across three or more sizes and rises at least ×${factor}`,
  },
  noise: {
    reason: (r: NoiseFact) =>
      r.kind === 'rme'
        ? `the median ±95% is ${r.medianPct.toFixed(1)}%, above ${r.thresholdPct}%`
        : r.kind === 'load'
          ? `the load average went from ${r.start} to ${r.end} during the run`
          : r.kind === 'unstable'
            ? `the forks of ${plural(r.cells.length, 'cell')} disagree (${some(r.cells)})`
            : `the null tracker is not the fastest in ${plural(r.groups.length, 'group')} (${some(r.groups)})`,
    unsafe: (u: UnsafeFacts) =>
      `note: ${u.run}'s noise makes this verdict unsafe: ${[...(u.tooWidePct !== null ? [`its median ±95% is ${u.tooWidePct.toFixed(1)}%, more than the ${u.needPct}% to tell apart`] : []), ...u.reasons].join('; ')}`,
  },
  summary: {
    facts: (f: RunFacts): string[] => [
      `matrix: \`${f.matrixSource}\` (hash \`${f.matrixHash}\`)${f.description ? ` — ${f.description}` : ''}`,
      `cells: ${f.cells} (${f.valid} valid, ${f.invalid} invalid, ${f.errored} errored, ${f.harness} null-tracker), each in ${plural(f.forks, 'fork')} (fresh isolates, interleaved)${f.shard ? `; shard ${f.shard}` : ''}`,
      `timing: ${f.timingNote}; ${plural(f.threads, 'fork')} measuring at once`,
      `machine: ${f.machine}`,
      `baseline for ratios: \`${f.baseline}\` (${ratioTitle('baseline')}, ${RATIO_NOTE}; 95% interval of a two-level bootstrap over forks, then samples)`,
      ...(f.host
        ? [
            `host: ${f.host.cpu}, ${f.host.cores} cores, ${f.host.memoryGiB.toFixed(1)} GiB, Linux ${f.host.kernel}, Node ${f.host.node} (V8 ${f.host.v8}), load ${f.host.loadStart} at start${f.host.loadEnd !== null ? `, ${f.host.loadEnd} at the end` : ''}`,
          ]
        : []),
      ...(f.code ? [`code: ${f.code.commit ?? 'unknown commit'}${f.code.branch ? ` (${f.code.branch})` : ''}`] : []),
      `started ${f.startedAt}, finished ${f.finishedAt ?? '(not finished)'}`,
      ...(f.skipped.length > 0 ? [`optional lineup entries not registered: ${f.skipped.join(', ')}`] : []),
      ...(f.missing > 0 ? [`INCOMPLETE: ${plural(f.missing, 'cell')} missing`] : []),
    ],
    precision: (p: PrecisionFacts): string[] => [
      `precision: median ±${fixed(p.rmeMedian)}% (max ±${fixed(p.rmeMax)}%): half the 95% interval of a cell's figure (the median over forks of each fork's fastest replay), over ${p.timedCells} timed tracker cells; ${MSG.summary.unstable(p.unstable, p.unstableRatio)}`,
      `warm-up: median ${fixed(p.warmupReplays, 0)} replays and ${fixed(p.warmupMs, 0)} ms per fork (first, cold replay included); ${pct(p.steadyShare, 0)} of forks reached a steady state before the bound`,
      p.sanity,
      `harness overhead: empty replay = ${pct(p.emptyShareMedian, 2)} of the median cell time (max ${pct(p.emptyShareMax, 2)}; ${fixed(p.emptyNsPerOp, 2)} ns/op); null tracker (harness + machine core) = ${pct(p.nullShareMedian)} of a cell's time`,
    ],
    unstable: (n: number, unstableRatio: number) => `${plural(n, 'cell')} UNSTABLE (forks disagree by more than ×${unstableRatio})`,
    sanity: (groups: readonly { groupId: string; faster: readonly { tracker: string; ratio: number }[] }[]) =>
      groups.length === 0
        ? 'sanity: the null tracker is the fastest cell of every group'
        : `sanity: the null tracker is NOT the fastest in ${plural(groups.length, 'group')}: ${groups.map((g) => `${g.groupId} (${g.faster.map((f) => `${f.tracker} ×${f.ratio.toFixed(2)}`).join(', ')})`).join('; ')}`,
    failedCell: (id: string, label: string, error: string | null) => `\`${id}\`: ${label}${error ? ` — ${error}` : ''}`,
    missingCell: (id: string) => `\`${id}\`: missing`,
    verdictOk: (measured: number) => `All ${measured} tracker cells match the oracle.`,
    verdictBad: (failed: number, total: number, missing: number) =>
      [failed > 0 ? `${failed} of ${total} cells are INVALID or ERRORED` : '', missing > 0 ? `${missing} cells missing` : ''].filter((x) => x !== '').join('; '),
    noisy: (reasons: readonly string[]) => `Noisy: ${reasons.join('; ')}.`,
    tornTail: (file: string) => `${file} ended in a torn line (an interrupted write), which was dropped`,
  },
  conformance: {
    unreadable: (dir: string, code: string) => `conformance traces ${dir}: cannot read the folder (${code})`,
    empty: (dir: string) => `conformance traces ${dir}: no *.jsonl trace`,
    badTrace: (path: string, why: string) => `conformance trace ${path}: ${why}`,
    notObject: (line: number) => `line ${line}: an expectation must be a JSON object`,
    noOp: (line: number) => `line ${line}: an expectation must follow an op line`,
  },
  compare: {
    badThreshold: (t: number) => `--threshold must be a percentage ≥ 0, got ${show(t * 100)}`,
    badAlpha: (a: number) => `--alpha must be in (0, 1), got ${show(a)}`,
    badMinEffect: (e: number) => `--min-effect must be a percentage in [0, 100), got ${show(e * 100)}`,
    header: (c: CompareFacts) =>
      `compare ${c.base} (base) → ${c.head} (head): ${plural(c.rows, 'common cell')}${c.normalize ? ", times relative to the null tracker's fork of the same block" : ''}; the unit is the fork (a fresh isolate); ${ratioTitle('base')}, ${RATIO_NOTE}\n` +
      `significant = Welch p < ${c.alpha} on log fork figures (each fork's fastest replay), 95% interval (bootstrap over forks, then samples) excluding 1, |change| ≥ ${(c.minEffect * 100).toFixed(1)}%; regression = significant, interval above +${(c.threshold * 100).toFixed(1)}% and Benjamini–Hochberg q < ${c.alpha} over all cells` +
      (c.matrixDiffers ? '\nnote: the runs have different matrix hashes; cells are matched by id' : ''),
    footer: (c: CompareFacts, unsafe: readonly string[]): string[] => [
      ...(c.onlyBase.length > 0 ? [`only in base: ${c.onlyBase.join(', ')}`] : []),
      ...(c.onlyHead.length > 0 ? [`only in head: ${c.onlyHead.join(', ')}`] : []),
      `${c.significant} of ${plural(c.rows, 'cell')} changed significantly (${pct(c.significantShare)}); ${plural(c.regressions, 'regression')} beyond ${(c.threshold * 100).toFixed(1)}%; ${plural(c.brokeCorrectness, 'cell')} lost correctness`,
      ...(c.unstable > 0 ? [`note: ${plural(c.unstable, 'cell')} marked unstable (their forks disagree in one run): no safe verdict on them; measure them with more --forks`] : []),
      ...unsafe,
      c.exitCode === 0 ? `verdict: no confident regression (exit status 0)${unsafe.length > 0 ? ', but see the notes: not a safe verdict' : ''}` : 'verdict: REGRESSION (exit status 1)',
    ],
  },
  agreement: {
    header: (a: string, b: string, rows: number) => `agreement of ${a} and ${b}: ${plural(rows, 'tracker cell')} in both (${ratioTitle('baseline')}, ${RATIO_NOTE})`,
    row: (cellId: string, r1: string, r2: string, why: readonly string[]) => `  ${cellId}: ${r1} vs ${r2} — ${why.join(', ')}`,
    contradictory: () => 'CONTRADICTORY',
    disjoint: () => 'intervals disjoint',
    apart: (drift: number) => `ratios ${pct(drift)} apart`,
    unstable: () => 'unstable',
    figures: (consistent: number, rows: number, share: number | null, tolerance: number, contradictory: number, medianDrift: number | null, maxDrift: number | null): string[] => [
      `consistent (intervals overlap, ratios within ${pct(tolerance, 0)}): ${consistent} of ${rows} = ${pct(share)}`,
      `contradictory (significant in opposite directions): ${contradictory}`,
      `median |r1/r2 − 1|: ${pct(medianDrift, 2)} (max ${pct(maxDrift, 1)})`,
    ],
  },
  verify: {
    badCount: (n: unknown) => `--random must be a non-negative integer, got ${show(n)}`,
    nothing: () => 'nothing to verify: load parts with --tracker-module PATH, or name trackers with --tracker',
    unwritable: (file: string, code: string) => `cannot write the minimal trace ${file} (${code})`,
    passed: (tracker: string, conformance: number, random: number, ops: number, invariants: boolean) =>
      `ok    ${tracker}  ${plural(conformance, 'conformance trace')} + ${plural(random, 'random trace')}, ${ops.toLocaleString('en-US')} ops${invariants ? ', invariants checked after every mutation' : ''}`,
    failed: (
      tracker: string,
      d: { trace: string; line: number; opLine: string; op: string; oracle: string; tracker: string },
      minimal: { ops: number; line: number; file: string } | null,
      modules: readonly string[],
    ): string[] => [
      `FAIL  ${tracker}  diverges from the oracle`,
      `  ${d.trace}, line ${d.line}: ${d.opLine}`,
      `  op:      ${d.op}`,
      `  oracle:  ${d.oracle}`,
      `  tracker: ${d.tracker}`,
      ...(minimal !== null
        ? [
            `  minimal trace (${plural(minimal.ops, 'op')}, diverging at line ${minimal.line}): ${minimal.file}`,
            `  replay it: memtype-bench replay ${modules.map((m) => `--tracker-module ${m} `).join('')}--tracker ${tracker} ${minimal.file}`,
          ]
        : []),
    ],
  },
  replay: {
    unreadable: (path: string, code: string) => `cannot read trace ${path}: ${code}`,
    traceError: (message: string) => `trace error: ${message}\n`,
    checkDiffers: (line: number, op: string, oracle: string, tracker: string, trackerName: string) =>
      `check: line ${line} (${op}): ${trackerName} gives ${tracker}, the oracle ${oracle}\n`,
    checkOk: (ops: number, trackerName: string) => `check: ${trackerName} gives the oracle's outcome on all ${plural(ops, 'operation')}\n`,
    checkFailed: (n: number) => `check: ${plural(n, 'operation')} differ from the oracle (exit status 1)\n`,
  },
  workload: {
    unwritable: (file: string, code: string) => `cannot write trace ${file}: ${code}`,
  },
  merge: {
    noInputs: () => `merge needs at least one run to merge`,
    hashMismatch: (pairs: readonly (readonly [string, string])[]) =>
      `merge: the runs measure different matrices (matrix hashes differ): ${pairs.map(([r, h]) => `${r} ${h}`).join(', ')}`,
    lineHash: (dir: string, cell: string, got: string, want: string) => `${dir}: line of ${cell} has matrix hash ${got}, the run's is ${want}`,
    outNotEmpty: (dir: string) => `merge: ${dir} exists and is not empty; give a new folder`,
    done: (dir: string, inputs: number, lines: number, duplicates: number, missing: readonly string[]) =>
      `merged ${plural(inputs, 'run')} into ${dir}: ${plural(lines, 'line')}${duplicates > 0 ? `, ${plural(duplicates, 'duplicate')} dropped` : ''}\n` +
      (missing.length === 0 ? 'complete: every cell of the matrix is present\n' : `INCOMPLETE: ${plural(missing.length, 'cell')} missing (exit status 1):\n${missing.map((m) => `  ${m}`).join('\n')}\n`),
  },
  project: {
    notSmp: (dir: string) => `project: ${dir} is not an SMP run (no cell ran on a set number of CPUs); project a run of \`memtype-bench run --cpus 1,2\``,
    noOneCpu: (dir: string) => `project: ${dir} has no valid timed 1-CPU SMP cell: the model starts from each tracker's 1-CPU costs; run with --cpus including 1`,
    badCpus: (v: string, max: number) => `project: --cpus takes CPU counts to project to, integers from 1 to ${max}, got "${v}"`,
    badNs: (flag: string, v: string) => `project: ${flag} takes a latency in ns, a number from 0 to 1000000, got "${v}"`,
    header: (f: { runId: string; handoffNs: number; defaultHandoff: boolean; perWaiterNs: number; cpus: readonly number[] }) =>
      `memtype-bench project ${f.runId}: PROJECTED, not measured — each tracker's 1-CPU critical-section and other time per op through the closed queueing model of one lock (M/M/1//N with hand-off, bench/summarise/project.ts), to ${f.cpus.join(', ')} CPUs; ` +
      `hand-off ${f.handoffNs} ns${f.defaultHandoff ? ' (default: median one-way cache-line transfer between the two sockets of a dual Xeon Platinum 8275CL, github.com/nviennot/core-to-core-latency)' : ''}${f.perWaiterNs > 0 ? `, ${f.perWaiterNs} ns more per waiting CPU` : ''}\n`,
    skipped: (workload: string, tracker: string, why: string) => `not projected: ${tracker} on ${workload}: ${why}`,
    holtRatios: (f: { spinlock: string; cmpxchg: string; ratios: readonly { cpus: number; ratio: number }[]; holt: readonly { cpus: number; ratio: number }[] }) =>
      `Holt's comparison (xpmem-insert, ${f.spinlock} ÷ ${f.cmpxchg} time), projected: ${f.ratios.map((r) => `${r.ratio.toPrecision(3)}× at ${r.cpus} CPUs`).join(', ')}; ` +
      `Holt measured ${f.holt.map((h) => `${h.ratio.toFixed(0)}× at ${h.cpus} CPUs (${h.cpus === 32 ? '1:08' : '14:48'} vs ~1.3 s)`).join(' and ')}`,
    holtCloseness: (f: { projected: number; holt: number; handoffNs: number }) =>
      `at 256 CPUs the model gives ${f.projected.toPrecision(3)}× against Holt's ${f.holt.toFixed(0)}× (${f.projected < f.holt ? `${(f.holt / f.projected).toPrecision(3)} times smaller` : `${(f.projected / f.holt).toPrecision(3)} times larger`}) with a ${f.handoffNs} ns hand-off`,
    holtHandoff: (f: { handoffNs: number; twoPoint: { h0: number; c: number } | null }) =>
      (Number.isFinite(f.handoffNs)
        ? `a constant hand-off of ${(f.handoffNs / 1000).toPrecision(3)} µs reproduces Holt's 683× at 256 CPUs from this run's costs (\`--handoff-ns ${Math.round(f.handoffNs)}\`)`
        : `no hand-off up to 1 ms reproduces Holt's 683× at 256 CPUs from this run's costs`) +
      (f.twoPoint !== null ? `; both of Holt's points (52× at 32, 683× at 256) need ${(f.twoPoint.h0 / 1000).toPrecision(3)} µs plus ${f.twoPoint.c.toPrecision(3)} ns per waiting CPU (\`--handoff-ns ${Math.round(f.twoPoint.h0)} --per-waiter-ns ${f.twoPoint.c.toFixed(1)}\`)` : ''),
    noHolt: () => `Holt's comparison needs a spinlock and a cmpxchg composition differing only in the lock, both timed on xpmem-insert at 1 CPU (bench/plan/matrices/smp.json has them)`,
    written: (path: string, run: string) => `projection: ${path} (\`memtype-bench report ${run}\` draws the projected points, dashed and labelled projected)\n`,
  },
  report: {
    noFolder: (dir: string) => `${dir}: no such run folder (expected a folder holding run.json and results.jsonl)`,
    notFolder: (dir: string) => `${dir}: not a folder (expected a run folder holding run.json and results.jsonl)`,
    noLines: (path: string) => `${path}: no result lines to report (expected one JSON line per cell × fork)`,
    sameFolder: (dir: string) => `publish: --out ${dir} is the run folder itself; give another folder`,
    outNotEmpty: (dir: string, generator: string) => `publish: ${dir} exists, is not empty and is not a folder written by publish (no ${generator} index.html); give a new or empty folder`,
    written: (path: string) => `report: ${path}\n`,
    published: (dir: string, index: string, charts: number, files: number) => `published ${dir}: ${index}, ${charts} charts (SVG + PNG + vega-lite spec), ${files} results files\n`,
    chartFailed: (name: string, why: string) => `chart ${name} could not be rendered: ${why}`,
    fontNote: (note: string) => `note: ${note}\n`,
  },
} as const;
