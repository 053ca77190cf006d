/**
 * The critical-section order log of an SMP run, and the replay order it
 * gives the oracle.
 *
 * Every lock-protected section of the memtype state carries a *version*:
 * the number of write sections completed before it (seqlock: the sequence
 * / 2), a write section the version it made (so write versions are unique
 * and totally ordered — the order in which the writers held the lock).
 * Each CPU keeps, per machine op, the first and last version its sections
 * saw and how many of them wrote, in its own row block of a shared
 * Float64Array (no atomics, no shared cache lines), read after the run.
 *
 * `replayOrder` merges the CPUs' ops into one sequence the oracle can
 * replay: an op that wrote goes where its last write went; an op that only
 * read goes after the write whose version it saw (and before the next);
 * an op with no section (private page tables only) goes right after its
 * predecessor on its CPU; program order on each CPU is kept. Replaying that
 * sequence on one CPU must give every op the outcome it had. An op whose
 * sections saw another CPU's write between them ("straddling": e.g. a write,
 * then a read after someone else's write) has no such place; it is
 * reported, and the checker falls back to final state for the run.
 */

/** Float64 slots per op row: op index, first version, last version, write sections, first section wrote (0/1). */
const ROW = 5;

/** One op's sections, as logged. */
export interface CsRow {
  /** Op index in the CPU's stream. */
  op: number;
  /** Version the op's first section saw (read) or made (write). */
  first: number;
  /** Version of its last section. */
  last: number;
  /** Write sections of the op. */
  writes: number;
  /** Whether the first section wrote. */
  firstWrote: boolean;
}

/** One CPU's log: rows for the ops that entered at least one section, in op order. */
export class CsLog {
  /** Row storage (`ROW × capacity` Float64 slots, then the row count). */
  readonly f: Float64Array;
  private n = 0;
  private cur = -1;

  /**
   * @param capacity most ops that will be logged (rows)
   * @param buffer shared storage of `CsLog.bytes(capacity)` bytes (from the main thread), or a new one
   * @throws RangeError when the buffer is too small
   */
  constructor(
    readonly capacity: number,
    buffer?: SharedArrayBuffer,
  ) {
    const buf = buffer ?? new SharedArrayBuffer(CsLog.bytes(capacity));
    if (buf.byteLength < CsLog.bytes(capacity)) throw new RangeError(`critical-section log: ${buf.byteLength} bytes hold fewer than ${capacity} rows`);
    this.f = new Float64Array(buf, 0, capacity * ROW + 1);
    this.n = this.f[capacity * ROW]!;
  }

  /** Bytes a log of `capacity` rows needs (one extra slot keeps the row count). */
  static bytes(capacity: number): number {
    return (Math.max(1, capacity) * ROW + 1) * 8;
  }

  /**
   * Records one section of op `op`, inside the section: it saw (read) or
   * made (write) `version`. Sections of one op arrive in order. Allocates
   * nothing.
   * @throws RangeError past `capacity` rows
   */
  note(op: number, version: number, write: boolean): void {
    const f = this.f;
    if (op !== this.cur) {
      if (this.n >= this.capacity) throw new RangeError(`critical-section log: more than ${this.capacity} ops logged`);
      const o = this.n++ * ROW;
      f[o] = op;
      f[o + 1] = version;
      f[o + 2] = version;
      f[o + 3] = write ? 1 : 0;
      f[o + 4] = write ? 1 : 0;
      f[this.capacity * ROW] = this.n;
      this.cur = op;
      return;
    }
    const o = (this.n - 1) * ROW;
    f[o + 2] = version;
    if (write) f[o + 3]!++;
  }

  /** The rows logged so far. */
  rows(): CsRow[] {
    const f = this.f;
    const n = f[this.capacity * ROW]!;
    const out: CsRow[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * ROW;
      out.push({ op: f[o]!, first: f[o + 1]!, last: f[o + 2]!, writes: f[o + 3]!, firstWrote: f[o + 4] === 1 });
    }
    return out;
  }
}

/** One op in replay order. */
export interface ReplayStep {
  cpu: number;
  op: number;
}

/** The merged order, and the ops that have no exact place in it. */
export interface ReplayOrder {
  steps: ReplayStep[];
  /** Ops whose sections had another CPU's write between them, or whose intermediate state another CPU read. */
  straddling: ReplayStep[];
}

/**
 * Merges the CPUs' logs into one replay order (see the module comment).
 *
 * An op that held `w` write sections, placed after write P0, would make
 * versions P0+1…P0+w and its reads would see P0 + (its writes so far); so it
 * ran as if alone iff `last = first − firstWrote + w`. Another CPU's
 * read-only op that saw a version strictly inside P0+1…P0+w−1 read its
 * half-done state: that op is straddling too.
 *
 * @param opCounts ops in each CPU's stream (ops without a row had no section)
 * @param logs each CPU's rows, in op order
 * @throws RangeError when a CPU's versions go backwards (a broken lock or log)
 */
export function replayOrder(opCounts: readonly number[], logs: readonly CsRow[][]): ReplayOrder {
  interface Keyed extends ReplayStep {
    version: number;
    kind: number;
  }
  const all: Keyed[] = [];
  const straddling: ReplayStep[] = [];
  const multi: { step: ReplayStep; p0: number; w: number }[] = [];
  const reads: number[] = [];
  for (let cpu = 0; cpu < opCounts.length; cpu++) {
    const rows = logs[cpu] ?? [];
    let r = 0;
    let version = 0;
    let kind = 1;
    for (let op = 0; op < opCounts[cpu]!; op++) {
      const row = rows[r];
      if (row !== undefined && row.op === op) {
        r++;
        if (row.first < version || row.last < row.first) throw new RangeError(`critical-section log: cpu ${cpu} op ${op} saw version ${row.first} after ${version}`);
        const p0 = row.first - (row.firstWrote ? 1 : 0);
        if (row.last !== p0 + row.writes) straddling.push({ cpu, op });
        else if (row.writes >= 2) multi.push({ step: { cpu, op }, p0, w: row.writes });
        if (row.writes === 0 && row.first === row.last) reads.push(row.first);
        version = row.last;
        kind = row.writes > 0 ? 0 : 1;
      } else {
        kind = 1;
      }
      all.push({ cpu, op, version, kind });
    }
  }
  reads.sort((a, b) => a - b);
  for (const m of multi) {
    // Any read-only op that saw P0+1 … P0+w−1?
    let lo = 0;
    let hi = reads.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (reads[mid]! < m.p0 + 1) lo = mid + 1;
      else hi = mid;
    }
    if (lo < reads.length && reads[lo]! <= m.p0 + m.w - 1) straddling.push(m.step);
  }
  // Writes before the reads that saw them; program order on each CPU (stable within equal keys).
  all.sort((a, b) => a.version - b.version || a.kind - b.kind || a.cpu - b.cpu || a.op - b.op);
  return { steps: all.map(({ cpu, op }) => ({ cpu, op })), straddling };
}
