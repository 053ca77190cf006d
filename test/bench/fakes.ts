/**
 * Test doubles for the bench: a tiny hand-built op stream, a fake machine
 * that replays it through a tracker's `memtypeLookup`, and fake trackers.
 */
import { Op, OpStreamBuilder, type OpStream } from '../../core/ops.js';
import type { OutcomeSink } from '../../core/outcome.js';
import type { Machine } from '../../core/machine.js';
import type { MemtypeTracker } from '../../core/tracker.js';
import type { CellDeps, Replayable } from '../../bench/cell.js';
import type { CellRecord } from '../../bench/results.js';

/** `n` lookup operations on a machine spec the fake never parses. */
export function tinyStream(n: number): OpStream {
  const b = new OpStreamBuilder({ profile: 'fake', e820: [{ start: 0, end: 1 << 30, type: 'usable' }] }, n);
  for (let i = 0; i < n; i++) b.push(Op.LookupMemtype, -1, i * 4096);
  return b.build();
}

/** A tracker answering `answer(pfn)` to every lookup; `bytes` modeled bytes. */
export function fakeTracker(name: string, answer: (pfn: number) => number, bytes = 64): MemtypeTracker {
  return {
    name,
    newType: -1,
    conflictFound: -1,
    conflictOther: -1,
    attach() {},
    pagerangeIsRam: () => 0,
    reserveRamPagesType: () => 0,
    freeRamPagesType: () => 0,
    getPageMemtype: () => 0,
    memtypeCheckInsert: () => 0,
    memtypeErase: () => 0,
    memtypeLookup: answer,
    memtypeList() {},
    insertCachemode: (_v, pfn, lookup) => lookup(pfn),
    modeledBytes: () => bytes,
  };
}

/** Replays lookups: outcome type = tracker's answer. 4096 page-table bytes. */
export class FakeMachine implements Replayable {
  query: unknown = null;
  constructor(readonly tracker: MemtypeTracker) {}
  run(stream: OpStream, sink: OutcomeSink): void {
    const ops = stream.ops;
    for (let i = 0; i < stream.count; i++) {
      const type = this.tracker.memtypeLookup(ops[i * 8 + 2]! / 4096);
      sink.done(i, 0, type, this as unknown as Machine);
    }
  }
  pageTableBytes(): number {
    return 4096;
  }
}

/** Trackers: `oracle`/`good` answer pfn % 4; `bad` differs at pfn 3; `null` answers -1; `boom` throws. */
export function fakeDeps(ops = 200): CellDeps {
  const stream = tinyStream(ops);
  return {
    buildStream: (w) => {
      if (w === 'broken') throw new Error('cannot build');
      return stream;
    },
    newTracker: (name) => {
      switch (name) {
        case 'oracle':
        case 'good':
          return fakeTracker(name, (p) => p % 4, 128);
        case 'bad':
          return fakeTracker(name, (p) => (p === 3 ? 0 : p % 4), 256);
        case 'null':
          return fakeTracker(name, () => -1, 0);
        case 'boom':
          return fakeTracker(name, () => {
            throw new Error('tracker exploded');
          });
        default:
          throw new Error(`unknown fake tracker ${name}`);
      }
    },
    machineFactory: () => (t) => new FakeMachine(t),
  };
}

/** A cell record with defaults. */
export function record(over: Partial<CellRecord>): CellRecord {
  return {
    workload: 'w',
    size: 16,
    seed: 1,
    tracker: 'good',
    ops: 100,
    opsPerSec: 1_000_000,
    nsPerOp: 1000,
    rme: 1.5,
    samples: 20,
    modeledBytes: 4096,
    jsBytes: 2048,
    digest: 'aaaa',
    oracleDigest: 'aaaa',
    valid: true,
    baseline: false,
    error: null,
    ...over,
  };
}
