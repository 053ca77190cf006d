/**
 * The interval tree's own invariant checker (red-black rules, black height,
 * subtree max end, parent pointers, size): each corruption is caught. The
 * store's behaviour against the model is tested with every other store in
 * stores.test.ts (test/impls/store-harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { IntervalNode, IntervalTreeStore } from '../../impls/interval-tree.js';
import { rng } from './store-harness.js';

describe('IntervalTreeStore.checkInvariants catches corruption', () => {
  function build(n: number): IntervalTreeStore {
    const s = new IntervalTreeStore();
    const r = rng(7);
    for (let i = 0; i < n; i++) {
      const st = Math.floor(r() * 1000);
      s.insert(st, st + 1 + Math.floor(r() * 50), Math.floor(r() * 6), null);
    }
    s.checkInvariants();
    return s;
  }
  function anyNode(s: IntervalTreeStore, pred: (n: IntervalNode) => boolean): IntervalNode {
    const stack: IntervalNode[] = s.root ? [s.root] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (pred(n)) return n;
      if (n.left) stack.push(n.left);
      if (n.right) stack.push(n.right);
    }
    throw new Error('no such node');
  }

  it('root colored red', () => {
    const s = build(100);
    s.root!.red = true;
    expect(() => s.checkInvariants()).toThrow(/root is red/);
  });

  it('wrong maxEnd', () => {
    const s = build(100);
    const leaf = anyNode(s, (n) => n.left === null && n.right === null);
    leaf.maxEnd = leaf.end + 1;
    expect(() => s.checkInvariants()).toThrow(/maxEnd/);
    leaf.maxEnd = leaf.end;
    s.checkInvariants();
    s.root!.maxEnd += 5;
    expect(() => s.checkInvariants()).toThrow(/maxEnd/);
  });

  it('BST order broken', () => {
    const s = build(100);
    const n = anyNode(s, (x) => x.left !== null && x.left.start < x.start);
    n.left!.start = n.start + 1;
    expect(() => s.checkInvariants()).toThrow(/BST order/);
  });

  it('red node with a red child', () => {
    const s = new IntervalTreeStore();
    s.insert(1, 2, 0, null);
    s.insert(2, 3, 0, null);
    s.root!.right!.right = new IntervalNode(3, 4, 0, s.root!.right);
    s.root!.right!.maxEnd = 4;
    s.root!.maxEnd = 4;
    (s as unknown as { count: number }).count = 3;
    expect(() => s.checkInvariants()).toThrow(/red node has a red child/);
  });

  it('unequal black height', () => {
    const s = new IntervalTreeStore();
    for (let i = 1; i <= 3; i++) s.insert(i, i + 1, 0, null);
    s.root!.left!.red = false; // black left, red right
    expect(() => s.checkInvariants()).toThrow(/black height/);
  });

  it('parent pointer wrong', () => {
    const s = build(100);
    const n = anyNode(s, (x) => x.parent !== null && x.parent.parent !== null);
    n.parent = n.parent!.parent;
    expect(() => s.checkInvariants()).toThrow(/parent pointers/);
  });

  it('node count differs from size', () => {
    const s = new IntervalTreeStore();
    for (let i = 1; i <= 3; i++) s.insert(i, i + 1, 0, null);
    s.root!.left = null; // drop a red leaf: colors and maxEnd stay valid
    expect(() => s.checkInvariants()).toThrow(/node count 2 != size 3/);
  });
});
