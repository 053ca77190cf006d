/**
 * `memtype-bench run`: loads the matrix config, applies the command-line
 * overrides, expands the groups (and the shard's share of them) and drops
 * the ones whose workload cannot fit the machine (the preflight, before any
 * folder exists), measures them — each prepared on the piscina pool, then
 * every cell in `forks` fresh isolates, one fork at a time by default
 * (bench/measure/group.ts) — appending each finished group's lines to
 * results.jsonl, then summarises the lines once and writes everything from
 * that summary (results.json, summary.md, results.csv, the charts,
 * report.html) and prints the table, the findings and the verdict. `--list`
 * prints the cells instead of running them; `--resume RUN` finishes an
 * interrupted run.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { GroupAborted, measureGroup, type GroupResult, type GroupTask } from '../measure/group.js';
import { createForkRunner, type ForkRunner, type Isolation } from '../measure/isolate.js';
import { writeRunFiles } from '../present/run-files.js';
import { formatRunEnd, formatTable } from '../present/terminal.js';
import { collectEnv, loadAverage, readEnv, type RunEnv } from '../store/env.js';
import { loadMachineChoice, machineFor, type MachineChoice, type MachineOptions } from '../plan/machine.js';
import { loadTrackerModule, type LoadedModule } from '../../impls/modules.js';
import { isModuleTracker } from '../../impls/registry.js';
import { AUTO_WARMUP_FACTOR, expandMatrix, REGISTRY_SOURCES, type Matrix, type MatrixGroup, type MatrixOverrides, type MatrixSources, type TrackerModuleRef } from '../plan/matrix.js';
import { builtInMatrixPath, loadMatrixConfig, type MatrixConfig } from '../plan/matrix-config.js';
import { MSG } from '../messages.js';
import { createPool, hostCores, type PreparePool } from '../measure/pool.js';
import { createProgress } from '../present/progress.js';
import {
  appendLines,
  checkRunId,
  completeGroups,
  createRunDir,
  FILES,
  failedGroupLines,
  groupLines,
  makeRunId,
  readManifest,
  readResultLines,
  resolveRunDir,
  SCHEMA_VERSION,
  writeFileAtomic,
  writeManifest,
  type LineContext,
  type ResultLine,
  type RunManifest,
  type Verification,
} from '../store/results.js';
import { formatShard, parseShard, shardItems, type Shard } from '../store/shard.js';
import { summarizeRun } from '../summarise/run.js';
import { cellFailed, type RunSummary } from '../summarise/summary.js';
import { noiseTexts } from '../present/facts.js';

/** Options of a run (what `memtype-bench run` parses). */
export interface RunOptions extends MatrixOverrides, MachineOptions {
  /** A matrix config file (`--matrix`). */
  matrixFile?: string;
  /** Tracker modules (`--tracker-module`, relative to the working directory), loaded with the matrix file's `modules`. */
  trackerModules?: readonly string[];
  /** Use bench/plan/matrices/quick.json (`--quick`). */
  quick?: boolean;
  /** Print the cells and exit (`--list`). */
  list?: boolean;
  /** Forks measuring at once (groups in parallel). Default 1 (stable timing on 2 cores). */
  parallel?: number;
  /** How forks are isolated: `thread` (default) or `process`. */
  isolation?: Isolation;
  /** Verify module-loaded trackers against the oracle before timing them (default true; `--no-verify` times them unchecked). */
  verify?: boolean;
  /** Folder that receives `<run-id>/`. Default `results`. */
  outDir?: string;
  /** Run id (folder name) instead of the timestamp (`--run-id`). */
  runId?: string;
  /** `i/n`, `auto/n` or `auto` (`--shard`). */
  shard?: string;
  /** Finish this interrupted run (a folder, or a run id under `outDir`). */
  resume?: string;
  /** Raw samples kept per fork. Default 1000. */
  maxSamples?: number;
  /** Render the SVG charts and report.html (default true). */
  charts?: boolean;
}

