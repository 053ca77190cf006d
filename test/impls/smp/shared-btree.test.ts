/**
 * The shared-memory B-tree (impls/smp/shared-btree.ts): exactly the
 * `btree` store's semantics in one thread (the store harness's model tests,
 * invariants after every mutation), one tree seen through several attached
 * instances (every call crossing the shared header, the arena growing under
 * them), an arena bound, a lock-free lookup that stays in bounds on garbage,
 * and real threads: writers under a spinlock lose nothing, seqlock readers
 * never see a state that never existed, and bare readers do (so the check
 * can fail).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineView, PfnmapTrackCtx } from '../../../core/tracker.js';
import { BTREE_NODE_JS_BYTES } from '../../../impls/btree.js';
import type { RangeStore } from '../../../impls/parts.js';
import { lockWords } from '../../../impls/smp/shared-buffer.js';
import { HEADER_WORDS, SharedBtreeStore, type SharedBtreeHandle } from '../../../impls/smp/shared-btree.js';
import { Model, SPACES, opArb, rng, runOps, seededOps, type HarnessOptions } from '../store-harness.js';
import { W_ERASE, W_INSERT, type StoreResult, type StoreTask } from './store-task.js';
import { TestWorkers } from './workers.js';

/**
 * Instances attached to one tree, used in turn: each call goes to the next
 * instance, so every answer depends on state published through the header.
 */
class ManyHeaded implements RangeStore {
  readonly name = 'btree';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  private readonly heads: SharedBtreeStore[];
  private turn = 0;

  constructor(count: number, initialNodes: number) {
    const a = new SharedBtreeStore({ initialNodes });
    this.heads = [a];
    for (let i = 1; i < count; i++) this.heads.push(new SharedBtreeStore(a.handle));
  }
  private next(): SharedBtreeStore {
    return this.heads[this.turn++ % this.heads.length]!;
  }
  attach(_view: MachineView): void {}
  scan(start: number, end: number): void {
    const h = this.next();
    h.scan(start, end);
    this.first = h.first;
    this.other = h.other;
  }
  overlap(start: number, end: number): boolean {
    const h = this.next();
    const r = h.overlap(start, end);
    [this.first, this.hitStart, this.hitEnd] = [h.first, h.hitStart, h.hitEnd];
    return r;
  }
  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    this.next().insert(start, end, type, owner);
  }
  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    return this.next().erase(start, end, owner);
  }
  lookup(pfn: number): number {
    return this.next().lookup(pfn);
  }
  list(out: number[]): void {
    this.next().list(out);
  }
  get size(): number {
    return this.next().size;
  }
  modeledBytes(): number {
    return this.next().modeledBytes();
  }
  checkInvariants(): void {
    this.next().checkInvariants();
  }
}

const REGIMES: [string, HarnessOptions][] = [
  ['contract', { contract: true, ordered: true }],
  ['free types', { contract: false, ordered: true }],
];

