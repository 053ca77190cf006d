/**
 * The wide-node B+tree (`btree`, impls/btree.ts) living in a
 * SharedArrayBuffer, so that the emulated machine's CPUs — worker threads —
 * share one range store of reservations, as Linux's CPUs share one memtype
 * tree. Same algorithm, same `RangeStore` semantics and invariants; what
 * changes is where the state lives:
 *
 *  - node records: a growable SharedArrayBuffer (`handle.nodes`), grown in
 *    place (×1.25 + 1 node) up to `maxNodes`; each thread reads it through
 *    fixed-length typed arrays (a length-tracking view is ~3.5× slower in
 *    Node 20) and re-creates them when the published capacity outgrew them;
 *  - the scalars (root, height, entry count, nodes in use, free-list head,
 *    capacity): a small shared header (`handle.header`). Every method loads
 *    them first and every mutation stores them last, so instances attached
 *    in different threads (`new SharedBtreeStore(handle)`) see one tree —
 *    provided mutations are serialized by a lock (impls/smp/lock-part.ts),
 *    whose release orders the header stores before the next holder's loads.
 *
 * Lock-free readers (the `seqlock` scheme) call `lookup` while a writer may
 * be halfway through a split or merge. `lookup` is therefore written to stay
 * in bounds and terminate on any values — torn counts are clamped to
 * 0..16, node indices outside the arena end the descent, the depth is
 * bounded — and its answer is used only if the sequence did not move.
 * Nodes are never unmapped (the arena only grows, freed nodes are reused),
 * so a stale index always points at memory that exists.
 *
 * Limits: one arena per store, at most `maxNodes` nodes (default 2^18 ≈
 * 3 × 10^6 entries at the usual fill; 86 MiB of address space reserved,
 * committed as it grows); inserting past it throws RangeError (the kernel
 * would fail the reservation with -ENOMEM). Object-graph stores (list,
 * rbtree, interval-tree, vma-walk) cannot be shared this way.
 */
import type { PfnmapTrackCtx } from '../../core/tracker.js';
import { BTREE_LAYOUT, BTREE_NODE_JS_BYTES, BTREE_SLOTS, BtreeStore } from '../btree.js';
import { growableSab, type GrowableSharedArrayBuffer } from './shared-buffer.js';

/** What another thread needs to attach to the tree: post it in a message. */
export interface SharedBtreeHandle {
  /** The scalars, `HEADER_WORDS` Int32 words. */
  readonly header: SharedArrayBuffer;
  /** The node records (`BTREE_NODE_JS_BYTES` each), growable. */
  readonly nodes: GrowableSharedArrayBuffer;
}

/** Options of a new shared tree. */
export interface SharedBtreeOptions {
  /** Node records allocated up front (default 2). */
  initialNodes?: number;
  /** Largest number of node records (default 2^18). */
  maxNodes?: number;
}

const H_ROOT = 0;
const H_HEIGHT = 1;
const H_COUNT = 2;
const H_NODES = 3;
const H_FREE = 4;
const H_CAPACITY = 5;
/** Int32 words of the header (one cache line). */
export const HEADER_WORDS = 16;
/** Default arena bound, node records. */
export const DEFAULT_MAX_NODES = 1 << 18;
/** Depth bound of a lock-free descent (btree.ts keeps the tree within 24 levels). */
const MAX_DEPTH = 24;
const { F_STRIDE, I_STRIDE, KEY, VAL, CNT } = BTREE_LAYOUT;

/** The `btree` range store in shared memory (see the module comment). */
export class SharedBtreeStore extends BtreeStore {
  /** The shared buffers: hand them to another thread to attach. */
  readonly handle: SharedBtreeHandle;
  private readonly hdr: Int32Array;
  private readonly maxNodes: number;

  /**
   * Creates a new shared tree, or attaches to an existing one.
   * @param from options for a new tree, or the `handle` of an existing one
   * @throws RangeError when `initialNodes` exceeds `maxNodes`
   */
  constructor(from: SharedBtreeOptions | SharedBtreeHandle = {}) {
    super(2);
    if ('header' in from) {
      this.handle = from;
      this.hdr = new Int32Array(from.header, 0, HEADER_WORDS);
      this.maxNodes = Math.floor(from.nodes.maxByteLength / BTREE_NODE_JS_BYTES);
      // Always re-create the views: the base constructor's private pool may
      // have the published capacity by chance.
      this.remap(this.hdr[H_CAPACITY]!);
      this.pull();
      return;
    }
    this.maxNodes = from.maxNodes ?? DEFAULT_MAX_NODES;
    const initial = Math.max(2, from.initialNodes ?? 2);
    if (initial > this.maxNodes) throw new RangeError(`shared btree: ${initial} initial nodes exceed the bound of ${this.maxNodes}`);
    this.handle = {
      header: new SharedArrayBuffer(HEADER_WORDS * 4),
      nodes: growableSab(initial * BTREE_NODE_JS_BYTES, this.maxNodes * BTREE_NODE_JS_BYTES),
    };
    this.hdr = new Int32Array(this.handle.header, 0, HEADER_WORDS);
    // The base constructor built an empty tree (root = node 0, a leaf with
    // no slots) in a private buffer; a zeroed arena holds the same records.
    this.remap(initial);
    this.publish();
  }