/** Injection points (tests). */
export interface RunDeps {
  /** Creates the preparation pool (default: `createPool({ maxThreads })`). */
  createPool?: (maxThreads: number) => PreparePool;
  /** Runs one fork (default: a fresh isolate per fork, `createForkRunner`). */
  runFork?: ForkRunner;
  /** Where the header, table and summary go. Default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Where progress goes. Default process.stderr. */
  stderr?: NodeJS.WritableStream;
  /** Draw a progress bar (default: stderr is a TTY); else one line per group. */
  tty?: boolean;
  /** Registry access for the matrix. */
  matrixSources?: MatrixSources;
  /** Clock for the run id and timestamps. */
  now?: () => Date;
  /** Environment (shard variables). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Reads a matrix config (default: `loadMatrixConfig`). */
  loadConfig?: (path: string) => MatrixConfig;
  /** Collects env.json (default: `collectEnv`). */
  collectEnv?: () => RunEnv;
  /** The 1-minute load average at the end of the run (default: the host's). */
  loadAverage?: () => number;
  /** Loads a tracker module (default: `loadTrackerModule`). */
  loadModule?: (path: string) => Promise<LoadedModule>;
}

/** What a finished (or listed) run reports. */
export interface RunOutcome {
  /** 0 when every cell is valid (or `null`) and none errored, else 1. */
  exitCode: number;
  runId: string;
  /** The run folder ('' for `--list`). */
  dir: string;
  /** results.jsonl ('' for `--list`). */
  resultsFile: string;
  /** Derived files (results.json, summary.md, results.csv) and charts (report.html is beside them). */
  files: string[];
  charts: string[];
  summary: RunSummary | null;
}

/** Raw samples kept per fork by default. */
export const DEFAULT_MAX_SAMPLES = 1000;

/** A resolved plan: what a new run would measure. */
export interface RunPlan {
  config: MatrixConfig;
  matrix: Matrix;
  machine: MachineChoice;
  shard: Shard | null;
  /** The groups to run (the shard's share). */
  groups: MatrixGroup[];
  /** The tracker modules loaded for it (also in `matrix.modules`): absolute paths and digests. */
  modules: TrackerModuleRef[];
}

/**
 * Resolves config, tracker modules, machine, matrix and shard. The matrix
 * file's `modules`, then `--tracker-module`s, are loaded (registered in this
 * isolate) before the lineup is resolved, and recorded in the matrix with
 * the digests of their code.
 * @throws InputError for `--quick` with `--matrix`, a bad config, tracker module, machine option, name, number or shard
 */
export async function planRun(o: RunOptions, deps: RunDeps = {}): Promise<RunPlan> {
  if (o.quick && o.matrixFile !== undefined) throw new InputError(MSG.run.quickAndMatrix());
  const load = deps.loadConfig ?? loadMatrixConfig;
  // --cpus without --matrix: the SMP matrices (the default lineup cannot run on several CPUs).
  const smp = o.cpus !== undefined && o.cpus.length > 0;
  const config = load(o.matrixFile ?? builtInMatrixPath(smp ? (o.quick ? 'smp-quick' : 'smp') : o.quick ? 'quick' : 'default'));
  const paths = [...new Set([...config.modules, ...(o.trackerModules ?? []).map((p) => resolve(p))])];
  const modules: TrackerModuleRef[] = [];
  for (const p of paths) {
    const m = await (deps.loadModule ?? loadTrackerModule)(p);
    modules.push({ path: m.path, digest: m.digest });
  }
  const machine = loadMachineChoice({
    ...(o.machine !== undefined ? { machine: o.machine } : o.machineFile === undefined && config.machine !== undefined ? { machine: config.machine } : {}),
    ...(o.machineFile !== undefined ? { machineFile: o.machineFile } : {}),
    ...(o.mtrrFile !== undefined ? { mtrrFile: o.mtrrFile } : {}),
  });
  const matrix = expandMatrix(config, o, deps.matrixSources ?? REGISTRY_SOURCES, machine, modules);
  const shard = o.shard !== undefined ? parseShard(o.shard, deps.env ?? process.env) : null;
  const groups = shard ? shardItems(matrix.groups, shard) : [...matrix.groups];
  return { config, matrix, machine, shard, groups, modules };
}

