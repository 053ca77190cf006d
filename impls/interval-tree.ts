/**
 * The memtype interval tree: Linux's store of non-RAM reservations since
 * 2.6.34 (arch/x86/mm/pat/pat_rbtree.c, an rbtree augmented with
 * `subtree_max_end`), since 5.5 the generic `INTERVAL_TREE_DEFINE` of
 * arch/x86/mm/pat/memtype_interval.c.
 *
 * Invariant (checked by `checkInvariants`):
 *  - in-order traversal is sorted by `start`; equal starts keep insertion
 *    order (a new node goes to the right of every equal start);
 *  - red-black: the root is black, no red node has a red child, every path
 *    from a node down to a missing child crosses the same number of black
 *    nodes — so the height is at most 2·log2(n + 1);
 *  - `maxEnd` = max(`end`, left.maxEnd, right.maxEnd): the largest end in the
 *    node's subtree, which lets an overlap search skip a subtree whose
 *    maxEnd ≤ the query start;
 *  - `parent` links mirror the child links; the node count equals `size`.
 *
 * Entries are half-open pfn ranges `[start, end)`. Identical and overlapping
 * entries are separate nodes (duplicates instead of reference counts); the
 * caller guarantees overlapping entries share one type.
 */
import type { MachineView, PfnmapTrackCtx } from '../core/tracker.js';
import type { RangeStore } from './parts.js';
import { RbTree } from './rb.js';

/**
 * One reservation: `struct memtype` (start, end, subtree_max_end, type,
 * rb_node). All coordinates are pfns. Eight fields, all created in the
 * constructor in one order, so every node shares one hidden class.
 */
export class IntervalNode {
  /** First pfn of the range. */
  start: number;
  /** One past the last pfn of the range. */
  end: number;
  /** Largest `end` in this node's subtree (`subtree_max_end`). */
  maxEnd: number;
  /** Cache mode, 0..5. */
  type: number;
  /** Left child (smaller or equal starts), or null. */
  left: IntervalNode | null;
  /** Right child (equal or larger starts), or null. */
  right: IntervalNode | null;
  /** Parent, or null at the root. */
  parent: IntervalNode | null;
  /** Red-black color: true = red. */
  red: boolean;

  constructor(start: number, end: number, type: number, parent: IntervalNode | null) {
    this.start = start;
    this.end = end;
    this.maxEnd = end;
    this.type = type;
    this.left = null;
    this.right = null;
    this.parent = parent;
    this.red = true;
  }
}

/** max(end, left.maxEnd, right.maxEnd) of `n` (`interval_tree_compute_max`). */
function computeMax(n: IntervalNode): number {
  let m = n.end;
  const l = n.left;
  const r = n.right;
  if (l !== null && l.maxEnd > m) m = l.maxEnd;
  if (r !== null && r.maxEnd > m) m = r.maxEnd;
  return m;
}

/**
 * In the subtree rooted at `node`, the in-order first node overlapping
 * `[s, e)`, or null (`interval_tree_subtree_search`). Requires
 * `node.maxEnd > s`. If a subtree holds any end > s, the lowest overlap (if
 * there is one at all) lies inside it: a node there with end > s either
 * overlaps or starts at/after `e`, and then nothing after it overlaps.
 */
function subtreeSearch(node: IntervalNode, s: number, e: number): IntervalNode | null {
  for (;;) {
    const l = node.left;
    if (l !== null && l.maxEnd > s) {
      node = l;
      continue;
    }
    if (node.start >= e) return null;
    if (node.end > s) return node;
    const r = node.right;
    if (r === null || r.maxEnd <= s) return null;
    node = r;
  }
}

/**
 * The in-order next node after `node` overlapping `[s, e)`, or null
 * (`interval_tree_iter_next`). Requires `node.start < e`.
 */
function nextOverlap(node: IntervalNode, s: number, e: number): IntervalNode | null {
  for (;;) {
    const r = node.right;
    if (r !== null && r.maxEnd > s) return subtreeSearch(r, s, e);
    // Climb until we arrive from a left child: that parent is the successor.
    let prev = node;
    let p = node.parent;
    while (p !== null && p.right === prev) {
      prev = p;
      p = p.parent;
    }
    if (p === null) return null;
    node = p;
    if (node.start >= e) return null;
    if (node.end > s) return node;
  }
}

