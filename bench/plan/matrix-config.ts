/**
 * Matrix config files: JSON documents naming the tracker lineup (names or
 * globs, each optionally marked `optional` and annotated with `why`), the
 * workloads, sizes per workload, seeds, forks, the machine profile and the
 * timing budget. The defaults live in bench/plan/matrices/ (`default.json`,
 * `quick.json`); `memtype-bench run --matrix FILE` takes any other.
 *
 * Format (every key optional except `trackers`):
 * ```json
 * {
 *   "description": "text",
 *   "trackers": ["interval-tree+page-bit+single-page",
 *                {"match": "list+*", "optional": true, "why": "2.6.25 sorted list"}],
 *   "baseline": "interval-tree+page-bit+single-page",
 *   "workloads": ["*"],
 *   "sizes": {"ttm-fault": [16, 128], "*": "default"},
 *   "seeds": [1],
 *   "forks": 3,
 *   "orderSeed": 1,
 *   "machine": "icelake-tb-dock",
 *   "modules": ["../examples/sorted-array-store.ts"],
 *   "cpus": [1, 2, "host"],
 *   "timing": {"timeMs": "auto", "budgetSeconds": 280, "groupOverheadSeconds": 0.3, "forkOverheadSeconds": 0.07,
 *              "minTimeMs": 30, "maxTimeMs": 250, "warmupMs": 150, "minSamples": 8, "slices": 8}
 * }
 * ```
 * A `sizes` value is a list of positive integers, `"default"` (the
 * workload's `defaultSizes`), `"smallest"` or `"largest"` (one of them),
 * `"smaller"` (all but the largest, when there are several), `"larger"`
 * (all but the smallest, when there are several); keys
 * are workload names or globs, later keys win. A tracker entry that matches
 * nothing is an error unless `optional` (the lineup may name compositions
 * that are not registered yet). `modules` are tracker modules
 * (impls/tracker-module.ts), paths relative to the matrix file, loaded
 * before the lineup is resolved so that it may name their compositions.
 * `cpus` makes the matrix an SMP one (bench/plan/matrices/smp.json): each
 * group runs on a machine of that many CPUs, worker threads sharing one
 * memtype state; `"host"` is the host's `availableParallelism()`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { repoRoot } from '../../workloads/profiles.js';
import { MSG } from '../messages.js';

/** Sizes of one workload in a config. */
export type SizeChoice = readonly number[] | 'default' | 'smallest' | 'largest' | 'smaller' | 'larger';

/** One lineup entry. */
export interface TrackerEntry {
  /** Tracker name or glob. */
  match: string;
  /** When true, matching nothing is not an error (the entry is listed as skipped). */
  optional: boolean;
  /** Why it is in the lineup (shown by `--list`). */
  why: string | null;
}

/** Timing section of a config. Times in ms, budget in seconds. */
export interface TimingConfig {
  /** Timed budget per fork, ms, or `auto` (spread `budgetSeconds` over every fork). */
  timeMs: number | 'auto';
  /** Target wall time of the whole matrix, seconds (auto mode): what is left after the overheads below is spread over the forks. */
  budgetSeconds: number;
  /** Estimated untimed cost per group, seconds (stream generation, the oracle's replay), subtracted from `budgetSeconds` in auto mode. */
  groupOverheadSeconds: number;
  /** Estimated untimed cost per fork, seconds (a fresh isolate: start-up, module loading, the digest replay, memory readings), likewise. */
  forkOverheadSeconds: number;
  /** Auto mode's lower clamp per fork, ms. */
  minTimeMs: number;
  /** Auto mode's upper clamp per fork, ms: a small matrix takes less time, not more samples. */
  maxTimeMs: number;
  /** Upper bound of each fork's warm-up to a steady state, ms (also at most the timed budget); 0 = only the first (digest) replay and one more. */
  warmupMs: number;
  /**
   * Minimum timed samples per fork (fewer only for replays longer than the
   * budget). 8 = one per slice: a fork's fastest replay is its figure, and a
   * host's slow phase covers all of 5 samples of a 50 ms replay far more
   * often than all of 8 spread over the block.
   */
  minSamples: number;
  /**
   * Turns each fork's timed phase is split into, taken in turn with the other
   * forks of its block (bench/measure/turns.ts), so that a fork's samples
   * spread over the block's whole timed phase; 1 = one window per fork.
   */
  slices: number;
}

/** A CPU count of a config's `cpus` axis: a number, or the host's parallelism. */
export type CpuChoice = number | 'host';

/** Largest CPU count a matrix may ask for (the users' machines reach 512). */
export const MAX_MATRIX_CPUS = 1024;