/** The `--list` text: the matrix, the lineup, skipped entries, the estimate, then one cell id per line. */
export function formatPlan(plan: RunPlan): string {
  const m = plan.matrix;
  const perGroup = m.groups[0]?.trackers.length ?? 0;
  const why = new Map(plan.config.trackers.map((e) => [e.match, e.why]));
  const lines = MSG.run.listHeader({
    source: m.source,
    hash: m.hash,
    description: m.description,
    groups: m.groups.length,
    perGroup,
    cells: m.cellCount,
    forks: m.forks,
    forkCount: m.cellCount * m.forks,
    shard: plan.shard ? formatShard(plan.shard) : null,
    shardGroups: plan.groups.length,
    shardCells: plan.groups.length * perGroup,
    baseline: m.baseline,
    others: m.trackers.filter((t) => t !== m.baseline),
    workloads: m.workloads,
    machine: m.machine,
    seeds: m.seeds,
    bugs: m.bugs,
    timingNote: m.timingNote,
    warmupMinMs: m.timing.warmupMinMs,
    warmupMaxMs: m.timing.warmupMaxMs,
    minSamples: m.timing.minSamples,
    estimateS: estimateSeconds(m, plan.groups.length),
    forkSeconds: m.overheads.forkSeconds,
    groupSeconds: m.overheads.groupSeconds,
    modules: (m.modules ?? []).map((x) => `${x.path} (${x.digest})`),
    skipped: m.skipped.map((s) => (why.get(s) ? `${s} (${why.get(s)})` : s)),
    dropped: droppedLines(m),
  });
  for (const g of plan.groups) for (const t of g.trackers) lines.push(`${g.id}/${t}`);
  return lines.join('\n') + '\n';
}

/** One line per group the preflight dropped. */
function droppedLines(m: Matrix): string[] {
  return (m.dropped ?? []).map((d) => MSG.matrix.dropped(d.id, d.machine, d.why));
}

/**
 * Estimated wall time of `groups` groups of `m`, seconds: per group its
 * preparation, per fork its isolate's start-up and first replay (the
 * overheads of the config) plus its timed budget and warm-up.
 */
export function estimateSeconds(m: Matrix, groups: number): number {
  const forks = (m.groups[0]?.trackers.length ?? 0) * m.forks;
  const perFork = m.overheads.forkSeconds + (m.timing.timeMs * AUTO_WARMUP_FACTOR) / 1000;
  return groups * (m.overheads.groupSeconds + forks * perFork);
}

/** Options `--resume` takes from the run instead, with their flags (an option counts as given unless undefined, empty or false — `verify` when false). */
const RESUME_CONFLICTS: readonly (readonly [keyof RunOptions, string])[] = [
  ['maxSamples', '--max-samples'],
  ['trackers', '--tracker'],
  ['trackerModules', '--tracker-module'],
  ['workloads', '--workload'],
  ['sizes', '--size'],
  ['seeds', '--seed'],
  ['forks', '--forks'],
  ['timeMs', '--time'],
  ['baseline', '--baseline'],
  ['matrixFile', '--matrix'],
  ['quick', '--quick'],
  ['machine', '--machine'],
  ['machineFile', '--machine-file'],
  ['mtrrFile', '--mtrr-file'],
  ['shard', '--shard'],
  ['runId', '--run-id'],
  ['list', '--list'],
  ['isolation', '--isolation'],
  ['bugs', '--bug'],
  ['cpus', '--cpus'],
];

/**
 * Runs (or lists, or resumes) the benchmark.
 * @returns the outcome; `exitCode` 1 when any cell is invalid or errored
 * @throws InputError for bad options or an empty matrix (nothing is written then), or a run to resume that is missing or malformed
 */
