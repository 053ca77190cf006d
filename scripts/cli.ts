/**
 * `memtype-bench`: the command line. Thin: parses arguments and calls into
 * bench/. Exit status: 0 success; 1 a run with invalid or errored cells; 2
 * bad input (unknown flag or name, bad number, bad trace) — one line on
 * stderr, never a stack; 70 an internal error — one line on stderr plus
 * the path of a file under the temp folder holding the full stack.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError } from 'commander';
import { InputError } from '../core/errors.js';
import { NULL_TRACKER, ORACLE, trackerNames } from '../impls/registry.js';
import { listProfiles, type Profile } from '../workloads/profiles.js';
import { getWorkload, workloadNames } from '../workloads/registry.js';
import { DEFAULT_TIMING } from '../bench/cell.js';
import { runReplayCommand } from '../bench/replay.js';
import { runBench } from '../bench/run.js';

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

function parseSizes(v: string, prev: number[] | undefined): number[] {
  const items = splitList(v);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list of positive integers');
  return [...(prev ?? []), ...items.map((s) => parseIntStrict(s, 'a positive integer', 1, Number.MAX_SAFE_INTEGER))];
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

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/** One-line description of a tracker, from its composition name (`store+ram+insert`). */
function trackerDescription(name: string): string {
  if (name === ORACLE) return 'brute-force reference semantics (Linux x86 PAT, v6.16 series); every tracker must match its outcomes';
  if (name === NULL_TRACKER) return 'tracks nothing: the harness + machine core cost, measured beside every tracker';
  const parts = name.split('+');
  if (parts.length === 3) return `range store ${parts[0]}, RAM policy ${parts[1]}, insert policy ${parts[2]}`;
  return 'tracker';
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function program(setExit: (code: number) => void): Command {
  const p = new Command(PROG)
    .description('Benchmarks x86 PAT memtype trackers over an emulated machine: throughput, memory, correctness')
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`${PROG}: ${str.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);

  p.command('run')
    .description('measure trackers × workloads × sizes; write results/<run-id>/ and print the table')
    .option('--tracker <list>', 'trackers: comma list of names or globs (e.g. "interval-*"); default every tracker', parseList)
    .option('--workload <list>', 'workloads: comma list of names or globs; default every workload', parseList)
    .option('--size <list>', "sizes: comma list of positive integers; default each workload's defaults", parseSizes)
    .option('--seed <n>', 'PRNG seed (comma list for several); default 1', parseSeeds)
    .option('--parallel <n>', 'worker threads measuring at once (1 gives the most stable timing)', parsePositiveInt, 1)
    .option('--time <ms>', 'time budget per cell, milliseconds', parseMs, DEFAULT_TIMING.timeMs)
    .option('--out <dir>', 'folder receiving <run-id>/', 'results')
    .action(async (o: { tracker?: string[]; workload?: string[]; size?: number[]; seed?: number[]; parallel: number; time: number; out: string }) => {
      const outcome = await runBench({
        trackers: o.tracker,
        workloads: o.workload,
        sizes: o.size,
        seeds: o.seed,
        parallel: o.parallel,
        timeMs: o.time,
        outDir: o.out,
      });
      setExit(outcome.exitCode);
    });

  p.command('list')
    .description('list trackers, workloads or machine profiles: name, two spaces, description')
    .addArgument(new Argument('<what>', 'what to list').choices(['trackers', 'workloads', 'profiles']))
    .action((what: 'trackers' | 'workloads' | 'profiles') => {
      let rows: Profile[];
      if (what === 'trackers') rows = [...trackerNames(), ORACLE, NULL_TRACKER].map((name) => ({ name, description: trackerDescription(name) }));
      else if (what === 'workloads') rows = workloadNames().map((name) => ({ name, description: firstLine(getWorkload(name).description) }));
      else rows = listProfiles().map((x) => ({ name: x.name, description: firstLine(x.description) }));
      process.stdout.write(rows.map((r) => `${r.name}  ${r.description}\n`).join(''));
      setExit(0);
    });

  p.command('replay')
    .description('replay a trace on a tracker and compare its outcomes with the expected ones')
    .argument('<trace>', 'trace file')
    .option('--tracker <name>', 'tracker to replay on')
    .option('--keep-going', 'report every mismatch instead of stopping at the first')
    .option('--bug <name>', 'enable a historical bug switch (repeatable)', collect)
    .action(async (trace: string, o: { tracker?: string; keepGoing?: boolean; bug?: string[] }) => {
      setExit(await runReplayCommand({ tracker: o.tracker, keepGoing: o.keepGoing, bug: o.bug }, trace));
    });
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

process.exitCode = await main(process.argv.slice(2));
