/**
 * The piscina worker: measures one group per task and returns its plain-data
 * result — one message per group, never per operation. Loaded by
 * bench/pool.ts from the compiled `dist/bench/worker.js` (or from sources
 * through tsx).
 */
import { measureGroup, type GroupResult, type GroupTask } from './cell.js';

/**
 * Piscina task handler.
 * @param task one group (workload, size, seed, machine), its trackers, rounds and timing
 * @returns the group's cells; failures come back as cells with `error` set
 */
export default function runGroup(task: GroupTask): Promise<GroupResult> {
  return measureGroup(task);
}
