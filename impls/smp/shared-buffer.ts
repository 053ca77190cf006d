/**
 * SharedArrayBuffer helpers for state that several worker threads (emulated
 * CPUs) share: growable buffers, cache-line-sized slots for lock words.
 *
 * Node 20 (V8 11.3) supports growable SharedArrayBuffers without flags, but
 * typed arrays that *track* a growable buffer's length are ~3.5× slower to
 * index than ordinary ones (measured: 17 vs 4.8 ns per random Float64 read,
 * /tmp micro-test, 3 runs), while fixed-length views over the same buffer
 * cost the same as over an ArrayBuffer. So shared structures here keep
 * fixed-length views and re-create them when another thread has grown the
 * buffer (they compare the capacity published in a shared header with the
 * length of their views).
 */

/** A growable SharedArrayBuffer (ES2024 typings are not in this project's lib). */
export interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  /** Grows the buffer to `byteLength` bytes (never shrinks); visible to every thread at once. */
  grow(byteLength: number): void;
  /** The largest length `grow` accepts, bytes. */
  readonly maxByteLength: number;
  /** Always true for these buffers. */
  readonly growable: boolean;
}

/**
 * A growable SharedArrayBuffer of `byteLength` bytes that may grow to
 * `maxByteLength`. V8 reserves (but does not commit) `maxByteLength` of
 * address space up front.
 * @throws RangeError when `byteLength > maxByteLength` or either is negative
 */
export function growableSab(byteLength: number, maxByteLength: number): GrowableSharedArrayBuffer {
  const Ctor = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => GrowableSharedArrayBuffer;
  return new Ctor(byteLength, { maxByteLength });
}

/** Int32 words per 64-byte cache line. */
export const LINE_WORDS = 16;
/**
 * Int32 words per lock slot: two cache lines, the lock word(s) in the first
 * and the lock's bookkeeping (last holder, version) in the second, so
 * waiters spinning on the lock word are not disturbed by the holder's
 * writes — as the data a kernel lock protects lives beside, not in, its line.
 */
export const SLOT_WORDS = 2 * LINE_WORDS;

/**
 * An `Int32Array` over a new, zeroed SharedArrayBuffer with `slots` lock
 * slots of `SLOT_WORDS` words: the lock words of one machine. Slot `s`
 * starts at word `s * SLOT_WORDS`.
 */
export function lockWords(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, slots) * SLOT_WORDS * 4));
}
