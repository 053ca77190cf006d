/**
 * IntervalTreeStore against a brute-force array model, with the tree's
 * invariants checked after every mutation (in the manner of Linux's
 * lib/rbtree_test.c: fixed seeds, then fast-check's own).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { IntervalNode, IntervalTreeStore } from '../../impls/interval-tree.js';

/** Brute-force model: entries in insertion order. */
interface Entry {
  start: number;
  end: number;
  type: number;
}

class Model {
  entries: Entry[] = [];

  insert(start: number, end: number, type: number): void {
    this.entries.push({ start, end, type });
  }

  /** Removes the earliest-inserted exact match (the tree removes the first in start order, ties by insertion). */
  erase(start: number, end: number): boolean {
    const i = this.entries.findIndex((e) => e.start === start && e.end === end);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  /** Entries sorted by start, ties in insertion order (Array.prototype.sort is stable). */
  sorted(): Entry[] {
    return [...this.entries].sort((a, b) => a.start - b.start);
  }

  scan(start: number, end: number): [number, number] {
    const ov = this.sorted().filter((e) => e.start < end && e.end > start);
    if (ov.length === 0) return [-1, -1];
    const first = ov[0]!.type;
    const o = ov.find((e) => e.type !== first);
    return [first, o === undefined ? -1 : o.type];
  }

  lookup(pfn: number): number {
    return this.scan(pfn, pfn + 1)[0];
  }
}

type Op =
  | { kind: 'insert'; start: number; len: number; type: number }
  | { kind: 'eraseExisting'; pick: number }
  | { kind: 'eraseRandom'; start: number; len: number }
  | { kind: 'scan'; start: number; len: number }
  | { kind: 'lookup'; pfn: number };

function listOf(store: IntervalTreeStore): number[] {
  const out: number[] = [];
  store.list(out);
  return out;
}

function height(n: IntervalNode | null): number {
  return n === null ? 0 : 1 + Math.max(height(n.left), height(n.right));
}

/** Applies `ops` to a fresh store and the model, comparing every answer. */
function runOps(ops: Op[]): void {
  const store = new IntervalTreeStore();
  const model = new Model();
  store.checkInvariants();
  for (const op of ops) {
    switch (op.kind) {
      case 'insert':
        store.insert(op.start, op.start + op.len, op.type, null);
        model.insert(op.start, op.start + op.len, op.type);
        store.checkInvariants();
        break;
      case 'eraseExisting': {
        if (model.entries.length === 0) break;
        const e = model.entries[op.pick % model.entries.length]!;
        const s = e.start;
        const en = e.end;
        expect(store.erase(s, en, null)).toBe(model.erase(s, en));
        store.checkInvariants();
        break;
      }
      case 'eraseRandom':
        expect(store.erase(op.start, op.start + op.len, null)).toBe(model.erase(op.start, op.start + op.len));
        store.checkInvariants();
        break;
      case 'scan': {
        store.scan(op.start, op.start + op.len);
        expect([store.first, store.other]).toEqual(model.scan(op.start, op.start + op.len));
        break;
      }
      case 'lookup':
        expect(store.lookup(op.pfn)).toBe(model.lookup(op.pfn));
        break;
    }
    expect(store.size).toBe(model.entries.length);
  }
  expect(listOf(store)).toEqual(model.sorted().flatMap((e) => [e.start, e.end, e.type]));
  expect(store.modeledBytes()).toBe(64 * model.entries.length + 16);
}

/** Operation arbitrary over coordinates [0, space) with lengths in [1, maxLen]. */
function opArb(space: number, maxLen: number): fc.Arbitrary<Op> {
  const start = fc.integer({ min: 0, max: space - 1 });
  const len = fc.integer({ min: 1, max: maxLen });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), start, len, type: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('eraseExisting' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('eraseRandom' as const), start, len }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('scan' as const), start, len }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('lookup' as const), pfn: fc.integer({ min: 0, max: space + maxLen }) }) },
  );
}

/** mulberry32: a small seeded PRNG for the fixed-seed long runs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded stream of `count` ops over [0, space), built without fast-check. */
function seededOps(seed: number, count: number, space: number, maxLen: number): Op[] {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const k = r();
    const start = int(space);
    const len = 1 + int(maxLen);
    if (k < 0.4) ops.push({ kind: 'insert', start, len, type: int(6) });
    else if (k < 0.6) ops.push({ kind: 'eraseExisting', pick: int(1 << 30) });
    else if (k < 0.65) ops.push({ kind: 'eraseRandom', start, len });
    else if (k < 0.85) ops.push({ kind: 'scan', start, len });
    else ops.push({ kind: 'lookup', pfn: int(space + maxLen) });
  }
  return ops;
}

const SMALL = { space: 16, maxLen: 6 };
const MEDIUM = { space: 1000, maxLen: 50 };
const LARGE = { space: 2 ** 40 - 2 ** 20, maxLen: 2 ** 20 };