/** Throws the invariant error for `rule` at node `n`. */
function fail(rule: string, n: IntervalNode): never {
  throw new Error(`interval-tree: ${rule} [${n.start},${n.end})`);
}

/** In-order successor of `n`, or null. */
function successor(n: IntervalNode): IntervalNode | null {
  let c = n.right;
  if (c !== null) {
    while (c.left !== null) c = c.left;
    return c;
  }
  let prev = n;
  let p = n.parent;
  while (p !== null && p.right === prev) {
    prev = p;
    p = p.parent;
  }
  return p;
}

/**
 * Linux's memtype interval tree (2.6.34+, generic interval tree since 5.5)
 * as a `RangeStore`: an augmented red-black tree of half-open pfn ranges
 * keyed by start, each node keeping the max end of its subtree.
 *
 * Costs (n = size): insert O(log n); erase O(log n + d), d = entries sharing
 * the start that precede the match; lookup O(log n); scan O(log n + k),
 * k = overlapping entries visited up to the first one of a different type.
 * scan and lookup allocate nothing.
 */
export class IntervalTreeStore extends RbTree<IntervalNode> implements RangeStore {
  /** Part name. */
  readonly name = 'interval-tree';
  /** Out of `scan`: type of the lowest-starting overlapping entry, or -1. */
  first = -1;
  /** Out of `scan`: type of the first later overlapping entry whose type differs from `first`, or -1. */
  other = -1;
  /** Out of `overlap`: the found entry's start and end (pfns). */
  hitStart = 0;
  hitEnd = 0;
  private count = 0;
  // Scratch state of checkInvariants (test mode only).
  private checkPrevStart = -Infinity;
  private checkSeen = 0;

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** No-op: the tree needs no view of the machine. */
  attach(_view: MachineView): void {}

  /**
   * Overlap scan of `[start, end)` (pfns) in start order, ties in insertion
   * order — `memtype_check_conflict`'s `interval_iter_first/next` walk. Sets
   * `first` to the type of the lowest-starting overlap and `other` to the type
   * of the first later overlap whose type differs (the walk stops there);
   * each is -1 when absent. O(log n + k); allocates nothing.
   */
  scan(start: number, end: number): void {
    this.first = -1;
    this.other = -1;
    const root = this.root;
    if (root === null || root.maxEnd <= start) return;
    let n = subtreeSearch(root, start, end);
    if (n === null) return;
    const t = n.type;
    this.first = t;
    while ((n = nextOverlap(n, start, end)) !== null) {
      if (n.type !== t) {
        this.other = n.type;
        return;
      }
    }
  }

  /**
   * The lowest-starting entry overlapping `[start, end)`
   * (`interval_iter_first`): false when none, else true with its range in
   * `hitStart`/`hitEnd` and its type in `first`. O(log n); allocates nothing.
   */
  overlap(start: number, end: number): boolean {
    const root = this.root;
    const n = root === null || root.maxEnd <= start ? null : subtreeSearch(root, start, end);
    if (n === null) {
      this.first = -1;
      return false;
    }
    this.first = n.type;
    this.hitStart = n.start;
    this.hitEnd = n.end;
    return true;
  }

