/**
 * bench/measure/isolate.ts with real isolates: a fresh worker thread (or
 * child process) per fork, its result as plain data, the per-replay time
 * limit, the heap limit and the abort signal.
 *
 * Most tests start workers/stub-fork-worker.mjs (plain JS, fast); two run
 * the real fork worker on a small real stream (ttm-fault, size 16). Forks
 * started from sources are slow (~0.5–1.5 s each): keep these few.
 */
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll } from 'vitest';
import type { ForkResult, ForkTask } from '../../../bench/measure/fork.js';
import { createForkRunner, type Isolation } from '../../../bench/measure/isolate.js';
import { prepareGroup } from '../../../bench/measure/prepare.js';
import { LINUX_TRACKER, NULL_TRACKER } from '../../../impls/registry.js';
import { forkTask, tinyStream } from '../../helpers/fakes.js';
import { shareStream } from '../../../bench/measure/prepare.js';

const STUB = fileURLToPath(new URL('./workers/stub-fork-worker.mjs', import.meta.url));
const TINY = shareStream(tinyStream(4));

/** What the stub worker adds to a result. */
type StubResult = ForkResult & { runs: number; marks: number; threadId: number; pid: number; opsShared: boolean; progressShared: boolean };

const stubTask = (tracker: string, fork = 0): ForkTask => forkTask(TINY, tracker, { fork });

