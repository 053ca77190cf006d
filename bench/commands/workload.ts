/**
 * `memtype-bench trace WORKLOAD` and `memtype-bench describe WORKLOAD`: a
 * workload's operation stream written as a trace file
 * (shared/spec/trace-format.md), or summarised — its op mix and the live
 * state (memtype reservations, non-WB RAM pages, processes, VMAs) over time.
 */
import { writeFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import { Machine, OpError } from '../../core/machine.js';
import { OP_COUNT, OP_NAMES, STRIDE, type OpStream } from '../../core/ops.js';
import type { OutcomeSink } from '../../core/outcome.js';
import { writeTrace } from '../../core/trace.js';
import { loadTrackerModules } from '../../impls/modules.js';
import { LINUX_TRACKER, ORACLE, createTracker } from '../../impls/registry.js';
import { getWorkload } from '../../workloads/registry.js';
import { MSG } from '../messages.js';
import { loadMachineFor, type MachineOptions } from '../plan/machine.js';

/** Options shared by `trace` and `describe`. */
export interface WorkloadCmdOptions extends MachineOptions {
  size: number;
  seed: number;
  /** Output file for `trace` (default standard output). */
  out?: string;
  /** Tracker modules to load first (`--tracker-module`, repeatable). */
  trackerModules?: readonly string[];
  /** `describe`: the tracker to replay on (default the oracle, or Linux's composition above 200 000 ops). */
  tracker?: string;
}

/** Streams larger than this (ops) are described on Linux's tracker, not the O(n²) oracle. */
const ORACLE_LIMIT = 200_000;

/**
 * The workload's stream for the options.
 * @throws InputError for an unknown workload, a bad size or machine
 */
export function workloadStream(workload: string, opts: WorkloadCmdOptions): OpStream {
  const w = getWorkload(workload);
  return w.generate(opts.size, opts.seed, loadMachineFor(opts, w.defaultProfile));
}

/**
 * `memtype-bench trace WORKLOAD --size N --seed S [--machine P | --machine-file F] [--mtrr-file M] [--out FILE] [--tracker-module PATH]...`:
 * writes the stream as a trace (a comment naming the workload, the machine
 * line, one line per op) to `opts.out` or `stdout`.
 * @param stdout writer for standard output (default the process's)
 * @returns exit status 0
 * @throws InputError for an unknown workload, a bad size or machine, a bad tracker module, or an unwritable output file
 */
export async function runTraceCommand(
  workload: string,
  opts: WorkloadCmdOptions,
  stdout: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  await loadTrackerModules(opts.trackerModules ?? []);
  const stream = workloadStream(workload, opts);
  const where = stream.machine.spec.profile ?? (opts.machineFile !== undefined ? `file ${opts.machineFile}` : 'inline map');
  const text =
    `# memtype-bench trace: workload ${workload}, size ${opts.size}, seed ${opts.seed}, machine ${where}; ` +
    `${stream.count} operations, peak state after operation ${stream.peak}\n` +
    writeTrace(stream);
  if (opts.out === undefined) {
    stdout(text);
    return 0;
  }
  try {
    writeFileSync(opts.out, text);
  } catch (e) {
    throw new InputError(MSG.workload.unwritable(opts.out, (e as NodeJS.ErrnoException).code ?? (e as Error).message));
  }
  return 0;
}

/** One sample of the live state. */
interface Sample {
  op: number;
  reservations: number;
  ramPages: number;
  processes: number;
  vmas: number;
}

const SPARK = '▁▂▃▄▅▆▇█';

/** A one-line sparkline of `v` scaled to its maximum. */
function sparkline(v: readonly number[]): string {
  const max = Math.max(1, ...v);
  return v.map((x) => SPARK[Math.min(SPARK.length - 1, Math.round((x / max) * (SPARK.length - 1)))]).join('');
}

/**
 * Replays `stream` on a fresh machine, sampling the live state after the
 * ops in `at` (ascending, 1-based counts of ops run).
 * @returns the samples, and the error that stopped the replay, if any
 */
function sampleReplay(stream: OpStream, tracker: string, at: readonly number[]): { samples: Sample[]; stop?: string } {
  const machine = new Machine(Hardware.fromParsed(stream.machine), createTracker(tracker));
  const sink: OutcomeSink = { msg() {}, done() {} };
  machine.attachStream(stream, sink);
  const raw: number[] = [];
  const samples: Sample[] = [];
  let k = 0;
  for (let i = 0; i < stream.count; i++) {
    try {
      machine.exec(stream.ops, i * STRIDE);
    } catch (e) {
      if (!(e instanceof OpError)) throw e;
      return { samples, stop: `replay stopped at operation ${i + 1} (${OP_NAMES[stream.ops[i * STRIDE]!]}): ${e.message}` };
    }
    while (k < at.length && at[k] === i + 1) {
      raw.length = 0;
      machine.tracker.memtypeList(raw);
      samples.push({ op: i + 1, reservations: raw.length / 3, ramPages: machine.directMap.size, processes: machine.processCount, vmas: machine.vmaCount });
      k++;
    }
  }
  return { samples };
}

/**
 * `memtype-bench describe WORKLOAD --size N [--seed S] [--machine P | --machine-file F] [--tracker NAME] [--tracker-module PATH]...`:
 * prints the workload's description, its op mix (count and share per op)
 * and the live state over time — memtype reservations (what
 * `pat_memtype_list` shows), non-WB RAM pages, processes and VMAs at ten
 * points and as a 40-point sparkline — from a replay on `opts.tracker`,
 * by default the `oracle` (Linux's tracker for streams above 200 000 ops,
 * where the brute-force oracle is too slow).
 * @param stdout writer for standard output (default the process's)
 * @returns exit status: 0, or 1 when the emulator could not replay the stream
 * @throws InputError for an unknown workload or tracker, a bad size, machine or tracker module
 */
export async function runDescribeCommand(
  workload: string,
  opts: WorkloadCmdOptions,
  stdout: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  await loadTrackerModules(opts.trackerModules ?? []);
  const w = getWorkload(workload);
  if (opts.tracker !== undefined) createTracker(opts.tracker); // unknown names fail before the stream is built
  const stream = workloadStream(workload, opts);
  const lines: string[] = [];
  const machineName = stream.machine.spec.profile ?? (opts.machineFile ?? 'inline map');
  lines.push(`${w.name}: ${w.description}`);
  lines.push(`size ${opts.size} (${w.sizeUnit}), seed ${opts.seed}, machine ${machineName}`);
  lines.push(`${stream.count} operations; peak state after operation ${stream.peak}`);
  lines.push('');

  const counts = new Array<number>(OP_COUNT).fill(0);
  for (let i = 0; i < stream.count; i++) counts[stream.ops[i * STRIDE]!]!++;
  const mix = counts.map((n, op) => ({ op, n })).filter((x) => x.n > 0).sort((a, b) => b.n - a.n || a.op - b.op);
  const opWidth = Math.max(2, ...mix.map((x) => OP_NAMES[x.op]!.length));
  const nWidth = Math.max(5, String(stream.count).length);
  lines.push('op mix');
  lines.push(`  ${'op'.padEnd(opWidth)}  ${'count'.padStart(nWidth)}  ${'share'.padStart(6)}`);
  for (const { op, n } of mix) {
    lines.push(`  ${OP_NAMES[op]!.padEnd(opWidth)}  ${String(n).padStart(nWidth)}  ${((100 * n) / stream.count).toFixed(1).padStart(5)}%`);
  }
  lines.push('');

  const tracker = opts.tracker ?? (stream.count <= ORACLE_LIMIT ? ORACLE : LINUX_TRACKER);
  const points = (k: number): number[] => {
    const s = new Set<number>();
    for (let j = 1; j <= k; j++) s.add(Math.max(1, Math.round((stream.count * j) / k)));
    return [...s].sort((a, b) => a - b);
  };
  const table = points(10);
  const spark = points(40);
  const at = [...new Set([...table, ...spark, stream.peak].filter((x) => x >= 1))].sort((a, b) => a - b);
  const { samples, stop } = sampleReplay(stream, tracker, at);
  const byOp = new Map(samples.map((s) => [s.op, s]));
  const why = opts.tracker === undefined && tracker !== ORACLE ? `: more than ${ORACLE_LIMIT} ops for the brute-force oracle` : '';
  lines.push(`live state over time (replayed on ${tracker}${why})`);
  const head = ['after op', 'reservations', 'non-WB RAM pages', 'processes', 'VMAs'];
  const rows = table.filter((op) => byOp.has(op)).map((op) => {
    const s = byOp.get(op)!;
    return [op === stream.peak ? `${op} (peak)` : String(op), String(s.reservations), String(s.ramPages), String(s.processes), String(s.vmas)];
  });
  const peak = byOp.get(stream.peak);
  if (peak !== undefined && !table.includes(stream.peak)) {
    rows.push([`${stream.peak} (peak)`, String(peak.reservations), String(peak.ramPages), String(peak.processes), String(peak.vmas)]);
    rows.sort((a, b) => parseInt(a[0]!, 10) - parseInt(b[0]!, 10));
  }
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  lines.push('  ' + head.map((h, c) => h.padStart(widths[c]!)).join('  '));
  for (const r of rows) lines.push('  ' + r.map((x, c) => x.padStart(widths[c]!)).join('  '));
  const sparkSamples = spark.map((op) => byOp.get(op)).filter((s): s is Sample => s !== undefined);
  if (sparkSamples.length > 0) {
    const res = sparkSamples.map((s) => s.reservations);
    lines.push(`  reservations      ${sparkline(res)}  max ${Math.max(...res)}`);
    const ram = sparkSamples.map((s) => s.ramPages);
    if (Math.max(...ram) > 0) lines.push(`  non-WB RAM pages  ${sparkline(ram)}  max ${Math.max(...ram)}`);
  }
  if (stop !== undefined) lines.push('', stop);
  stdout(lines.join('\n') + '\n');
  return stop === undefined ? 0 : 1;
}
