/**
 * Test helpers: run a stream on a tracker and record every outcome, so two
 * trackers' outcome streams can be compared op by op (a failing comparison
 * shows the first differing op, not just a digest).
 */
import { Hardware } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import type { OpStream } from '../../core/ops.js';
import type { OutcomeSink, QueryResult } from '../../core/outcome.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import { createTracker } from '../../impls/registry.js';

/** One op's outcome: index, ret, type, messages (kind and arguments), query. */
export type Rec = [number, number, number, number[], string];

export class RecordingSink implements OutcomeSink {
  readonly recs: Rec[] = [];
  private msgs: number[] = [];
  msg(kind: number, a: number, b: number, c: number, d: number): void {
    this.msgs.push(kind, a, b, c, d);
  }
  done(index: number, ret: number, type: number, query: QueryResult): void {
    this.recs.push([index, ret, type, this.msgs, query === null ? '' : JSON.stringify(query)]);
    this.msgs = [];
  }
}

const hwCache = new WeakMap<object, Hardware>();

/** Runs `stream` on a fresh machine with `tracker` (a name or an instance). */
export function record(stream: OpStream, tracker: string | MemtypeTracker): { recs: Rec[]; machine: Machine } {
  let hw = hwCache.get(stream.machine);
  if (!hw) {
    hw = Hardware.fromParsed(stream.machine);
    hwCache.set(stream.machine, hw);
  }
  const machine = new Machine(hw, typeof tracker === 'string' ? createTracker(tracker) : tracker);
  const sink = new RecordingSink();
  machine.run(stream, sink);
  return { recs: sink.recs, machine };
}