export async function runBench(options: RunOptions = {}, deps: RunDeps = {}): Promise<RunOutcome> {
  const stdout = deps.stdout ?? process.stdout;
  const now = deps.now ?? (() => new Date());
  const threads = options.parallel ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new InputError(MSG.run.badParallel(threads));
  const maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
  if (!Number.isSafeInteger(maxSamples) || maxSamples < 10) throw new InputError(MSG.run.badMaxSamples(maxSamples));

  if (options.resume !== undefined) {
    const given = (k: keyof RunOptions): boolean => options[k] !== undefined && options[k] !== false && !(Array.isArray(options[k]) && (options[k] as unknown[]).length === 0);
    const conflicts = [...RESUME_CONFLICTS.filter(([k]) => given(k)).map(([, flag]) => flag), ...(options.verify === false ? ['--no-verify'] : [])];
    if (conflicts.length > 0) throw new InputError(MSG.run.resumeConflicts(conflicts));
    return resumeRun(options.resume, options.outDir ?? 'results', threads, options.charts !== false, deps);
  }

  const plan = await planRun(options, deps);
  const dropped = droppedLines(plan.matrix);
  if (plan.matrix.groups.length === 0 && dropped.length > 0) {
    stdout.write(MSG.run.preflight(dropped));
    throw new InputError(MSG.matrix.allDropped(dropped.length));
  }
  if (plan.matrix.groups.length === 0) throw new InputError(MSG.run.empty(plan.matrix.workloads, plan.matrix.trackers));
  if (options.list) {
    stdout.write(formatPlan(plan));
    return { exitCode: 0, runId: '', dir: '', resultsFile: '', files: [], charts: [], summary: null };
  }

  stdout.write(MSG.run.preflight(dropped));
  const started = now();
  const outDir = resolve(options.outDir ?? 'results');
  const { runId, dir } = createRunDir(outDir, options.runId !== undefined ? checkRunId(options.runId) : makeRunId(started, plan.shard), options.runId !== undefined);
  const manifest: RunManifest = {
    schemaVersion: SCHEMA_VERSION,
    runId,
    matrixHash: plan.matrix.hash,
    createdAt: started.toISOString(),
    resumedAt: [],
    finishedAt: null,
    matrix: plan.matrix,
    machineChoice: plan.machine,
    shard: plan.shard,
    groupIds: plan.groups.map((g) => g.id),
    threads,
    isolation: options.isolation ?? 'thread',
    maxSamples,
    verification: Object.fromEntries(
      [...new Set(plan.matrix.groups.flatMap((g) => g.trackers))]
        .filter((t) => isModuleTracker(t))
        .map((t): [string, Verification] => [t, { state: options.verify === false ? 'skipped' : 'pending' }]),
    ),
  };
  writeManifest(dir, manifest);
  writeFileAtomic(join(dir, FILES.lines), '');
  const env = (deps.collectEnv ?? collectEnv)();
  writeFileAtomic(join(dir, FILES.env), JSON.stringify(env, null, 2) + '\n');
  return execute(dir, manifest, env, plan.groups, 0, options.charts !== false, deps);
}

async function resumeRun(arg: string, outDir: string, threads: number, charts: boolean, deps: RunDeps): Promise<RunOutcome> {
  const stdout = deps.stdout ?? process.stdout;
  const now = deps.now ?? (() => new Date());
  const dir = resolveRunDir(arg, outDir);
  const manifest = readManifest(dir);
  const linesPath = join(dir, FILES.lines);
  const read = existsSync(linesPath) ? readResultLines(linesPath) : { lines: [], tornTail: false };
  const { done, kept } = completeGroups(manifest, read.lines);
  // Drop a torn tail and the lines of unfinished groups, atomically, before appending.
  if (read.tornTail || kept.length !== read.lines.length) {
    writeFileAtomic(linesPath, kept.map((l) => JSON.stringify(l)).join('\n') + (kept.length > 0 ? '\n' : ''));
  }
  const byId = new Map(manifest.matrix.groups.map((g) => [g.id, g]));
  const todo = manifest.groupIds.filter((id) => !done.has(id)).map((id) => byId.get(id)!);
  stdout.write(MSG.run.resuming(dir, done.size, manifest.groupIds.length, read.lines.length - kept.length, read.tornTail));
  manifest.resumedAt.push(now().toISOString());
  manifest.threads = threads;
  writeManifest(dir, manifest);
  let env = readEnv(dir);
  if (env === null) {
    env = (deps.collectEnv ?? collectEnv)();
    writeFileAtomic(join(dir, FILES.env), JSON.stringify(env, null, 2) + '\n');
  }
  return execute(dir, manifest, env, todo, done.size, charts, deps);
}

function groupTask(g: MatrixGroup, mf: RunManifest, sources: MatrixSources): GroupTask {
  const m = mf.matrix;
  const choice = mf.machineChoice;
  // A user's machine is parsed once here (machineFor caches it) and sent to the preparing worker as a
  // value; a workload's own default profile is parsed once by that worker (workloads/profiles.ts).
  const machine = choice.kind === 'default' && choice.mtrrText === undefined ? undefined : machineFor(choice, sources.defaultProfile?.(g.workload) ?? '');
  const verification = Object.entries(mf.verification ?? {});
  return {
    groupId: g.id,
    workload: g.workload,
    size: g.size,
    seed: g.seed,
    ...(machine !== undefined ? { machine } : {}),
    machineLabel: g.machine,
    ...(m.bugs.length > 0 ? { bugs: [...m.bugs] } : {}),
    trackers: [...g.trackers],
    forks: m.forks,
    orderSeed: m.orderSeed,
    timing: m.timing,
    maxSamples: mf.maxSamples,
    modules: (m.modules ?? []).map((x) => x.path),
    unverified: verification.filter(([, v]) => v.state === 'skipped').map(([t]) => t),
    refused: Object.fromEntries(verification.filter(([, v]) => v.state === 'failed').map(([t, v]) => [t, MSG.run.refused(v.error ?? '')])),
    ...(g.cpus !== undefined ? { cpus: g.cpus } : {}),
  };
}

