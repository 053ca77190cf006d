/**
 * Range store `soa-interval-tree`: our second candidate design — the same
 * augmented red-black tree as Linux's memtype interval tree
 * (memtype_interval.c, `subtree_max_end`), but laid out as a structure of
 * typed arrays indexed by node number: no object per entry, 37 bytes per
 * node slot (start, end, max end as Float64 — pfns may exceed 2^31; left,
 * right, parent as Int32; color and type packed in one byte). Node 0 is the
 * nil sentinel (black, max end −∞), so child tests need no null checks.
 *
 * Not in the registry: the micro-benchmark (bench/micro/trackers.ts) runs it
 * beside the wide-node `btree`, which won (see btree.ts); kept for that
 * comparison only.
 *
 * Invariant (checked by `checkInvariants`): in-order sorted by start, equal
 * starts in insertion order; red-black rules and equal black height;
 * `maxEnd` = max(end, children's maxEnd); parent links mirror child links;
 * free slots are on the free list; node count = `size`.
 */
import type { MachineView, PfnmapTrackCtx } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** Bit of `meta` that marks a red node; the low 3 bits hold the type. */
const RED = 8;
const TYPE_MASK = 7;
const NIL = 0;

/**
 * The augmented rbtree in typed arrays as a `RangeStore`. Costs as the
 * object interval tree: O(log n) insert/erase/lookup; scan O(log n + k).
 * scan/lookup/overlap allocate nothing; insert allocates only when the pool
 * grows (×1.25).
 */
export class SoaIntervalTreeStore implements RangeStore {
  /** Part name. */
  readonly name = 'soa-interval-tree';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  /** Per node: first pfn of the entry. */
  start: Float64Array;
  /** Per node: one past the last pfn. */
  end: Float64Array;
  /** Per node: largest end in its subtree (−∞ at the nil node). */
  maxEnd: Float64Array;
  /** Per node: left child, right child, parent (0 = nil); `left` links the free list. */
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  /** Type (bits 0–2) | RED (bit 3); on a free slot, unused. */
  meta: Uint8Array;
  /** Root node index (NIL = 0 when empty). */
  root = NIL;
  private capacity: number;
  /** Next unused slot index (slots below it are live or free). */
  private high = 1;
  /** Free list threaded through `left`; -1 when empty. */
  private freeHead = -1;
  private count = 0;
  private checkPrevStart = -Infinity;
  private checkSeen = 0;

  /** @param initialCapacity node slots allocated up front (grown ×1.25 as needed) */
  constructor(initialCapacity = 16) {
    this.capacity = Math.max(2, initialCapacity);
    const c = this.capacity;
    this.start = new Float64Array(c);
    this.end = new Float64Array(c);
    this.maxEnd = new Float64Array(c);
    this.left = new Int32Array(c);
    this.right = new Int32Array(c);
    this.parent = new Int32Array(c);
    this.meta = new Uint8Array(c);
    this.maxEnd[NIL] = -Infinity;
  }

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** No-op: the tree needs no view of the machine. */
  attach(_view: MachineView): void {}

  /** In the subtree at `n` (maxEnd > s), the in-order first node overlapping `[s, e)`, or NIL. */
  private subtreeSearch(n: number, s: number, e: number): number {
    const left = this.left;
    const right = this.right;
    const maxEnd = this.maxEnd;
    for (;;) {
      const l = left[n]!;
      if (maxEnd[l]! > s) {
        n = l;
        continue;
      }
      if (this.start[n]! >= e) return NIL;
      if (this.end[n]! > s) return n;
      const r = right[n]!;
      if (maxEnd[r]! <= s) return NIL;
      n = r;
    }
  }

  /** The in-order next node after `n` overlapping `[s, e)`, or NIL. */
  private nextOverlap(n: number, s: number, e: number): number {
    for (;;) {
      const r = this.right[n]!;
      if (this.maxEnd[r]! > s) return this.subtreeSearch(r, s, e);
      let prev = n;
      let p = this.parent[n]!;
      while (p !== NIL && this.right[p] === prev) {
        prev = p;
        p = this.parent[p]!;
      }
      if (p === NIL) return NIL;
      n = p;
      if (this.start[n]! >= e) return NIL;
      if (this.end[n]! > s) return n;
    }
  }

