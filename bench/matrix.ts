/**
 * The benchmark matrix: which cells a run measures. A cell is
 * (workload, size, seed, tracker); cells sharing (workload, size, seed) form
 * a group, measured together in one worker task on one op stream.
 *
 * The default matrix is every registered tracker (`trackerNames()`) × every
 * workload × that workload's `defaultSizes` × seed 1. The `null` tracker
 * (harness/core baseline) is added to every group; the oracle is measured
 * only when asked for by name (it is always run, untimed, for the reference
 * digest).
 */
import { InputError } from '../core/errors.js';
import { NULL_TRACKER, ORACLE, trackerNames } from '../impls/registry.js';
import { getWorkload, workloadNames } from '../workloads/registry.js';

/** User filters, each a list as given on the command line (already split on commas). */
export interface MatrixFilters {
  /** Tracker names or globs (`*`, `?`), e.g. `interval-*`. Default: every registered tracker. */
  trackers?: readonly string[];
  /** Workload names or globs. Default: every workload. */
  workloads?: readonly string[];
  /** Sizes to run (positive integers) instead of each workload's `defaultSizes`. */
  sizes?: readonly number[];
  /** Seeds (32-bit integers). Default `[1]`. */
  seeds?: readonly number[];
}

/** One group: one op stream, measured for every tracker in `trackers`. */
export interface MatrixGroup {
  readonly workload: string;
  /** Workload scale, in the workload's `sizeUnit`. */
  readonly size: number;
  readonly seed: number;
  /** Trackers measured on this group; the `null` baseline first. */
  readonly trackers: readonly string[];
}

/** The expanded matrix as recorded in results.json. */
export interface Matrix {
  /** Trackers selected (without the always-present `null` baseline). */
  readonly trackers: readonly string[];
  readonly workloads: readonly string[];
  /** Sizes given with `--size`, or null when each workload's defaults were used. */
  readonly sizes: readonly number[] | null;
  readonly seeds: readonly number[];
  /** Groups in run order: workload, then size ascending, then seed. */
  readonly groups: readonly MatrixGroup[];
  /** Number of cells (groups × trackers per group, baseline included). */
  readonly cellCount: number;
}

/** Registry access, injectable for tests. */
export interface MatrixSources {
  trackerNames(): string[];
  workloadNames(): string[];
  defaultSizes(workload: string): readonly number[];
}

const REGISTRY_SOURCES: MatrixSources = {
  trackerNames,
  workloadNames,
  defaultSizes: (w) => getWorkload(w).defaultSizes,
};

/** True when `pattern` contains a glob metacharacter (`*` or `?`). */
function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** `*` = any run of characters, `?` = one character; everything else literal; whole-name match. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
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
    if (isGlob(p)) {
      const re = globToRegExp(p);
      const hits = valid.filter((n) => re.test(n));
      if (hits.length === 0) {
        throw new InputError(`no ${kind} matches "${p}"; valid ${kind}s: ${all.join(', ') || '(none registered)'}`);
      }
      for (const h of hits) chosen.add(h);
    } else {
      if (!all.includes(p)) {
        throw new InputError(`unknown ${kind} "${p}"; valid ${kind}s: ${all.join(', ') || '(none registered)'}`);
      }
      chosen.add(p);
    }
  }
  return all.filter((n) => chosen.has(n));
}

/**
 * Expands the matrix from the registries and the user's filters.
 * @returns the groups to run; each group lists `null` first, then the selected trackers
 * @throws InputError for an unknown tracker or workload name (listing the valid ones), a glob
 *   that matches nothing, a size that is not a positive integer or a seed that is not an integer
 */
export function expandMatrix(filters: MatrixFilters = {}, sources: MatrixSources = REGISTRY_SOURCES): Matrix {
  const validTrackers = sources.trackerNames();
  const trackers =
    filters.trackers && filters.trackers.length > 0
      ? selectNames('tracker', filters.trackers, validTrackers, [ORACLE, NULL_TRACKER]).filter((t) => t !== NULL_TRACKER)
      : validTrackers;
  const validWorkloads = sources.workloadNames();
  const workloads =
    filters.workloads && filters.workloads.length > 0 ? selectNames('workload', filters.workloads, validWorkloads) : validWorkloads;
  const sizes = filters.sizes && filters.sizes.length > 0 ? [...new Set(filters.sizes)].sort((a, b) => a - b) : null;
  for (const s of sizes ?? []) {
    if (!Number.isSafeInteger(s) || s < 1) throw new InputError(`size must be a positive integer, got ${s}`);
  }
  const seeds = filters.seeds && filters.seeds.length > 0 ? [...new Set(filters.seeds)] : [1];
  for (const s of seeds) {
    if (!Number.isSafeInteger(s) || s < -(2 ** 31) || s >= 2 ** 32) throw new InputError(`seed must be a 32-bit integer, got ${s}`);
  }
  const perGroup = [NULL_TRACKER, ...trackers];
  const groups: MatrixGroup[] = [];
  for (const workload of workloads) {
    const ws = sizes ?? [...sources.defaultSizes(workload)].sort((a, b) => a - b);
    for (const size of ws) {
      for (const seed of seeds) groups.push({ workload, size, seed, trackers: perGroup });
    }
  }
  return { trackers, workloads, sizes, seeds, groups, cellCount: groups.length * perGroup.length };
}
