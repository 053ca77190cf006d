/**
 * Projecting SMP throughput past the cores of this machine: a closed
 * queueing model of one lock (pure math, no I/O).
 *
 * Model (the "machine-repairman" or M/M/1//N system, solved exactly):
 * N CPUs each loop over ops; an op is `a` visits to the lock, each visit
 * `Z = nonCsNs / a` of private work (think time) then one critical section
 * of `csNs / a` under the lock. While the lock is busy the others queue
 * FCFS (a ticket lock, or Linux's qspinlock). Passing the lock to another
 * CPU moves its cache line (and the lines of the data it protects): an
 * acquisition with others queued is always a *hand-off* `h` on top of the
 * section (FCFS: the next holder is another CPU); one with nobody queued is
 * a hand-off with probability (N − 1)/N (the last holder was someone else);
 * and — for locks whose waiters all spin on one line, as a ticket lock's
 * do — it costs `c` more per CPU still waiting (Boyd-Wickizer et al.,
 * "Non-scalable locks are dangerous", Linux Symposium 2012: the hand-off
 * grows linearly with the number of waiters). So the lock's service time
 * with k CPUs at the lock is
 *
 *     S(1) = csNs/a + h·(N − 1)/N,   S(k ≥ 2) = csNs/a + h + c·(k − 1)
 *
 * and with exponential think and service times the number at the lock is a
 * birth–death chain: arrivals (N − k)/Z, completions 1/S(k). Its
 * stationary distribution gives the lock's throughput X (visits/ns) and
 * everything else (Little's law). With c = 0 it is exactly the M/M/1//N
 * queue that mean-value analysis solves (`mva`, kept as a cross-check).
 * Critical sections are closer to constant than exponential; the
 * exponential model queues a little more below saturation and agrees at
 * both ends (no contention, saturation: X → 1/S).
 *
 * Default hand-off: `DEFAULT_HANDOFF_NS` = 134 ns, the median one-way
 * cache-line transfer between the two sockets of a dual Intel Xeon Platinum
 * 8275CL (Cascade Lake, AWS c5.metal) measured with compare-and-exchange
 * ping-pong by core-to-core-latency (https://github.com/nviennot/
 * core-to-core-latency, "Dual sockets results": 108–197 ns on dual Xeon and
 * EPYC systems, 134 ns for this one).
 */

/** Default hand-off latency, ns (see the module comment for the source). */
export const DEFAULT_HANDOFF_NS = 134;

/** What one op costs on one CPU, measured (ns). */
export interface OpCost {
  /** Time per op inside the exclusive lock (all its critical sections), ns. */
  csNs: number;
  /** Time per op outside it, ns. */
  nonCsNs: number;
  /** Exclusive lock acquisitions per op (0: the op never takes the lock). */
  acquisitionsPerOp: number;
}

/** Parameters of the lock's hand-off. */
export interface HandoffModel {
  /** Cost of passing the lock (its cache line) to another CPU, ns. */
  handoffNs: number;
  /** Extra hand-off cost per CPU still waiting, ns (ticket-lock collapse; 0 for a queued lock). */
  perWaiterNs?: number;
}

/** One projected point. */
export interface ProjectedPoint {
  cpus: number;
  /** Aggregate ops per second. */
  opsPerSec: number;
  /** Ops per second of one CPU. */
  perCpuOpsPerSec: number;
  /** `opsPerSec` ÷ the model's 1-CPU throughput. */
  speedup: number;
  /** Fraction of time the lock is held or being handed off. */
  lockBusy: number;
  /** Fraction of each CPU's time spent waiting for the lock. */
  waitShare: number;
  /** Mean CPUs at the lock (holding or waiting). */
  meanAtLock: number;
}

/**
 * Exact solution of the birth–death chain of the module comment.
 * @param n CPUs (≥ 1)
 * @param z think time per visit, ns (≥ 0)
 * @param service S(k) for k = 1..n CPUs at the lock, ns (> 0)
 * @returns X (visits/ns), busy fraction, mean at the lock, mean service time per visit (ns)
 */
export function solveLock(n: number, z: number, service: (k: number) => number): { x: number; busy: number; queue: number; meanService: number } {
  if (z === 0) {
    // Every CPU is always at the lock.
    const s = service(n);
    return { x: 1 / s, busy: 1, queue: n, meanService: s };
  }
  // log p_k − log p_0 = Σ_{i=1..k} [log((n − i + 1)/z) + log S(i)]
  const logp = new Float64Array(n + 1);
  let max = 0;
  for (let k = 1; k <= n; k++) {
    logp[k] = logp[k - 1]! + Math.log(n - k + 1) - Math.log(z) + Math.log(service(k));
    if (logp[k]! > max) max = logp[k]!;
  }
  let sum = 0;
  for (let k = 0; k <= n; k++) sum += Math.exp(logp[k]! - max);
  let x = 0;
  let busy = 0;
  let queue = 0;
  for (let k = 1; k <= n; k++) {
    const p = Math.exp(logp[k]! - max) / sum;
    x += p / service(k);
    busy += p;
    queue += p * k;
  }
  return { x, busy, queue, meanService: busy / x };
}