/** A parsed matrix config. */
export interface MatrixConfig {
  /** Path of the file, or `built-in`. */
  source: string;
  description: string;
  trackers: TrackerEntry[];
  /** Ratio reference; undefined = Linux's composition. */
  baseline: string | undefined;
  workloads: string[];
  sizes: Record<string, SizeChoice>;
  seeds: number[];
  /** Fresh isolates per cell (the unit of replication). */
  forks: number;
  /** Seed of the random interleaving order. */
  orderSeed: number;
  /** Built-in machine profile for every workload; undefined = each workload's default. */
  machine: string | undefined;
  /** Tracker modules to load before the lineup is resolved: absolute paths (the file gives them relative to itself). */
  modules: string[];
  timing: TimingConfig;
  /** CPU counts of an SMP matrix; undefined for a single-CPU matrix. */
  cpus: CpuChoice[] | undefined;
}

/** Timing defaults of a config that gives none. */
export const DEFAULT_TIMING_CONFIG: Readonly<TimingConfig> = {
  timeMs: 'auto',
  budgetSeconds: 280,
  groupOverheadSeconds: 0.3,
  forkOverheadSeconds: 0.07,
  minTimeMs: 30,
  maxTimeMs: 250,
  warmupMs: 150,
  minSamples: 8,
  slices: 8,
};

/** Forks per cell when a config gives none. */
export const DEFAULT_FORKS = 3;

