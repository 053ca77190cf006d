/**
 * The benchmark matrix: which cells a run measures. A cell is
 * (workload, size, seed, tracker); cells sharing (workload, size, seed) form
 * a group, measured on one op stream built once; every cell is measured in
 * `forks` fresh isolates, the forks of all trackers interleaved in a seeded
 * random order (bench/measure/group.ts).
 *
 * A matrix comes from a config file (bench/plan/matrices/*.json, see
 * matrix-config.ts) plus command-line overrides; `expandMatrix` resolves
 * names and globs against the registries and lists the groups. Every group
 * measures the `null` tracker (the harness + machine-core cost) and the
 * baseline tracker (ratios are measured side by side) beside the selected
 * ones. The oracle always runs untimed for the reference digest and is
 * measured only when selected by name.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Bugs } from '../../core/bugs.js';
import { InputError } from '../../core/errors.js';
import { LINUX_TRACKER, NULL_TRACKER, ORACLE, trackerNames } from '../../impls/registry.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { getSmpWorkload, smpWorkloadNames } from '../../workloads/smp/registry.js';
import { BROKEN_LOCK_SCHEMES } from '../../impls/smp/lock-part.js';
import { smpRefusal, smpTrackerNames } from '../../impls/smp/smp-tracker.js';
import { isSmpWorkload } from '../measure/smp-prepare.js';
import { groupMachineLabel, machineIdentity, machineLabel as runMachineLabel, type MachineChoice } from './machine.js';
import { MSG } from '../messages.js';
import { cannotFit } from './preflight.js';
import { MAX_MATRIX_CPUS, type CpuChoice, type MatrixConfig, type SizeChoice } from './matrix-config.js';
import type { ForkTiming } from '../measure/fork.js';

/** Version of the result line layout (results.jsonl) and of the matrix hash; bumped on any incompatible change. */
export const SCHEMA_VERSION = 3;

/** Registry access, injectable for tests. */
export interface MatrixSources {
  trackerNames(): string[];
  workloadNames(): string[];
  /** The workload's default sizes (ascending). */
  defaultSizes(workload: string): readonly number[];
  /** The workload's default machine profile. */
  defaultProfile?(workload: string): string;
  /** The preflight: why a group (on `cpus` CPUs, for an SMP group) cannot fit its machine, or null (bench/plan/preflight.ts); absent: every group fits. */
  cannotFit?(workload: string, size: number, seed: number, machine: MachineChoice, cpus?: number): string | null;
  /** SMP matrices: the compositions that run on several CPUs (impls/smp/smp-tracker.ts `smpTrackerNames`). */
  smpTrackerNames?(): string[];
  /** SMP matrices: compositions broken on purpose, accepted by exact name only (never a lineup's glob). */
  brokenSmpTrackerNames?(): string[];
  /** SMP matrices: why a tracker cannot run on several CPUs, or null. */
  smpRefusal?(tracker: string): string | null;
  /** SMP matrices: the workloads with one op stream per CPU. */
  smpWorkloadNames?(): string[];
  /** The host's parallelism (`"host"` in a `cpus` axis; oversubscribed cells). */
  hostParallelism?(): number;
}

/** The real registries. */
export const REGISTRY_SOURCES: MatrixSources = {
  trackerNames,
  workloadNames,
  defaultSizes: (w) => (isSmpWorkload(w) ? getSmpWorkload(w).defaultSizes : getWorkload(w).defaultSizes),
  defaultProfile: (w) => (isSmpWorkload(w) ? getSmpWorkload(w).defaultProfile : getWorkload(w).defaultProfile),
  cannotFit,
  smpTrackerNames,
  brokenSmpTrackerNames: () => smpTrackerNames().map((n) => n.replace(/\+[^+]+$/, '')).filter((n, i, a) => a.indexOf(n) === i).flatMap((base) => BROKEN_LOCK_SCHEMES.map((l) => `${base}+${l}`)),
  smpRefusal,
  smpWorkloadNames,
  hostParallelism: availableParallelism,
};

/** The baseline of an SMP matrix that names none: Linux today (RAM page types by cmpxchg since 2010, the tree under memtype_lock). */
export const SMP_BASELINE = 'btree+page-bit-ram-walk+single-page+cmpxchg';

/** Re-exported: how one fork is timed (bench/measure/fork.ts). */
export type { ForkTiming } from '../measure/fork.js';

