/**
 * Range store `btree`: our wide-node design — a B+tree in the manner of
 * Linux's maple tree (lib/maple_tree.c: 16-slot nodes with pivots, and
 * per-child gap data in allocation nodes), here with a per-child *max end*
 * so a stabbing query prunes whole subtrees as the interval tree does, but
 * touches ~log₁₁ n nodes instead of ~2·log₂ n. No object per entry or per
 * node: nodes are 328-byte records in one ArrayBuffer (node-major, so one
 * node's data shares a few adjacent cache lines), read through a Float64
 * view (coordinates: pfns may exceed 2^31) and an Int32 view.
 *
 * Node record (16 slots): bytes 0–127 `end[16]` (f64), 128–255 `key[16]`
 * (f64), 256–319 `val[16]` (i32), 320 `cnt` (i32), 324 pad.
 *  - leaf slot: key = entry start, end = entry end, val = cache mode;
 *  - internal slot: key = the child's smallest start (pivot), end = the
 *    largest end in the child's subtree, val = the child's node index.
 *
 * Invariant (checked by `checkInvariants`):
 *  - every leaf is at depth `height - 1`; the in-order sequence of leaf
 *    slots is sorted by start, equal starts in insertion order (a new entry
 *    goes after every equal start); every entry is non-empty;
 *  - fill: every node but the root holds between 8 and 16 slots; an
 *    internal root holds ≥ 2; a leaf root 0..16;
 *  - internal slot: key = its child's first key, end = max of its child's
 *    ends (so, recursively, the smallest start and largest end below it);
 *  - nodes in use are reachable exactly once; the others are on the free list.
 *
 * Page query (`lookup(pfn)`, the page `[pfn, pfn + 1)`): the first entry in
 * order whose end > pfn is the only candidate (entries before it end at or
 * before pfn); it overlaps the page iff its start < pfn + 1. The first child
 * whose max end > pfn holds that entry, so the query is one root-to-leaf
 * descent, a linear scan of ≤ 16 ends per node.
 */
