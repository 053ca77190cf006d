/**
 * The piscina worker of the preparation pool: builds one group's op stream
 * into a SharedArrayBuffer and the oracle's digest (bench/measure/prepare.ts)
 * and returns them — one message per group. It never measures: forks do,
 * each in an isolate of its own (bench/measure/isolate.ts).
 */
import { prepareGroup, type PreparedGroup, type PrepareTask } from './measure/prepare.js';

/**
 * Piscina task handler.
 * @param task the group's workload, size, seed, machine and bug switches
 * @returns the shared stream and the oracle's digest, or why they could not be built
 */
export default function prepare(task: PrepareTask): PreparedGroup {
  return prepareGroup(task);
}
