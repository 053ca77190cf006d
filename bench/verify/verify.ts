/**
 * `verify`: a tracker is checked against the oracle before it is timed. It
 * replays the conformance traces (conformance/*.jsonl) and a seeded set of
 * random traces on real machine profiles (workloads/random-trace.ts, the
 * generator of the differential tests) twice — on the oracle and on the
 * tracker in test mode (the store's and RAM policy's `checkInvariants()`
 * after every mutation) — and compares every op's outcome (return code,
 * granted type, kernel messages, query results). The first divergence is
 * reported with the trace line, the op, both outcomes, and a minimal trace
 * that still diverges (delta debugging over the ops).
 *
 * `verifyTracker` is the seam `run` calls before timing a module-loaded
 * tracker; bench/commands/verify.ts is `memtype-bench verify`; `replay
 * --check` compares with `oracleOutcomes`.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import fc from 'fast-check';
import { Bugs } from '../../core/bugs.js';
import { InputError } from '../../core/errors.js';
import { Hardware } from '../../core/hardware.js';
import { Machine, OpError } from '../../core/machine.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import { OP_NAMES, STRIDE, type OpStream } from '../../core/ops.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { writeTrace } from '../../core/trace.js';
import { createTracker, ORACLE } from '../../impls/registry.js';
import { buildStream, cmdsArb, PROFILES } from '../../workloads/random-trace.js';
import { conformanceDir, readConformanceTraces } from './conformance.js';
import { MSG } from '../messages.js';
import { OutcomeJsonSink, type OutcomeJson } from './outcome-json.js';

/** Seed of the random traces unless told otherwise. */
export const VERIFY_SEED = 20261206;
/** Random traces per tracker unless told otherwise. */
export const VERIFY_RANDOM_TRACES = 500;

/** Options of `verifyTracker`. */
export interface VerifyOptions {
  /** Random traces to replay after the conformance traces (default 500; 0 for conformance only). */
  randomTraces?: number;
  /** Seed of the random traces (default `VERIFY_SEED`): the same seed, the same traces. */
  seed?: number;
  /** Machine profiles the random traces run on (default: the differential tests' real maps). */
  profiles?: readonly string[];
  /** Folder of conformance traces (default the project's `conformance/`). */
  conformanceDir?: string;
  /** Test mode: the store's and RAM policy's `checkInvariants()` after every mutation (default true). */
  checkInvariants?: boolean;
  /** Shrink the first divergence to a minimal trace (default true). */
  shrink?: boolean;
  /** Replays the shrinking may spend (each replays a candidate on the oracle and the tracker; default 4000). */
  maxShrinkReplays?: number;
}

/** Where a tracker's outcome first differs from the oracle's. */
export interface Divergence {
  /** The trace: a conformance file (relative to the working directory), `random trace #K (profile P, seed S)`, or `minimal trace`. */
  trace: string;
  /** Text of that trace (a random trace as written by `memtype-bench trace`). */
  text: string;
  /** 1-based line of the diverging op in `text`. */
  line: number;
  /** 0-based index of the op in the trace's op stream. */
  index: number;
  /** The op's trace line. */
  opLine: string;
  /** The op's name, e.g. `memtype_reserve`. */
  op: string;
  /** The oracle's outcome (replay's format, without `line`). */
  oracle: OutcomeJson;
  /** The tracker's outcome, or `{op, threw}` when the tracker threw (an invariant check, or a bug). */
  tracker: OutcomeJson;
}

/** The outcome of `verifyTracker`: a discriminated union on `state`. */
export type VerifyResult =
  | {
      state: 'passed';
      tracker: string;
      /** Conformance traces replayed. */
      conformance: number;
      /** Random traces replayed. */
      random: number;
      /** Ops replayed on the tracker. */
      ops: number;
      /** Whether invariants were checked after every mutation. */
      invariants: boolean;
    }
  | {
      state: 'failed';
      tracker: string;
      conformance: number;
      random: number;
      ops: number;
      invariants: boolean;
      /** The first divergence, in the trace where it was found. */
      first: Divergence;
      /** The same failure in a minimal trace (`text` is a complete trace file), or null when not shrunk. */
      minimal: (Divergence & { ops: number }) | null;
    };