/** One group: one op stream, measured for every tracker in `trackers`. */
export interface MatrixGroup {
  /** `workload/size/seed`, e.g. `ttm-fault/1024/1`. */
  readonly id: string;
  readonly workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  readonly size: number;
  readonly seed: number;
  /** Machine label (profile name or `file:NAME`). */
  readonly machine: string;
  /** Trackers measured on this group: `null`, the baseline, then the selection. */
  readonly trackers: readonly string[];
  /** CPUs of an SMP group (worker threads sharing one memtype state); absent for a single-CPU group. */
  readonly cpus?: number;
}

/** A tracker module a matrix loads: where it was, and the digest of its code (impls/modules.ts). */
export interface TrackerModuleRef {
  /** Absolute path when the run was planned. */
  readonly path: string;
  /** First 16 hex digits of SHA-256 over the module's files (`LoadedModule.digest`). */
  readonly digest: string;
}

/** The expanded matrix, as recorded in run.json. Plain data. */
export interface Matrix {
  /** Where the config came from (a path, or `built-in`). */
  readonly source: string;
  readonly description: string;
  /** Trackers selected (without the added `null` and baseline). */
  readonly trackers: readonly string[];
  /** Optional lineup entries that matched no registered tracker (not an error; listed by `--list`). */
  readonly skipped: readonly string[];
  /** Tracker the per-group ratios are taken against. */
  readonly baseline: string;
  readonly workloads: readonly string[];
  readonly seeds: readonly number[];
  /** Fresh isolates per cell. */
  readonly forks: number;
  /** Seed of the random interleaving order. */
  readonly orderSeed: number;
  readonly timing: ForkTiming;
  /** How the timing was chosen, for the header (e.g. `auto: 280 s over 810 forks = 150 ms each`). */
  readonly timingNote: string;
  /** The config's untimed cost estimates, seconds (for the time estimate; not part of the hash). */
  readonly overheads: { readonly groupSeconds: number; readonly forkSeconds: number };
  /** Machine label for the run (`per-workload default`, a profile, or `file:NAME`). */
  readonly machine: string;
  /** Historical bug switches enabled in every machine (empty: Linux v6.16). */
  readonly bugs: readonly string[];
  /**
   * Tracker modules whose parts the lineup may use: every isolate that
   * creates a tracker loads them first (`loadTrackerModules(paths)`).
   * Absent in runs recorded before modules existed.
   */
  readonly modules?: readonly TrackerModuleRef[];
  /** Groups in run order: workload, then size ascending, then seed. */
  readonly groups: readonly MatrixGroup[];
  /**
   * Groups the preflight dropped before the run because their workload
   * cannot fit the machine, with why (absent in runs recorded before the
   * preflight existed).
   */
  readonly dropped?: readonly DroppedGroup[];
  /**
   * An SMP matrix: its CPU counts (`"host"` resolved) and the host's
   * `availableParallelism()` when it was planned (cells above it are
   * oversubscribed); absent for a single-CPU matrix.
   */
  readonly smp?: { readonly cpus: readonly number[]; readonly hostParallelism: number };
  /** Number of cells (Σ trackers per group). */
  readonly cellCount: number;
  /** Hash of everything that decides what is measured and how (groups, trackers, forks, timing, machine, module digests, schema). */
  readonly hash: string;
}

/** A group the preflight dropped. */
export interface DroppedGroup {
  /** `workload/size/seed`. */
  readonly id: string;
  readonly machine: string;
  /** The generator's one line of why. */
  readonly why: string;
}

/** A cell's id: `workload/size/seed/tracker`, e.g. `ttm-fault/1024/1/interval-tree+page-bit+single-page` (an SMP cell's: `xpmem-insert/4096/1/2cpu/btree+…`). */
export function cellId(group: Pick<MatrixGroup, 'workload' | 'size' | 'seed' | 'cpus'>, tracker: string): string {
  return `${groupId(group)}/${tracker}`;
}

/** A group's id: `workload/size/seed`, and `/<n>cpu` for an SMP group of n CPUs. */
export function groupId(g: Pick<MatrixGroup, 'workload' | 'size' | 'seed' | 'cpus'>): string {
  return `${g.workload}/${g.size}/${g.seed}${g.cpus !== undefined ? `/${g.cpus}cpu` : ''}`;
}