const TOP_KEYS = ['$comment', 'description', 'trackers', 'baseline', 'workloads', 'sizes', 'seeds', 'forks', 'orderSeed', 'machine', 'modules', 'timing', 'cpus'];
const TIMING_KEYS = Object.keys(DEFAULT_TIMING_CONFIG);
const ENTRY_KEYS = ['match', 'optional', 'why'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and validates a matrix config.
 * @param text the JSON text
 * @param source the file's path (for messages; `modules` are relative to its folder)
 * @throws InputError naming the file and the offending key for malformed JSON, unknown keys, or values of the wrong type
 */
export function parseMatrixConfig(text: string, source: string): MatrixConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(MSG.config.notJson(source, e instanceof Error ? e.message : String(e)));
  }
  const bad = (key: string, expected: string, got: unknown): InputError => new InputError(MSG.config.badValue(source, key, expected, got));
  if (!isObj(doc)) throw bad('(top level)', 'an object', doc);
  if ('rounds' in doc) throw new InputError(MSG.config.roundsRenamed(source));
  for (const k of Object.keys(doc)) if (!TOP_KEYS.includes(k)) throw new InputError(MSG.config.unknownKey(source, k, TOP_KEYS));

  const str = (key: string, v: unknown): string => {
    if (typeof v !== 'string' || v.trim() === '') throw bad(key, 'a non-empty string', v);
    return v.trim();
  };
  const intIn = (key: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw bad(key, `an integer in [${min}, ${max}]`, v);
    return v;
  };
  const posNum = (key: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad(key, 'a positive number', v);
    return v;
  };
  const strList = (key: string, v: unknown): string[] => {
    if (!Array.isArray(v) || v.length === 0) throw bad(key, 'a non-empty list of strings', v);
    return v.map((x, i) => str(`${key}[${i}]`, x));
  };

  if (!('trackers' in doc)) throw new InputError(MSG.config.missingKey(source, 'trackers'));
  if (!Array.isArray(doc.trackers) || doc.trackers.length === 0) throw bad('trackers', 'a non-empty list', doc.trackers);
  const trackers: TrackerEntry[] = doc.trackers.map((e, i) => {
    const key = `trackers[${i}]`;
    if (typeof e === 'string') return { match: str(key, e), optional: false, why: null };
    if (!isObj(e)) throw bad(key, 'a name, a glob or {"match", "optional", "why"}', e);
    for (const k of Object.keys(e)) if (!ENTRY_KEYS.includes(k)) throw new InputError(MSG.config.unknownKey(source, `${key}.${k}`, ENTRY_KEYS));
    if (e.optional !== undefined && typeof e.optional !== 'boolean') throw bad(`${key}.optional`, 'true or false', e.optional);
    return { match: str(`${key}.match`, e.match), optional: e.optional === true, why: e.why === undefined ? null : str(`${key}.why`, e.why) };
  });

  const sizes: Record<string, SizeChoice> = {};
  if (doc.sizes !== undefined) {
    if (!isObj(doc.sizes)) throw bad('sizes', 'an object of workload → sizes', doc.sizes);
    for (const [k, v] of Object.entries(doc.sizes)) {
      const key = `sizes.${k}`;
      if (v === 'default' || v === 'smallest' || v === 'largest' || v === 'smaller' || v === 'larger') sizes[k] = v;
      else if (Array.isArray(v) && v.length > 0) sizes[k] = v.map((x, i) => intIn(`${key}[${i}]`, x, 1, Number.MAX_SAFE_INTEGER));
      else throw bad(key, 'a non-empty list of positive integers, "default", "smallest", "smaller", "larger" or "largest"', v);
    }
  }

  const timing: TimingConfig = { ...DEFAULT_TIMING_CONFIG };
  if (doc.timing !== undefined) {
    if (!isObj(doc.timing)) throw bad('timing', 'an object', doc.timing);
    const t = doc.timing;
    for (const k of Object.keys(t)) if (!TIMING_KEYS.includes(k)) throw new InputError(MSG.config.unknownKey(source, `timing.${k}`, TIMING_KEYS));
    if (t.timeMs !== undefined) timing.timeMs = t.timeMs === 'auto' ? 'auto' : posNum('timing.timeMs', t.timeMs);
    if (t.budgetSeconds !== undefined) timing.budgetSeconds = posNum('timing.budgetSeconds', t.budgetSeconds);
    const nonNeg = (key: 'groupOverheadSeconds' | 'forkOverheadSeconds'): void => {
      const v = t[key];
      if (v === undefined) return;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`timing.${key}`, 'a number ≥ 0', v);
      timing[key] = v;
    };
    nonNeg('groupOverheadSeconds');
    nonNeg('forkOverheadSeconds');
    if (t.minTimeMs !== undefined) timing.minTimeMs = posNum('timing.minTimeMs', t.minTimeMs);
    if (t.maxTimeMs !== undefined) timing.maxTimeMs = posNum('timing.maxTimeMs', t.maxTimeMs);
    if (t.warmupMs !== undefined) timing.warmupMs = t.warmupMs === 0 ? 0 : posNum('timing.warmupMs', t.warmupMs);
    if (t.minSamples !== undefined) timing.minSamples = intIn('timing.minSamples', t.minSamples, 1, 100000);
    if (t.slices !== undefined) timing.slices = intIn('timing.slices', t.slices, 1, 1000);
    if (timing.minTimeMs > timing.maxTimeMs) throw bad('timing.minTimeMs', `at most timing.maxTimeMs (${timing.maxTimeMs})`, timing.minTimeMs);
  }

  return {
    source,
    description: doc.description === undefined ? '' : str('description', doc.description),
    trackers,
    baseline: doc.baseline === undefined ? undefined : str('baseline', doc.baseline),
    workloads: doc.workloads === undefined ? ['*'] : strList('workloads', doc.workloads),
    sizes,
    seeds:
      doc.seeds === undefined
        ? [1]
        : Array.isArray(doc.seeds) && doc.seeds.length > 0
          ? doc.seeds.map((s, i) => intIn(`seeds[${i}]`, s, -(2 ** 31), 2 ** 32 - 1))
          : (() => {
              throw bad('seeds', 'a non-empty list of 32-bit integers', doc.seeds);
            })(),
    forks: doc.forks === undefined ? DEFAULT_FORKS : intIn('forks', doc.forks, 1, 100),
    orderSeed: doc.orderSeed === undefined ? 1 : intIn('orderSeed', doc.orderSeed, 0, 2 ** 32 - 1),
    machine: doc.machine === undefined ? undefined : str('machine', doc.machine),
    modules: doc.modules === undefined ? [] : strList('modules', doc.modules).map((m) => resolve(dirname(source), m)),
    timing,
    cpus:
      doc.cpus === undefined
        ? undefined
        : Array.isArray(doc.cpus) && doc.cpus.length > 0
          ? doc.cpus.map((c, i): CpuChoice => (c === 'host' ? 'host' : intIn(`cpus[${i}]`, c, 1, MAX_MATRIX_CPUS)))
          : (() => {
              throw bad('cpus', `a non-empty list of CPU counts (1..${MAX_MATRIX_CPUS} or "host")`, doc.cpus);
            })(),
  };
}

/**
 * Reads and parses a matrix config file.
 * @throws InputError when the file cannot be read or does not parse (see `parseMatrixConfig`)
 */
export function loadMatrixConfig(path: string): MatrixConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(MSG.config.unreadable(path, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  return parseMatrixConfig(text, path);
}

/** Names of the built-in matrices: the single-CPU ones and the SMP ones (`--cpus` without `--matrix`). */
export type BuiltInMatrix = 'default' | 'quick' | 'smp' | 'smp-quick';

/** Path of a built-in matrix in bench/plan/matrices/ of the repository. */
export function builtInMatrixPath(name: BuiltInMatrix): string {
  return join(repoRoot(), 'bench', 'plan', 'matrices', `${name}.json`);
}
