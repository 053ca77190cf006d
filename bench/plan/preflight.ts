/**
 * The preflight of a run: before any results folder exists, every group —
 * (workload, size, seed) on its machine — is generated once in the main
 * thread (a few ms each; no timing, no replay), and the groups whose
 * workload cannot fit the machine (its generator refuses them: a size out
 * of range, no room for a BAR in the MMIO windows, not enough RAM) are
 * dropped, each with the generator's one line of why. Other failures are
 * not the preflight's to judge: those groups run, and error there.
 */
import { InputError } from '../../core/errors.js';
import { getWorkload } from '../../workloads/registry.js';
import { getSmpWorkload } from '../../workloads/smp/registry.js';
import { isSmpWorkload, smpStreams } from '../measure/smp-prepare.js';
import { machineFor, type MachineChoice } from './machine.js';

/**
 * Why `workload` at `size` and `seed` (on `cpus` CPUs, for an SMP group:
 * one stream per CPU) cannot fit the machine `choice` gives it, or null
 * when it fits.
 * @throws what the generator throws other than an InputError
 */
export function cannotFit(workload: string, size: number, seed: number, choice: MachineChoice, cpus?: number): string | null {
  // An unknown name is an input error, not the preflight's to judge: resolved outside the try.
  const profile = isSmpWorkload(workload) ? getSmpWorkload(workload).defaultProfile : getWorkload(workload).defaultProfile;
  try {
    const machine = machineFor(choice, profile);
    if (cpus !== undefined) smpStreams(workload, size, cpus, seed, machine);
    else getWorkload(workload).generate(size, seed, machine);
    return null;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
}
