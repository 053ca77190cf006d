/**
 * The project's one seeded PRNG (mulberry32): same seed, same sequence, on
 * any machine. Workloads draw every op stream from it (tests pin those
 * streams, so its output never changes); the harness uses it too — fork
 * orders, bootstrap resamples, micro-benchmark data — and derives its seeds
 * with `hashSeed`.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A 32-bit seed derived from `parts` (FNV-1a over their text joined by NUL),
 * so that a figure's randomness depends only on what it is about (a run
 * seed, a group id, a fork index) and not on what was drawn before it.
 */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0000');
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
