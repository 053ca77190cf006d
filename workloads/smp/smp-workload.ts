/**
 * An SMP workload: a pure, seeded generator (size, CPUs, seed) → one
 * operation stream per CPU of one machine, in today's op vocabulary
 * (core/ops.ts). Each CPU's stream has its own processes (`mm` ids are the
 * CPU's own: every CPU is a Machine with private page tables) and touches
 * its own pfn ranges, so its outcomes do not depend on the other CPUs: each
 * stream alone replays on today's single-CPU machine with the outcomes it
 * has in an SMP run (per-CPU digests). What the CPUs share is the memtype
 * state — one tree, one `page->flags` array, one `memtype_lock` — so they
 * contend on its locks and cache lines, not on each other's data.
 *
 * Streams hold no global query (`memtype_list`, the alias check): its
 * answer would depend on the other CPUs.
 */
import { InputError } from '../../core/errors.js';
import type { ParsedMachine } from '../../core/machine-spec.js';
import type { OpStream } from '../../core/ops.js';
import { profileMachine } from '../profiles.js';

export interface SmpWorkload {
  /** Registry name, e.g. `xpmem-insert`. */
  readonly name: string;
  /** The real behaviour it models, what `size` scales, and its op mix. */
  readonly description: string;
  /** What `size` counts, per CPU. */
  readonly sizeUnit: string;
  /** Sizes of the default SMP matrix, ascending. */
  readonly defaultSizes: readonly number[];
  /** Largest accepted `size`. */
  readonly maxSize: number;
  /** Machine profile used when none is given. */
  readonly defaultProfile: string;
  /**
   * Builds one stream per CPU. Pure: depends only on its arguments.
   * @param size per-CPU scale (see `sizeUnit`), 1..maxSize
   * @param cpus CPUs (≥ 1)
   * @param seed PRNG seed (any 32-bit integer)
   * @param machine the machine (default `{ profile: defaultProfile }`)
   * @returns `cpus` streams on the same machine spec
   * @throws InputError for a size or CPU count out of range, an unknown
   *   profile, or a machine too small for `cpus` CPUs at `size`
   */
  generate(size: number, cpus: number, seed: number, machine?: ParsedMachine): OpStream[];
}

/** Largest CPU count an SMP workload accepts (the users' machines reach 512). */
export const MAX_CPUS = 1024;

/**
 * Validates `size` and `cpus` and resolves the machine.
 * @throws InputError naming the workload and the accepted range
 */
export function prepareSmp(w: SmpWorkload, size: number, cpus: number, machine?: ParsedMachine): ParsedMachine {
  if (!Number.isSafeInteger(size) || size < 1 || size > w.maxSize) throw new InputError(`${w.name}: size ${size} is out of range; expected an integer 1..${w.maxSize} (${w.sizeUnit})`);
  if (!Number.isSafeInteger(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new InputError(`${w.name}: ${cpus} CPUs is out of range; expected an integer 1..${MAX_CPUS}`);
  return machine ?? profileMachine(w.defaultProfile);
}

/** The seed of CPU `cpu`'s stream: distinct per CPU, fixed by `seed`. */
export function cpuSeed(seed: number, cpu: number): number {
  return (Math.imul(cpu + 1, 0x9e3779b9) ^ seed) >>> 0;
}