describe('IntervalTreeStore', () => {
  it('is empty at first', () => {
    const s = new IntervalTreeStore();
    expect(s.name).toBe('interval-tree');
    expect(s.size).toBe(0);
    expect(s.lookup(0)).toBe(-1);
    s.scan(0, 100);
    expect([s.first, s.other]).toEqual([-1, -1]);
    expect(s.erase(0, 1, null)).toBe(false);
    expect(listOf(s)).toEqual([]);
    expect(s.modeledBytes()).toBe(16);
    s.checkInvariants();
  });

  it('scan: lowest start first, stops at the first differing type; half-open bounds', () => {
    const s = new IntervalTreeStore();
    s.insert(10, 20, 2, null);
    s.insert(0, 10, 1, null);
    s.insert(20, 30, 3, null);
    s.insert(12, 14, 2, null);
    s.scan(5, 25);
    expect([s.first, s.other]).toEqual([1, 2]);
    s.scan(10, 20);
    expect([s.first, s.other]).toEqual([2, -1]);
    s.scan(10, 21);
    expect([s.first, s.other]).toEqual([2, 3]);
    s.scan(30, 40);
    expect([s.first, s.other]).toEqual([-1, -1]);
    expect(s.lookup(9)).toBe(1);
    expect(s.lookup(10)).toBe(2);
    expect(s.lookup(29)).toBe(3);
    expect(s.lookup(30)).toBe(-1);
  });

  it('erase needs an exact start and end', () => {
    const s = new IntervalTreeStore();
    s.insert(10, 20, 1, null);
    expect(s.erase(10, 19, null)).toBe(false);
    expect(s.erase(11, 20, null)).toBe(false);
    expect(s.erase(10, 20, null)).toBe(true);
    expect(s.erase(10, 20, null)).toBe(false);
    s.checkInvariants();
  });

  for (const [label, c] of Object.entries({ SMALL, MEDIUM, LARGE })) {
    for (const seed of [1, 42, 0xdecade]) {
      it(`matches the model: ${label} space, fixed seed ${seed}, 3000 ops`, () => {
        runOps(seededOps(seed, 3000, c.space, c.maxLen));
      });
    }

    it(`matches the model: ${label} space, fast-check (fixed seed and own seed)`, () => {
      const prop = fc.property(fc.array(opArb(c.space, c.maxLen), { maxLength: 120 }), (ops) => {
        runOps(ops);
      });
      fc.assert(prop, { seed: 20240501, numRuns: 150 });
      fc.assert(prop, { numRuns: 150 });
    });
  }

  it('stays balanced under 10,000 ascending inserts, then ascending erases', () => {
    const n = 10_000;
    const s = new IntervalTreeStore();
    for (let i = 0; i < n; i++) {
      s.insert(2 * i, 2 * i + 1, i % 6, null);
      if (i % 50 === 0 || i < 200) s.checkInvariants();
    }
    s.checkInvariants();
    expect(s.size).toBe(n);
    expect(height(s.root)).toBeLessThanOrEqual(2 * Math.log2(n + 1));
    for (let i = 0; i < n; i++) {
      expect(s.lookup(2 * i)).toBe(i % 6);
      expect(s.lookup(2 * i + 1)).toBe(-1);
    }
    s.scan(0, 2 * n);
    expect([s.first, s.other]).toEqual([0, 1]);
    for (let i = 0; i < n; i++) {
      expect(s.erase(2 * i, 2 * i + 1, null)).toBe(true);
      if (i % 50 === 0 || i > n - 200) s.checkInvariants();
    }
    expect(s.size).toBe(0);
    expect(s.root).toBe(null);
  });

  it('handles many duplicates and nested ranges (duplicates instead of refcounts)', () => {
    const s = new IntervalTreeStore();
    const model = new Model();
    for (let i = 0; i < 500; i++) {
      s.insert(100, 200, 3, null);
      model.insert(100, 200, 3);
      if (i % 5 === 0) {
        s.insert(120, 130, 3, null);
        model.insert(120, 130, 3);
      }
      s.checkInvariants();
    }
    s.insert(150, 160, 4, null); // a differing type far down the walk
    model.insert(150, 160, 4);
    s.checkInvariants();
    expect(s.size).toBe(601);
    s.scan(0, 1000);
    expect([s.first, s.other]).toEqual(model.scan(0, 1000));
    expect([s.first, s.other]).toEqual([3, 4]);
    expect(s.lookup(125)).toBe(3);
    expect(s.erase(150, 160, null)).toBe(true);
    model.erase(150, 160);
    // Erase interleaved, the inner ones (behind many equal starts) too.
    let left = 600;
    while (left > 0) {
      const inner = left % 6 === 0 && s.erase(120, 130, null);
      if (inner) model.erase(120, 130);
      else {
        expect(s.erase(100, 200, null)).toBe(model.erase(100, 200));
      }
      left--;
      s.checkInvariants();
      expect(s.size).toBe(model.entries.length);
      expect(s.lookup(125)).toBe(model.lookup(125));
    }
    while (model.entries.length > 0) {
      const e = model.entries[0]!;
      expect(s.erase(e.start, e.end, null)).toBe(true);
      model.erase(e.start, e.end);
      s.checkInvariants();
    }
    expect(s.size).toBe(0);
    expect(s.erase(100, 200, null)).toBe(false);
    expect(s.lookup(150)).toBe(-1);
  });

  it('ignores attach and owner', () => {
    const s = new IntervalTreeStore();
    // The tree never reads the view.
    s.attach(undefined as never);
    const ctx = { refs: 1, pfn: 5, npages: 1, type: 2 };
    s.insert(5, 6, 2, ctx);
    expect(s.erase(5, 6, null)).toBe(true);
  });

  describe('checkInvariants catches corruption', () => {
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
});
