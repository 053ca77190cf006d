/** Tasks and results of lock-worker.ts (shared with locks.test.ts, which must not load the worker module). */

/** Words of the shared `data` array the tasks use. */
export const D_COUNTER = 0;
export const D_INSIDE = 16;
export const D_WRITER_IN = 32;
export const D_DONE = 48;
export const D_RECORD = 64;
export const RECORD_WORDS = 8;
export const DATA_WORDS = D_RECORD + RECORD_WORDS;

/** A task for one worker. */
export interface LockTask {
  kind: 'mutex' | 'rw-reader' | 'seq-writer' | 'seq-reader';
  /** Lock under test for `mutex`: a spinlock, the rwlock's write side (writers ordered by tas, or by a ticket), the seqlock's write side, or none (broken on purpose). */
  lock: 'ticket' | 'tas' | 'rw' | 'rw-ticket' | 'seq' | 'none';
  words: Int32Array;
  slot: number;
  data: Int32Array;
  iterations: number;
  schedule: number[];
  cpu: number;
  /** For `seq-reader`: number of `seq-writer` tasks to outlast. */
  writers?: number;
  /** Start barrier words and the number of tasks meeting there (all tasks of a run start together). */
  barrier: Int32Array;
  parties: number;
  stats: { buffer: SharedArrayBuffer; locks: number; cpus: number; sampleShift: number } | null;
}

/** What a worker saw. */
export interface LockResult {
  /** Critical sections that found another CPU inside, or torn/changed data. */
  violations: number;
  /** Sections completed (reads for readers). */
  done: number;
  /** Seqlock reads that had to be redone. */
  retries: number;
}

