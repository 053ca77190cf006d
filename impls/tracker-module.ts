/**
 * The shape of a tracker module: the parts a user's file contributes to the
 * registry, and how an export is checked before anything is registered.
 *
 * A tracker module is a `.js`, `.mjs` or `.ts` file whose default export (or
 * whose named exports `stores`, `ramPolicies`, `insertPolicies`) maps part
 * names to kinds — a constructor and one line of history:
 *
 * ```ts
 * import type { TrackerModule } from 'memtype-bench';
 * export default {
 *   stores: { 'sorted-array': { make: () => new SortedArrayStore(), history: 'sorted typed arrays, binary search' } },
 * } satisfies TrackerModule;
 * ```
 *
 * It needs no runtime import of memtype-bench (type-only imports are
 * erased). The parts then compose with the built-in ones by name:
 * `sorted-array+page-bit-ram-walk+single-page`.
 */
import type { InsertPolicy, RamPolicy, RangeStore } from './parts.js';

/** A range store kind: `make()` returns a fresh, unattached store whose `name` is the kind's key. */
export interface StoreKind {
  make: () => RangeStore;
  /** One line: what the design is and where it comes from (shown by `memtype-bench list trackers`). */
  history: string;
}

/**
 * A RAM policy kind. `make(newStore)` returns a fresh, unattached policy whose
 * `name` is the kind's key; `newStore()` makes a fresh store of the
 * composition's store kind, for a policy that keeps RAM types as ranges of
 * its own (the built-in `tree`); most policies ignore it.
 */
export interface RamPolicyKind {
  make: (newStore: () => RangeStore) => RamPolicy;
  history: string;
}

/** An insert policy kind: `make()` returns a fresh policy whose `name` is the kind's key. */
export interface InsertPolicyKind {
  make: () => InsertPolicy;
  history: string;
}

/** What a tracker module exports (every key optional; at least one part overall). */
export interface TrackerModule {
  /** Range stores by part name. */
  stores?: Readonly<Record<string, StoreKind>>;
  /** RAM policies by part name. */
  ramPolicies?: Readonly<Record<string, RamPolicyKind>>;
  /** Insert policies by part name. */
  insertPolicies?: Readonly<Record<string, InsertPolicyKind>>;
}

/** The three kinds of part, as named in compositions `store+ram+insert`. */
export type PartKind = 'store' | 'ram' | 'insert';

/** The export key of each kind of part. */
export const MODULE_KEYS: Readonly<Record<PartKind, keyof TrackerModule>> = { store: 'stores', ram: 'ramPolicies', insert: 'insertPolicies' };

/** What a kind of part is called in messages. */
export const KIND_LABEL: Readonly<Record<PartKind, string>> = { store: 'store', ram: 'RAM policy', insert: 'insert policy' };

/** A part name: lower-case letters and digits in dash-separated words, at most 40 characters (no `+`, no glob characters). */
export const PART_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME = 40;

/** One part of a module, checked. */
export interface ModulePart {
  kind: PartKind;
  name: string;
  history: string;
  /** Fresh instance (for `ram`: given a store factory). */
  make: (newStore: () => RangeStore) => RangeStore | RamPolicy | InsertPolicy;
}

/** An export that is not a usable tracker module, with the reason (one line). */
export class ModuleShapeError extends Error {
  override readonly name = 'ModuleShapeError';
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && !Array.isArray(v);
}

/** True when `v` holds at least one of the module keys. */
function hasParts(v: unknown): v is Obj {
  return isObj(v) && Object.values(MODULE_KEYS).some((k) => k in v);
}

/** Members every instance of a kind must have: name → `typeof`. */
const MEMBERS: Readonly<Record<PartKind, Readonly<Record<string, string>>>> = {
  store: {
    first: 'number',
    other: 'number',
    hitStart: 'number',
    hitEnd: 'number',
    size: 'number',
    attach: 'function',
    scan: 'function',
    overlap: 'function',
    insert: 'function',
    erase: 'function',
    lookup: 'function',
    list: 'function',
    modeledBytes: 'function',
    checkInvariants: 'function',
  },
  ram: {
    newType: 'number',
    attach: 'function',
    pagerangeIsRam: 'function',
    reserve: 'function',
    free: 'function',
    getPageMemtype: 'function',
    modeledBytes: 'function',
    checkInvariants: 'function',
  },
  insert: { cachemode: 'function' },
};

