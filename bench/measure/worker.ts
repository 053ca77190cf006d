/**
 * The piscina worker of the preparation pool. `default` builds one group's
 * op stream into a SharedArrayBuffer and the oracle's digest
 * (bench/measure/prepare.ts); `verify` checks a module-loaded tracker
 * against the oracle before it is timed (bench/verify/verify.ts) — one message per
 * task either way. It never measures: forks do, each in an isolate of its
 * own (bench/measure/isolate.ts).
 */
import { loadTrackerModules } from '../../impls/modules.js';
import { prepareGroup, type PreparedGroup, type PrepareTask } from './prepare.js';
import { verifyTracker, type VerifyResult } from '../verify/verify.js';

/** What `verify` is given: the tracker and the modules that register its parts (absolute paths). */
export interface VerifyTask {
  tracker: string;
  modules: readonly string[];
}

/**
 * Piscina task handler (the default): prepares a group.
 * @param task the group's workload, size, seed, machine and bug switches
 * @returns the shared stream and the oracle's digest, or why they could not be built
 */
export default function prepare(task: PrepareTask): PreparedGroup {
  return prepareGroup(task);
}

/**
 * Piscina task handler `verify`: loads the modules, then verifies the
 * tracker with `verify`'s defaults (conformance and random traces, test mode).
 * @throws what loading a module throws (an InputError for a bad module)
 */
export async function verify(task: VerifyTask): Promise<VerifyResult> {
  await loadTrackerModules(task.modules);
  return verifyTracker(task.tracker);
}
