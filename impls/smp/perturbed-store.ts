/**
 * A range store that perturbs timing inside the caller's critical section:
 * before every insert and erase, after every lookup — spinning (`code` > 0:
 * code × 64 shared loads) or sleeping (`code` < 0: −code × 10 µs), by a
 * schedule that repeats. The SMP checks use it to make CPUs interleave in
 * the middle of tree updates (`run` SMP forks with a perturbation, and the
 * fast-check interleavings of test/impls/smp).
 */
import type { PfnmapTrackCtx } from '../../core/tracker.js';
import type { RangeStore } from '../parts.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
let sink = 0;

/** `s` with the perturbations of `schedule` (one code per store call that perturbs, cycling). */
export class PerturbedStore implements RangeStore {
  readonly name: string;
  private i = 0;
  constructor(
    private readonly s: RangeStore,
    private readonly schedule: readonly number[],
  ) {
    this.name = s.name;
  }
  private perturb(): void {
    const code = this.schedule[this.i++ % this.schedule.length]!;
    if (code > 0) for (let k = 0; k < code * 64; k++) sink += Atomics.load(sleeper, 0);
    else if (code < 0) Atomics.wait(sleeper, 0, 0, (-code * 10) / 1000);
  }
  get first(): number {
    return this.s.first;
  }
  get other(): number {
    return this.s.other;
  }
  get hitStart(): number {
    return this.s.hitStart;
  }
  get hitEnd(): number {
    return this.s.hitEnd;
  }
  get size(): number {
    return this.s.size;
  }
  attach(): void {}
  scan(start: number, end: number): void {
    this.s.scan(start, end);
  }
  overlap(start: number, end: number): boolean {
    return this.s.overlap(start, end);
  }
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    this.perturb();
    this.s.insert(start, end, type, owner);
  }
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    this.perturb();
    return this.s.erase(start, end, owner);
  }
  lookup(pfn: number): number {
    const r = this.s.lookup(pfn);
    this.perturb();
    return r;
  }
  list(out: number[]): void {
    this.s.list(out);
  }
  modeledBytes(): number {
    return this.s.modeledBytes();
  }
  checkInvariants(): void {
    this.s.checkInvariants();
  }
}
