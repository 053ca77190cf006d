/**
 * Turns between the forks of a block: one Int32 in a SharedArrayBuffer per
 * fork, so that only one fork of the block runs at a time and the group
 * decides which (bench/measure/group.ts), while every fork of the block is
 * alive at once. A fork's samples then spread over the block's whole timed
 * phase instead of one window of it.
 *
 * States of the flag: `STARTING` (0: the isolate is loading), `WAITING` (2:
 * the fork waits for its turn), `RUNNING` (1: the fork holds the turn).
 * The fork moves STARTING → WAITING once, then RUNNING → WAITING at the end
 * of every turn; the group moves WAITING → RUNNING. Neither side ever writes
 * a state the other could be writing at the same time, so plain stores do.
 * Both sides wait with `Atomics.waitAsync`, which works between threads and
 * within one thread (in-process forks in tests) alike.
 */

export const STARTING = 0;
export const RUNNING = 1;
export const WAITING = 2;

/** A new turn flag, in state STARTING. */
export function newTurnFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

/** How often the group looks whether a fork that holds no turn has ended, ms. */
const POLL_MS = 50;

/**
 * Resolves once `flag` no longer holds `value`, or (looked at every POLL_MS)
 * once `over()`. A pending `Atomics.waitAsync` does not keep Node's event
 * loop alive: a timer does, meanwhile, or the isolate would exit.
 */
async function whileIs(flag: Int32Array, value: number, over: () => boolean = () => false): Promise<void> {
  if (Atomics.load(flag, 0) !== value || over()) return;
  const alive = setInterval(() => {}, POLL_MS);
  try {
    while (Atomics.load(flag, 0) === value && !over()) {
      const w = Atomics.waitAsync(flag, 0, value, POLL_MS);
      if (w.async) await w.value;
    }
  } finally {
    clearInterval(alive);
  }
}

function set(flag: Int32Array, state: number): void {
  Atomics.store(flag, 0, state);
  Atomics.notify(flag, 0);
}

/** The fork's side: waits for its turn (announcing that it waits), and hands it back. */
export interface TurnTaker {
  /** Resolves when the fork holds the turn. */
  acquire(): Promise<void>;
  /** Hands the turn back to the group. */
  release(): void;
}

/**
 * The fork's side of `flag`; without a flag, both are no-ops (the fork runs
 * through at once).
 * @param blocking wait with `Atomics.wait`, which blocks the thread: for a
 *   fork alone in its isolate, which then runs nothing at all between its
 *   turns — no event loop, no timers, no idle-time GC of its own while
 *   another fork is timed. Never on a thread that must keep running (the
 *   main thread, in-process tests): there the wait is `Atomics.waitAsync`.
 */
export function turnTaker(flag: Int32Array | undefined, blocking = false): TurnTaker {
  if (flag === undefined) return { acquire: async () => {}, release: () => {} };
  return {
    async acquire() {
      if (Atomics.load(flag, 0) === STARTING) set(flag, WAITING);
      if (blocking) while (Atomics.load(flag, 0) === WAITING) Atomics.wait(flag, 0, WAITING);
      else await whileIs(flag, WAITING);
    },
    release: () => set(flag, WAITING),
  };
}

/** Whether a promise has settled, readable synchronously. */
function settled(p: Promise<unknown>): () => boolean {
  let over = false;
  p.then(
    () => (over = true),
    () => (over = true),
  );
  return () => over;
}

/**
 * The group's side: resolves once the fork waits for a turn, or once
 * `ended` has settled (the fork ended — a result or an error — without
 * waiting).
 */
export async function untilWaiting(flag: Int32Array, ended: Promise<unknown>): Promise<void> {
  const over = settled(ended);
  await whileIs(flag, STARTING, over);
  await whileIs(flag, RUNNING, over);
}

/**
 * Gives the fork one turn and resolves when it hands it back — or once
 * `ended` has settled (a fork that failed or finished does not hand back).
 * The fork must be waiting (`untilWaiting`).
 */
export async function giveTurn(flag: Int32Array, ended: Promise<unknown>): Promise<void> {
  set(flag, RUNNING);
  await untilWaiting(flag, ended);
}
