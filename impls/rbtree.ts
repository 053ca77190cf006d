/**
 * Range store `rbtree`: Linux 2.6.32's hybrid (commit 335ef896d4c6, "x86,
 * pat: Add rbtree to do quick lookup in memtype tracking"): the sorted
 * memtype list kept as before, plus a plain (not augmented) red-black tree
 * of the same nodes keyed by start. `memtype_rb_search` finds the greatest
 * start ≤ an address in O(log n); the list is then walked from there.
 *
 * Without a subtree max end the tree cannot say whether an earlier, longer
 * entry covers an address, so an exact answer walks the list back from that
 * node until an entry covers it — O(log n) when the nearest entry covers the
 * address, O(entries before it) on a miss. (2.6.32 itself returned the
 * greatest start ≤ the address unchecked; 2.6.34 augmented the tree with
 * `subtree_max_end` to fix exactly this.) The walk relies on the store
 * contract that overlapping entries share one type: every entry covering a
 * page overlaps every other one, so the first found has the lowest one's type.
 *
 * Invariant (checked by `checkInvariants`):
 *  - in-order traversal of the tree visits exactly the list, node for node:
 *    sorted by start, equal starts in insertion order (new ones go right);
 *  - red-black: black root, no red node with a red child, equal black height
 *    on every path (height ≤ 2·log2(n + 1));
 *  - parent links mirror child links; list `next`/`prev` mirror each other;
 *    node count = `size`.
 */
import type { MachineView, PfnmapTrackCtx } from '../core/tracker.js';
import type { RangeStore } from './parts.js';
import { RbTree } from './rb.js';

/**
 * One reservation: 2.6.32's `struct memtype` (start, end, type, list_head
 * `nd`, rb_node `rb`). Eight fields, one hidden class (88 JS bytes): the
 * color rides in the low bit of `meta` beside the type, as the kernel keeps
 * it in the low bit of `rb_node.__rb_parent_color`.
 */
export class HybridNode {
  /** First pfn. */
  start: number;
  /** One past the last pfn. */
  end: number;
  /** (type << 1) | red; type 0..5 (-1 on the list head). */
  meta: number;
  /** List successor (the head after the last). */
  next: HybridNode;
  /** List predecessor (the head before the first). */
  prev: HybridNode;
  /** Tree children (smaller starts left; equal or larger right) and parent; null when absent. */
  left: HybridNode | null;
  right: HybridNode | null;
  parent: HybridNode | null;

  constructor(start: number, end: number, type: number, parent: HybridNode | null) {
    this.start = start;
    this.end = end;
    this.meta = (type << 1) | 1;
    this.next = this;
    this.prev = this;
    this.left = null;
    this.right = null;
    this.parent = parent;
  }

  /** Cache mode 0..5 (-1 on the list head). */
  get type(): number {
    return this.meta >> 1;
  }

  /** Red-black color: true = red. */
  get red(): boolean {
    return (this.meta & 1) !== 0;
  }

  set red(r: boolean) {
    this.meta = r ? this.meta | 1 : this.meta & ~1;
  }
}

/** Throws the invariant error for `rule` at node `n`. */
function fail(rule: string, n: HybridNode): never {
  throw new Error(`rbtree: ${rule} [${n.start},${n.end})`);
}

/**
 * Linux 2.6.32's list + start-keyed rbtree as a `RangeStore`.
 * Costs: insert O(log n) (the tree finds the list position); erase
 * O(log n + d), d = entries sharing the start before the match; lookup and
 * scan O(log n) when the nearest entry at or before the query start covers
 * it, else O(entries before it) walking the list back, plus the entries
 * visited in the range. scan/lookup allocate nothing.
 */
export class RbtreeStore extends RbTree<HybridNode> implements RangeStore {
  /** Part name. */
  readonly name = 'rbtree';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  /** Sentinel `memtype_list` head. */
  readonly head = new HybridNode(-1, -1, -1, null);
  private count = 0;
  private checkPrev: HybridNode = this.head;
  private checkSeen = 0;

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** No-op: the store needs no view of the machine. */
  attach(_view: MachineView): void {}