/** True when `pattern` contains a glob metacharacter (`*`, `?` or `{`). */
export function isGlob(pattern: string): boolean {
  return /[*?{]/.test(pattern);
}

/**
 * Compiles a glob to a whole-name RegExp: `*` any run of characters, `?`
 * one character, `{a,b}` alternatives (not nested); everything else literal.
 */
export function globToRegExp(pattern: string): RegExp {
  let body = '';
  let inBraces = false;
  for (const ch of pattern) {
    if (ch === '*') body += '.*';
    else if (ch === '?') body += '.';
    else if (ch === '{' && !inBraces) {
      inBraces = true;
      body += '(?:';
    } else if (ch === '}' && inBraces) {
      inBraces = false;
      body += ')';
    } else if (ch === ',' && inBraces) body += '|';
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  if (inBraces) body += ')';
  return new RegExp(`^${body}$`);
}

/**
 * Names of `valid` matched by `pattern` (exact name or glob), in `valid`'s order.
 */
export function matchNames(pattern: string, valid: readonly string[]): string[] {
  if (!isGlob(pattern)) return valid.includes(pattern) ? [pattern] : [];
  const re = globToRegExp(pattern);
  return valid.filter((n) => re.test(n));
}

/**
 * Selects names from `valid` by exact names and globs, keeping `valid`'s
 * order and dropping duplicates.
 * @param kind `tracker` or `workload`, for messages
 * @param extra names accepted by exact name only, beyond `valid` (e.g. `oracle`)
 * @throws InputError naming the unknown name or the glob that matched nothing, listing the valid names
 */
export function selectNames(kind: string, patterns: readonly string[], valid: readonly string[], extra: readonly string[] = []): string[] {
  const all = [...valid, ...extra.filter((e) => !valid.includes(e))];
  const chosen = new Set<string>();
  for (const raw of patterns) {
    const p = raw.trim();
    if (p === '') continue;
    const hits = isGlob(p) ? matchNames(p, valid) : all.includes(p) ? [p] : [];
    if (hits.length === 0) throw new InputError(isGlob(p) ? MSG.matrix.noMatch(kind, p, all) : MSG.matrix.unknownName(kind, p, all));
    for (const h of hits) chosen.add(h);
  }
  return all.filter((n) => chosen.has(n));
}

/** Command-line overrides of a matrix config; each replaces that axis of the config. */
export interface MatrixOverrides {
  /** Tracker names or globs (strict: each must match). Replaces the config's lineup. */
  trackers?: readonly string[];
  /** Workload names or globs. */
  workloads?: readonly string[];
  /** Sizes: for every selected workload (`workload` absent) or for one workload. */
  sizes?: readonly { workload?: string; sizes: readonly number[] }[];
  seeds?: readonly number[];
  /** Fresh isolates per cell. */
  forks?: number;
  /** Fixed timed budget per fork, ms (instead of the config's). */
  timeMs?: number;
  /** Ratio reference tracker. */
  baseline?: string;
  /** Historical bug switches enabled in every machine (core/bugs.ts). */
  bugs?: readonly string[];
  /** CPU counts (`--cpus`): makes the matrix an SMP one, or replaces an SMP matrix's axis. */
  cpus?: readonly CpuChoice[];
}

function validateSize(s: number): void {
  if (!Number.isSafeInteger(s) || s < 1) throw new InputError(MSG.matrix.badSize(s));
}

function validateSeed(s: number): void {
  if (!Number.isSafeInteger(s) || s < -(2 ** 31) || s >= 2 ** 32) throw new InputError(MSG.matrix.badSeed(s));
}

function sizesOf(choice: SizeChoice, defaults: readonly number[]): number[] {
  const d = [...defaults].sort((a, b) => a - b);
  if (choice === 'default') return d;
  if (choice === 'smallest') return d.slice(0, 1);
  if (choice === 'largest') return d.slice(-1);
  if (choice === 'smaller') return d.length > 1 ? d.slice(0, -1) : d;
  if (choice === 'larger') return d.length > 1 ? d.slice(1) : d;
  return [...choice];
}

/**
 * The timing of one fork from the config: a fixed `timeMs`, or `auto`: the
 * config's `budgetSeconds` less `groupOverheadSeconds` per group and
 * `forkOverheadSeconds` per fork, spread over every fork (each one's timed
 * phase plus up to as long again of warm-up), clamped to
 * [`minTimeMs`, `maxTimeMs`] — so a small matrix finishes sooner instead of
 * sampling longer. Each fork's warm-up lasts between a quarter of the timed
 * budget and `warmupMs` (at most the timed budget).
 * @param forkCount cells × forks of the whole matrix
 * @param fixedMs `--time`, when given
 * @param groups groups of the whole matrix
 */
export function resolveTiming(config: MatrixConfig, forkCount: number, fixedMs?: number, groups = 0): { timing: ForkTiming; note: string } {
  const t = config.timing;
  let timeMs: number;
  let note: string;
  if (fixedMs !== undefined) {
    timeMs = fixedMs;
    note = MSG.matrix.timingFixed(fixedMs, '--time');
  } else if (t.timeMs !== 'auto') {
    timeMs = t.timeMs;
    note = MSG.matrix.timingFixed(timeMs, 'the matrix');
  } else {
    const overheadSeconds = groups * t.groupOverheadSeconds + forkCount * t.forkOverheadSeconds;
    const timedSeconds = Math.max(0, t.budgetSeconds - overheadSeconds);
    const raw = (timedSeconds * 1000) / Math.max(1, forkCount) / AUTO_WARMUP_FACTOR;
    timeMs = Math.round(Math.min(t.maxTimeMs, Math.max(t.minTimeMs, raw)));
    note = MSG.matrix.timingAuto(t.budgetSeconds, overheadSeconds, forkCount, timeMs, raw < t.minTimeMs ? 'min' : raw > t.maxTimeMs ? 'max' : null);
  }
  const warmupMaxMs = Math.max(1, Math.min(t.warmupMs, timeMs));
  return {
    timing: {
      timeMs,
      minSamples: t.minSamples,
      warmupMinMs: Math.min(warmupMaxMs, Math.max(1, Math.round(timeMs / 4))),
      warmupMaxMs,
      harnessTimeMs: Math.max(1, Math.min(50, Math.round(timeMs / 4))),
      slices: t.slices,
    },
    note,
  };
}

/** A fork's wall time ÷ its timed budget, for the auto budget and the estimate: the timed phase plus its warm-up (up to as long again). */
export const AUTO_WARMUP_FACTOR = 2;

/**
 * Expands a matrix config plus overrides into groups and cells.
 * @param machine the machine choice (label per workload); default each workload's own profile
 * @param modules the tracker modules already loaded for this matrix (recorded, and hashed by digest)
 * @returns the matrix; every group lists `null`, the baseline, then the selected trackers; groups
 *   whose workload cannot fit the machine (`sources.cannotFit`, the preflight) are in `dropped`
 * @throws InputError for an unknown tracker, workload or baseline name (listing the valid ones), a
 *   glob that matches nothing (unless the config marks it optional), a size that is not a positive
 *   integer, a seed that is not a 32-bit integer, or a bad fork count
 */
export function expandMatrix(
  config: MatrixConfig,
  overrides: MatrixOverrides = {},
  sources: MatrixSources = REGISTRY_SOURCES,
  machine: MachineChoice = { kind: 'default' },
  modules: readonly TrackerModuleRef[] = [],
): Matrix {
  // An SMP matrix: CPU counts from --cpus or the config; globs then match only what can run on them.
  const host = sources.hostParallelism?.() ?? availableParallelism();
  const cpuChoices = overrides.cpus && overrides.cpus.length > 0 ? overrides.cpus : config.cpus;
  for (const c of cpuChoices ?? []) if (c !== 'host' && !(Number.isSafeInteger(c) && c >= 1 && c <= MAX_MATRIX_CPUS)) throw new InputError(MSG.matrix.badCpus(c, MAX_MATRIX_CPUS));
  const cpusAxis = cpuChoices === undefined ? null : [...new Set(cpuChoices.map((c) => (c === 'host' ? host : c)))].sort((a, b) => a - b);
  const maxCpus = cpusAxis === null ? 1 : cpusAxis[cpusAxis.length - 1]!;
  const smpNames = cpusAxis === null ? [] : (sources.smpTrackerNames?.() ?? []);
  const singleTrackers = sources.trackerNames();
  const validTrackers = maxCpus > 1 ? smpNames : [...singleTrackers, ...smpNames.filter((n) => !singleTrackers.includes(n))];
  const extraTrackers = [ORACLE, NULL_TRACKER, ...(maxCpus > 1 ? singleTrackers : []), ...(cpusAxis === null ? [] : (sources.brokenSmpTrackerNames?.() ?? []))];
  const allTrackers = [...validTrackers, ...extraTrackers.filter((e) => !validTrackers.includes(e))];
  const skipped: string[] = [];
  let trackers: string[];
  // An SMP composition (…+spinlock) named in a single-CPU matrix: say to add --cpus, not "unknown".
  if (cpusAxis === null) {
    const smpOnly = new Set(sources.smpTrackerNames?.() ?? []);
    for (const n of [...(overrides.trackers ?? []), ...config.trackers.map((e) => e.match), ...(overrides.baseline !== undefined ? [overrides.baseline] : config.baseline !== undefined ? [config.baseline] : [])]) {
      if (smpOnly.has(n)) throw new InputError(MSG.matrix.smpOnly(n));
    }
  }
  if (overrides.trackers && overrides.trackers.length > 0) {
    trackers = selectNames('tracker', overrides.trackers, validTrackers, extraTrackers);
  } else {
    const chosen = new Set<string>();
    for (const e of config.trackers) {
      const hits = matchNames(e.match, isGlob(e.match) ? validTrackers : allTrackers);
      if (hits.length === 0) {
        if (e.optional) {
          skipped.push(e.match);
          continue;
        }
        throw new InputError(
          isGlob(e.match) ? MSG.matrix.noMatchIn(config.source, 'tracker', e.match, allTrackers) : MSG.matrix.unknownNameIn(config.source, 'tracker', e.match, allTrackers),
        );
      }
      for (const h of hits) chosen.add(h);
    }
    trackers = allTrackers.filter((n) => chosen.has(n));
  }
  trackers = trackers.filter((t) => t !== NULL_TRACKER);

  const baseline = overrides.baseline ?? config.baseline ?? (cpusAxis === null ? LINUX_TRACKER : SMP_BASELINE);
  if (!allTrackers.includes(baseline) || baseline === NULL_TRACKER) {
    throw new InputError(MSG.matrix.badBaseline(baseline, allTrackers.filter((t) => t !== NULL_TRACKER)));
  }
  // Only shared-memory compositions run on more than one CPU: one line saying why for any other.
  if (maxCpus > 1) {
    for (const t of [baseline, ...trackers]) {
      const why = sources.smpRefusal?.(t) ?? null;
      if (why !== null) throw new InputError(MSG.matrix.notSmp(t, maxCpus, why));
    }
  }

  const singleWorkloads = sources.workloadNames();
  const smpWorkloads = cpusAxis === null ? [] : (sources.smpWorkloadNames?.() ?? []);
  const validWorkloads = maxCpus > 1 ? smpWorkloads : [...singleWorkloads, ...smpWorkloads];
  const knownWorkloads = [...singleWorkloads, ...smpWorkloads];
  const workloadPatterns = overrides.workloads && overrides.workloads.length > 0 ? overrides.workloads : config.workloads;
  const workloads = selectNames('workload', workloadPatterns, validWorkloads, maxCpus > 1 ? singleWorkloads : []);
  for (const w of workloads) if (!validWorkloads.includes(w)) throw new InputError(MSG.matrix.singleCpuWorkload(w, maxCpus, smpWorkloads));

  // Sizes: config per workload (keys are names or globs), then overrides.
  for (const key of Object.keys(config.sizes)) {
    if (matchNames(key, knownWorkloads).length === 0 && key !== '*') {
      throw new InputError(isGlob(key) ? MSG.matrix.noMatchIn(config.source, 'workload', key, validWorkloads) : MSG.matrix.unknownNameIn(config.source, 'workload', key, validWorkloads));
    }
  }
  const sizeFor = new Map<string, number[]>();
  for (const w of workloads) {
    let choice: SizeChoice = 'default';
    for (const [key, c] of Object.entries(config.sizes)) if (matchNames(key, [w]).length > 0) choice = c;
    sizeFor.set(w, sizesOf(choice, sources.defaultSizes(w)));
  }
  for (const o of overrides.sizes ?? []) {
    for (const s of o.sizes) validateSize(s);
    if (o.workload === undefined) {
      for (const w of workloads) sizeFor.set(w, [...o.sizes]);
    } else {
      const hits = selectNames('workload', [o.workload], validWorkloads).filter((w) => workloads.includes(w));
      if (hits.length === 0) throw new InputError(MSG.matrix.sizeForUnselected(o.workload, workloads));
      for (const w of hits) sizeFor.set(w, [...o.sizes]);
    }
  }
  for (const [w, list] of sizeFor) {
    for (const s of list) validateSize(s);
    sizeFor.set(w, [...new Set(list)].sort((a, b) => a - b));
  }

  const seeds = [...new Set(overrides.seeds && overrides.seeds.length > 0 ? overrides.seeds : config.seeds)];
  for (const s of seeds) validateSeed(s);
  const forks = overrides.forks ?? config.forks;
  if (!Number.isSafeInteger(forks) || forks < 1 || forks > 100) throw new InputError(MSG.matrix.badForks(forks));
  if (overrides.timeMs !== undefined && !(Number.isFinite(overrides.timeMs) && overrides.timeMs > 0)) throw new InputError(MSG.matrix.badTime(overrides.timeMs));

  const perGroup = [NULL_TRACKER, baseline, ...trackers.filter((t) => t !== baseline)];
  const machineLabel = (w: string): string => groupMachineLabel(machine, sources.defaultProfile?.(w) ?? 'default');
  const groups: MatrixGroup[] = [];
  const dropped: DroppedGroup[] = [];
  for (const workload of workloads) {
    for (const size of sizeFor.get(workload)!) {
      for (const seed of seeds) {
        for (const cpus of cpusAxis ?? [undefined]) {
          const g: MatrixGroup = { id: groupId({ workload, size, seed, cpus }), workload, size, seed, machine: machineLabel(workload), trackers: perGroup, ...(cpus !== undefined ? { cpus } : {}) };
          const why = (cpus === undefined ? sources.cannotFit?.(workload, size, seed, machine) : sources.cannotFit?.(workload, size, seed, machine, cpus)) ?? null;
          if (why === null) groups.push(g);
          else dropped.push({ id: g.id, machine: g.machine, why });
        }
      }
    }
  }
  const cellCount = groups.length * perGroup.length;
  const { timing, note } = resolveTiming(config, cellCount * forks, overrides.timeMs, groups.length);
  const bugs = Bugs.parse(overrides.bugs ?? []).names;
  const hash = matrixHash({ groups, forks, timing, orderSeed: config.orderSeed, machine: machineIdentity(machine), bugs, modules: modules.map((m) => m.digest) });
  return {
    source: config.source,
    description: config.description,
    trackers,
    skipped,
    baseline,
    workloads,
    seeds,
    forks,
    orderSeed: config.orderSeed,
    timing,
    timingNote: note,
    overheads: { groupSeconds: config.timing.groupOverheadSeconds, forkSeconds: config.timing.forkOverheadSeconds },
    machine: runMachineLabel(machine),
    bugs,
    modules: modules.map((m) => ({ path: m.path, digest: m.digest })),
    groups,
    dropped,
    ...(cpusAxis !== null ? { smp: { cpus: cpusAxis, hostParallelism: host } } : {}),
    cellCount,
    hash,
  };
}

/**
 * The matrix hash: the first 16 hex digits of SHA-256 over the canonical
 * JSON of what decides the measurement — schema version, groups (ids,
 * machine labels, the set of trackers), forks, order seed, timing, the machine
 * (a user's file by content digest) and the tracker modules (by the digest
 * of their code, not their paths). Shards of one matrix share it; the
 * baseline (an analysis choice) is not part of it.
 */
export function matrixHash(m: {
  groups: readonly MatrixGroup[];
  forks: number;
  timing: ForkTiming;
  orderSeed: number;
  machine: string;
  bugs?: readonly string[];
  /** Digests of the tracker modules (`TrackerModuleRef.digest`). */
  modules?: readonly string[];
}): string {
  const canon = JSON.stringify({
    ...(m.bugs && m.bugs.length > 0 ? { bugs: [...m.bugs].sort() } : {}),
    ...(m.modules && m.modules.length > 0 ? { modules: [...m.modules].sort() } : {}),
    schemaVersion: SCHEMA_VERSION,
    groups: m.groups.map((g) => [g.id, g.machine, [...g.trackers].sort()]),
    forks: m.forks,
    orderSeed: m.orderSeed,
    timing: [m.timing.timeMs, m.timing.minSamples, m.timing.warmupMinMs, m.timing.warmupMaxMs, m.timing.harnessTimeMs, m.timing.slices ?? 1],
    machine: m.machine,
  });
  return createHash('sha256').update(canon).digest('hex').slice(0, 16);
}
