/**
 * A workload: a pure, seeded generator (size, seed) → operation stream on a
 * machine profile. Same inputs, same stream, on any machine.
 */
import { InputError } from '../core/errors.js';
import type { ParsedMachine } from '../core/machine-spec.js';
import type { OpStream } from '../core/ops.js';
import { profileMachine } from './profiles.js';

export interface Workload {
  /** Registry name, e.g. `ttm-fault`. */
  readonly name: string;
  /** The real behaviour it models, what `size` scales, and its op mix. */
  readonly description: string;
  /** What `size` counts (e.g. "live reservations", "pages per buffer object"). */
  readonly sizeUnit: string;
  /** Sizes of the default benchmark matrix, ascending. */
  readonly defaultSizes: readonly number[];
  /** Largest accepted `size`, where the workload is bounded (absent: no bound but memory). */
  readonly maxSize?: number;
  /** Machine profile used when none is given. */
  readonly defaultProfile: string;
  /**
   * Builds the stream. Pure: depends only on its arguments.
   * @param size workload scale (see `sizeUnit`), ≥ 1
   * @param seed PRNG seed (any 32-bit integer)
   * @param machine the machine, parsed (a built-in profile, `profileMachine`, or a
   *   user's map, bench/plan/machine.ts); default the `defaultProfile`
   * @throws InputError for a size out of range, or a machine the workload cannot fit on
   */
  generate(size: number, seed: number, machine?: ParsedMachine): OpStream;
}

/**
 * Validates a workload's `size`: a positive safe integer, at most `w.maxSize`.
 * @throws InputError naming the workload, the size and the accepted range
 */
function checkSize(w: Pick<Workload, 'name' | 'maxSize' | 'sizeUnit'>, size: number): void {
  const max = w.maxSize ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(size) || size < 1 || size > max) {
    const range = w.maxSize === undefined ? '≥ 1' : `1..${w.maxSize}`;
    throw new InputError(`${w.name}: size ${size} is out of range; expected an integer ${range} (${w.sizeUnit})`);
  }
}

/**
 * What every `generate` starts with: validates `size` (see `checkSize`) and
 * picks the machine — `machine`, or the workload's default profile (parsed
 * once per isolate).
 * @throws InputError for a size out of range
 */
export function prepare(w: Workload, size: number, machine?: ParsedMachine): ParsedMachine {
  checkSize(w, size);
  return machine ?? profileMachine(w.defaultProfile);
}
