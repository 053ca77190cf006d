/**
 * Outcomes as replay prints them (docs/trace-format.md, "Outcomes"): per
 * op, `{"op", "ret", "errno"?, "fault"?, "type"?, "messages"?, ...query}`
 * with kernel messages formatted as Linux prints them. Used by `replay`
 * (one JSON line per op) and by `verify` (op-by-op comparison with the
 * oracle, and the divergence it reports).
 */
import { SHORT_NAME } from '../../core/cachemode.js';
import { errnoName, RET_SIGBUS, RET_SIGSEGV } from '../../core/errno.js';
import { formatKmsg } from '../../core/kmsg.js';
import type { Machine } from '../../core/machine.js';
import { OP_NAMES, STRIDE, type OpStream } from '../../core/ops.js';
import type { OutcomeSink, QueryResult } from '../../core/outcome.js';

/** One op's outcome, as a plain JSON object (without the trace line). */
export type OutcomeJson = Record<string, unknown>;

/** Builds each op's outcome object and hands it to `emit`. Set `machine` before the first op. */
export class OutcomeJsonSink implements OutcomeSink {
  private msgs: string[] = [];
  machine!: Machine;

  /**
   * @param stream the stream being replayed (for op names)
   * @param emit receives op `index` (0-based) and its outcome
   */
  constructor(
    private readonly stream: OpStream,
    private readonly emit: (index: number, outcome: OutcomeJson) => void,
  ) {}

  msg(kind: number, a: number, b: number, c: number, d: number): void {
    this.msgs.push(formatKmsg(kind, a, b, c, d, this.machine.comm, this.machine.pid));
  }

  done(index: number, ret: number, type: number, query: QueryResult): void {
    const r: OutcomeJson = { op: OP_NAMES[this.stream.ops[index * STRIDE]!] };
    if (ret === RET_SIGBUS || ret === RET_SIGSEGV) {
      r.ret = -14;
      r.errno = 'EFAULT';
      r.fault = ret === RET_SIGBUS ? 'SIGBUS' : 'SIGSEGV';
    } else {
      r.ret = ret;
      const e = errnoName(ret);
      if (e !== undefined) r.errno = e;
    }
    if (type >= 0) r.type = SHORT_NAME[type];
    if (this.msgs.length > 0) r.messages = this.msgs;
    if (query !== null) Object.assign(r, query);
    this.msgs = [];
    this.emit(index, r);
  }

  /** Drops the messages of an op that ended in a trace error (or threw). */
  discard(): void {
    this.msgs = [];
  }
}
