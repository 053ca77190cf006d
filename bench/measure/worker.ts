/**
 * The piscina worker of the preparation pool. `default` builds one group's
 * op stream into a SharedArrayBuffer and the oracle's digest
 * (bench/measure/prepare.ts) — an SMP group's streams, one per CPU, and the
 * oracle's reference state (bench/measure/smp-prepare.ts); `verify` checks a module-loaded tracker
 * against the oracle before it is timed (bench/verify/verify.ts) — one message per
 * task either way. It never measures: forks do, each in an isolate of its
 * own (bench/measure/isolate.ts).
 */
import { loadTrackerModules } from '../../impls/modules.js';
import { prepareGroup, type PreparedGroup, type PrepareTask } from './prepare.js';
import { prepareSmpGroup } from './smp-prepare.js';
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
  if (task.cpus === undefined) return prepareGroup(task);
  const p = prepareSmpGroup({ ...task, cpus: task.cpus });
  if (!p.ok) return p;
  return { ok: true, stream: p.streams[0]!, oracleDigest: p.reference.digests.join('.'), peakReservations: p.peakReservations, smp: { streams: p.streams, reference: p.reference } };
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