/** One trace of the corpus with the oracle's outcomes. */
interface CorpusTrace {
  label: string;
  stream: OpStream;
  /** mm names for writing the trace back. */
  mmName: (id: number) => string | number;
  /** Text and per-op line numbers, computed on demand. */
  text(): { text: string; lines: number[]; raw: string[] };
  /** The oracle's outcome per op, as JSON text; shorter than the stream when the oracle stopped at a trace error. */
  oracle: string[];
}

const hardwareOfMachine = new WeakMap<ParsedMachine, Hardware>();

/** The hardware of a parsed machine, built once per machine (built-in profiles are one shared value each). */
function hardwareOf(m: ParsedMachine): Hardware {
  let hw = hardwareOfMachine.get(m);
  if (hw === undefined) {
    hw = Hardware.fromParsed(m);
    hardwareOfMachine.set(m, hw);
  }
  return hw;
}

/** One line of an error. */
function errorLine(e: unknown): string {
  return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0]!;
}

/**
 * Replays `stream` on `tracker`, op by op, and compares with `oracle`
 * (outcome JSON texts; fewer than the ops when the oracle stopped at a
 * trace error, after which nothing is compared).
 * @returns ops replayed, and the first differing op's index and outcome (null when none)
 */
function compare(stream: OpStream, tracker: MemtypeTracker, oracle: readonly string[]): { ops: number; at: number; got: OutcomeJson | null } {
  let got: OutcomeJson | null = null;
  const sink = new OutcomeJsonSink(stream, (_i, o) => (got = o));
  let machine: Machine;
  try {
    machine = new Machine(hardwareOf(stream.machine), tracker);
  } catch (e) {
    return { ops: 0, at: 0, got: { op: OP_NAMES[stream.ops[0]!], threw: errorLine(e) } };
  }
  sink.machine = machine;
  machine.attachStream(stream, sink);
  const n = Math.min(stream.count, oracle.length);
  for (let i = 0; i < n; i++) {
    got = null;
    try {
      const ret = machine.exec(stream.ops, i * STRIDE);
      sink.done(i, ret, machine.outType, machine.query);
    } catch (e) {
      sink.discard();
      return { ops: i + 1, at: i, got: { op: OP_NAMES[stream.ops[i * STRIDE]!], threw: errorLine(e) } };
    }
    if (JSON.stringify(got) !== oracle[i]) return { ops: i + 1, at: i, got };
  }
  return { ops: n, at: -1, got: null };
}

/**
 * The oracle's outcome of each op of `stream` (replay's format, as JSON
 * text), up to its first trace error.
 * @param bugs historical bug switches of the oracle's machine (default none)
 */
export function oracleOutcomes(stream: OpStream, bugs: Bugs = Bugs.parse([])): string[] {
  const out: string[] = [];
  const sink = new OutcomeJsonSink(stream, (_i, o) => out.push(JSON.stringify(o)));
  const machine = new Machine(hardwareOf(stream.machine), createTracker(ORACLE), { bugs });
  sink.machine = machine;
  machine.attachStream(stream, sink);
  for (let i = 0; i < stream.count; i++) {
    try {
      sink.done(i, machine.exec(stream.ops, i * STRIDE), machine.outType, machine.query);
    } catch (e) {
      if (e instanceof OpError) break;
      throw e;
    }
  }
  return out;
}