  /** Loads the shared scalars; re-creates the views when another thread grew the arena. */
  pull(): void {
    const h = this.hdr;
    this.root = h[H_ROOT]!;
    this.height = h[H_HEIGHT]!;
    this.count = h[H_COUNT]!;
    this.nodes = h[H_NODES]!;
    this.freeHead = h[H_FREE]!;
    const cap = h[H_CAPACITY]!;
    if (cap !== this.capacity) this.remap(cap);
  }

  /** Stores the scalars for the other threads (under the writers' lock). */
  publish(): void {
    const h = this.hdr;
    h[H_ROOT] = this.root;
    h[H_HEIGHT] = this.height;
    h[H_COUNT] = this.count;
    h[H_NODES] = this.nodes;
    h[H_FREE] = this.freeHead;
    h[H_CAPACITY] = this.capacity;
  }

  /** Fixed-length views over the first `cap` records of the arena. */
  private remap(cap: number): void {
    const bytes = cap * BTREE_NODE_JS_BYTES;
    if (!(cap >= 2 && bytes <= this.handle.nodes.byteLength)) throw new RangeError(`shared btree: capacity ${cap} does not fit the arena (${this.handle.nodes.byteLength} bytes)`);
    this.f = new Float64Array(this.handle.nodes, 0, cap * F_STRIDE);
    this.i32 = new Int32Array(this.handle.nodes, 0, cap * I_STRIDE);
    this.capacity = cap;
  }

  /**
   * Grows the arena in place to ⌈1.25 × capacity⌉ + 1 records, capped at
   * `maxNodes`. Called by the base class when the pool is full.
   * @throws RangeError when the arena is at its bound
   */
  protected override grow(): void {
    const cap = Math.min(Math.ceil(this.capacity * 1.25) + 1, this.maxNodes);
    if (cap <= this.capacity) throw new RangeError(`shared btree: the node arena is full (${this.capacity} nodes of ${BTREE_NODE_JS_BYTES} bytes)`);
    const bytes = cap * BTREE_NODE_JS_BYTES;
    if (bytes > this.handle.nodes.byteLength) this.handle.nodes.grow(bytes);
    this.remap(cap);
  }

  /** Number of entries stored (shared). */
  override get size(): number {
    return this.hdr[H_COUNT]!;
  }

  /**
   * `memtype_lookup()` of page `pfn` (`[pfn, pfn + 1)`, as `BtreeStore.lookup`): the base descent with every read
   * bounded (see the module comment), so it may run beside a writer; the
   * answer is then meaningless and the caller's sequence check discards it.
   */
  override lookup(pfn: number): number {
    // Only what the descent needs: root, height, capacity (the hot path of every non-RAM fault).
    const h = this.hdr;
    if (h[H_CAPACITY] !== this.capacity) this.remap(h[H_CAPACITY]!);
    const f = this.f;
    const iv = this.i32;
    const cap = this.capacity;
    let n = h[H_ROOT]!;
    let level = h[H_HEIGHT]! - 1;
    if (!(n >= 0 && n < cap && level >= 0 && level < MAX_DEPTH)) return -1;
    for (;;) {
      const b = n * F_STRIDE;
      const vb = n * I_STRIDE + VAL;
      let c = iv[n * I_STRIDE + CNT]!;
      if (c > BTREE_SLOTS) c = BTREE_SLOTS;
      let j = 0;
      while (j < c && f[b + j]! <= pfn) j++;
      if (j >= c) return -1;
      // The page [pfn, pfn + 1): entries may start or end inside a page (byte-range reservations).
      if (level === 0) return f[b + KEY + j]! >= pfn + 1 ? -1 : iv[vb + j]!;
      n = iv[vb + j]!;
      if (!(n >= 0 && n < cap)) return -1;
      level--;
    }
  }

  /** See `RangeStore.overlap` (writers' path: under the lock). */
  override overlap(start: number, end: number): boolean {
    this.pull();
    return super.overlap(start, end);
  }

  /** See `RangeStore.scan` (writers' path: under the lock). */
  override scan(start: number, end: number): void {
    this.pull();
    super.scan(start, end);
  }

  /** See `RangeStore.list` (under a lock: a torn tree could make it loop long). */
  override list(out: number[]): void {
    this.pull();
    super.list(out);
  }

  /** Inserts, then publishes the scalars. */
  override insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    this.pull();
    super.insert(start, end, type, owner);
    this.publish();
  }

  /** Erases, then publishes the scalars. */
  override erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    this.pull();
    const ok = super.erase(start, end, owner);
    this.publish();
    return ok;
  }

  /** The base invariants, plus: the arena holds the published capacity. */
  override checkInvariants(): void {
    this.pull();
    if (this.capacity * BTREE_NODE_JS_BYTES > this.handle.nodes.byteLength) throw new Error(`btree: capacity ${this.capacity} exceeds the shared arena`);
    super.checkInvariants();
  }

  /** Bytes of the arena in use (its committed length). */
  override jsBytes(): number {
    return this.handle.nodes.byteLength;
  }
}