/** A module-loaded tracker's `verify` must finish within this, ms (an endless loop is stopped with its worker). */
export const VERIFY_TIMEOUT_MS = 60_000;

/**
 * Verifies, on the pool, every module-loaded tracker of the run still
 * pending verification (`run` does before timing them; `--no-verify`
 * skips it), records each verdict in run.json and prints one line each.
 * A tracker that fails is not timed: its cells are errored with why.
 */
async function verifyModuleTrackers(dir: string, manifest: RunManifest, pool: PreparePool, stdout: NodeJS.WritableStream): Promise<void> {
  const modules = (manifest.matrix.modules ?? []).map((m) => m.path);
  for (const [tracker, v] of Object.entries(manifest.verification ?? {})) {
    if (v.state !== 'pending') continue;
    let verdict: Verification;
    try {
      const r = await pool.verify({ tracker, modules }, AbortSignal.timeout(VERIFY_TIMEOUT_MS));
      verdict = r.state === 'passed' ? { state: 'passed' } : { state: 'failed', error: MSG.run.verifyDiverged(r.first.trace, r.first.line, r.first.op) };
    } catch (e) {
      verdict = { state: 'failed', error: e instanceof Error && e.name === 'AbortError' ? MSG.run.verifyTimeout(VERIFY_TIMEOUT_MS) : e instanceof Error ? e.message : String(e) };
    }
    manifest.verification![tracker] = verdict;
    writeManifest(dir, manifest);
    stdout.write(MSG.run.verified(tracker, verdict.state === 'passed', verdict.error ?? null, modules));
  }
}

function groupNote(r: GroupResult): string {
  if (r.error !== null) return MSG.progress.groupError(r.error);
  const bad = r.cells.filter((c) => c.validity === 'invalid' || c.validity === 'errored').length;
  return bad > 0 ? MSG.progress.groupBad(bad) : MSG.progress.groupOk();
}