/** The ops `keep` (ascending indices) of `stream`, as a stream of their own. */
function subStream(stream: OpStream, keep: readonly number[]): OpStream {
  const ops = new Float64Array(keep.length * STRIDE);
  keep.forEach((k, j) => ops.set(stream.ops.subarray(k * STRIDE, (k + 1) * STRIDE), j * STRIDE));
  return { machine: stream.machine, ops, count: keep.length, peak: keep.length, strings: stream.strings };
}

/** Writes `stream` as trace text, with `header` comment lines first; lines[i] = 1-based line of op i. */
function traceText(stream: OpStream, mmName: (id: number) => string | number, header: readonly string[]): { text: string; lines: number[]; raw: string[] } {
  const body = writeTrace(stream, mmName).split('\n').filter((l) => l !== '');
  const text = [...header.map((h) => `# ${h}`), ...body].join('\n') + '\n';
  const raw = body.slice(1);
  return { text, lines: raw.map((_, i) => header.length + 2 + i), raw };
}

/** Corpora by (conformance folder, seed, count, profiles): the traces and the oracle's outcomes, built once per isolate. */
const corpora = new Map<string, { conformance: CorpusTrace[]; random: CorpusTrace[] }>();

function corpus(dir: string, seed: number, count: number, profiles: readonly string[]): { conformance: CorpusTrace[]; random: CorpusTrace[] } {
  const key = JSON.stringify([dir, seed, count, profiles]);
  let c = corpora.get(key);
  if (c !== undefined) return c;
  const conformance = readConformanceTraces(dir).map((t): CorpusTrace => {
    const mmName = (id: number): string | number => t.parsed.mmNames[id] ?? id;
    let text: string | null = null;
    return {
      label: relative(process.cwd(), t.path) || t.path,
      stream: t.parsed.stream,
      mmName,
      text: () => ({ text: (text ??= readFileSync(t.path, 'utf8')), lines: t.parsed.lines, raw: t.parsed.raw }),
      oracle: oracleOutcomes(t.parsed.stream),
    };
  });
  const samples = count > 0 ? fc.sample(fc.tuple(fc.constantFrom(...profiles), cmdsArb), { seed, numRuns: count }) : [];
  const random = samples.map(([profile, cmds], k): CorpusTrace => {
    const stream = buildStream(profile, cmds);
    const label = `random trace #${k + 1} (profile ${profile}, seed ${seed})`;
    return { label, stream, mmName: (id) => id, text: () => traceText(stream, (id) => id, [`memtype-bench verify: ${label}`]), oracle: oracleOutcomes(stream) };
  });
  c = { conformance, random };
  corpora.set(key, c);
  return c;
}

/**
 * The first divergence of `tracker` on `t` at op `at`, as reported.
 */
function divergenceAt(t: CorpusTrace, at: number, got: OutcomeJson): Divergence {
  const { text, lines, raw } = t.text();
  return {
    trace: t.label,
    text,
    line: lines[at]!,
    index: at,
    opLine: raw[at]!.trim(),
    op: OP_NAMES[t.stream.ops[at * STRIDE]!]!,
    oracle: JSON.parse(t.oracle[at]!) as OutcomeJson,
    tracker: got,
  };
}

/**
 * Delta debugging (Zeller's ddmin, complements first) over the ops of a
 * diverging trace: drops chunks of ops while the rest still diverges, and
 * cuts everything after the divergence, until no single op can go.
 * @param fails replays a candidate (ascending op indices); the index within it of the divergence, or -1
 * @returns the kept op indices
 */
