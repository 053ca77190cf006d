/**
 * `memtype-bench`: the command line. Thin: parses arguments and calls into
 * bench/ (run, compare, merge, report, publish, project, trace, describe, replay, verify, list). Exit status: 0 success; 1 a run with invalid or errored
 * cells, or a tracker that `verify` found diverging from the oracle; 2
 * bad input (unknown flag or name, bad number, bad trace) — one line on
 * stderr, never a stack; 70 an internal error — one line on stderr plus
 * the path of a file under the temp folder holding the full stack.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../core/errors.js';
import { loadTrackerModules } from '../impls/modules.js';
import { describeTracker, NULL_TRACKER, ORACLE, trackerNames } from '../impls/registry.js';
import { listProfiles, repoRoot, type Profile } from '../workloads/profiles.js';
import { getWorkload, workloadNames } from '../workloads/registry.js';
import { runAgreementCommand } from '../bench/commands/agreement.js';
import { runCompareCommand } from '../bench/commands/compare.js';
import { runMergeCommand } from '../bench/commands/merge.js';
import { runReplayCommand } from '../bench/commands/replay.js';
import { parseNs, parseProjectCpus, runProjectCommand } from '../bench/commands/project.js';
import { runPublishCommand, runReportCommand } from '../bench/commands/report.js';
import { runBench, type RunOptions } from '../bench/commands/run.js';
import { runVerifyCommand, type VerifyCommandOptions } from '../bench/commands/verify.js';
import { runDescribeCommand, runTraceCommand, type WorkloadCmdOptions } from '../bench/commands/workload.js';
import { AGREEMENT_TOLERANCE } from '../bench/summarise/agreement.js';

const PROG = 'memtype-bench';

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Comma list, repeatable: `--tracker a,b --tracker c`. */
function parseList(v: string, prev: string[] | undefined): string[] {
  const items = splitList(v);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list of names');
  return [...(prev ?? []), ...items];
}

function parseIntStrict(v: string, what: string, min: number, max: number): number {
  if (!/^[-+]?\d+$/.test(v.trim())) throw new InvalidArgumentError(`not ${what}`);
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`not ${what}`);
  return n;
}

function parsePositiveInt(v: string): number {
  return parseIntStrict(v, 'a positive integer', 1, Number.MAX_SAFE_INTEGER);
}

/** `--size 8,64` (every selected workload) or `--size ttm-fault=16,128` (one workload); repeatable. */
function parseSizes(v: string, prev: { workload?: string; sizes: number[] }[] | undefined): { workload?: string; sizes: number[] }[] {
  const eq = v.indexOf('=');
  const workload = eq >= 0 ? v.slice(0, eq).trim() : undefined;
  const items = splitList(eq >= 0 ? v.slice(eq + 1) : v);
  if (items.length === 0 || workload === '') throw new InvalidArgumentError('expected a comma-separated list of positive integers, optionally WORKLOAD=LIST');
  const sizes = items.map((s) => parseIntStrict(s, 'a positive integer', 1, Number.MAX_SAFE_INTEGER));
  return [...(prev ?? []), workload !== undefined ? { workload, sizes } : { sizes }];
}

/** `--cpus 1,2,host`: CPU counts (positive integers, or `host` = this machine's parallelism); repeatable. */
function parseCpus(v: string, prev: (number | 'host')[] | undefined): (number | 'host')[] {
  const items = splitList(v);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list of CPU counts or "host"');
  return [...(prev ?? []), ...items.map((s) => (s === 'host' ? ('host' as const) : parseIntStrict(s, 'a positive integer or "host"', 1, Number.MAX_SAFE_INTEGER)))];
}

function parseSeeds(v: string, prev: number[] | undefined): number[] {
  const items = splitList(v);
  if (items.length === 0) throw new InvalidArgumentError('expected an integer seed');
  return [...(prev ?? []), ...items.map((s) => parseIntStrict(s, 'a 32-bit integer', -(2 ** 31), 2 ** 32 - 1))];
}

function parseMs(v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number of milliseconds');
  return n;
}

