/**
 * bench/measure/turns.ts: the turn flag between a group and the forks of a
 * block, in one thread (Atomics.waitAsync works within a thread as between
 * threads): a fork runs only in its turns, hands them back, and a fork that
 * ends without handing back does not hang the group.
 */
import { describe, it, expect } from 'vitest';
import { giveTurn, newTurnFlag, RUNNING, STARTING, turnTaker, untilWaiting, WAITING } from '../../../bench/measure/turns.js';

/** A fork that takes `turns` turns, logging `name:i` in each. */
async function fork(flag: Int32Array, name: string, turns: number, log: string[]): Promise<void> {
  const t = turnTaker(flag);
  for (let i = 0; i < turns; i++) {
    await t.acquire();
    log.push(`${name}:${i}`);
    t.release();
  }
}

describe('turns between the forks of a block', () => {
  it('a fork announces that it waits, runs only in its turns, and hands each back: the group decides the interleaving', async () => {
    const log: string[] = [];
    const a = newTurnFlag();
    const b = newTurnFlag();
    expect(Atomics.load(a, 0)).toBe(STARTING);
    const fa = fork(a, 'a', 3, log);
    const fb = fork(b, 'b', 3, log);
    await untilWaiting(a, fa);
    await untilWaiting(b, fb);
    expect(Atomics.load(a, 0)).toBe(WAITING);
    expect(log).toEqual([]); // nothing runs before its turn
    for (const order of [[a, b], [b, a], [a, b]]) {
      for (const f of order) await giveTurn(f, f === a ? fa : fb);
    }
    await Promise.all([fa, fb]);
    expect(log).toEqual(['a:0', 'b:0', 'b:1', 'a:1', 'a:2', 'b:2']);
  });

  it('giveTurn resolves when the fork ends without handing the turn back (a failed or finished fork)', async () => {
    const flag = newTurnFlag();
    let end!: () => void;
    const ended = new Promise<void>((r) => (end = r));
    const t = turnTaker(flag);
    const running = (async () => {
      await t.acquire();
      end(); // ends while holding the turn
    })();
    await untilWaiting(flag, ended);
    await giveTurn(flag, ended);
    expect(Atomics.load(flag, 0)).toBe(RUNNING);
    await running;
    // …and further turns return at once.
    await giveTurn(flag, ended);
  });

  it('untilWaiting resolves when a fork ends before it ever waits (an isolate that failed to load)', async () => {
    const flag = newTurnFlag();
    await untilWaiting(flag, Promise.reject(new Error('isolate: boom')));
    expect(Atomics.load(flag, 0)).toBe(STARTING);
  });

  it('without a flag, acquire does not wait: the fork runs through', async () => {
    const t = turnTaker(undefined);
    const first = await Promise.race([t.acquire().then(() => 'acquired'), new Promise((r) => setTimeout(() => r('waited'), 50))]);
    expect(first).toBe('acquired');
    expect(() => t.release()).not.toThrow();
  });
});