  /** Overlap scan of `[start, end)`; sets `first`/`other`. Allocates nothing. */
  scan(start: number, end: number): void {
    this.first = -1;
    this.other = -1;
    const root = this.root;
    if (this.maxEnd[root]! <= start) return;
    let n = this.subtreeSearch(root, start, end);
    if (n === NIL) return;
    const t = this.meta[n]! & TYPE_MASK;
    this.first = t;
    while ((n = this.nextOverlap(n, start, end)) !== NIL) {
      const u = this.meta[n]! & TYPE_MASK;
      if (u !== t) {
        this.other = u;
        return;
      }
    }
  }

  /** The lowest-starting entry overlapping `[start, end)`; see `RangeStore.overlap`. */
  overlap(start: number, end: number): boolean {
    const root = this.root;
    const n = this.maxEnd[root]! <= start ? NIL : this.subtreeSearch(root, start, end);
    if (n === NIL) {
      this.first = -1;
      return false;
    }
    this.first = this.meta[n]! & TYPE_MASK;
    this.hitStart = this.start[n]!;
    this.hitEnd = this.end[n]!;
    return true;
  }

  /** Type of the lowest-starting entry overlapping page `pfn` (`[pfn, pfn + 1)`), or -1. O(log n); allocates nothing. */
  lookup(pfn: number): number {
    const left = this.left;
    const right = this.right;
    const maxEnd = this.maxEnd;
    let n = this.root;
    if (maxEnd[n]! <= pfn) return -1;
    for (;;) {
      const l = left[n]!;
      if (maxEnd[l]! > pfn) {
        n = l;
        continue;
      }
      if (this.start[n]! >= pfn + 1) return -1;
      if (this.end[n]! > pfn) return this.meta[n]! & TYPE_MASK;
      const r = right[n]!;
      if (maxEnd[r]! <= pfn) return -1;
      n = r;
    }
  }