function parsePercent(v: string): number {
  const n = Number(v.trim().replace(/%$/, ''));
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('not a non-negative percentage');
  return n / 100;
}

function parseAlpha(v: string): number {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError('not a probability in (0, 1)');
  return n;
}

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** Help of `--tracker-module`. */
const MODULE_HELP = 'a tracker module (.js, .mjs or .ts) whose parts compose with the built-in ones by name (repeatable)';

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** memtype-bench's version (package.json). */
function version(): string {
  return (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** An example per command, shown after its help. */
const EXAMPLES: Record<string, string> = {
  run: "memtype-bench run --quick --workload ttm-fault --size 16,128 --time 30",
  reproduce: 'memtype-bench reproduce --quick --workload ttm-fault --tolerance 10',
  agreement: 'memtype-bench agreement reproduce-1 reproduce-2',
  compare: 'memtype-bench compare results/before results/after --threshold 5 --normalize null',
  report: 'memtype-bench report 2026-11-21T14-03-05Z --baseline results/before',
  publish: 'memtype-bench publish 2026-11-21T14-03-05Z --out site/',
  project: 'memtype-bench project 2026-11-21T14-03-05Z --cpus 32,256 --handoff-ns 134',
  merge: 'memtype-bench merge results/merged shards/shard-1 shards/shard-2',
  trace: 'memtype-bench trace ttm-fault --size 16 --machine-file /proc/iomem -o ttm.jsonl',
  describe: 'memtype-bench describe desktop-day --size 512',
  list: 'memtype-bench list trackers',
  replay: 'memtype-bench replay --check --tracker btree+page-bit+single-page test/fixtures/smoke.jsonl',
  verify: 'memtype-bench verify --tracker-module examples/sorted-array-store.ts',
};

/** Adds the example of command `name` after its help. */
function example(c: Command, name: string): Command {
  return c.addHelpText('after', `\nExample:\n  $ ${EXAMPLES[name]}`);
}

/** The flags of `run` (and `reproduce`), as commander parses them. */
type RunFlags = {
  matrix?: string;
  quick?: boolean;
  list?: boolean;
  tracker?: string[];
  workload?: string[];
  size?: { workload?: string; sizes: number[] }[];
  seed?: number[];
  forks?: number;
  rounds?: number;
  time?: number;
  baseline?: string;
  machine?: string;
  machineFile?: string;
  mtrrFile?: string;
  parallel?: number;
  isolation?: 'thread' | 'process';
  out: string;
  runId?: string;
  shard?: string;
  resume?: string;
  maxSamples?: number;
  charts: boolean;
  bug?: string[];
  trackerModule?: string[];
  verify: boolean;
  cpus?: (number | 'host')[];
};

/** Adds the options of `run` to a command. */
function addRunOptions(c: Command): Command {
  return c
    .option('--matrix <file>', 'matrix config file (JSON); default bench/plan/matrices/default.json')
    .option('--quick', 'the quick matrix (bench/plan/matrices/quick.json): about a minute')
    .option('--list', 'print the cells the run would measure, and the time estimate, then exit (dry run)')
    .option('--tracker <list>', 'trackers: comma list of names or globs ("interval-*", "{list,rbtree}+*"); replaces the lineup', parseList)
    .option('--workload <list>', 'workloads: comma list of names or globs', parseList)
    .option('--size <list>', 'sizes for every selected workload, or WORKLOAD=LIST for one (repeatable)', parseSizes)
    .option('--seed <list>', 'PRNG seeds: comma list of integers', parseSeeds)
    .option(
      '--cpus <list>',
      'an SMP run: CPU counts of the emulated machine, comma list of integers or "host" (this machine\'s parallelism); without --matrix the SMP matrix (bench/plan/matrices/smp.json, smp-quick.json with --quick)',
      parseCpus,
    )
    .option('--forks <n>', 'fresh isolates per cell, the unit of replication (default: the matrix\'s, 3)', parsePositiveInt)
    .addOption(new Option('--rounds <n>', 'old name of --forks').argParser(parsePositiveInt).hideHelp())
    .option('--time <ms>', 'fixed timed budget per fork, milliseconds (default: the matrix\'s)', parseMs)
    .option('--baseline <name>', 'tracker the per-group time ratios are taken against (default the Linux composition)')
    .option('--machine <profile>', 'built-in machine profile for every workload (memtype-bench list profiles)')
    .option('--machine-file <path>', "your machine's /proc/iomem or e820 boot log (detected)")
    .option('--mtrr-file <path>', 'your /proc/mtrr or boot-log MTRR block')
    .option('--parallel <n>', 'forks measuring at once, from different groups (1 gives the most stable timing)', parsePositiveInt)
    .addOption(new Option('--isolation <kind>', 'a fresh worker thread or child process per fork').choices(['thread', 'process']))
    .option('--out <dir>', 'folder receiving <run-id>/', 'results')
    .option('--run-id <id>', 'name of the run folder (default: the UTC start time)')
    .option('--shard <i/n>', 'run shard i of n (1-based); auto/n takes i from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID')
    .option('--resume <run>', 'finish an interrupted run (folder or run id): only its unfinished groups run')
    .option('--max-samples <n>', 'raw samples kept per fork', parsePositiveInt)
    .option('--no-charts', 'skip rendering the SVG charts')
    .option('--bug <name>', 'enable a historical bug switch in every machine, the oracle\'s too (repeatable)', collect)
    .option('--tracker-module <path>', MODULE_HELP, collect)
    .option('--no-verify', 'time module-loaded trackers without checking them against the oracle first (their cells are marked unchecked)');
}

/** `RunOptions` from the parsed flags. */
function runOptions(o: RunFlags): RunOptions {
  const opts: RunOptions = { outDir: o.out, charts: o.charts };
  if (o.matrix !== undefined) opts.matrixFile = o.matrix;
  if (o.quick) opts.quick = true;
  if (o.list) opts.list = true;
  if (o.tracker) opts.trackers = o.tracker;
  if (o.workload) opts.workloads = o.workload;
  if (o.size) opts.sizes = o.size;
  if (o.seed) opts.seeds = o.seed;
  if (o.rounds !== undefined && o.forks === undefined) {
    process.stderr.write(`${PROG}: note: --rounds is now --forks (each cell is measured in that many fresh isolates)\n`);
    opts.forks = o.rounds;
  }
  if (o.forks !== undefined) opts.forks = o.forks;
  if (o.time !== undefined) opts.timeMs = o.time;
  if (o.baseline !== undefined) opts.baseline = o.baseline;
  if (o.machine !== undefined) opts.machine = o.machine;
  if (o.machineFile !== undefined) opts.machineFile = o.machineFile;
  if (o.mtrrFile !== undefined) opts.mtrrFile = o.mtrrFile;
  if (o.parallel !== undefined) opts.parallel = o.parallel;
  if (o.isolation !== undefined) opts.isolation = o.isolation;
  if (o.runId !== undefined) opts.runId = o.runId;
  if (o.shard !== undefined) opts.shard = o.shard;
  if (o.resume !== undefined) opts.resume = o.resume;
  if (o.maxSamples !== undefined) opts.maxSamples = o.maxSamples;
  if (o.bug) opts.bugs = o.bug;
  if (o.trackerModule) opts.trackerModules = o.trackerModule;
  if (!o.verify) opts.verify = false;
  if (o.cpus) opts.cpus = o.cpus;
  return opts;
}

function program(setExit: (code: number) => void): Command {
  const p = new Command(PROG)
    .description('Benchmarks x86 PAT memtype trackers over an emulated machine: throughput, memory, correctness')
    .version(version(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`${PROG}: ${str.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);

  addRunOptions(p.command('run').description('measure trackers × workloads × sizes, each cell in several fresh isolates (forks); write results/<run-id>/ and print the table')).action(
    async (o: RunFlags) => {
      const outcome = await runBench(runOptions(o));
      setExit(outcome.exitCode);
    },
  );

  addRunOptions(
    p
      .command('reproduce')
      .description('the reproducibility benchmark: run the same matrix twice and print how far the two runs agree (intervals overlapping, ratios within the tolerance, contradictions, median |r1/r2 − 1|)'),
  )
    .addOption(new Option('--tolerance <pct>', 'largest |r1/r2 − 1| of a consistent cell, percent').argParser(parsePercent).default(AGREEMENT_TOLERANCE, String(AGREEMENT_TOLERANCE * 100)))
    .action(async (o: RunFlags & { tolerance: number }) => {
      if (o.resume !== undefined || o.list || o.shard !== undefined) throw new InputError('reproduce runs a whole matrix twice: --resume, --list and --shard do not apply');
      const base = runOptions(o);
      const id = o.runId ?? `reproduce-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
      const first = await runBench({ ...base, runId: `${id}-1`, charts: false });
      const second = await runBench({ ...base, runId: `${id}-2`, charts: false });
      process.stdout.write('\n');
      runAgreementCommand(first.dir, second.dir, o.tolerance, base.outDir);
      setExit(Math.max(first.exitCode, second.exitCode));
    });

  p.command('agreement')
    .description('how far two runs of the same matrix agree: intervals overlapping and ratios within the tolerance, contradictory cells, median |r1/r2 − 1|')
    .argument('<run1>', 'a run (folder or run id)')
    .argument('<run2>', 'another run of the same matrix')
    .addOption(new Option('--tolerance <pct>', 'largest |r1/r2 − 1| of a consistent cell, percent').argParser(parsePercent).default(AGREEMENT_TOLERANCE, String(AGREEMENT_TOLERANCE * 100)))
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action((a: string, b: string, o: { tolerance: number; results: string }) => {
      setExit(runAgreementCommand(a, b, o.tolerance, o.results));
    });

  p.command('compare')
    .description("compare two runs cell by cell, forks as the unit: time ratio with a 95% interval (bootstrap over forks), Welch's t on log fork figures (each fork's fastest replay); exit 1 on a confident regression")
    .argument('<base>', 'the reference run (folder or run id)')
    .argument('<head>', 'the run to judge (folder or run id)')
    .addOption(new Option('--threshold <pct>', 'regression threshold, percent slower').argParser(parsePercent).default(0.05, '5'))
    .option('--alpha <p>', "significance level of Welch's t-test on log fork figures", parseAlpha, 0.05)
    .addOption(new Option('--min-effect <pct>', 'smallest change marked significant, percent').argParser(parsePercent).default(0.02, '2'))
    .addOption(
      new Option('--normalize <ref>', "compare times relative to the null tracker's fork of the same block (cancels machine-wide drift; blind to core changes)")
        .choices(['none', 'null'])
        .default('none'),
    )
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action((base: string, head: string, o: { threshold: number; alpha: number; minEffect: number; normalize: 'none' | 'null'; results: string }) => {
      setExit(runCompareCommand(base, head, { threshold: o.threshold, alpha: o.alpha, minEffect: o.minEffect, normalize: o.normalize }, o.results));
    });

  p.command('report')
    .description('write RUN/report.html: self-contained page with charts, tables, validity, environment, matrix (and a comparison with --baseline)')
    .argument('<run>', 'the run (folder or run id)')
    .option('--baseline <run>', 'another run (folder or run id) to compare against')
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action(async (run: string, o: { baseline?: string; results: string }) => {
      setExit(await runReportCommand(run, o.baseline !== undefined ? { baseline: o.baseline } : {}, { baseDir: o.results }));
    });

  p.command('project')
    .description("project an SMP run past this host's CPUs: each tracker's 1-CPU lock and other time per op through a closed queueing model of one lock; prints projected ops/s per tracker, Holt's spinlock ÷ cmpxchg on xpmem-insert and the hand-off that reproduces it; writes RUN/projection.json (drawn dashed by report)")
    .argument('<run>', 'an SMP run (folder or run id) with 1-CPU cells')
    .requiredOption('--cpus <list>', 'CPU counts to project to, comma list of integers (e.g. 32,256)')
    .option('--handoff-ns <ns>', 'lock hand-off latency, ns (default 134: two-socket Cascade Lake cache-line transfer, github.com/nviennot/core-to-core-latency)')
    .option('--per-waiter-ns <ns>', 'extra hand-off per waiting CPU, ns (a ticket lock whose waiters share one line; default 0)')
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action((run: string, o: { cpus: string; handoffNs?: string; perWaiterNs?: string; results: string }) => {
      setExit(
        runProjectCommand(
          run,
          {
            cpus: parseProjectCpus(o.cpus),
            ...(o.handoffNs !== undefined ? { handoffNs: parseNs('--handoff-ns', o.handoffNs) } : {}),
            ...(o.perWaiterNs !== undefined ? { perWaiterNs: parseNs('--per-waiter-ns', o.perWaiterNs) } : {}),
          },
          { baseDir: o.results },
        ),
      );
    });

  p.command('publish')
    .description('write a static folder for any static host: index.html (the report), charts as SVG + PNG + vega-lite spec, the raw results files')
    .argument('<run>', 'the run (folder or run id)')
    .requiredOption('--out <dir>', 'folder to write (new, empty, or written by an earlier publish)')
    .option('--baseline <run>', 'another run to compare against')
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action(async (run: string, o: { out: string; baseline?: string; results: string }) => {
      setExit(await runPublishCommand(run, { out: o.out, ...(o.baseline !== undefined ? { baseline: o.baseline } : {}) }, { baseDir: o.results }));
    });

  p.command('merge')
    .description('union shard runs of one matrix by cellId into OUT; checks matrix hash and schema; reports missing cells (exit 1)')
    .argument('<out>', 'new folder for the merged run')
    .argument('<runs...>', 'shard runs (folders or run ids)')
    .option('--results <dir>', 'folder holding run ids', 'results')
    .action(async (out: string, runs: string[], o: { results: string }) => {
      setExit(await runMergeCommand(out, runs, o.results));
    });

  const workloadCmd = (name: 'trace' | 'describe', description: string, run: (w: string, o: WorkloadCmdOptions) => Promise<number>): void => {
    const c = p
      .command(name)
      .description(description)
      .argument('<workload>', 'workload name (memtype-bench list workloads)')
      .requiredOption('--size <n>', 'workload size', parsePositiveInt)
      .option('--seed <n>', 'PRNG seed', (v: string) => parseIntStrict(v, 'a 32-bit integer', -(2 ** 31), 2 ** 32 - 1), 1)
      .option('--machine <profile>', 'built-in machine profile')
      .option('--machine-file <path>', "your machine's /proc/iomem or e820 boot log")
      .option('--mtrr-file <path>', 'your /proc/mtrr or boot-log MTRR block')
      .option('--tracker-module <path>', MODULE_HELP, collect);
    if (name === 'trace') c.option('-o, --out <file>', 'output file (default standard output)');
    if (name === 'describe') c.option('--tracker <name>', 'tracker to replay on (default the oracle; Linux\'s composition above 200 000 ops)');
    c.action(async (w: string, o: { size: number; seed: number; machine?: string; machineFile?: string; mtrrFile?: string; out?: string; tracker?: string; trackerModule?: string[] }) => {
      const opts: WorkloadCmdOptions = { size: o.size, seed: o.seed };
      if (o.machine !== undefined) opts.machine = o.machine;
      if (o.machineFile !== undefined) opts.machineFile = o.machineFile;
      if (o.mtrrFile !== undefined) opts.mtrrFile = o.mtrrFile;
      if (o.out !== undefined) opts.out = o.out;
      if (o.tracker !== undefined) opts.tracker = o.tracker;
      if (o.trackerModule) opts.trackerModules = o.trackerModule;
      setExit(await run(w, opts));
    });
  };
  workloadCmd('trace', "write a workload's op stream as a trace file (the replay format)", runTraceCommand);
  workloadCmd('describe', "print a workload's op mix and live reservations over time", runDescribeCommand);

  p.command('list')
    .description('list trackers, workloads or machine profiles: name, two spaces, description')
    .addArgument(new Argument('<what>', 'what to list').choices(['trackers', 'workloads', 'profiles']))
    .option('--tracker-module <path>', MODULE_HELP, collect)
    .action(async (what: 'trackers' | 'workloads' | 'profiles', o: { trackerModule?: string[] }) => {
      await loadTrackerModules(o.trackerModule ?? []);
      let rows: Profile[];
      if (what === 'trackers') rows = [...trackerNames(), ORACLE, NULL_TRACKER].map((name) => ({ name, description: describeTracker(name) }));
      else if (what === 'workloads') rows = workloadNames().map((name) => ({ name, description: firstLine(getWorkload(name).description) }));
      else rows = listProfiles().map((x) => ({ name: x.name, description: firstLine(x.description) }));
      process.stdout.write(rows.map((r) => `${r.name}  ${r.description}\n`).join(''));
      setExit(0);
    });

  p.command('replay')
    .description('replay a trace on a tracker and compare its outcomes with the expected ones')
    .argument('<trace>', 'trace file')
    .option('--tracker <name>', 'tracker to replay on')
    .option('--keep-going', 'record a malformed line and go on instead of stopping at it')
    .option('--check', "compare every outcome with the oracle's on the same machine; exit 1 on a difference")
    .option('--bug <name>', 'enable a historical bug switch (repeatable)', collect)
    .option('--tracker-module <path>', MODULE_HELP, collect)
    .action(async (trace: string, o: { tracker?: string; keepGoing?: boolean; bug?: string[]; trackerModule?: string[]; check?: boolean }) => {
      setExit(await runReplayCommand({ tracker: o.tracker, keepGoing: o.keepGoing, bug: o.bug, trackerModules: o.trackerModule ?? [], check: o.check === true }, trace));
    });

  p.command('verify')
    .description(
      "check trackers against the oracle before timing them: the conformance traces, then seeded random traces on real machine maps, invariants checked after every mutation; at the first divergence print it, write a minimal trace, exit 1",
    )
    .option('--tracker-module <path>', MODULE_HELP, collect)
    .option('--tracker <list>', 'trackers: names or globs (default every composition that uses a part of the loaded modules)', parseList)
    .option('--random <n>', 'random traces per tracker (default 500)', (v: string) => parseIntStrict(v, 'a non-negative integer', 0, 1_000_000))
    .option('--seed <n>', 'seed of the random traces', (v: string) => parseIntStrict(v, 'a 32-bit integer', -(2 ** 31), 2 ** 32 - 1))
    .option('-o, --out <file>', 'where the minimal trace of a failure goes (default verify-<tracker>.jsonl)')
    .action(async (o: { trackerModule?: string[]; tracker?: string[]; random?: number; seed?: number; out?: string }) => {
      const opts: VerifyCommandOptions = { trackerModules: o.trackerModule ?? [] };
      if (o.tracker) opts.trackers = o.tracker;
      if (o.random !== undefined) opts.randomTraces = o.random;
      if (o.seed !== undefined) opts.seed = o.seed;
      if (o.out !== undefined) opts.out = o.out;
      setExit(await runVerifyCommand(opts));
    });
  for (const c of p.commands) example(c, c.name());
  return p;
}

/**
 * Runs the CLI.
 * @param argv arguments after the program name
 * @returns the exit status (0, 1, 2 or 70)
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  try {
    await program((c) => (code = c)).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Already printed by commander (through outputError).
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`${PROG}: ${e.message}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    const file = join(tmpdir(), `${PROG}-error-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    let where = file;
    try {
      writeFileSync(file, `${PROG} ${argv.join(' ')}\n${err.stack ?? `${err.name}: ${err.message}`}\n`);
    } catch {
      where = '(could not write the stack file)';
    }
    process.stderr.write(`${PROG}: internal error: ${err.name}: ${firstLine(err.message)} (full stack: ${where})\n`);
    return 70;
  }
}

// Tests import this module to call `main()` in-process; they set this flag first.
if (!(globalThis as { __memtypeBenchNoAutorun?: boolean }).__memtypeBenchNoAutorun) {
  // A closed pipe (`memtype-bench run --list | head`) is no error: stop
  // writing to it and carry on, so a run keeps measuring and saving results.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.stdout.write = () => true;
  });
  process.exitCode = await main(process.argv.slice(2));
}
