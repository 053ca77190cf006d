/**
 * Every user-facing message of bench/ (errors, headers, progress lines,
 * verdicts, summary text), in one module so that wording stays consistent
 * and can be reviewed in one place (vega-lite's habit). Functions return
 * plain strings (or lists of lines); callers add the `memtype-bench: `
 * prefix for errors (the CLI does).
 */
import type { CompareResult } from './summarise/compare.js';
import type { RunEnv } from './store/env.js';
import type { Matrix } from './plan/matrix.js';
import type { MatrixConfig } from './plan/matrix-config.js';
import type { GroupProgress } from './present/progress.js';
import type { RunManifest } from './store/results.js';
import type { RunSummary, SummaryHeader } from './summarise/summary.js';
import type { VerifyResult } from './verify/verify.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const list = (names: readonly string[]): string => (names.length > 0 ? names.join(', ') : '(none registered)');
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
const pct = (f: number | null, d = 1): string => (f === null ? '-' : `${(f * 100).toFixed(d)}%`);
const fixed = (n: number | null, d = 1): string => (n === null ? '-' : n.toFixed(d));
const minutes = (s: number): string => (s < 10 ? `${s.toFixed(1)} s` : s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

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
  cell: {
    timingState: (state: string) => `timing ended in state ${state}`,
    noSamples: () => 'timing kept no samples',
    belowResolution: () => 'replay below timer resolution',
    workloadFailed: (why: string) => `workload: ${why}`,
    oracleFailed: (why: string) => `oracle: ${why}`,
    unstable: (got: string, first: string) => `non-deterministic: a timed replay gave digest ${got}, the first gave ${first}`,
    jsBytesFailed: (why: string) => `js bytes: ${why}`,
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
  },
  run: {
    quickAndMatrix: () => `--quick and --matrix exclude each other (--quick is --matrix bench/plan/matrices/quick.json)`,
    badParallel: (n: unknown) => `--parallel must be a positive integer, got ${show(n)}`,
    badMaxSamples: (n: unknown) => `--max-samples must be an integer ≥ 10, got ${show(n)}`,
    resumeConflicts: (flags: readonly string[]) => `--resume takes the matrix, machine and shard from the run; drop ${flags.join(', ')}`,
    empty: (m: Matrix) => `nothing to run: the matrix is empty (workloads: ${list(m.workloads)}; trackers: ${list(m.trackers)})`,
    workerFailed: (why: string) => `worker: ${why}`,
    interrupted: (signal: string, done: number, total: number, runId: string) =>
      `\n${signal}: stopped after ${done} of ${total} groups; every finished group is in results.jsonl.\nresume with: memtype-bench run --resume ${runId}\n`,
    resuming: (dir: string, done: number, total: number, dropped: number, torn: boolean) =>
      `resuming ${dir}: ${done} of ${plural(total, 'group')} finished${dropped > 0 ? `; dropped ${plural(dropped, 'line')} of unfinished groups` : ''}${torn ? '; dropped a torn last line' : ''}\n`,
    listHeader: (m: Matrix, shard: string | null, shardGroups: number, estimateS: number, config: MatrixConfig): string[] => {
      const perGroup = m.groups[0]?.trackers.length ?? 0;
      const cells = shardGroups * perGroup;
      const out = [
        `matrix ${m.source} (hash ${m.hash})${m.description ? `: ${m.description}` : ''}`,
        `${plural(m.groups.length, 'group')} × ${plural(perGroup, 'tracker')} = ${plural(m.cellCount, 'cell')}, each measured in ${plural(m.forks, 'fork')} (a fresh isolate each) = ${plural(m.cellCount * m.forks, 'fork')}${shard ? `; shard ${shard}: ${plural(shardGroups, 'group')}, ${plural(cells, 'cell')}` : ''}`,
        `trackers: null (harness), ${m.baseline} (baseline)${m.trackers.filter((t) => t !== m.baseline).length > 0 ? `, ${m.trackers.filter((t) => t !== m.baseline).join(', ')}` : ''}`,
        `workloads: ${m.workloads.join(', ')}; machine: ${m.machine}; seeds: ${m.seeds.join(', ')}${m.bugs?.length ? `; historical bugs ON: ${m.bugs.join(', ')}` : ''}`,
        `timing: ${m.timingNote}; warm-up ${m.timing.warmupMinMs}–${m.timing.warmupMaxMs} ms to a steady state; ≥ ${m.timing.minSamples} samples per fork`,
        `estimated: ${minutes(estimateS)} on 2 unloaded cores (${m.overheads.forkSeconds} s per fork and ${m.overheads.groupSeconds} s per group of overhead, plus the timed budget and warm-up; replays longer than the budget take longer)`,
      ];
      if (m.modules !== undefined && m.modules.length > 0) out.push(`tracker modules: ${m.modules.map((x) => `${x.path} (${x.digest})`).join(', ')}`);
      if (m.skipped.length > 0) {
        const why = new Map(config.trackers.map((e) => [e.match, e.why]));
        out.push(`skipped (optional, no registered tracker matches): ${m.skipped.map((s) => (why.get(s) ? `${s} (${why.get(s)})` : s)).join(', ')}`);
      }
      out.push(`cells:`);
      return out;
    },
    header: (mf: RunManifest, env: RunEnv, todo: number, estimateS: number, cores: number, linesPath: string) => {
      const m = mf.matrix;
      const perGroup = m.groups[0]?.trackers.length ?? 0;
      const threads = mf.threads;
      const shard = mf.shard ? `; shard ${mf.shard.index}/${mf.shard.count} (${plural(mf.groupIds.length, 'group')} of ${m.groups.length})` : '';
      const lines = [
        `memtype-bench run ${mf.runId}: ${plural(mf.groupIds.length, 'group')} × ${plural(perGroup, 'tracker')} (null + baseline ${m.baseline} + ${m.trackers.filter((t) => t !== m.baseline).length} more) × ${plural(m.forks, 'fork')}${shard}`,
        `matrix: ${m.source} (hash ${m.hash}); machine: ${m.machine}; timing: ${m.timingNote}${m.bugs?.length ? `; historical bugs ON: ${m.bugs.join(', ')}` : ''}`,
        `forks: a fresh ${mf.isolation === 'process' ? 'child process' : 'worker thread'} per tracker and fork, ${plural(threads, 'fork')} measuring at once` +
          (threads === 1 ? ' (one at a time for stable timing; --parallel N to change)' : ' (--parallel; timings may interfere)') +
          ` on ${cores} cores; ${plural(todo, 'group')} to run, ≈ ${minutes(estimateS)}`,
      ];
      if (m.modules !== undefined && m.modules.length > 0) lines.push(`tracker modules: ${m.modules.map((x) => `${x.path} (${x.digest})`).join(', ')}`);
      if (env.loadAverage1m > Math.max(0.5, cores - 1.5)) lines.push(`note: load average ${env.loadAverage1m} on ${cores} cores: other processes compete with the measurement`);
      lines.push(`results: ${linesPath}`);
      return lines.join('\n') + '\n';
    },
    cellError: (cellId: string, error: string) => `error: ${cellId}: ${error}`,
    verified: (tracker: string, v: { state: string; error?: string }, modules: readonly string[]) =>
      v.state === 'passed'
        ? `verify: ${tracker} matches the oracle on the conformance and random traces\n`
        : `verify: ${tracker} FAILED: ${v.error ?? ''}; it will not be timed (memtype-bench verify ${modules.map((m) => `--tracker-module ${m} `).join('')}--tracker ${tracker} writes the minimal trace; run --no-verify times it unchecked)\n`,
    verifyDiverged: (trace: string, line: number, op: string) => `diverges from the oracle at ${trace}, line ${line} (${op})`,
    verifyTimeout: (ms: number) => `verify did not finish in ${Math.round(ms / 1000)} s (a replay that never ends?)`,
    refused: (why: string) => `not timed: verify failed: ${why}`,
    report: (path: string) => `report: ${path}\n`,
    files: (lines: string, files: readonly string[], charts: readonly string[]) => `results: ${lines}\nsummary: ${files.join(', ')}\n${charts.length > 0 ? `charts: ${charts.join(', ')}\n` : ''}`,
    verdict: (failed: number, total: number, measured: number) =>
      failed === 0 ? `all ${measured} tracker cells valid\n` : `FAILED: ${failed} of ${total} cells are INVALID or errored (exit status 1)\n`,
  },
  progress: {
    line: (p: GroupProgress) => `[${p.done}/${p.total}] ${p.groupId}: ${plural(p.cells, 'cell')}, ${p.ops === null ? '-' : p.ops.toLocaleString('en-US')} ops, ${(p.wallMs / 1000).toFixed(1)} s, ${p.note}`,
    barFormat: () => 'groups {bar} {value}/{total} {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted} | {last}',
    barLast: (p: GroupProgress) => `${p.groupId}: ${p.note}`,
    groupOk: () => 'all valid',
    groupBad: (n: number) => `${n} INVALID or errored`,
    groupError: (why: string) => `ERROR ${why}`,
  },
  summary: {
    facts: (s: RunSummary, h: SummaryHeader): string[] => [
      `matrix: \`${h.matrix.source}\` (hash \`${s.matrixHash}\`)${h.matrix.description ? ` — ${h.matrix.description}` : ''}`,
      `cells: ${s.cells.length} (${s.counts.valid} valid, ${s.counts.invalid} invalid, ${s.counts.errored} errored, ${s.counts.unchecked} null-tracker), each in ${plural(h.matrix.forks, 'fork')} (fresh isolates, interleaved)${h.shard ? `; shard ${h.shard}` : ''}`,
      `timing: ${h.matrix.timingNote}; ${plural(h.threads, 'fork')} measuring at once`,
      `machine: ${h.matrix.machine}`,
      `baseline for ratios: \`${s.baseline}\` (time ratio, < 1 is faster; 95% interval of a two-level bootstrap over forks, then samples)`,
      ...(h.env
        ? [
            `host: ${h.env.cpuModel}, ${h.env.cores} cores, ${(h.env.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Linux ${h.env.kernel}, Node ${h.env.node} (V8 ${h.env.v8}), load ${h.env.loadAverage1m} at start`,
            `code: ${h.env.gitCommit ?? 'unknown commit'}${h.env.gitBranch ? ` (${h.env.gitBranch})` : ''}`,
          ]
        : []),
      `started ${h.startedAt}, finished ${h.finishedAt ?? '(not finished)'}`,
      ...(h.matrix.skipped.length > 0 ? [`optional lineup entries not registered: ${h.matrix.skipped.join(', ')}`] : []),
      ...(s.complete ? [] : [`INCOMPLETE: ${plural(s.missing.length, 'cell')} missing`]),
    ],
    precision: (s: RunSummary, unstableRatio: number): string[] => [
      `precision: median ±${fixed(s.rmeMedian)}% (max ±${fixed(s.rmeMax)}%): half the 95% interval of a cell's median of fork medians, over ${s.cells.filter((c) => c.role !== 'null' && c.rme !== null).length} timed tracker cells; ${MSG.summary.unstable(s, unstableRatio)}`,
      `warm-up: median ${fixed(s.warmup.replaysMedian, 0)} replays and ${fixed(s.warmup.msMedian, 0)} ms per fork (first, cold replay included); ${pct(s.warmup.steadyShare, 0)} of forks reached a steady state before the bound`,
      MSG.summary.sanity(s),
      `harness overhead: empty replay = ${pct(s.harness.emptyShareMedian, 2)} of the median cell time (max ${pct(s.harness.emptyShareMax, 2)}; ${fixed(s.harness.emptyNsPerOpMedian, 2)} ns/op); null tracker (harness + machine core) = ${pct(s.harness.nullShareMedian)} of a cell's time`,
    ],
    unstable: (s: RunSummary, unstableRatio: number) => `${plural(s.unstable.length, 'cell')} UNSTABLE (forks disagree by more than ×${unstableRatio})`,
    sanity: (s: RunSummary) =>
      s.nullNotFastest.length === 0
        ? 'sanity: the null tracker is the fastest cell of every group'
        : `sanity: the null tracker is NOT the fastest in ${plural(s.nullNotFastest.length, 'group')}: ${s.nullNotFastest.map((g) => `${g.groupId} (${g.faster.map((f) => `${f.tracker} ×${f.ratio.toFixed(2)}`).join(', ')})`).join('; ')}`,
    failedCell: (id: string, label: string, error: string | null) => `\`${id}\`: ${label}${error ? ` — ${error}` : ''}`,
    missingCell: (id: string) => `\`${id}\`: missing`,
  },
  compare: {
    badThreshold: (t: number) => `--threshold must be a percentage ≥ 0, got ${show(t * 100)}`,
    badAlpha: (a: number) => `--alpha must be in (0, 1), got ${show(a)}`,
    badMinEffect: (e: number) => `--min-effect must be a percentage in [0, 100), got ${show(e * 100)}`,
    empty: (dir: string) => `${dir}: no result lines to compare`,
    header: (c: CompareResult) =>
      `compare ${c.base} (base) → ${c.head} (head): ${plural(c.rows.length, 'common cell')}${c.options.normalize === 'null' ? ", times relative to the null tracker's fork of the same block" : ''}; the unit is the fork (a fresh isolate)\n` +
      `significant = Welch p < ${c.options.alpha} on log fork medians, 95% interval (bootstrap over forks, then samples) excluding 1, |change| ≥ ${(c.options.minEffect * 100).toFixed(1)}%; regression = significant, interval above +${(c.options.threshold * 100).toFixed(1)}% and Benjamini–Hochberg q < ${c.options.alpha} over all cells` +
      (c.matrixDiffers ? '\nnote: the runs have different matrix hashes; cells are matched by id' : ''),
    footer: (c: CompareResult): string[] => {
      const out: string[] = [];
      if (c.onlyBase.length > 0) out.push(`only in base: ${c.onlyBase.join(', ')}`);
      if (c.onlyHead.length > 0) out.push(`only in head: ${c.onlyHead.join(', ')}`);
      out.push(
        `${c.significant} of ${plural(c.rows.length, 'cell')} changed significantly (${c.rows.length > 0 ? ((100 * c.significant) / c.rows.length).toFixed(1) : '0.0'}%); ${plural(c.regressions, 'regression')} beyond ${(c.options.threshold * 100).toFixed(1)}%; ${plural(c.brokeCorrectness, 'cell')} lost correctness`,
      );
      if (c.unstable > 0) out.push(`note: ${plural(c.unstable, 'cell')} marked unstable (their forks disagree in one run): no safe verdict on them; measure them with more --forks`);
      out.push(c.exitCode === 0 ? 'verdict: no confident regression (exit status 0)' : 'verdict: REGRESSION (exit status 1)');
      return out;
    },
  },
  verify: {
    badCount: (n: unknown) => `--random must be a non-negative integer, got ${show(n)}`,
    nothing: () => 'nothing to verify: load parts with --tracker-module PATH, or name trackers with --tracker',
    unwritable: (file: string, code: string) => `cannot write the minimal trace ${file} (${code})`,
    passed: (r: Extract<VerifyResult, { state: 'passed' }>) =>
      `ok    ${r.tracker}  ${plural(r.conformance, 'conformance trace')} + ${plural(r.random, 'random trace')}, ${r.ops.toLocaleString('en-US')} ops${r.invariants ? ', invariants checked after every mutation' : ''}`,
    failed: (r: Extract<VerifyResult, { state: 'failed' }>, file: string | null, modules: readonly string[]): string[] => {
      const d = r.first;
      const lines = [
        `FAIL  ${r.tracker}  diverges from the oracle`,
        `  ${d.trace}, line ${d.line}: ${d.opLine}`,
        `  op:      ${d.op}`,
        `  oracle:  ${JSON.stringify(d.oracle)}`,
        `  tracker: ${JSON.stringify(d.tracker)}`,
      ];
      if (r.minimal !== null && file !== null) {
        lines.push(`  minimal trace (${plural(r.minimal.ops, 'op')}, diverging at line ${r.minimal.line}): ${file}`);
        lines.push(`  replay it: memtype-bench replay ${modules.map((m) => `--tracker-module ${m} `).join('')}--tracker ${r.tracker} ${file}`);
      }
      return lines;
    },
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
} as const;