/**
 * Checks one instance a kind's `make` returned: its `name` is the part's
 * key and it has every member of its interface (parts.ts).
 * @throws ModuleShapeError naming the first missing or mistyped member
 */
export function checkInstance(kind: PartKind, name: string, inst: unknown): void {
  const what = `${KIND_LABEL[kind]} "${name}"`;
  if (!isObj(inst)) throw new ModuleShapeError(`${what}: make() returned ${inst === null ? 'null' : typeof inst}, not an object`);
  if (inst.name !== name) throw new ModuleShapeError(`${what}: make() returned a part named ${JSON.stringify(inst.name)}; its name must be its key "${name}"`);
  for (const [m, type] of Object.entries(MEMBERS[kind])) {
    if (typeof inst[m] !== type) {
      const hint = m === 'checkInvariants' ? ' (write `checkInvariants() {}` when there is no invariant to check)' : '';
      throw new ModuleShapeError(`${what}: make() returned an object whose ${m} is ${typeof inst[m]}, not a ${type}${hint}`);
    }
  }
}

/**
 * The parts a module namespace describes: its default export when that holds
 * any of `stores`, `ramPolicies`, `insertPolicies` (one level of CommonJS
 * `default` wrapping is looked through), else its named exports. Checks the
 * names (PART_NAME) and each kind's shape (`make` a function, `history` one
 * line); instances are checked separately (`checkInstance`).
 * @param ns the module namespace object (or any value: a plain object of parts)
 * @throws ModuleShapeError when it describes no part, both through the default and named exports, or a part is malformed
 */
export function modulePartsOf(ns: unknown): ModulePart[] {
  let src: Obj | null = null;
  if (isObj(ns)) {
    const def = ns.default;
    const defParts = hasParts(def) ? def : isObj(def) && hasParts(def.default) ? (def.default as Obj) : null;
    const named = hasParts(ns) ? ns : null;
    if (defParts !== null && named !== null && defParts !== named) {
      throw new ModuleShapeError('describes parts both in its default export and in named exports; use one of them');
    }
    src = defParts ?? named;
  }
  if (src === null) {
    throw new ModuleShapeError('exports no parts: expected a default export (or named exports) with "stores", "ramPolicies" or "insertPolicies"');
  }
  const parts: ModulePart[] = [];
  for (const kind of ['store', 'ram', 'insert'] as const) {
    const key = MODULE_KEYS[kind];
    const group = src[key];
    if (group === undefined) continue;
    if (!isObj(group) || typeof group === 'function') throw new ModuleShapeError(`"${key}" must be an object of part name → { make, history }`);
    for (const [name, k] of Object.entries(group)) {
      const what = `${KIND_LABEL[kind]} "${name}"`;
      if (name.length > MAX_NAME || !PART_NAME.test(name)) {
        throw new ModuleShapeError(`${what}: a part name is lower-case letters and digits in dash-separated words, at most ${MAX_NAME} characters`);
      }
      if (!isObj(k)) throw new ModuleShapeError(`${what}: expected { make, history }, got ${k === null ? 'null' : typeof k}`);
      if (typeof k.make !== 'function') throw new ModuleShapeError(`${what}: "make" must be a function returning a fresh part`);
      if (typeof k.history !== 'string' || k.history.trim() === '' || /[\r\n]/.test(k.history)) {
        throw new ModuleShapeError(`${what}: "history" must be one non-empty line`);
      }
      parts.push({ kind, name, history: k.history.trim(), make: k.make as ModulePart['make'] });
    }
  }
  if (parts.length === 0) throw new ModuleShapeError('exports no parts: its "stores", "ramPolicies" and "insertPolicies" are empty');
  return parts;
}