  /** Inserts one entry after every equal start. O(log n). `owner` is ignored. */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    const z = this.allocNode(start, end, type);
    this.count++;
    let p = this.root;
    if (p === NIL) {
      this.root = z;
      this.meta[z] = type; // black
      return;
    }
    for (;;) {
      if (this.maxEnd[p]! < end) this.maxEnd[p] = end;
      if (start < this.start[p]!) {
        if (this.left[p] === NIL) {
          this.left[p] = z;
          break;
        }
        p = this.left[p]!;
      } else {
        if (this.right[p] === NIL) {
          this.right[p] = z;
          break;
        }
        p = this.right[p]!;
      }
    }
    this.parent[z] = p;
    this.insertFixup(z);
  }

  /** Removes the first entry (in order) that is exactly `[start, end)`; false when none. `owner` is ignored. */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    let n = this.root;
    let z = NIL;
    while (n !== NIL) {
      if (this.start[n]! >= start) {
        z = n;
        n = this.left[n]!;
      } else {
        n = this.right[n]!;
      }
    }
    while (z !== NIL && this.start[z] === start && this.end[z] !== end) z = this.successor(z);
    if (z === NIL || this.start[z] !== start) return false;
    this.removeNode(z);
    this.count--;
    return true;
  }

  /** Appends every entry as (start, end, type) pfn triples, in order. */
  list(out: number[]): void {
    let n = this.root;
    if (n === NIL) return;
    while (this.left[n] !== NIL) n = this.left[n]!;
    for (; n !== NIL; n = this.successor(n)) out.push(this.start[n]!, this.end[n]!, this.meta[n]! & TYPE_MASK);
  }

  /**
   * Modeled kernel bytes: a kernel version would keep the same arrays — 40
   * bytes per slot (three u64, three u32 indices, one byte, padded) — for
   * every allocated slot, plus 16 for the root and counters.
   */
  modeledBytes(): number {
    return 40 * this.capacity + 16;
  }

  /** JavaScript bytes held by the typed arrays (capacity, not use). */
  jsBytes(): number {
    return this.capacity * 37;
  }

  /** Verifies the invariant stated at the top of this file; O(n). */
  checkInvariants(): void {
    this.checkPrevStart = -Infinity;
    this.checkSeen = 0;
    if (this.maxEnd[NIL] !== -Infinity || (this.meta[NIL]! & RED) !== 0) throw new Error('soa-interval-tree: nil sentinel modified');
    const root = this.root;
    if (root !== NIL) {
      if (this.parent[root] !== NIL) throw new Error('soa-interval-tree: parent pointers inconsistent: root has a parent');
      if (this.meta[root]! & RED) throw new Error('soa-interval-tree: root is red (root must be black)');
      this.checkNode(root);
    }
    if (this.checkSeen !== this.count) throw new Error(`soa-interval-tree: node count ${this.checkSeen} != size ${this.count}`);
    let free = 0;
    for (let f = this.freeHead; f >= 0; f = this.left[f]!) if (++free > this.capacity) throw new Error('soa-interval-tree: free list has a cycle');
    if (free + this.count + 1 !== this.high) throw new Error(`soa-interval-tree: ${free} free + ${this.count} live + nil != ${this.high} slots used`);
  }

  private fail(rule: string, n: number): never {
    throw new Error(`soa-interval-tree: ${rule} [${this.start[n]},${this.end[n]})`);
  }

  /** Checks the subtree at `n` in order; returns its black height. */
  private checkNode(n: number): number {
    const l = this.left[n]!;
    const r = this.right[n]!;
    const red = (this.meta[n]! & RED) !== 0;
    let lh = 1;
    if (l !== NIL) {
      if (this.parent[l] !== n) this.fail('parent pointers inconsistent at the left child of', n);
      if (red && this.meta[l]! & RED) this.fail('red node has a red child:', n);
      lh = this.checkNode(l);
    }
    if (this.start[n]! < this.checkPrevStart) this.fail('BST order by start broken at', n);
    this.checkPrevStart = this.start[n]!;
    this.checkSeen++;
    let rh = 1;
    if (r !== NIL) {
      if (this.parent[r] !== n) this.fail('parent pointers inconsistent at the right child of', n);
      if (red && this.meta[r]! & RED) this.fail('red node has a red child:', n);
      rh = this.checkNode(r);
    }
    if (lh !== rh) this.fail(`black height differs (${lh} left vs ${rh} right) below`, n);
    const m = this.computeMax(n);
    if (this.maxEnd[n] !== m) this.fail(`maxEnd ${this.maxEnd[n]} != max(end, children's maxEnd) ${m} at`, n);
    return lh + (red ? 0 : 1);
  }

  // ------------------------------------------------------------ internals

  private isRed(n: number): boolean {
    return (this.meta[n]! & RED) !== 0;
  }

  private setRed(n: number, red: boolean): void {
    this.meta[n] = red ? this.meta[n]! | RED : this.meta[n]! & ~RED;
  }

  private computeMax(n: number): number {
    let m = this.end[n]!;
    const l = this.maxEnd[this.left[n]!]!;
    const r = this.maxEnd[this.right[n]!]!;
    if (l > m) m = l;
    if (r > m) m = r;
    return m;
  }

  private successor(n: number): number {
    let c = this.right[n]!;
    if (c !== NIL) {
      while (this.left[c] !== NIL) c = this.left[c]!;
      return c;
    }
    let prev = n;
    let p = this.parent[n]!;
    while (p !== NIL && this.right[p] === prev) {
      prev = p;
      p = this.parent[p]!;
    }
    return p;
  }

  private replaceChild(x: number, y: number): void {
    const p = this.parent[x]!;
    if (p === NIL) this.root = y;
    else if (this.left[p] === x) this.left[p] = y;
    else this.right[p] = y;
  }

  private rotateLeft(x: number): void {
    const y = this.right[x]!;
    const b = this.left[y]!;
    this.right[x] = b;
    if (b !== NIL) this.parent[b] = x;
    this.parent[y] = this.parent[x]!;
    this.replaceChild(x, y);
    this.left[y] = x;
    this.parent[x] = y;
    this.maxEnd[y] = this.maxEnd[x]!;
    this.maxEnd[x] = this.computeMax(x);
  }

  private rotateRight(x: number): void {
    const y = this.left[x]!;
    const b = this.right[y]!;
    this.left[x] = b;
    if (b !== NIL) this.parent[b] = x;
    this.parent[y] = this.parent[x]!;
    this.replaceChild(x, y);
    this.right[y] = x;
    this.parent[x] = y;
    this.maxEnd[y] = this.maxEnd[x]!;
    this.maxEnd[x] = this.computeMax(x);
  }

  private insertFixup(z: number): void {
    let p = this.parent[z]!;
    while (p !== NIL && this.isRed(p)) {
      const g = this.parent[p]!;
      if (p === this.left[g]) {
        const u = this.right[g]!;
        if (this.isRed(u)) {
          this.setRed(p, false);
          this.setRed(u, false);
          this.setRed(g, true);
          z = g;
          p = this.parent[z]!;
          continue;
        }
        if (z === this.right[p]) {
          this.rotateLeft(p);
          z = p;
          p = this.parent[z]!;
        }
        this.setRed(p, false);
        this.setRed(g, true);
        this.rotateRight(g);
      } else {
        const u = this.left[g]!;
        if (this.isRed(u)) {
          this.setRed(p, false);
          this.setRed(u, false);
          this.setRed(g, true);
          z = g;
          p = this.parent[z]!;
          continue;
        }
        if (z === this.left[p]) {
          this.rotateRight(p);
          z = p;
          p = this.parent[z]!;
        }
        this.setRed(p, false);
        this.setRed(g, true);
        this.rotateLeft(g);
      }
      break;
    }
    this.setRed(this.root, false);
  }

  /** Unlinks the entry at `z` (moving the successor's entry in when z has two children) and frees one slot. */
  private removeNode(z: number): void {
    if (this.left[z] !== NIL && this.right[z] !== NIL) {
      let y = this.right[z]!;
      while (this.left[y] !== NIL) y = this.left[y]!;
      this.start[z] = this.start[y]!;
      this.end[z] = this.end[y]!;
      this.meta[z] = (this.meta[z]! & RED) | (this.meta[y]! & TYPE_MASK);
      z = y;
    }
    const child = this.left[z] !== NIL ? this.left[z]! : this.right[z]!;
    const p = this.parent[z]!;
    if (child !== NIL) this.parent[child] = p;
    this.replaceChild(z, child);
    for (let a = p; a !== NIL; a = this.parent[a]!) this.maxEnd[a] = this.computeMax(a);
    if (!this.isRed(z)) this.eraseFixup(child, p);
    this.freeSlot(z);
  }

  private eraseFixup(x: number, xp: number): void {
    while (x !== this.root && !this.isRed(x)) {
      const p = xp;
      if (x === this.left[p]) {
        let w = this.right[p]!;
        if (this.isRed(w)) {
          this.setRed(w, false);
          this.setRed(p, true);
          this.rotateLeft(p);
          w = this.right[p]!;
        }
        if (!this.isRed(this.left[w]!) && !this.isRed(this.right[w]!)) {
          this.setRed(w, true);
          x = p;
          xp = this.parent[p]!;
          continue;
        }
        if (!this.isRed(this.right[w]!)) {
          this.setRed(this.left[w]!, false);
          this.setRed(w, true);
          this.rotateRight(w);
          w = this.right[p]!;
        }
        this.setRed(w, this.isRed(p));
        this.setRed(p, false);
        this.setRed(this.right[w]!, false);
        this.rotateLeft(p);
      } else {
        let w = this.left[p]!;
        if (this.isRed(w)) {
          this.setRed(w, false);
          this.setRed(p, true);
          this.rotateRight(p);
          w = this.left[p]!;
        }
        if (!this.isRed(this.left[w]!) && !this.isRed(this.right[w]!)) {
          this.setRed(w, true);
          x = p;
          xp = this.parent[p]!;
          continue;
        }
        if (!this.isRed(this.left[w]!)) {
          this.setRed(this.right[w]!, false);
          this.setRed(w, true);
          this.rotateLeft(w);
          w = this.left[p]!;
        }
        this.setRed(w, this.isRed(p));
        this.setRed(p, false);
        this.setRed(this.left[w]!, false);
        this.rotateRight(p);
      }
      x = this.root;
      break;
    }
    if (x !== NIL) this.setRed(x, false);
  }

  private allocNode(start: number, end: number, type: number): number {
    let n = this.freeHead;
    if (n >= 0) {
      this.freeHead = this.left[n]!;
    } else {
      if (this.high >= this.capacity) this.grow();
      n = this.high++;
    }
    this.start[n] = start;
    this.end[n] = end;
    this.maxEnd[n] = end;
    this.left[n] = NIL;
    this.right[n] = NIL;
    this.parent[n] = NIL;
    this.meta[n] = type | RED;
    return n;
  }

  private freeSlot(n: number): void {
    this.left[n] = this.freeHead;
    this.right[n] = NIL;
    this.parent[n] = NIL;
    this.meta[n] = 0;
    this.freeHead = n;
  }

  private grow(): void {
    const c = Math.ceil(this.capacity * 1.25) + 1;
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(c);
      b.set(a);
      return b;
    };
    this.start = f64(this.start);
    this.end = f64(this.end);
    this.maxEnd = f64(this.maxEnd);
    this.left = i32(this.left);
    this.right = i32(this.right);
    this.parent = i32(this.parent);
    const m = new Uint8Array(c);
    m.set(this.meta);
    this.meta = m;
    this.capacity = c;
  }
}
