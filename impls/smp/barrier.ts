/**
 * A reusable barrier for worker threads over a shared `Int32Array`
 * (sense-reversing): the SMP machine's CPUs start their op streams together,
 * so that the measured interval is one where all of them run.
 */

/** One thread's handle on a barrier of `parties` threads in words `at`, `at + 1`. */
export class Barrier {
  private sense = 0;

  /**
   * @param words shared words (two are used: arrival count, release sense)
   * @param at index of the first of the two words
   * @param parties threads that must arrive before any leaves (≥ 1)
   */
  constructor(
    private readonly words: Int32Array,
    private readonly at: number,
    readonly parties: number,
  ) {
    if (!(Number.isSafeInteger(parties) && parties >= 1)) throw new RangeError(`barrier: parties must be a positive integer, got ${parties}`);
    if (at + 1 >= words.length) throw new RangeError(`barrier: words ${at}, ${at + 1} are outside the array`);
  }

  /**
   * Blocks until `parties` threads have called `wait` for this round.
   * @param abort a word (index into the same array) another thread sets
   *   non-zero when a party will never arrive (it failed): the wait then
   *   returns false at once instead of blocking forever
   * @returns true when every party arrived, false when aborted
   */
  wait(abort = -1): boolean {
    const w = this.words;
    const release = (this.sense ^= 1);
    if (Atomics.add(w, this.at, 1) === this.parties - 1) {
      Atomics.store(w, this.at, 0);
      Atomics.store(w, this.at + 1, release);
      Atomics.notify(w, this.at + 1);
      return true;
    }
    while (Atomics.load(w, this.at + 1) !== release) {
      if (abort >= 0 && Atomics.load(w, abort) !== 0) return false;
      Atomics.wait(w, this.at + 1, release ^ 1, 5);
    }
    return true;
  }
}