describe('shared btree, one thread: the btree model tests', () => {
  for (const [regime, opt] of REGIMES) {
    for (const [label, c] of Object.entries(SPACES)) {
      it(`${regime}, ${label} space: fixed seeds × 2000 ops, then fast-check`, () => {
        for (const seed of [1, 42, 0xdecade]) runOps(() => new SharedBtreeStore(), seededOps(seed, 2000, c.space, c.maxLen, c.base, c.grain), opt);
        fc.assert(
          fc.property(fc.array(opArb(c.space, c.maxLen, c.base, c.grain), { maxLength: 100 }), (ops) => runOps(() => new SharedBtreeStore(), ops, opt)),
          { seed: 20240501, numRuns: 40 },
        );
      });
    }
  }

  it('three instances on one tree, used in turn, from a 2-node arena: same answers as the model', () => {
    for (const [, opt] of REGIMES) {
      for (const seed of [3, 4]) runOps(() => new ManyHeaded(3, 2), seededOps(seed, 3000, SPACES.MEDIUM.space, SPACES.MEDIUM.maxLen), opt);
    }
  });

  it('an instance attached before the arena grew sees every entry after it grew', () => {
    const a = new SharedBtreeStore();
    const b = new SharedBtreeStore(a.handle);
    const before = a.handle.nodes.byteLength;
    for (let i = 0; i < 20_000; i++) a.insert(4 * i, 4 * i + 2, i % 5, null);
    expect(a.handle.nodes.byteLength).toBeGreaterThan(before);
    expect(b.size).toBe(20_000);
    expect(b.lookup(4 * 12_345 + 1)).toBe(12_345 % 5);
    expect(b.lookup(4 * 12_345 + 2)).toBe(-1);
    const out: number[] = [];
    b.list(out);
    expect(out.length).toBe(3 * 20_000);
    b.checkInvariants();
    expect(b.erase(4 * 7, 4 * 7 + 2, null)).toBe(true);
    expect(a.size).toBe(19_999);
    a.checkInvariants();
  });

  it('refuses to grow past its bound, with a RangeError naming the arena', () => {
    const s = new SharedBtreeStore({ maxNodes: 4 });
    expect(() => {
      for (let i = 0; i < 1000; i++) s.insert(i, i + 1, 0, null);
    }).toThrow(/arena is full/);
    expect(() => new SharedBtreeStore({ initialNodes: 8, maxNodes: 4 })).toThrow(RangeError);
  });

  it('lookup stays in bounds and terminates on any header and arena contents', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: -1e12, max: 1e12, noNaN: true }), (hdr, fill, pfn) => {
        const s = new SharedBtreeStore({ initialNodes: 8 });
        const words = new Int32Array(s.handle.nodes);
        const r = rng(fill);
        for (let i = 0; i < words.length; i++) words[i] = (r() * 2 ** 32) | 0;
        const h = new Int32Array(s.handle.header);
        // Any root/height/count; the capacity word stays valid (only writers change it, under the lock).
        for (let i = 0; i < 5; i++) h[i] = hdr[i]! % (i === 1 ? 40 : 2 ** 31);
        const got = s.lookup(pfn);
        expect(Number.isInteger(got)).toBe(true);
      }),
      { seed: 99, numRuns: 300 },
    );
    expect(HEADER_WORDS * 4).toBe(64);
  });
});

// ------------------------------------------------------------------ threads

/** Region of writer `w`: pfns [w·10^6, (w+1)·10^6); churn in [1000k, 1000k+400), anchors at 1000k+500. */
const region = (w: number): number => w * 1_000_000;
const ANCHORS_PER_WRITER = 64;

/** A writer's churn: grow to ~`peak` live entries, then erase most of them; with the model it leaves. */
function writerOps(w: number, seed: number, peak: number): { ops: Float64Array; model: Model } {
  const r = rng(seed);
  const model = new Model();
  const out: number[] = [];
  const live: [number, number][] = [];
  for (let step = 0; step < 3 * peak; step++) {
    const growing = step < 2 * peak ? r() < 0.7 : r() < 0.15;
    if (growing || live.length === 0) {
      const k = Math.floor(r() * ANCHORS_PER_WRITER);
      const off = Math.floor(r() * 400);
      const s = region(w) + 1000 * k + off;
      const e = s + 1 + Math.floor(r() * (400 - off));
      const type = Math.floor(r() * 5);
      out.push(W_INSERT, s, e, type);
      model.insert(s, e, type);
      live.push([s, e]);
    } else {
      const [s, e] = live.splice(Math.floor(r() * live.length), 1)[0]!;
      out.push(W_ERASE, s, e, 0);
      model.erase(s, e);
    }
  }
  return { ops: Float64Array.from(out), model };
}

/** Anchors of writer `w`: [pfn, type] pairs, inserted before the writers start. */
function anchors(w: number): number[] {
  const a: number[] = [];
  for (let k = 0; k < ANCHORS_PER_WRITER; k++) a.push(region(w) + 1000 * k + 500, (k + w) % 5);
  return a;
}

function listOf(s: SharedBtreeStore): string[] {
  const out: number[] = [];
  s.list(out);
  const r: string[] = [];
  for (let i = 0; i < out.length; i += 3) r.push(`${out[i]}-${out[i + 1]}:${out[i + 2]}`);
  return r.sort();
}

let pool: TestWorkers<StoreTask, StoreResult>;
beforeAll(() => {
  pool = new TestWorkers(new URL('./store-worker.js', import.meta.url), 3);
});
afterAll(async () => {
  await pool.close();
});

