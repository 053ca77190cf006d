/** Tasks and results of store-worker.ts (shared with shared-btree.test.ts). */
import type { SharedBtreeHandle } from '../../../impls/smp/shared-btree.js';

/** Op codes of a writer's packed op list (4 Float64 slots per op: code, start, end, type). */
export const W_INSERT = 1;
export const W_ERASE = 2;

/** A task of store-worker.ts. */
export type StoreTask =
  | {
      kind: 'writer';
      handle: SharedBtreeHandle;
      words: Int32Array;
      /** `spin`: every op under a ticket spinlock in slot 0; `seq`: under the seqlock in slots 0–1. */
      lock: 'spin' | 'seq';
      ops: Float64Array;
      /** Words: [0] writers done (incremented at the end), [1–2] the start barrier. */
      flags: Int32Array;
      /** Threads meeting at the start barrier. */
      parties: number;
    }
  | {
      kind: 'reader';
      handle: SharedBtreeHandle;
      words: Int32Array;
      /** `seq`: lookups inside read_seqbegin/read_seqretry; `none`: bare (broken on purpose). */
      mode: 'seq' | 'none';
      /** Pairs (pfn, type): every consistent state maps pfn to type. */
      anchors: Float64Array;
      flags: Int32Array;
      writers: number;
      minReads: number;
      parties: number;
      /** Stop after this many ms even if writers are still running (0: no cap). */
      capMs: number;
    };

/** What a worker saw. */
export interface StoreResult {
  /** Ops done (writer) or lookups kept (reader). */
  done: number;
  /** Reader: kept lookups whose answer no consistent state gives. */
  wrong: number;
  /** Reader: lookups redone because the sequence moved. */
  retries: number;
  /** Reader: lookups that met a writer (redone, or waited in read_seqbegin for a writer inside). */
  metWriter: number;
  /** Entries in the tree when the task ended, as this thread saw them. */
  size: number;
}