import type { MachineView, PfnmapTrackCtx } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** Slots per node (the maple tree's `maple_range_64` has 16). */
export const BTREE_SLOTS = 16;
/** Minimum fill of a non-root node. */
const MIN_FILL = BTREE_SLOTS >> 1;
/** Float64 words per node record (328 bytes). */
const F_STRIDE = 41;
/** Int32 words per node record. */
const I_STRIDE = 2 * F_STRIDE;
/** Float64 offset of `key[]` within a node (ends are at 0). */
const KEY = BTREE_SLOTS;
/** Int32 offset of `val[]` within a node. */
const VAL = 4 * BTREE_SLOTS;
/** Int32 offset of `cnt` within a node (the free-list link of a free node). */
const CNT = VAL + BTREE_SLOTS;
/** Record layout, for tests that corrupt nodes on purpose. */
export const BTREE_LAYOUT = { F_STRIDE, I_STRIDE, KEY, VAL, CNT } as const;
/** Bytes per node record in JavaScript. */
export const BTREE_NODE_JS_BYTES = 8 * F_STRIDE;
/** Modeled kernel bytes per node: see `BtreeStore.modeledBytes`. */
export const BTREE_NODE_BYTES = 512;
/** Depth bound for the cursor path (11^24 entries). */
const MAX_DEPTH = 24;

/**
 * Our wide-node B+tree as a `RangeStore`. Costs (n = size, B = 16):
 * lookup and overlap O(B log n), one descent; scan O(B log n + k); insert
 * O(B log n) (split on overflow); erase O(B log n + d), d = entries sharing
 * the start before the match (borrow or merge on underflow). scan, lookup
 * and overlap allocate nothing; insert allocates only when the node pool
 * grows (×1.25).
 */
export class BtreeStore implements RangeStore {
  /** Part name. */
  readonly name = 'btree';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  /** Float64 view of the node records (ends, keys). */
  f: Float64Array;
  /** Int32 view of the node records (vals, cnt). */
  i32: Int32Array;
  /** Root node index. */
  root: number;
  /** Levels: 1 when the root is a leaf. */
  height = 1;
  /** Node records the pool holds (protected: the shared variant, impls/smp/shared-btree.ts, keeps it in a shared header). */
  protected capacity: number;
  protected freeHead = -1;
  protected nodes = 0;
  protected count = 0;
  /** Cursor path of erase: node and slot per level (index 0 = leaf). */
  private readonly pathNode = new Int32Array(MAX_DEPTH);
  private readonly pathSlot = new Int32Array(MAX_DEPTH);
  private checkSeen = 0;
  private checkPrevKey = -Infinity;

  /** @param initialNodes node records to allocate up front (the pool grows ×1.25 as needed) */
  constructor(initialNodes = 2) {
    this.capacity = Math.max(2, initialNodes);
    const buf = new ArrayBuffer(this.capacity * BTREE_NODE_JS_BYTES);
    this.f = new Float64Array(buf);
    this.i32 = new Int32Array(buf);
    this.root = this.allocNode();
  }

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** Nodes in use (leaves and internal). */
  get nodeCount(): number {
    return this.nodes;
  }

  /** No-op: the tree needs no view of the machine. */
  attach(_view: MachineView): void {}

  // ------------------------------------------------------------ queries

  /**
   * Type of the lowest-starting entry overlapping page `pfn`
   * (`[pfn, pfn + 1)`), or -1: one descent, at each node the first slot
   * whose end > pfn; that entry overlaps the page iff it starts below
   * `pfn + 1`. Allocates nothing.
   */
  lookup(pfn: number): number {
    const f = this.f;
    const iv = this.i32;
    let n = this.root;
    for (let level = this.height - 1; level > 0; level--) {
      const b = n * F_STRIDE;
      const lim = b + iv[n * I_STRIDE + CNT]!;
      let j = b;
      while (j < lim && f[j]! <= pfn) j++;
      if (j === lim) return -1;
      n = iv[n * I_STRIDE + VAL + (j - b)]!;
    }
    const b = n * F_STRIDE;
    const lim = b + iv[n * I_STRIDE + CNT]!;
    let j = b;
    while (j < lim && f[j]! <= pfn) j++;
    return j === lim || f[j + KEY]! >= pfn + 1 ? -1 : iv[n * I_STRIDE + VAL + (j - b)]!;
  }

  /** The lowest-starting entry overlapping `[start, end)`; see `RangeStore.overlap`. One descent. */
  overlap(start: number, end: number): boolean {
    const f = this.f;
    const iv = this.i32;
    let n = this.root;
    for (let level = this.height - 1; ; level--) {
      const b = n * F_STRIDE;
      const lim = b + iv[n * I_STRIDE + CNT]!;
      let j = b;
      while (j < lim && f[j]! <= start) j++;
      if (j === lim) break;
      const s = iv[n * I_STRIDE + VAL + (j - b)]!;
      if (level > 0) {
        n = s;
        continue;
      }
      if (f[j + KEY]! >= end) break;
      this.first = s;
      this.hitStart = f[j + KEY]!;
      this.hitEnd = f[j]!;
      return true;
    }
    this.first = -1;
    return false;
  }

  /**
   * Overlap scan of `[start, end)` in order; sets `first`/`other` (see
   * RangeStore). Depth-first over children whose max end > start, stopping
   * at the first key ≥ end or the first differing type. Allocates nothing.
   */
  scan(start: number, end: number): void {
    this.first = -1;
    this.other = -1;
    if (this.count > 0) this.scanNode(this.root, this.height - 1, start, end);
  }

  /** scan's recursion over node `n` at `level`; true = stop the whole scan. */
  private scanNode(n: number, level: number, s: number, e: number): boolean {
    const f = this.f;
    const iv = this.i32;
    const b = n * F_STRIDE;
    const c = iv[n * I_STRIDE + CNT]!;
    const vb = n * I_STRIDE + VAL;
    for (let j = 0; j < c; j++) {
      if (f[b + KEY + j]! >= e) return true;
      if (f[b + j]! <= s) continue;
      const v = iv[vb + j]!;
      if (level === 0) {
        if (this.first < 0) this.first = v;
        else if (v !== this.first) {
          this.other = v;
          return true;
        }
      } else if (this.scanNode(v, level - 1, s, e)) {
        return true;
      }
    }
    return false;
  }

  /** Appends every entry as (start, end, type) pfn triples, in order. */
  list(out: number[]): void {
    if (this.count > 0) this.listNode(this.root, this.height - 1, out);
  }

  private listNode(n: number, level: number, out: number[]): void {
    const b = n * F_STRIDE;
    const c = this.cnt(n);
    for (let j = 0; j < c; j++) {
      if (level === 0) out.push(this.f[b + KEY + j]!, this.f[b + j]!, this.val(n, j));
      else this.listNode(this.val(n, j), level - 1, out);
    }
  }

  // ------------------------------------------------------------ insert

  /**
   * Inserts `[start, end)` of cache mode `type` after every entry with an
   * equal start. Full nodes split in halves on the way back up; a root
   * split adds a level. `owner` is ignored.
   */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    const r = this.insertNode(this.root, this.height - 1, start, end, type);
    this.count++;
    if (r < 0) return;
    // Root split: a new root over the old root and its new right sibling.
    const old = this.root;
    const nr = this.allocNode();
    this.setSlot(nr, 0, this.key(old, 0), this.maxEnd(old), old);
    this.setSlot(nr, 1, this.key(r, 0), this.maxEnd(r), r);
    this.setCnt(nr, 2);
    this.root = nr;
    this.height++;
  }

  /** Inserts below node `n`; returns the index of a new right sibling of `n` when `n` split, else -1. */
  private insertNode(n: number, level: number, start: number, end: number, type: number): number {
    const c = this.cnt(n);
    if (level === 0) {
      let pos = 0;
      while (pos < c && this.key(n, pos) <= start) pos++;
      return this.insertSlot(n, pos, start, end, type);
    }
    // The last child whose pivot ≤ start (or the first): the upper bound lies in it.
    let i = c - 1;
    while (i > 0 && this.key(n, i) > start) i--;
    if (this.cnt(this.val(n, i)) === BTREE_SLOTS && this.spill(n, i)) {
      // A slot moved to a sibling: the child to descend into may have changed.
      i = c - 1;
      while (i > 0 && this.key(n, i) > start) i--;
    }
    const fb = n * F_STRIDE;
    if (this.f[fb + i]! < end) this.f[fb + i] = end;
    if (this.f[fb + KEY + i]! > start) this.f[fb + KEY + i] = start;
    const child = this.val(n, i);
    const r = this.insertNode(child, level - 1, start, end, type);
    if (r < 0) return -1;
    // The child split (the pool may have grown: access through `this` again).
    this.f[n * F_STRIDE + i] = this.maxEnd(child);
    return this.insertSlot(n, i + 1, this.key(r, 0), this.maxEnd(r), r);
  }

  /**
   * Puts (k, e, v) at slot `pos` of node `n`, splitting `n` in halves first
   * when full. Returns the new right half's index, or -1.
   */
  private insertSlot(n: number, pos: number, k: number, e: number, v: number): number {
    const c = this.cnt(n);
    if (c < BTREE_SLOTS) {
      this.moveSlots(n, pos, n, pos + 1, c - pos);
      this.setSlot(n, pos, k, e, v);
      this.setCnt(n, c + 1);
      return -1;
    }
    const r = this.allocNode(); // may grow the pool
    const half = BTREE_SLOTS >> 1;
    this.moveSlots(n, half, r, 0, BTREE_SLOTS - half);
    this.setCnt(n, half);
    this.setCnt(r, BTREE_SLOTS - half);
    if (pos <= half) this.insertSlot(n, pos, k, e, v);
    else this.insertSlot(r, pos - half, k, e, v);
    return r;
  }

  /**
   * B*-style overflow: full child `i` of `n` passes its first slot to the
   * left sibling or its last slot to the right sibling, whichever has room
   * (order is kept: the slot stays between the same neighbors). Raises the
   * fill random inserts leave from ~64% to ~80%. Returns false when both
   * siblings are full too (the child will split).
   */
  private spill(n: number, i: number): boolean {
    const c = this.val(n, i);
    if (i > 0) {
      const l = this.val(n, i - 1);
      const lc = this.cnt(l);
      if (lc < BTREE_SLOTS) {
        this.moveSlots(c, 0, l, lc, 1);
        this.setCnt(l, lc + 1);
        this.moveSlots(c, 1, c, 0, BTREE_SLOTS - 1);
        this.setCnt(c, BTREE_SLOTS - 1);
        this.refreshSlot(n, i - 1);
        this.refreshSlot(n, i);
        return true;
      }
    }
    if (i + 1 < this.cnt(n)) {
      const r = this.val(n, i + 1);
      const rc = this.cnt(r);
      if (rc < BTREE_SLOTS) {
        this.moveSlots(r, 0, r, 1, rc);
        this.moveSlots(c, BTREE_SLOTS - 1, r, 0, 1);
        this.setCnt(r, rc + 1);
        this.setCnt(c, BTREE_SLOTS - 1);
        this.refreshSlot(n, i);
        this.refreshSlot(n, i + 1);
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------ erase

  /**
   * Removes the first entry (in order) whose range is exactly
   * `[start, end)`; false when none matches. Underflowing nodes borrow from
   * a sibling or merge with it; a root with one child is replaced by it.
   * `owner` is ignored.
   */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    if (this.count === 0) return false;
    const pathNode = this.pathNode;
    const pathSlot = this.pathSlot;
    // Descend to the lower bound of `start`: the last child whose pivot < start (or the first).
    let n = this.root;
    for (let level = this.height - 1; level > 0; level--) {
      let i = this.cnt(n) - 1;
      while (i > 0 && this.key(n, i) >= start) i--;
      pathNode[level] = n;
      pathSlot[level] = i;
      n = this.val(n, i);
    }
    let pos = 0;
    while (pos < this.cnt(n) && this.key(n, pos) < start) pos++;
    pathNode[0] = n;
    pathSlot[0] = pos;
    // Walk forward (across leaves) through the entries that start at `start`.
    for (;;) {
      if (pathSlot[0] === this.cnt(pathNode[0]!)) {
        if (!this.nextLeaf()) return false;
      }
      const leaf = pathNode[0]!;
      const s = pathSlot[0]!;
      if (this.key(leaf, s) !== start) return false;
      if (this.end(leaf, s) === end) break;
      pathSlot[0] = s + 1;
    }
    this.removeAtPath();
    this.count--;
    return true;
  }

  /** Moves the cursor path to the first slot of the next leaf; false at the last leaf. */
  private nextLeaf(): boolean {
    const pathNode = this.pathNode;
    const pathSlot = this.pathSlot;
    let level = 1;
    while (level < this.height && pathSlot[level]! + 1 >= this.cnt(pathNode[level]!)) level++;
    if (level >= this.height) return false;
    pathSlot[level] = pathSlot[level]! + 1;
    for (; level > 0; level--) {
      pathNode[level - 1] = this.val(pathNode[level]!, pathSlot[level]!);
      pathSlot[level - 1] = 0;
    }
    return true;
  }

  /** Deletes the leaf slot under the cursor path, then repairs fill, pivots and max ends up to the root. */
  private removeAtPath(): void {
    const pathNode = this.pathNode;
    const pathSlot = this.pathSlot;
    let n = pathNode[0]!;
    const pos = pathSlot[0]!;
    this.moveSlots(n, pos + 1, n, pos, this.cnt(n) - pos - 1);
    this.setCnt(n, this.cnt(n) - 1);
    for (let level = 0; level < this.height - 1; level++) {
      n = pathNode[level]!;
      const p = pathNode[level + 1]!;
      const i = pathSlot[level + 1]!;
      if (this.cnt(n) >= MIN_FILL) {
        this.refreshSlot(p, i);
        continue;
      }
      const pc = this.cnt(p);
      if (i > 0 && this.cnt(this.val(p, i - 1)) > MIN_FILL) {
        // Borrow the left sibling's last slot.
        const l = this.val(p, i - 1);
        const lc = this.cnt(l) - 1;
        this.moveSlots(n, 0, n, 1, this.cnt(n));
        this.moveSlots(l, lc, n, 0, 1);
        this.setCnt(n, this.cnt(n) + 1);
        this.setCnt(l, lc);
        this.refreshSlot(p, i - 1);
        this.refreshSlot(p, i);
      } else if (i + 1 < pc && this.cnt(this.val(p, i + 1)) > MIN_FILL) {
        // Borrow the right sibling's first slot.
        const r = this.val(p, i + 1);
        const rc = this.cnt(r);
        this.moveSlots(r, 0, n, this.cnt(n), 1);
        this.setCnt(n, this.cnt(n) + 1);
        this.moveSlots(r, 1, r, 0, rc - 1);
        this.setCnt(r, rc - 1);
        this.refreshSlot(p, i);
        this.refreshSlot(p, i + 1);
      } else {
        // Merge with a sibling: the right one of the pair empties into the left.
        const li = i > 0 ? i - 1 : i;
        const l = this.val(p, li);
        const r = this.val(p, li + 1);
        const lc = this.cnt(l);
        const rc = this.cnt(r);
        this.moveSlots(r, 0, l, lc, rc);
        this.setCnt(l, lc + rc);
        this.freeNode(r);
        this.moveSlots(p, li + 2, p, li + 1, pc - li - 2);
        this.setCnt(p, pc - 1);
        this.refreshSlot(p, li);
      }
    }
    // Root: an internal root with one child gives way to it.
    while (this.height > 1 && this.cnt(this.root) === 1) {
      const old = this.root;
      this.root = this.val(old, 0);
      this.freeNode(old);
      this.height--;
    }
  }

  // ------------------------------------------------------------ memory

  /**
   * Modeled kernel bytes: 512 per node. A kernel node of 16 slots holds, as
   * a leaf, 16 × (start, end) u64 + 16 type bytes + parent pointer + count
   * (288 B), as an internal node 16 × (child pointer, pivot, max end) +
   * parent + count (400 B); both come from one 512-byte slab cache so a node
   * can change role (the maple tree's 16-slot nodes are 256 B without the
   * max end). Per entry ≈ 512 / (16 × fill): ~42 B at the ~77% fill that
   * random inserts leave (with overflow to siblings), vs 64 B for a
   * `struct memtype`.
   */
  modeledBytes(): number {
    return BTREE_NODE_BYTES * this.nodes + 16;
  }

  /** JavaScript bytes held by the node pool (capacity, not use). */
  jsBytes(): number {
    return this.f.byteLength;
  }

  // ------------------------------------------------------------ invariants

  /** Verifies the invariant stated at the top of this file; throws naming the broken rule. O(n). */
  checkInvariants(): void {
    this.checkSeen = 0;
    this.checkPrevKey = -Infinity;
    const root = this.root;
    if (this.height > 1 && this.cnt(root) < 2) throw new Error(`btree: internal root holds ${this.cnt(root)} children (< 2)`);
    if (this.height > MAX_DEPTH) throw new Error(`btree: height ${this.height} exceeds ${MAX_DEPTH}`);
    const reach = new Uint8Array(this.capacity);
    this.checkNode(root, this.height - 1, true, reach);
    if (this.checkSeen !== this.count) throw new Error(`btree: entry count ${this.checkSeen} != size ${this.count}`);
    let free = 0;
    for (let f = this.freeHead; f >= 0; f = this.cnt(f)) {
      if (reach[f]) throw new Error(`btree: node ${f} is both free and reachable`);
      if (++free > this.capacity) throw new Error('btree: free list has a cycle');
    }
    let used = 0;
    for (let i = 0; i < this.capacity; i++) used += reach[i]!;
    if (used !== this.nodes) throw new Error(`btree: ${used} reachable nodes != ${this.nodes} in use`);
  }

  /** Checks node `n` at `level` and below; the parent checks n's pivot and max end. */
  private checkNode(n: number, level: number, isRoot: boolean, reach: Uint8Array): void {
    if (!(n >= 0 && n < this.capacity)) throw new Error(`btree: node index ${n} out of range`);
    if (reach[n]) throw new Error(`btree: node ${n} reachable twice`);
    reach[n] = 1;
    const c = this.cnt(n);
    if (c > BTREE_SLOTS) throw new Error(`btree: node ${n} holds ${c} slots (> ${BTREE_SLOTS})`);
    if (!isRoot && c < MIN_FILL) throw new Error(`btree: node ${n} at level ${level} holds ${c} slots (fill < ${MIN_FILL})`);
    for (let i = 0; i < c; i++) {
      const k = this.key(n, i);
      if (level === 0) {
        if (k < this.checkPrevKey) throw new Error(`btree: order by start broken at [${k},${this.end(n, i)})`);
        if (!(this.end(n, i) > k)) throw new Error(`btree: empty range [${k},${this.end(n, i)})`);
        this.checkPrevKey = k;
        this.checkSeen++;
        continue;
      }
      const child = this.val(n, i);
      this.checkNode(child, level - 1, false, reach);
      const ck = this.key(child, 0);
      if (k !== ck) throw new Error(`btree: pivot ${k} != child's first start ${ck} (node ${n} slot ${i})`);
      const me = this.maxEnd(child);
      if (this.end(n, i) !== me) throw new Error(`btree: max end ${this.end(n, i)} != child's max end ${me} (node ${n} slot ${i})`);
    }
  }

  // ------------------------------------------------------------ helpers

  private cnt(n: number): number {
    return this.i32[n * I_STRIDE + CNT]!;
  }

  private setCnt(n: number, c: number): void {
    this.i32[n * I_STRIDE + CNT] = c;
  }

  private key(n: number, s: number): number {
    return this.f[n * F_STRIDE + KEY + s]!;
  }

  private end(n: number, s: number): number {
    return this.f[n * F_STRIDE + s]!;
  }

  private val(n: number, s: number): number {
    return this.i32[n * I_STRIDE + VAL + s]!;
  }

  private setSlot(n: number, s: number, k: number, e: number, v: number): void {
    const fb = n * F_STRIDE;
    this.f[fb + s] = e;
    this.f[fb + KEY + s] = k;
    this.i32[n * I_STRIDE + VAL + s] = v;
  }

  /** Copies `len` slots from node `a` slot `from` to node `b` slot `to` (overlap-safe). */
  private moveSlots(a: number, from: number, b: number, to: number, len: number): void {
    if (len <= 0) return;
    const fa = a * F_STRIDE + from;
    const fb = b * F_STRIDE + to;
    this.f.copyWithin(fb, fa, fa + len);
    this.f.copyWithin(fb + KEY, fa + KEY, fa + KEY + len);
    const ia = a * I_STRIDE + VAL + from;
    this.i32.copyWithin(b * I_STRIDE + VAL + to, ia, ia + len);
  }

  /** Largest end among node `n`'s slots. */
  private maxEnd(n: number): number {
    const b = n * F_STRIDE;
    const lim = b + this.cnt(n);
    let m = -Infinity;
    for (let j = b; j < lim; j++) if (this.f[j]! > m) m = this.f[j]!;
    return m;
  }

  /** Re-derives internal slot `i` of `p` (pivot and max end) from its child. */
  private refreshSlot(p: number, i: number): void {
    const child = this.val(p, i);
    const fb = p * F_STRIDE;
    this.f[fb + KEY + i] = this.key(child, 0);
    this.f[fb + i] = this.maxEnd(child);
  }

  /** A node index from the free list or the pool (grown ×1.25 when full), with 0 slots. */
  private allocNode(): number {
    let n = this.freeHead;
    if (n >= 0) {
      this.freeHead = this.cnt(n);
    } else {
      if (this.nodes >= this.capacity) this.grow();
      n = this.nodes; // with the free list empty, nodes in use are exactly 0..nodes-1
    }
    this.setCnt(n, 0);
    this.nodes++;
    return n;
  }

  /** Puts node `n` on the free list (its `cnt` word links to the next free node). */
  private freeNode(n: number): void {
    this.setCnt(n, this.freeHead);
    this.freeHead = n;
    this.nodes--;
  }

  /** Grows the pool to ⌈1.25 × capacity⌉ + 1 node records (the shared variant grows its buffer in place). */
  protected grow(): void {
    const cap = Math.ceil(this.capacity * 1.25) + 1;
    const buf = new ArrayBuffer(cap * BTREE_NODE_JS_BYTES);
    const f = new Float64Array(buf);
    f.set(this.f);
    this.f = f;
    this.i32 = new Int32Array(buf);
    this.capacity = cap;
  }
}
