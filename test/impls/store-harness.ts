/**
 * Model-based testing of any `RangeStore` against a brute-force array, with
 * the store's invariants checked after every mutation (in the manner of
 * Linux's lib/rbtree_test.c: fixed seeds, then fast-check's own).
 *
 * Two regimes:
 *  - `contract`: inserts obey the store contract of parts.ts (overlapping
 *    entries share one type) the way the conflict rule enforces it — the
 *    type of an insert is inherited from what it overlaps, and an insert
 *    that would overlap two types is skipped. Every store must pass.
 *  - `free`: arbitrary types; only stores with exact order semantics
 *    (first = lowest start, ties in insertion order) must pass.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RangeStore } from '../../impls/parts.js';

/** One model entry. */
export interface Entry {
  start: number;
  end: number;
  type: number;
}

/** Brute-force model: entries in insertion order. */
export class Model {
  entries: Entry[] = [];

  insert(start: number, end: number, type: number): void {
    this.entries.push({ start, end, type });
  }

  /** Removes the earliest-inserted exact match (= the first in start order, ties by insertion). */
  erase(start: number, end: number): boolean {
    const i = this.entries.findIndex((e) => e.start === start && e.end === end);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }

  /** Entries sorted by start, ties in insertion order (stable sort). */
  sorted(): Entry[] {
    return [...this.entries].sort((a, b) => a.start - b.start);
  }

  overlapping(start: number, end: number): Entry[] {
    return this.sorted().filter((e) => e.start < end && e.end > start);
  }

  scan(start: number, end: number): [number, number] {
    const ov = this.overlapping(start, end);
    if (ov.length === 0) return [-1, -1];
    const first = ov[0]!.type;
    const o = ov.find((e) => e.type !== first);
    return [first, o === undefined ? -1 : o.type];
  }

  lookup(pfn: number): number {
    return this.scan(pfn, pfn + 1)[0];
  }
}

export type Op =
  | { kind: 'insert'; start: number; len: number; type: number }
  | { kind: 'eraseExisting'; pick: number }
  | { kind: 'eraseRandom'; start: number; len: number }
  | { kind: 'scan'; start: number; len: number }
  | { kind: 'overlap'; start: number; len: number }
  | { kind: 'lookup'; pfn: number };

export interface HarnessOptions {
  /** Inserts obey the one-type-per-overlap contract (see the file header). */
  contract: boolean;
  /** `list()` returns entries in order (start, ties by insertion); else compared as a multiset. */
  ordered: boolean;
  /** Expected `modeledBytes()` for a given entry count, or undefined to skip. */
  modeled?: (entries: number) => number;
}

const byStartEndType = (a: Entry, b: Entry): number => a.start - b.start || a.end - b.end || a.type - b.type;

function listOf(store: RangeStore): Entry[] {
  const out: number[] = [];
  store.list(out);
  const r: Entry[] = [];
  for (let i = 0; i < out.length; i += 3) r.push({ start: out[i]!, end: out[i + 1]!, type: out[i + 2]! });
  return r;
}

/** Applies `ops` to a fresh store and the model, comparing every answer and checking invariants after each mutation. */
export function runOps(make: () => RangeStore, ops: readonly Op[], opt: HarnessOptions): void {
  const store = make();
  const model = new Model();
  store.checkInvariants();
  for (const op of ops) {
    switch (op.kind) {
      case 'insert': {
        let type = op.type;
        if (opt.contract) {
          const [first, other] = model.scan(op.start, op.start + op.len);
          if (other >= 0) break;
          if (first >= 0) type = first;
        }
        store.insert(op.start, op.start + op.len, type, null);
        model.insert(op.start, op.start + op.len, type);
        store.checkInvariants();
        break;
      }
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
      case 'scan':
        store.scan(op.start, op.start + op.len);
        expect([store.first, store.other]).toEqual(model.scan(op.start, op.start + op.len));
        break;
      case 'overlap': {
        const ov = model.overlapping(op.start, op.start + op.len);
        const hit = store.overlap(op.start, op.start + op.len);
        if (ov.length === 0) {
          expect(hit).toBe(false);
          expect(store.first).toBe(-1);
        } else {
          expect(hit).toBe(true);
          expect({ start: store.hitStart, end: store.hitEnd, type: store.first }).toEqual(ov[0]);
        }
        break;
      }
      case 'lookup':
        expect(store.lookup(op.pfn)).toBe(model.lookup(op.pfn));
        break;
    }
    expect(store.size).toBe(model.entries.length);
  }
  const got = listOf(store);
  if (opt.ordered) {
    expect(got).toEqual(model.sorted());
  } else {
    expect(got.sort(byStartEndType)).toEqual([...model.entries].sort(byStartEndType));
  }
  if (opt.modeled) expect(store.modeledBytes()).toBe(opt.modeled(model.entries.length));
}

/**
 * Operation arbitrary over coordinates [base, base + space) with lengths in
 * (0, maxLen], in steps of 1 / `grain` pfn (grain 4096: byte ranges, as
 * `memtype_reserve()` gives them); lookups at integer pfns (whole pages).
 */
export function opArb(space: number, maxLen: number, base = 0, grain = 1): fc.Arbitrary<Op> {
  const start = fc.integer({ min: 0, max: space * grain - 1 }).map((k) => base + k / grain);
  const len = fc.integer({ min: 1, max: maxLen * grain }).map((k) => k / grain);
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('insert' as const), start, len, type: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('eraseExisting' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('eraseRandom' as const), start, len }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('scan' as const), start, len }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('overlap' as const), start, len }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('lookup' as const), pfn: fc.integer({ min: base, max: base + space + maxLen }) }) },
  );
}

/** mulberry32: a small seeded PRNG in [0, 1) for the fixed-seed long runs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded stream of `count` ops over [base, base + space) in steps of 1 / `grain` (see `opArb`), built without fast-check. */
export function seededOps(seed: number, count: number, space: number, maxLen: number, base = 0, grain = 1): Op[] {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const k = r();
    const start = base + int(space * grain) / grain;
    const len = (1 + int(maxLen * grain)) / grain;
    if (k < 0.4) ops.push({ kind: 'insert', start, len, type: int(6) });
    else if (k < 0.6) ops.push({ kind: 'eraseExisting', pick: int(1 << 30) });
    else if (k < 0.65) ops.push({ kind: 'eraseRandom', start, len });
    else if (k < 0.8) ops.push({ kind: 'scan', start, len });
    else if (k < 0.85) ops.push({ kind: 'overlap', start, len });
    else ops.push({ kind: 'lookup', pfn: base + int(space + maxLen) });
  }
  return ops;
}

/**
 * Coordinate regimes: dense collisions, medium, pfns beyond 2^31 (64-bit BARs
 * near pfn 2^35), and byte ranges (`memtype_reserve()` takes any): ends
 * inside pages, densely (256-byte steps) and at byte granularity.
 */
export const SPACES = {
  SMALL: { space: 16, maxLen: 6, base: 0, grain: 1 },
  MEDIUM: { space: 1000, maxLen: 50, base: 0, grain: 1 },
  LARGE: { space: 2 ** 24, maxLen: 2 ** 20, base: 2 ** 35, grain: 1 },
  SUBPAGE: { space: 8, maxLen: 3, base: 0, grain: 16 },
  BYTES: { space: 64, maxLen: 8, base: 2 ** 35, grain: 4096 },
} as const;