/** A fresh tree holding every writer's anchors, plus lock words and flags. */
function setup(writers: number): { main: SharedBtreeStore; handle: SharedBtreeHandle; words: Int32Array; flags: Int32Array; anchors: Float64Array } {
  const main = new SharedBtreeStore();
  const all: number[] = [];
  for (let w = 0; w < writers; w++) {
    const a = anchors(w);
    for (let i = 0; i < a.length; i += 2) main.insert(a[i]!, a[i]! + 1, a[i + 1]!, null);
    all.push(...a);
  }
  return { main, handle: main.handle, words: lockWords(2), flags: new Int32Array(new SharedArrayBuffer(64)), anchors: Float64Array.from(all) };
}

describe('shared btree across threads', () => {
  it('two writers under one spinlock: no lost or extra entry, invariants hold, the final tree is the union of their models', async () => {
    const env = setup(2);
    const jobs = [writerOps(0, 11, 1000), writerOps(1, 12, 1000)];
    const res = await pool.all(jobs.map(({ ops }) => ({ kind: 'writer', handle: env.handle, words: env.words, lock: 'spin', ops, flags: env.flags, parties: 2 }) as StoreTask));
    expect(res.map((r) => r.done)).toEqual(jobs.map((j) => j.ops.length / 4));
    env.main.checkInvariants();
    const want: string[] = [];
    for (const j of jobs) for (const e of j.model.entries) want.push(`${e.start}-${e.end}:${e.type}`);
    for (let w = 0; w < 2; w++) {
      const a = anchors(w);
      for (let i = 0; i < a.length; i += 2) want.push(`${a[i]}-${a[i]! + 1}:${a[i + 1]}`);
    }
    expect(listOf(env.main)).toEqual(want.sort());
    expect(env.main.size).toBe(want.length);
  }, 30_000);

  it('seqlock readers beside a writer splitting and merging nodes: every kept answer is one a real state gives; at quiescence the tree equals the model', async () => {
    const env = setup(1);
    const { ops, model } = writerOps(0, 21, 3000);
    const res = await pool.all([
      { kind: 'writer', handle: env.handle, words: env.words, lock: 'seq', ops, flags: env.flags, parties: 3 },
      { kind: 'reader', handle: env.handle, words: env.words, mode: 'seq', anchors: env.anchors, flags: env.flags, writers: 1, minReads: 20_000, capMs: 0, parties: 3 },
      { kind: 'reader', handle: env.handle, words: env.words, mode: 'seq', anchors: env.anchors, flags: env.flags, writers: 1, minReads: 20_000, capMs: 0, parties: 3 },
    ]);
    expect(res[1]!.wrong + res[2]!.wrong).toBe(0);
    // They started together (a barrier) and read until the writer finished: some reads met a write.
    expect(res[1]!.metWriter + res[2]!.metWriter).toBeGreaterThan(0);
    expect(res[1]!.done).toBeGreaterThanOrEqual(20_000);
    // At quiescence the tree is the writer's model plus the anchors.
    env.main.checkInvariants();
    const want = model.entries.map((e) => `${e.start}-${e.end}:${e.type}`);
    const a = anchors(0);
    for (let i = 0; i < a.length; i += 2) want.push(`${a[i]}-${a[i]! + 1}:${a[i + 1]}`);
    expect(listOf(env.main)).toEqual(want.sort());
  }, 30_000);

  it('the same readers without the seqlock see states that never existed (the check can fail)', async () => {
    let wrong = 0;
    for (let attempt = 0; attempt < 3 && wrong === 0; attempt++) {
      const env = setup(1);
      const { ops } = writerOps(0, 31 + attempt, 6000);
      const res = await pool.all([
        { kind: 'writer', handle: env.handle, words: env.words, lock: 'seq', ops, flags: env.flags, parties: 2 },
        { kind: 'reader', handle: env.handle, words: env.words, mode: 'none', anchors: env.anchors, flags: env.flags, writers: 1, minReads: 1000, capMs: 5000, parties: 2 },
      ]);
      wrong += res[1]!.wrong;
    }
    expect(wrong).toBeGreaterThan(0);
  }, 60_000);
});

it('node records are the btree layout', () => {
  expect(BTREE_NODE_JS_BYTES).toBe(328);
});