  /**
   * Inserts one entry `[start, end)` of cache mode `type` (`memtype_insert`).
   * Duplicates allowed; an equal start goes right, after existing ones.
   * `owner` is ignored. O(log n).
   */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    let p = this.root;
    this.count++;
    if (p === null) {
      const z = new IntervalNode(start, end, type, null);
      z.red = false;
      this.root = z;
      return;
    }
    for (;;) {
      // Every node on the descent gains the new node in its subtree.
      if (p.maxEnd < end) p.maxEnd = end;
      if (start < p.start) {
        if (p.left === null) {
          const z = new IntervalNode(start, end, type, p);
          p.left = z;
          this.insertFixup(z);
          return;
        }
        p = p.left;
      } else {
        if (p.right === null) {
          const z = new IntervalNode(start, end, type, p);
          p.right = z;
          this.insertFixup(z);
          return;
        }
        p = p.right;
      }
    }
  }

  /**
   * Removes one entry whose range is exactly `[start, end)` — the first such
   * in start/insertion order (`memtype_erase`, EXACT_MATCH only, as in the
   * v6.16 series). Returns false when no entry matches. `owner` is ignored.
   */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    // Lower bound: the in-order first node with node.start >= start.
    let n = this.root;
    let z: IntervalNode | null = null;
    while (n !== null) {
      if (n.start >= start) {
        z = n;
        n = n.left;
      } else {
        n = n.right;
      }
    }
    while (z !== null && z.start === start && z.end !== end) z = successor(z);
    if (z === null || z.start !== start) return false;
    this.removeNode(z);
    this.count--;
    return true;
  }

  /**
   * Cache mode of the lowest-starting entry overlapping page `pfn`
   * (`[pfn, pfn + 1)`, as `memtype_lookup()` asks `[addr, addr + PAGE_SIZE - 1]`),
   * or -1 (the caller maps -1 to UC-). O(log n); allocates nothing.
   */
  lookup(pfn: number): number {
    const root = this.root;
    if (root === null || root.maxEnd <= pfn) return -1;
    const n = subtreeSearch(root, pfn, pfn + 1);
    return n === null ? -1 : n.type;
  }

  /** Appends every entry as (start, end, type) pfn triples, in start order. */
  list(out: number[]): void {
    let n = this.root;
    if (n === null) return;
    while (n.left !== null) n = n.left;
    for (let c: IntervalNode | null = n; c !== null; c = successor(c)) out.push(c.start, c.end, c.type);
  }

  /**
   * Modeled kernel bytes: 64 per entry (56-byte `struct memtype` in a
   * kmalloc-64 slab) + 16 for the `rb_root_cached`.
   */
  modeledBytes(): number {
    return 64 * this.count + 16;
  }

  /**
   * Verifies the invariant stated at the top of this file. Throws an Error
   * naming the broken rule and the node (`[start,end)`); O(n), test mode.
   */
  checkInvariants(): void {
    const root = this.root;
    this.checkPrevStart = -Infinity;
    this.checkSeen = 0;
    if (root !== null) {
      if (root.parent !== null) throw new Error('interval-tree: parent pointers inconsistent: root has a parent');
      if (root.red) throw new Error('interval-tree: root is red (root must be black)');
      this.checkNode(root);
    }
    if (this.checkSeen !== this.count) {
      throw new Error(`interval-tree: node count ${this.checkSeen} != size ${this.count}`);
    }
  }

  /** Checks the subtree at `n` in order; returns its black height. */
  private checkNode(n: IntervalNode): number {
    const l = n.left;
    const r = n.right;
    let lh = 1;
    if (l !== null) {
      if (l.parent !== n) fail('parent pointers inconsistent at the left child of', n);
      if (n.red && l.red) fail('red node has a red child:', n);
      lh = this.checkNode(l);
    }
    if (n.start < this.checkPrevStart) fail('BST order by start broken at', n);
    this.checkPrevStart = n.start;
    this.checkSeen++;
    let rh = 1;
    if (r !== null) {
      if (r.parent !== n) fail('parent pointers inconsistent at the right child of', n);
      if (n.red && r.red) fail('red node has a red child:', n);
      rh = this.checkNode(r);
    }
    if (lh !== rh) fail(`black height differs (${lh} left vs ${rh} right) below`, n);
    if (n.maxEnd !== computeMax(n)) fail(`maxEnd ${n.maxEnd} != max(end, children's maxEnd) ${computeMax(n)} at`, n);
    return lh + (n.red ? 0 : 1);
  }

  /** Augment callback: the subtree's maxEnd moves to its new top. */
  protected override rotated(oldTop: IntervalNode, newTop: IntervalNode): void {
    newTop.maxEnd = oldTop.maxEnd;
    oldTop.maxEnd = computeMax(oldTop);
  }

  /**
   * Unlinks the entry held by `z`. With two children, the in-order successor's
   * entry is moved into `z` and the successor's node is unlinked instead (no
   * one outside holds node references, so moving data is allowed).
   */
  private removeNode(z: IntervalNode): void {
    if (z.left !== null && z.right !== null) {
      let y = z.right;
      while (y.left !== null) y = y.left;
      z.start = y.start;
      z.end = y.end;
      z.type = y.type;
      z = y;
    }
    const child = z.left !== null ? z.left : z.right;
    const p = z.parent;
    if (child !== null) child.parent = p;
    this.replaceChild(z, child);
    // z's entry left every subtree on the path, and a moved entry changed
    // an ancestor's end: recompute up to the root before any rotation.
    for (let a = p; a !== null; a = a.parent) a.maxEnd = computeMax(a);
    if (!z.red) this.eraseFixup(child, p);
    z.left = z.right = z.parent = null;
  }
}