async function execute(dir: string, manifest: RunManifest, env: RunEnv, todo: MatrixGroup[], alreadyDone: number, charts: boolean, deps: RunDeps): Promise<RunOutcome> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => new Date());
  const m = manifest.matrix;
  const threads = manifest.threads;
  const linesPath = join(dir, FILES.lines);
  const shard = manifest.shard ? formatShard(manifest.shard) : null;
  const cores = hostCores();
  stdout.write(
    MSG.run.header({
      runId: manifest.runId,
      groups: manifest.groupIds.length,
      perGroup: m.groups[0]?.trackers.length ?? 0,
      baseline: m.baseline,
      others: m.trackers.filter((t) => t !== m.baseline).length,
      forks: m.forks,
      shard,
      matrixGroups: m.groups.length,
      source: m.source,
      hash: m.hash,
      machine: m.machine,
      timingNote: m.timingNote,
      bugs: m.bugs,
      isolation: manifest.isolation,
      slices: m.smp ? 1 : (m.timing.slices ?? 1),
      threads,
      cores,
      todo: todo.length,
      estimateS: estimateSeconds(m, todo.length),
      modules: (m.modules ?? []).map((x) => `${x.path} (${x.digest})`),
      busyLoad: env.loadAverage1m > Math.max(0.5, cores - 1.5) ? env.loadAverage1m : null,
      linesPath,
      smp: m.smp ? { cpus: m.smp.cpus, oversubscribed: m.smp.cpus.filter((c) => c > cores) } : null,
    }),
  );

  const tty = deps.tty ?? Boolean((stderr as NodeJS.WriteStream).isTTY);
  const total = manifest.groupIds.length;
  const progress = createProgress(stderr, tty, total, alreadyDone);
  const sources = deps.matrixSources ?? REGISTRY_SOURCES;
  const pool = (deps.createPool ?? ((n: number) => createPool({ maxThreads: n })))(threads);
  await verifyModuleTrackers(dir, manifest, pool, stdout);
  const runFork = deps.runFork ?? createForkRunner({ isolation: manifest.isolation });
  // Child processes cannot share the turn flag: their forks run one after another, each through.
  const groupDeps = { prepare: (t: Parameters<PreparePool['prepare']>[0]) => pool.prepare(t), runFork, sequential: manifest.isolation === 'process' };
  let done = alreadyDone;
  // SIGINT/SIGTERM: stop scheduling, stop the pool and the forks in flight;
  // the groups in flight are not recorded (resume runs them again),
  // everything finished is on disk.
  let interrupted: NodeJS.Signals | null = null;
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted !== null) return;
    interrupted = sig;
    abort.abort();
    void pool.destroy();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctxFor = (): LineContext => ({ runId: manifest.runId, matrixHash: manifest.matrixHash, forks: m.forks, shard, finishedAt: now().toISOString(), ...(m.smp ? { availableParallelism: cores } : {}) });
  const runOne = async (g: MatrixGroup): Promise<void> => {
    let lines: ResultLine[];
    let note: string;
    let r: GroupResult | null = null;
    try {
      r = await measureGroup(groupTask(g, manifest, sources), groupDeps, abort.signal);
      lines = groupLines(r, ctxFor());
      note = groupNote(r);
      if (env.gc === null && r.error === null) env.gc = r.gc;
    } catch (e) {
      if (interrupted !== null || e instanceof GroupAborted) return;
      const error = MSG.run.workerFailed(e instanceof Error ? e.message : String(e));
      lines = failedGroupLines(g, error, ctxFor());
      note = MSG.progress.groupError(error);
    }
    appendLines(linesPath, lines);
    done++;
    progress.group({ done, total, groupId: g.id, cells: g.trackers.length, ops: r?.ops ?? null, wallMs: r?.wallMs ?? 0, note });
  };
  // Groups are measured in matrix order, at most `threads` at a time, so the
  // schedule is the same from run to run.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (interrupted === null && next < todo.length) await runOne(todo[next++]!);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads, todo.length) }, lane));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.stop();
    await pool.destroy();
  }
  if (interrupted !== null) {
    stderr.write(MSG.run.interrupted(interrupted, done, total, manifest.runId));
    return { exitCode: interrupted === 'SIGINT' ? 130 : 143, runId: manifest.runId, dir, resultsFile: linesPath, files: [], charts: [], summary: null };
  }

  manifest.finishedAt = now().toISOString();
  writeManifest(dir, manifest);
  env.loadAverageEnd1m = (deps.loadAverage ?? loadAverage)();
  writeFileAtomic(join(dir, FILES.env), JSON.stringify(env, null, 2) + '\n');
  return finish(dir, manifest, env, charts, deps);
}

/**
 * Summarises the run folder's lines once and hands that summary to every
 * writer (results.json, summary.md, results.csv, the charts, report.html)
 * and to the terminal: the table, precision and noise, the findings, the
 * verdict.
 */
async function finish(dir: string, manifest: RunManifest, env: RunEnv | null, charts: boolean, deps: RunDeps): Promise<RunOutcome> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const run = summarizeRun(dir, manifest, readResultLines(join(dir, FILES.lines)).lines, env);
  const s = run.summary;
  const written = await writeRunFiles(run, { charts });
  for (const c of written.failedCharts) stderr.write(`memtype-bench: ${MSG.report.chartFailed(c.def.name, c.error ?? 'unknown error')}\n`);
  stdout.write('\n' + formatTable(s) + '\n' + formatRunEnd(s) + '\n');
  const failed = s.cells.filter(cellFailed);
  for (const c of failed.filter((x) => x.error !== null)) stdout.write(MSG.run.cellError(c.cellId, c.error!) + '\n');
  stdout.write(MSG.run.files(join(dir, FILES.lines), dir, [...written.summaries, ...written.charts].map((f) => basename(f))));
  if (written.report !== null) stdout.write(MSG.report.written(written.report));
  stdout.write(MSG.run.verdict(failed.length, s.cells.length, s.cells.filter((c) => c.role !== 'null').length, noiseTexts(s)));
  return {
    exitCode: failed.length === 0 ? 0 : 1,
    runId: manifest.runId,
    dir,
    resultsFile: join(dir, FILES.lines),
    files: written.summaries,
    charts: written.charts,
    summary: s,
  };
}