describe('createForkRunner: one fresh isolate per fork (stub worker)', () => {
  for (const isolation of ['thread', 'process'] as Isolation[]) {
    it(`${isolation}: no fork sees what an earlier fork left in its isolate`, async () => {
      const run = createForkRunner({ isolation, filename: STUB, replayTimeoutMs: 30_000 });
      const rs: StubResult[] = [];
      // Two at once and one after: reusing an isolate would show runs or marks of 2.
      rs.push(...((await Promise.all([run(stubTask('a', 0)), run(stubTask('a', 1))])) as StubResult[]));
      rs.push((await run(stubTask('b', 0))) as StubResult);
      expect(rs.map((r) => [r.tracker, r.fork, r.validity, r.runs, r.marks])).toEqual([
        ['a', 0, 'valid', 1, 1],
        ['a', 1, 'valid', 1, 1],
        ['b', 0, 'valid', 1, 1],
      ]);
      if (isolation === 'thread') {
        expect(new Set(rs.map((r) => r.threadId)).size).toBe(3);
        expect(rs.every((r) => r.pid === process.pid)).toBe(true);
        // A thread reads the group's stream in place; the progress counter is shared too.
        expect(rs.every((r) => r.opsShared && r.progressShared)).toBe(true);
      } else {
        expect(new Set(rs.map((r) => r.pid)).size).toBe(3);
        expect(rs.every((r) => r.pid !== process.pid)).toBe(true);
        // A process gets a copy of the ops (a SharedArrayBuffer cannot cross processes).
        expect(rs.some((r) => r.opsShared)).toBe(false);
      }
    }, 20_000);
  }

  it('a replay running past replayTimeoutMs is stopped and errors only its fork; a slow fork that keeps replaying is not', async () => {
    // 800 ms: well above a loaded machine's worker start-up, which counts against the first replay.
    const run = createForkRunner({ filename: STUB, replayTimeoutMs: 800 });
    const t0 = performance.now();
    const [stuck, alive, other] = await Promise.all([run(stubTask('spin')), run(stubTask('alive')), run(stubTask('fine'))]);
    expect(stuck.validity).toBe('errored');
    expect(stuck.error).toMatch(/^a replay ran longer than .* s; the fork was stopped$/);
    expect(stuck).toMatchObject({ tracker: 'spin', fork: 0, stats: null, digest: null });
    // `alive` ran ~2 s in all, over twice the limit, but bumped the counter every 50 ms.
    expect(alive.validity).toBe('valid');
    expect(other.validity).toBe('valid');
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The runner goes on after a stopped fork.
    expect((await run(stubTask('next'))).validity).toBe('valid');
  }, 20_000);

  it('a child process has one time limit for the whole fork', async () => {
    const run = createForkRunner({ isolation: 'process', filename: STUB, replayTimeoutMs: 400 });
    const r = await run(stubTask('spin'));
    expect(r.validity).toBe('errored');
    expect(r.error).toMatch(/^the fork ran longer than .* s; it was stopped$/);
  }, 20_000);

  it('a fork that crashes, exits without a result or exhausts its heap limit errors alone', async () => {
    const run = createForkRunner({ filename: STUB, maxOldGenerationSizeMb: 16 });
    const [crash, exit, hog] = await Promise.all([run(stubTask('crash')), run(stubTask('exit')), run(stubTask('hog'))]);
    expect(crash).toMatchObject({ tracker: 'crash', validity: 'errored', error: 'isolate: stub fork crashed' });
    expect(exit).toMatchObject({ validity: 'errored', error: 'isolate exited (code 3) without a result' });
    expect(hog.validity).toBe('errored');
    expect(hog.error).toMatch(/^isolate: .*memory/i);
  }, 20_000);

  it('an abort stops the isolate at once and answers `interrupted`', async () => {
    const run = createForkRunner({ filename: STUB, replayTimeoutMs: 60_000 });
    const ac = new AbortController();
    const t0 = performance.now();
    const pending = run(stubTask('spin'), ac.signal);
    setTimeout(() => ac.abort(), 100);
    const r = await pending;
    expect(r).toMatchObject({ tracker: 'spin', validity: 'errored', error: 'interrupted' });
    expect(performance.now() - t0).toBeLessThan(5_000);
    // Already aborted: no isolate does anything.
    expect((await run(stubTask('fine'), ac.signal)).error).toBe('interrupted');
    const pc = new AbortController();
    const proc = createForkRunner({ isolation: 'process', filename: STUB, replayTimeoutMs: 60_000 });
    const pp = proc(stubTask('spin'), pc.signal);
    setTimeout(() => pc.abort(), 100);
    expect((await pp).error).toBe('interrupted');
  }, 20_000);

  it('rejects non-positive limits', () => {
    expect(() => createForkRunner({ replayTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => createForkRunner({ maxOldGenerationSizeMb: -1 })).toThrow(RangeError);
  });
});

describe('the real fork worker on a real stream (ttm-fault, size 16)', () => {
  let task: (tracker: string, fork?: number) => ForkTask;

  beforeAll(() => {
    const p = prepareGroup({ workload: 'ttm-fault', size: 16, seed: 1, bugs: [] });
    if (!p.ok) throw new Error(p.error);
    task = (tracker, fork = 0) => ({
      groupId: 'ttm-fault/16/1',
      tracker,
      fork,
      stream: p.stream,
      oracleDigest: p.oracleDigest,
      bugs: [],
      timing: { timeMs: 20, minSamples: 3, warmupMinMs: 5, warmupMaxMs: 20, harnessTimeMs: 5 },
      maxSamples: 20,
      measureMemory: fork === 0,
      measureHarness: tracker === NULL_TRACKER,
      modules: [],
      verified: true,
    });
  });

  /** What every successful real fork looks like. */
  function expectMeasured(r: ForkResult, t: ForkTask): void {
    expect(r.error).toBeNull();
    expect(r).toMatchObject({ tracker: t.tracker, fork: t.fork });
    expect(r.stats!.samples).toBeGreaterThanOrEqual(1);
    expect(r.stats!.medianNs).toBeGreaterThan(0);
    expect(r.warmup!.replays).toBeGreaterThanOrEqual(2);
    expect(r.gc).not.toBe('none');
    // Plain data: a structured clone of it is itself.
    expect(structuredClone(r)).toEqual(r);
  }

  // From sources, the default runner starts bench/measure/fork-worker-tsx.mjs (regression: on
  // Node 20 it started fork-worker.ts under `--import tsx`, whose hooks a worker's entry does not
  // go through, and every fork errored with "Unknown file extension .ts").
  it('in a worker thread (the default runner): the Linux composition is valid, memory in fork 0, the result plain data', async () => {
    const t = task(LINUX_TRACKER);
    const r = await createForkRunner()(t);
    expectMeasured(r, t);
    expect(r.validity).toBe('valid');
    expect(r.digest).toBe(t.oracleDigest);
    expect(r.modeledBytes).toBeGreaterThan(0);
    expect(r.jsBytes).toBeGreaterThan(0);
  }, 30_000);

  it("in a child process: the null tracker's fork, unchecked, with the harness cost", async () => {
    const run = createForkRunner({ isolation: 'process' });
    const t = task(NULL_TRACKER, 1);
    const r = await run(t);
    expectMeasured(r, t);
    expect(r.validity).toBe('unchecked');
    expect(r.emptyReplayNs).toBeGreaterThan(0);
    expect(r.modeledBytes).toBeNull();
  }, 30_000);
});
