/**
 * A workload: a pure, seeded generator (size, seed) → operation stream on a
 * machine profile. Same inputs, same stream, on any machine.
 */
import type { OpStream } from '../core/ops.js';

export interface Workload {
  /** Registry name, e.g. `ttm-fault`. */
  readonly name: string;
  /** The real behaviour it models, what `size` scales, and its op mix. */
  readonly description: string;
  /** What `size` counts (e.g. "live reservations", "pages per buffer object"). */
  readonly sizeUnit: string;
  /** Sizes of the default benchmark matrix, ascending. */
  readonly defaultSizes: readonly number[];
  /** Machine profile used when none is given. */
  readonly defaultProfile: string;
  /**
   * Builds the stream. Pure: depends only on its arguments.
   * @param size workload scale (see `sizeUnit`), ≥ 1
   * @param seed PRNG seed (any 32-bit integer)
   * @param profile machine profile name (default `defaultProfile`)
   * @throws InputError for an unknown profile or a size out of range
   */
  generate(size: number, seed: number, profile?: string): OpStream;
}
