/**
 * The SMP commands end to end at tiny sizes: `run --cpus` (parsing, `host`,
 * refusals in one line, the built-in SMP matrices), a real 1- and 2-CPU run
 * (worker-thread forks, CPU threads) whose lines, table and summary carry
 * the SMP figures, `project` on it (its text, projection.json, the report's
 * projected chart, bad input), and a run of the broken `nolock` scheme
 * reported invalid through the whole pipeline (exit 1, results, table,
 * summary, report).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/commands/run.js';
import { measureSmpFork } from '../../bench/measure/smp-fork.js';
import prepareOnWorker from '../../bench/measure/worker.js';
import type { ResultLine } from '../../bench/store/results.js';
import { spawnCli, useCliMain } from '../helpers/cli.js';
import { noVerify, sink } from '../helpers/fakes.js';

const SPIN = 'btree+page-bit-ram-walk+single-page+spinlock';
const NOLOCK = 'btree+page-bit-ram-walk+single-page+nolock';

const run = useCliMain();

const readLines = (dir: string): ResultLine[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ResultLine);

describe('run --cpus', () => {
  it('bad CPU counts, object-graph stores and single-CPU workloads above 1 CPU: exit 2, one line, no stack', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--list', '--cpus', '0'], /^memtype-bench: option '--cpus <list>' argument '0' is invalid\. not a positive integer or "host"\n$/],
      [['run', '--list', '--cpus', 'two'], /^memtype-bench: option '--cpus <list>' argument 'two' is invalid\. not a positive integer or "host"\n$/],
      [['run', '--list', '--cpus', ','], /^memtype-bench: option '--cpus <list>' argument ',' is invalid\. expected a comma-separated list of CPU counts or "host"\n$/],
      [['run', '--list', '--cpus', '5000'], /^memtype-bench: --cpus: a CPU count must be an integer from 1 to 1024 or "host" \(this machine's parallelism\), got 5000\n$/],
      [["run", "--list", "--cpus", "1,2", "--tracker", "rbtree+page-bit+single-page"], /^memtype-bench: rbtree\+page-bit\+single-page cannot run on 2 CPUs: .+\n$/],
      [['run', '--list', '--cpus', '1,2', '--baseline', 'interval-tree+page-bit+single-page'], /^memtype-bench: interval-tree\+page-bit\+single-page cannot run on 2 CPUs: .+\n$/],
      [['run', '--list', '--cpus', '2', '--workload', 'ttm-fault'], /^memtype-bench: ttm-fault is a single-CPU workload \(one op stream\) and cannot run on 2 CPUs; the SMP workloads \(one stream per CPU\) are xpmem-insert, ttm-fault-smp, probe-smp\n$/],
      [['run', '--list', '--tracker', SPIN], /^memtype-bench: btree\+page-bit-ram-walk\+single-page\+spinlock is an SMP composition .*--cpus 1,2\n$/],
    ];
    for (const [args, want] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(want);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });

  it('--cpus picks the SMP matrices; "host" is this machine\'s parallelism; --quick the small one', async () => {
    const full = await run('run', '--list', '--cpus', '1,host');
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/^matrix .*smp\.json/);
    const host = availableParallelism();
    expect(full.stdout).toContain(`xpmem-insert/4096/1/${host}cpu/${SPIN}`);
    expect(full.stdout).toContain(`probe-smp/512/1/1cpu/${SPIN}`);
    const quick = await run('run', '--list', '--quick', '--cpus', '1,2');
    expect(quick.stdout).toMatch(/^matrix .*smp-quick\.json/);
    expect(quick.stdout).toMatch(/6 groups × 5 trackers = 30 cells/);
    expect(quick.stdout).toContain('ttm-fault-smp/16/1/2cpu/null');
  });
});

describe('an SMP run end to end', () => {
  it('run --cpus 1,2 at a tiny size: SMP lines, table and summary; project on it; report draws the projection; bad project input in one line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-smp-'));
    const r = await spawnCli('run', '--cpus', '1,2', '--workload', 'xpmem-insert', '--size', '16', '--tracker', SPIN, '--time', '5', '--forks', '1', '--out', out, '--run-id', 'smp');
    expect(r.stderr).toMatch(/\[2\/2\] xpmem-insert\/16\/1\/2cpu: 3 cells/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SMP: each group runs on 1, 2 CPUs/);
    expect(r.stdout).toMatch(/ cpus +ops\/s +per-CPU ops\/s .* speedup vs 1 CPU \[95%\] +lock wait +hand-offs\/acq /);
    expect(r.stdout).toMatch(/Holt's effect: spinlock ÷ cmpxchg time on xpmem-insert at 2 CPUs/);
    const dir = join(out, 'smp');
    const lines = readLines(dir);
    expect(lines).toHaveLength(2 * 3);
    const host = availableParallelism();
    for (const l of lines) {
      expect(l).toMatchObject({ availableParallelism: host, oversubscribed: l.cpus! > host, validity: l.tracker === 'null' ? 'unchecked' : 'valid' });
      expect([1, 2]).toContain(l.cpus);
      expect(l.smp!.cpuOps).toHaveLength(l.cpus!);
    }
    const spin2 = lines.find((l) => l.cpus === 2 && l.tracker === SPIN)!;
    expect(spin2.smp!.lock.acquired).toBeGreaterThan(0);
    expect(spin2.ops).toBe(spin2.smp!.cpuOps.reduce((a, b) => a + b, 0));
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/## Holt's comparison: spinlock ÷ cmpxchg time on xpmem-insert\n/);
    expect(md).toMatch(/\| Holt 2010, measured \| 256 \| 683 \|/);

    const p = await run('project', dir, '--cpus', '32,256', '--handoff-ns', '200');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^memtype-bench project smp: PROJECTED, not measured .* hand-off 200 ns/);
    expect(p.stdout).toMatch(/\nxpmem-insert +spinlock +[\d,]+ /);
    expect(p.stdout).toMatch(/at 256 CPUs the model gives [\d.]+× against Holt's 683×/);
    expect(p.stdout).toMatch(/reproduces Holt's 683× at 256 CPUs from this run's costs|no hand-off up to 1 ms reproduces/);
    const saved = JSON.parse(readFileSync(join(dir, 'projection.json'), 'utf8')) as { cpus: number[]; handoffNs: number; series: unknown[] };
    expect(saved).toMatchObject({ cpus: [32, 256], handoffNs: 200 });
    expect(saved.series).toHaveLength(2);
    const rep = await run('report', dir);
    expect(rep.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('id="chart-smp-projection"');
    expect(html).toContain('this run, PROJECTED');

    const bad: [string[], RegExp][] = [
      [['project', dir, '--cpus', '0'], /^memtype-bench: project: --cpus takes CPU counts to project to, integers from 1 to 8192, got "0"\n$/],
      [['project', dir, '--cpus', 'host'], /^memtype-bench: project: --cpus takes CPU counts .*got "host"\n$/],
      [['project', dir, '--cpus', '32', '--handoff-ns', '-5'], /^memtype-bench: project: --handoff-ns takes a latency in ns, a number from 0 to 1000000, got "-5"\n$/],
      [['project', dir, '--cpus', '32', '--handoff-ns', 'fast'], /^memtype-bench: project: --handoff-ns takes a latency in ns/],
      [['project', join(out, 'nope'), '--cpus', '32'], /^memtype-bench: no run /],
      [['project', dir], /^memtype-bench: required option '--cpus <list>' not specified\n$/],
    ];
    for (const [args, want] of bad) {
      const b = await run(...args);
      expect(b.code, args.join(' ')).toBe(2);
      expect(b.stderr, args.join(' ')).toMatch(want);
    }
  }, 120_000);

  it('project refuses a single-CPU run in one line', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-1cpu-'));
    const r = await spawnCli('run', '--workload', 'xorg-fb', '--size', '8', '--tracker', 'btree+page-bit+single-page', '--time', '5', '--forks', '1', '--out', out, '--run-id', 'one', '--no-charts');
    expect(r.code).toBe(0);
    const p = await run('project', join(out, 'one'), '--cpus', '32');
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/^memtype-bench: project: .*one is not an SMP run .*memtype-bench run --cpus 1,2`\n$/);
  }, 60_000);
});

describe('the broken nolock scheme', () => {
  it('is reported invalid end to end: exit 1, invalid lines, INVALID in the table, summary and report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-nolock-'));
    const stdout = sink();
    // Forks in-process, each CPU sleeping 10 µs inside every store call of one op in three (the test hook of the
    // SMP forks): the CPUs' unlocked tree inserts and erases interleave on any host, however loaded.
    const r = await runBench(
      { outDir: out, runId: 'nolock', cpus: [2], workloads: ['probe-smp'], sizes: [{ sizes: [16] }], trackers: [NOLOCK], forks: 1, timeMs: 5, charts: true },
      {
        createPool: (n) => ({ threads: n, prepare: async (t) => prepareOnWorker(t), verify: noVerify, destroy: async () => {} }),
        runFork: (t) => measureSmpFork(t.smp ? { ...t, smp: { ...t.smp, perturb: [-1, 0, 0] } } : t),
        stdout: stdout.stream,
        stderr: sink().stream,
        tty: false,
      },
    );
    expect(r.exitCode).toBe(1);
    const dir = join(out, 'nolock');
    const bad = readLines(dir).filter((l) => l.tracker === NOLOCK);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.validity).toMatch(/^(invalid|errored)$/);
    expect(bad[0]!.error).toBeTruthy();
    // The real schemes in the same groups, under the same perturbation, stay valid.
    expect(readLines(dir).filter((l) => l.tracker !== NOLOCK && l.tracker !== 'null').every((l) => l.validity === 'valid')).toBe(true);
    expect(stdout.text()).toMatch(/btree\+page-bit-ram-walk\+single-page\+nolock .* (INVALID|ERRORED)/i);
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/## Failures\n\n- `probe-smp\/16\/1\/2cpu\/btree\+page-bit-ram-walk\+single-page\+nolock`: (INVALID|ERRORED) — /);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<code>probe-smp\/16\/1\/2cpu\/btree\+page-bit-ram-walk\+single-page\+nolock<\/code>/);
  }, 120_000);
});