  /** The last node (in order) with start ≤ `pfn`, or the head (`memtype_rb_search`). O(log n). */
  private lastAtOrBefore(pfn: number): HybridNode {
    let n = this.root;
    let best: HybridNode = this.head;
    while (n !== null) {
      if (n.start <= pfn) {
        best = n;
        n = n.right;
      } else {
        n = n.left;
      }
    }
    return best;
  }

  /** The first node (in order) with start ≥ `pfn`, or the head. O(log n). */
  private firstAtOrAfter(pfn: number): HybridNode {
    let n = this.root;
    let best: HybridNode = this.head;
    while (n !== null) {
      if (n.start >= pfn) {
        best = n;
        n = n.left;
      } else {
        n = n.right;
      }
    }
    return best;
  }

  /** Walking the list back from `n`, the first entry (start ≤ pfn assumed) whose end > pfn, or the head. */
  private coverBackFrom(n: HybridNode, pfn: number): HybridNode {
    const head = this.head;
    while (n !== head && n.end <= pfn) n = n.prev;
    return n;
  }

  /**
   * Overlap scan of `[start, end)`: entries starting before `start` that
   * overlap all cover `start` (one type, found by the walk back); then the
   * entries starting in `[start, end)` in list order. Sets `first`/`other`.
   */
  scan(start: number, end: number): void {
    this.first = -1;
    this.other = -1;
    const head = this.head;
    const lo = this.firstAtOrAfter(start);
    let t = -1;
    if (lo.prev !== head) {
      const c = this.coverBackFrom(lo.prev, start);
      if (c !== head) t = c.type;
    }
    this.first = t;
    for (let n = lo; n !== head && n.start < end; n = n.next) {
      if (t < 0) {
        t = n.type;
        this.first = t;
      } else if (n.type !== t) {
        this.other = n.type;
        return;
      }
    }
  }

  /**
   * The lowest-starting entry overlapping `[start, end)` (see
   * `RangeStore.overlap`). Walks back over every entry starting before
   * `start` to find the lowest one covering it.
   */
  overlap(start: number, end: number): boolean {
    const head = this.head;
    const lo = this.firstAtOrAfter(start);
    let hit: HybridNode = head;
    for (let n = lo.prev; n !== head; n = n.prev) if (n.end > start) hit = n;
    if (hit === head && lo !== head && lo.start < end) hit = lo;
    if (hit === head) {
      this.first = -1;
      return false;
    }
    this.first = hit.type;
    this.hitStart = hit.start;
    this.hitEnd = hit.end;
    return true;
  }

