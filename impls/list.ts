/**
 * Range store `list`: the memtype list of Linux 2.6.25–2.6.31
 * (arch/x86/mm/pat.c, `memtype_list`): a doubly linked list of
 * `struct memtype {start, end, type, nd}` sorted by start, plus the one-entry
 * search cache `cached_entry`/`cached_start` (≤ 2.6.31) that lets an insert
 * whose start is at or after the last insert's resume the walk there.
 *
 * Invariant (checked by `checkInvariants`):
 *  - the list is circular through a sentinel head; `next`/`prev` mirror each
 *    other; the node count equals `size`;
 *  - starts are non-decreasing along the list; equal starts keep insertion
 *    order (a new entry goes after every equal start);
 *  - `cached` is the head or a listed node whose start is ≤ `cachedStart`,
 *    so a walk for an insertion point may start there when the new start is
 *    ≥ `cachedStart`.
 *
 * Costs (n = size): scan, lookup and erase walk from the head, O(position);
 * insert O(1) after a nearby insert, else O(position). Entries are half-open
 * pfn ranges; duplicates are separate nodes (the list-era "reference counting
 * for overlapping areas").
 */
import type { MachineView, PfnmapTrackCtx } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** One reservation: 2.6.25's `struct memtype` (start, end, type, list_head). Five fields, one hidden class. */
export class ListNode {
  /** First pfn. */
  start: number;
  /** One past the last pfn. */
  end: number;
  /** Cache mode, 0..5 (-1 on the head). */
  type: number;
  /** Next node (the head after the last). */
  next: ListNode;
  /** Previous node (the head before the first). */
  prev: ListNode;

  constructor(start: number, end: number, type: number) {
    this.start = start;
    this.end = end;
    this.type = type;
    this.next = this;
    this.prev = this;
  }
}

/**
 * Linux 2.6.25–2.6.31's sorted memtype list with `cached_entry` as a
 * `RangeStore`. scan and lookup allocate nothing; insert allocates one node.
 */
export class ListStore implements RangeStore {
  /** Part name. */
  readonly name = 'list';
  first = -1;
  other = -1;
  hitStart = 0;
  hitEnd = 0;
  /** The sentinel `memtype_list` head; exposed for tests. */
  readonly head = new ListNode(-1, -1, -1);
  /** `cached_entry`: the node after which the last insert linked its entry (head when reset). */
  cached: ListNode = this.head;
  /** `cached_start`: start of the last inserted entry (+∞ when reset, so the cache is unused). */
  cachedStart = Infinity;
  private count = 0;

  /** Number of entries stored. */
  get size(): number {
    return this.count;
  }

  /** No-op: the list needs no view of the machine. */
  attach(_view: MachineView): void {}

  /**
   * Overlap scan of `[start, end)`: walks from the head while starts are
   * below `end` (2.6.25's `reserve_memtype` walk + `chk_conflict`). Sets
   * `first`/`other`. O(position of `end`); allocates nothing.
   */
  scan(start: number, end: number): void {
    this.first = -1;
    this.other = -1;
    const head = this.head;
    let t = -1;
    for (let n = head.next; n !== head && n.start < end; n = n.next) {
      if (n.end <= start) continue;
      if (t < 0) {
        t = n.type;
        this.first = t;
      } else if (n.type !== t) {
        this.other = n.type;
        return;
      }
    }
  }

  /** First listed entry overlapping `[start, end)`; see `RangeStore.overlap`. O(position). */
  overlap(start: number, end: number): boolean {
    const head = this.head;
    for (let n = head.next; n !== head && n.start < end; n = n.next) {
      if (n.end > start) {
        this.first = n.type;
        this.hitStart = n.start;
        this.hitEnd = n.end;
        return true;
      }
    }
    this.first = -1;
    return false;
  }

  /**
   * Links a new entry after every entry with start ≤ `start`. The walk for
   * the insertion point starts at `cached_entry` when `start` ≥
   * `cached_start`, else at the head; afterwards the cache names the new
   * entry's predecessor. `owner` is ignored.
   */
  insert(start: number, end: number, type: number, _owner: PfnmapTrackCtx | null): void {
    const head = this.head;
    let p = start >= this.cachedStart ? this.cached : head;
    for (let q = p.next; q !== head && q.start <= start; q = q.next) p = q;
    const z = new ListNode(start, end, type);
    z.prev = p;
    z.next = p.next;
    p.next.prev = z;
    p.next = z;
    this.cached = p;
    this.cachedStart = start;
    this.count++;
  }

  /**
   * Unlinks the first entry (in list order) whose range is exactly
   * `[start, end)`, walking from the head as 2.6.25's `free_memtype` did; the
   * cache is reset when it names the entry or the same start. Returns false
   * when none matches. `owner` is ignored.
   */
  erase(start: number, end: number, _owner: PfnmapTrackCtx | null): boolean {
    const head = this.head;
    for (let n = head.next; n !== head && n.start <= start; n = n.next) {
      if (n.start === start && n.end === end) {
        if (this.cached === n || this.cachedStart === start) {
          this.cached = head;
          this.cachedStart = Infinity;
        }
        n.prev.next = n.next;
        n.next.prev = n.prev;
        n.next = n.prev = n;
        this.count--;
        return true;
      }
    }
    return false;
  }

  /** Type of the first listed entry overlapping page `pfn` (`[pfn, pfn + 1)`), or -1. O(position); allocates nothing. */
  lookup(pfn: number): number {
    const head = this.head;
    const next = pfn + 1;
    for (let n = head.next; n !== head && n.start < next; n = n.next) {
      if (n.end > pfn) return n.type;
    }
    return -1;
  }

  /** Appends every entry as (start, end, type) pfn triples, in list order. */
  list(out: number[]): void {
    const head = this.head;
    for (let n = head.next; n !== head; n = n.next) out.push(n.start, n.end, n.type);
  }

  /**
   * Modeled kernel bytes: 64 per entry (the 40-byte 2.6.25 `struct memtype`
   * in kmalloc-64) + 16 for the list head + 16 for `cached_entry` and
   * `cached_start`.
   */
  modeledBytes(): number {
    return 64 * this.count + 32;
  }

  /** Verifies the invariant stated at the top of this file; O(n). */
  checkInvariants(): void {
    const head = this.head;
    let seen = 0;
    let prevStart = -Infinity;
    let cachedListed = this.cached === head;
    for (let n = head.next; n !== head; n = n.next) {
      if (n.next.prev !== n || n.prev.next !== n) throw new Error(`list: next/prev links inconsistent at [${n.start},${n.end})`);
      if (n.start < prevStart) throw new Error(`list: order by start broken at [${n.start},${n.end})`);
      if (!(n.end > n.start)) throw new Error(`list: empty range [${n.start},${n.end})`);
      prevStart = n.start;
      if (n === this.cached) cachedListed = true;
      if (++seen > this.count) break;
    }
    if (head.next.prev !== head || head.prev.next !== head) throw new Error('list: head links inconsistent');
    if (seen !== this.count) throw new Error(`list: node count ${seen} != size ${this.count}`);
    if (!cachedListed) throw new Error('list: cached_entry is not on the list');
    if (this.cached !== head && this.cached.start > this.cachedStart) {
      throw new Error(`list: cached_entry start ${this.cached.start} > cached_start ${this.cachedStart}`);
    }
  }
}
