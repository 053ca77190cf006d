/** Tasks and results of cpu-worker.ts (shared with smp-tracker.test.ts). */
import type { SmpState } from '../../../impls/smp/smp-tracker.js';

/** Call codes of a CPU's packed call list (4 Float64 slots per call: code, a, b, c). */
export const C_RESERVE = 1; // memtypeCheckInsert(a, b, type c, wantNew)
export const C_FREE = 2; // memtypeErase(a, b)
export const C_LOOKUP = 3; // memtypeLookup(a)
export const C_RAM_RESERVE = 4; // reserveRamPagesType(a, b, c)
export const C_RAM_FREE = 5; // freeRamPagesType(a, b)
export const C_PAGE_TYPE = 6; // getPageMemtype(a)

/** One CPU's run of tracker calls. */
export interface CpuTask {
  kind: 'calls';
  /** SMP composition name (`nolock` among them, broken on purpose). */
  tracker: string;
  profile: string;
  state: SmpState;
  cpu: number;
  calls: Float64Array;
  /** Perturbation codes used cyclically inside store calls (see lock-worker.ts). */
  schedule: number[];
  /** This CPU's critical-section log buffer (rows = calls). */
  log: SharedArrayBuffer;
  /** Algorithm of the scheme's spinlock (default tas). */
  spinlock?: 'ticket' | 'tas';
  /** Words: [1–2] the start barrier. */
  sync: Int32Array;
  parties: number;
}

/** A page-flags tug of war: one CPU flips a page between UC- and WC, others read it. */
export interface FlagsTask {
  kind: 'flags';
  role: 'writer' | 'reader';
  /** `bitops` or `cmpxchg` updates; `locked`: writer and readers take a spinlock around each access. */
  update: 'bitops' | 'cmpxchg';
  locked: boolean;
  flags: SmpState['pageFlags'];
  words: Int32Array;
  pfn: number;
  iterations: number;
  sync: Int32Array;
  parties: number;
}

/** What a CPU saw: per call (ret, newType, conflictFound, conflictOther); reader: types never written. */
export interface CpuResult {
  results: Float64Array;
  torn: number;
  error: string | null;
}