/**
 * Exact mean-value analysis of N customers, one delay station (think `z`)
 * and one FCFS queue (service `s`): the M/M/1//N throughput (visits/ns).
 * @param n customers (≥ 1)
 */
export function mva(n: number, z: number, s: number): number {
  let q = 0;
  let x = 0;
  for (let k = 1; k <= n; k++) {
    const r = s * (1 + q);
    x = k / (z + r);
    q = x * r;
  }
  return x;
}

/**
 * Projected throughput at each CPU count.
 * @param cost one op's measured costs (1 CPU)
 * @param cpus CPU counts (≥ 1 each)
 * @param model hand-off latency and per-waiter growth
 * @throws RangeError for negative costs or a CPU count below 1
 */
export function project(cost: OpCost, cpus: readonly number[], model: HandoffModel = { handoffNs: DEFAULT_HANDOFF_NS }): ProjectedPoint[] {
  const { csNs, nonCsNs, acquisitionsPerOp: a } = cost;
  const h = model.handoffNs;
  const c = model.perWaiterNs ?? 0;
  if (!(csNs >= 0 && nonCsNs >= 0 && a >= 0 && h >= 0 && c >= 0) || csNs + nonCsNs <= 0) throw new RangeError('project: costs must be ≥ 0 and an op must take some time');
  const at = (n: number): { opsPerNs: number; busy: number; waitShare: number; queue: number } => {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`project: CPU count must be an integer ≥ 1, got ${n}`);
    if (a === 0 || (csNs === 0 && h === 0 && c === 0)) return { opsPerNs: n / (csNs + nonCsNs), busy: 0, waitShare: 0, queue: 0 };
    // One CPU: nobody to wait for or hand the lock to (the chain below gives the same, but not for a 0 ns section).
    if (n === 1) return { opsPerNs: 1 / (csNs + nonCsNs), busy: csNs / (csNs + nonCsNs), waitShare: 0, queue: csNs / (csNs + nonCsNs) };
    const z = nonCsNs / a;
    const cs = csNs / a;
    const alone = cs + (h * (n - 1)) / n;
    const service = (k: number): number => (k === 1 ? alone : cs + h + c * (k - 1));
    const r = solveLock(n, z, service);
    // Per CPU: cycle = think + time at the lock (Little: queue / x per visit).
    const atLock = r.queue / r.x;
    const wait = atLock - r.meanService;
    return { opsPerNs: r.x / a, busy: r.busy, waitShare: wait / (z + atLock), queue: r.queue };
  };
  const one = at(1).opsPerNs;
  return cpus.map((n) => {
    const p = at(n);
    return {
      cpus: n,
      opsPerSec: p.opsPerNs * 1e9,
      perCpuOpsPerSec: (p.opsPerNs / n) * 1e9,
      speedup: p.opsPerNs / one,
      lockBusy: p.busy,
      waitShare: p.waitShare,
      meanAtLock: p.queue,
    };
  });
}

/** Robin Holt's 2010 measurement (commit 1f9cc3cb6a27): each CPU vm_insert_pfn()s 2 GB. */
export const HOLT = {
  /** Pages each CPU inserts: 2 GiB of 4 KiB pages. */
  pagesPerCpu: (2 * 2 ** 30) / 4096,
  /** Seconds per CPU count with `lookup_memtype()` under `memtype_lock`: 1:08 and 14:48. */
  spinlockSeconds: { 32: 68, 256: 888 } as Record<number, number>,
  /** Seconds with the page flags updated by cmpxchg, at both counts: "approx 00:01.3". */
  cmpxchgSeconds: 1.3,
} as const;

/**
 * The hand-off latency at which the model's `spinlock` ÷ `cmpxchg` time
 * ratio at `cpus` CPUs equals `ratio` (bisection; the ratio grows with the
 * hand-off). The `cmpxchg` scheme takes no lock on this path, so its time is
 * `csNs + nonCsNs` per op on every CPU.
 * @param cost one op under `spinlock` (`acquisitionsPerOp` ≥ 1)
 * @param perWaiterNs fixed per-waiter growth while solving for the hand-off
 * @param lockFreeNsPerOp the `cmpxchg` scheme's time per op (default: the
 *   `spinlock` op's own, `csNs + nonCsNs`, as in Holt's comparison of one
 *   workload with and without the lock)
 * @returns ns, or NaN when even a 1 ms hand-off gives a smaller ratio, or 0 when no hand-off is needed
 */
export function handoffForRatio(cost: OpCost, cpus: number, ratio: number, perWaiterNs = 0, lockFreeNsPerOp = cost.csNs + cost.nonCsNs): number {
  const ratioAt = (h: number): number => {
    const spin = project(cost, [cpus], { handoffNs: h, perWaiterNs })[0]!;
    const cmpxchgOpsPerSec = (cpus / lockFreeNsPerOp) * 1e9;
    return cmpxchgOpsPerSec / spin.opsPerSec;
  };
  let lo = 0;
  let hi = 1e6;
  if (ratioAt(lo) >= ratio) return 0;
  if (ratioAt(hi) < ratio) return NaN;
  for (let i = 0; i < 100 && hi - lo > 1e-6; i++) {
    const mid = (lo + hi) / 2;
    if (ratioAt(mid) < ratio) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
