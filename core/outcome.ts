/**
 * Where the machine's outcomes go. Replay prints them as JSON lines; the
 * benchmark folds them into a digest so that every tracker's outcome stream
 * can be compared with the oracle's without keeping it.
 */
/** A query op's result as replay prints it (merged into the op's outcome object), or null. */
export type QueryResult = Readonly<Record<string, unknown>> | null;

/** Receives, per operation, the messages it printed and then its result. */
export interface OutcomeSink {
  /** A kernel log line of the current operation: message kind and its numeric arguments (see kmsg.ts). */
  msg(kind: number, a: number, b: number, c: number, d: number): void;
  /**
   * Operation `index` finished with `ret` (0 or -errno), cache `type` (-1
   * when none) and, for a query op, its result `query` (a plain object; null
   * for every other op).
   */
  done(index: number, ret: number, type: number, query: QueryResult): void;
}

/**
 * Folds every outcome (ret, type, messages, query results) into a 64-bit
 * FNV-1a style digest. Two outcome streams with equal digests are, for our
 * purposes, equal.
 */
export class DigestSink implements OutcomeSink {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  count = 0;

  private mix(v: number): void {
    // Fold a double exactly: low and high 32-bit halves (a small integer's
    // halves are itself and its sign, the common case).
    let lo: number;
    let hi: number;
    if ((v | 0) === v) {
      lo = v;
      hi = v >> 31;
    } else {
      lo = v % 4294967296 | 0;
      hi = Math.floor(v / 4294967296) | 0;
    }
    this.h1 = Math.imul(this.h1 ^ lo, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ hi ^ lo, 0x5bd1e995) ^ (this.h1 >>> 13);
  }

  msg(kind: number, a: number, b: number, c: number, d: number): void {
    this.mix(1000 + kind);
    this.mix(a);
    this.mix(b);
    this.mix(c);
    this.mix(d);
  }

  done(index: number, ret: number, type: number, query: QueryResult): void {
    this.mix(index);
    this.mix(ret);
    this.mix(type);
    if (query !== null) {
      const s = JSON.stringify(query);
      for (let i = 0; i < s.length; i++) this.mix(s.charCodeAt(i));
    }
    this.count++;
  }

  /** 16 hex digits. */
  digest(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}
