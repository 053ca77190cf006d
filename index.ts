/**
 * memtype-bench's public API: the memtype tracker contract and its parts,
 * the read-only views of the emulated machine a part may use, the constants
 * they speak in, composition, registration of a user's parts, and the check
 * against the oracle that a tracker passes before it is timed.
 *
 * docs/tracker-api.md explains the contract in kernel terms. A tracker
 * module needs only the types (`import type { RangeStore, TrackerModule }
 * from 'memtype-bench'`); the values are for programs that drive the
 * registry themselves.
 */

// The contract: what the machine calls, and what a tracker may read.
export type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from './core/tracker.js';
export type { InsertPolicy, RamPolicy, RangeStore } from './impls/parts.js';
export type { ByteRange, PhysMap, Resource } from './core/physmap.js';
export type { PageFlags } from './core/pageflags.js';

// Constants: errnos (returned negated), cache modes (`enum page_cache_mode`), page geometry, VMA flags.
export { EAGAIN, EBUSY, EFAULT, EINVAL, ENOMEM } from './core/errno.js';
export { CACHE_MODES, CATTR_NAME, SHORT_NAME, UC, UC_MINUS, WB, WC, WP, WT, type CacheMode } from './core/cachemode.js';
export { ISA_END_PFN, PAGE_SHIFT, PAGE_SIZE, PAGES_PER_SECTION } from './core/physmap.js';
export { VM_IO, VM_MIXEDMAP, VM_PFNMAP, VM_SHARED } from './core/vma.js';

// Tracker modules: the shape of a user's file, and registration.
export type { InsertPolicyKind, PartKind, RamPolicyKind, StoreKind, TrackerModule } from './impls/tracker-module.js';
export {
  compose,
  createTracker,
  describeTracker,
  isModuleTracker,
  LINUX_TRACKER,
  NULL_TRACKER,
  ORACLE,
  partNames,
  parts,
  registerParts,
  trackerNames,
  type PartInfo,
  type TrackerOptions,
} from './impls/registry.js';
export { loadTrackerModule, loadTrackerModules, loadedModules, type LoadedModule } from './impls/modules.js';

// The check against the oracle that a tracker passes before it is timed.
export { verifyTracker, VERIFY_RANDOM_TRACES, VERIFY_SEED, type Divergence, type VerifyOptions, type VerifyResult } from './bench/verify/verify.js';
export type { OutcomeJson } from './bench/verify/outcome-json.js';