  /** Inserts one entry after every equal start: tree descent, then O(1) list link. `owner` is ignored. */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    this.count++;
    let p = this.root;
    if (p === null) {
      const z = new HybridNode(start, end, type, null);
      z.red = false;
      this.root = z;
      this.linkAfter(this.head, z);
      return;
    }
    for (;;) {
      if (start < p.start) {
        if (p.left === null) {
          const z = new HybridNode(start, end, type, p);
          p.left = z;
          this.linkAfter(p.prev, z);
          this.insertFixup(z);
          return;
        }
        p = p.left;
      } else {
        if (p.right === null) {
          const z = new HybridNode(start, end, type, p);
          p.right = z;
          this.linkAfter(p, z);
          this.insertFixup(z);
          return;
        }
        p = p.right;
      }
    }
  }

  /** Puts `z` on the list right after `p`. */
  private linkAfter(p: HybridNode, z: HybridNode): void {
    z.prev = p;
    z.next = p.next;
    p.next.prev = z;
    p.next = z;
  }

  /**
   * Removes the first entry (in order) that is exactly `[start, end)`: the
   * tree finds the first equal start, the list is walked from there (as
   * 2.6.32's `free_memtype`). False when none matches. `owner` is ignored.
   */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    const head = this.head;
    let z = this.firstAtOrAfter(start);
    while (z !== head && z.start === start && z.end !== end) z = z.next;
    if (z === head || z.start !== start) return false;
    this.removeNode(z);
    this.count--;
    return true;
  }

  /**
   * Type of the lowest-starting entry overlapping page `pfn`
   * (`[pfn, pfn + 1)`), or -1: the greatest start ≤ pfn from the tree, then
   * back along the list to an entry covering `pfn` (all such entries contain
   * `pfn`, so they overlap each other and share the lowest one's type); if
   * none, the next entry when it starts inside the page (a byte range from
   * `memtype_reserve()` may). Allocates nothing.
   */
  lookup(pfn: number): number {
    const at = this.lastAtOrBefore(pfn);
    const c = this.coverBackFrom(at, pfn);
    if (c !== this.head) return c.type;
    const n = at.next; // the head's next is the first entry
    return n !== this.head && n.start < pfn + 1 ? n.type : -1;
  }

  /** Appends every entry as (start, end, type) pfn triples, in list order. */
  list(out: number[]): void {
    const head = this.head;
    for (let n = head.next; n !== head; n = n.next) out.push(n.start, n.end, n.type);
  }

  /**
   * Modeled kernel bytes: 64 per entry (2.6.32's 64-byte `struct memtype`
   * with list_head and rb_node, kmalloc-64) + 16 list head + 8 `rb_root`.
   */
  modeledBytes(): number {
    return 64 * this.count + 24;
  }

  /** Verifies the invariant stated at the top of this file; O(n). */
  checkInvariants(): void {
    const root = this.root;
    this.checkPrev = this.head;
    this.checkSeen = 0;
    if (root !== null) {
      if (root.parent !== null) throw new Error('rbtree: parent pointers inconsistent: root has a parent');
      if (root.red) throw new Error('rbtree: root is red (root must be black)');
      this.checkNode(root);
    }
    if (this.checkPrev.next !== this.head || this.head.prev !== this.checkPrev) {
      throw new Error('rbtree: list and tree differ: the list does not end with the last tree node');
    }
    if (this.checkSeen !== this.count) throw new Error(`rbtree: node count ${this.checkSeen} != size ${this.count}`);
  }

  /** Checks the subtree at `n` in order against the list; returns its black height. */
  private checkNode(n: HybridNode): number {
    const l = n.left;
    const r = n.right;
    let lh = 1;
    if (l !== null) {
      if (l.parent !== n) fail('parent pointers inconsistent at the left child of', n);
      if (n.red && l.red) fail('red node has a red child:', n);
      lh = this.checkNode(l);
    }
    const p = this.checkPrev;
    if (p.next !== n || n.prev !== p) fail('list and tree differ (list links vs in-order) at', n);
    if (p !== this.head && n.start < p.start) fail('order by start broken at', n);
    this.checkPrev = n;
    this.checkSeen++;
    let rh = 1;
    if (r !== null) {
      if (r.parent !== n) fail('parent pointers inconsistent at the right child of', n);
      if (n.red && r.red) fail('red node has a red child:', n);
      rh = this.checkNode(r);
    }
    if (lh !== rh) fail(`black height differs (${lh} left vs ${rh} right) below`, n);
    return lh + (n.red ? 0 : 1);
  }

  /**
   * Unlinks node `z` from tree and list (`rb_erase` + `list_del`). With two
   * children its in-order successor `y` (= `z.next`) takes z's place in the
   * tree, so list and tree keep the same nodes.
   */
  private removeNode(z: HybridNode): void {
    // List first: the in-order neighbors are exactly z.prev and z.next.
    z.prev.next = z.next;
    z.next.prev = z.prev;
    let x: HybridNode | null;
    let xp: HybridNode | null;
    let removedRed: boolean;
    if (z.left === null || z.right === null) {
      x = z.left !== null ? z.left : z.right;
      xp = z.parent;
      removedRed = z.red;
      if (x !== null) x.parent = xp;
      this.replaceChild(z, x);
    } else {
      // y = successor (leftmost of z.right) replaces z, taking z's color.
      let y = z.right;
      while (y.left !== null) y = y.left;
      removedRed = y.red;
      x = y.right;
      if (y.parent === z) {
        xp = y;
      } else {
        xp = y.parent!;
        xp.left = x;
        if (x !== null) x.parent = xp;
        y.right = z.right;
        z.right.parent = y;
      }
      y.left = z.left;
      z.left.parent = y;
      y.parent = z.parent;
      this.replaceChild(z, y);
      y.red = z.red;
    }
    z.left = z.right = z.parent = null;
    z.next = z.prev = z;
    if (!removedRed) this.eraseFixup(x, xp);
  }
}