export function ddmin(n: number, fails: (keep: number[]) => number, budget: number): number[] {
  let cur = Array.from({ length: n }, (_, i) => i);
  let gran = 2;
  while (cur.length >= 2 && budget > 0) {
    const size = Math.ceil(cur.length / gran);
    let reduced = false;
    for (let s = 0; s < cur.length && budget > 0; s += size) {
      const cand = [...cur.slice(0, s), ...cur.slice(s + size)];
      if (cand.length === 0) continue;
      budget--;
      const at = fails(cand);
      if (at >= 0) {
        cur = cand.slice(0, at + 1);
        gran = Math.max(gran - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      gran = Math.min(cur.length, gran * 2);
    }
  }
  return cur;
}

/** Shrinks a divergence of `make()` on `t` (at op `at`) to a minimal trace. */
function shrink(t: CorpusTrace, at: number, make: () => MemtypeTracker, budget: number, name: string, first: Divergence): Divergence & { ops: number } {
  const failsOn = (keep: number[]): number => {
    const s = subStream(t.stream, keep);
    return compare(s, make(), oracleOutcomes(s)).at;
  };
  const keep = ddmin(at + 1, failsOn, budget);
  const s = subStream(t.stream, keep);
  const oracle = oracleOutcomes(s);
  const r = compare(s, make(), oracle);
  // ddmin only keeps diverging candidates; the full prefix diverges at `at`.
  const index = r.at >= 0 ? r.at : keep.length - 1;
  const got = r.got ?? first.tracker;
  const header = [
    `memtype-bench verify: ${name} diverges from the oracle at op ${index + 1} (${OP_NAMES[s.ops[index * STRIDE]!]})`,
    `shrunk from ${first.trace}, line ${first.line}`,
    `oracle:  ${oracle[index] ?? '(trace error)'}`,
    `tracker: ${JSON.stringify(got)}`,
  ];
  const tx = traceText(s, t.mmName, header);
  return {
    trace: 'minimal trace',
    text: tx.text,
    line: tx.lines[index]!,
    index,
    opLine: tx.raw[index]!,
    op: OP_NAMES[s.ops[index * STRIDE]!]!,
    oracle: oracle[index] !== undefined ? (JSON.parse(oracle[index]) as OutcomeJson) : {},
    tracker: got,
    ops: keep.length,
  };
}

/**
 * Checks tracker `name` against the oracle: the conformance traces, then
 * `randomTraces` seeded random traces on real machine profiles, every op's
 * outcome compared, in test mode (invariants after every mutation). Stops at
 * the first divergence and shrinks it to a minimal trace. The tracker's
 * parts must be registered in this isolate (`loadTrackerModules` first for
 * a module's parts). Deterministic: same tracker, options and code, same
 * result. Takes a few seconds per tracker at the defaults.
 * @param name a composition from `trackerNames()` (or `oracle`, which passes trivially)
 * @returns `passed`, or `failed` with the first divergence and a minimal trace
 * @throws InputError for an unknown tracker, or unreadable conformance traces
 */
export function verifyTracker(name: string, opts: VerifyOptions = {}): VerifyResult {
  const invariants = opts.checkInvariants !== false;
  const make = (): MemtypeTracker => createTracker(name, { checkInvariants: invariants });
  make(); // unknown names fail here, before any replay
  const count = opts.randomTraces ?? VERIFY_RANDOM_TRACES;
  if (!Number.isSafeInteger(count) || count < 0) throw new InputError(MSG.verify.badCount(count));
  const c = corpus(resolve(opts.conformanceDir ?? conformanceDir()), opts.seed ?? VERIFY_SEED, count, opts.profiles ?? PROFILES);
  let ops = 0;
  let conformance = 0;
  let random = 0;
  for (const [kind, traces] of [
    ['conformance', c.conformance],
    ['random', c.random],
  ] as const) {
    for (const t of traces) {
      if (kind === 'conformance') conformance++;
      else random++;
      const r = compare(t.stream, make(), t.oracle);
      ops += r.ops;
      if (r.at < 0) continue;
      const first = divergenceAt(t, r.at, r.got!);
      const minimal = opts.shrink === false ? null : shrink(t, r.at, make, opts.maxShrinkReplays ?? 4000, name, first);
      return { state: 'failed', tracker: name, conformance, random, ops, invariants, first, minimal };
    }
  }
  return { state: 'passed', tracker: name, conformance, random, ops, invariants };
}
