import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureFork, type ForkTask } from '../../../bench/measure/fork.js';
import type { PrepareTask } from '../../../bench/measure/prepare.js';
import type { PreparePool } from '../../../bench/measure/pool.js';
import { FILES, readManifest, readResultLines } from '../../../bench/store/results.js';
import { planRun, runBench, type RunDeps } from '../../../bench/commands/run.js';
import type { RunEnv } from '../../../bench/store/env.js';
import { InputError } from '../../../core/errors.js';
import { parseMatrixConfig } from '../../../bench/plan/matrix-config.js';
import { config, fakeDeps, fakePrepare, noVerify, sink, sources } from '../../helpers/fakes.js';

const ENV: RunEnv = {
  node: 'v20',
  v8: '11',
  platform: 'linux',
  arch: 'x64',
  kernel: '6.1',
  kernelVersion: '#1',
  cpuModel: 'Fake CPU',
  cores: 2,
  totalMemoryBytes: 2 ** 30,
  hostname: 'h',
  loadAverage1m: 0,
  gitCommit: null,
  gitBranch: null,
  packages: {},
  gc: null,
};

/**
 * In-process preparation pool over the fakes, one group at a time like a
 * 1-thread pool; records each task and how many result lines were on disk
 * when it started. `dieAfter`: the pool rejects every task after that many
 * (its worker killed).
 */
function fakePool(seen: { tasks: PrepareTask[]; linesAtStart: number[] }, out: () => string, dieAfter = Infinity): (n: number) => PreparePool {
  return (n) => {
    const prepare = fakePrepare(40);
    let chain: Promise<unknown> = Promise.resolve();
    return {
      threads: n,
      verify: noVerify,
      prepare(task) {
        const p = chain.then(async () => {
          await new Promise((r) => setImmediate(r));
          seen.linesAtStart.push(readResultLines(join(out(), FILES.lines)).lines.length);
          seen.tasks.push(task);
          if (seen.tasks.length > dieAfter) throw new Error('worker killed');
          return prepare(task);
        });
        chain = p.catch(() => undefined);
        return p;
      },
      async destroy() {},
    };
  };
}

/** Forks measured in-process over the fakes; every task recorded. */
function inProcessForks(forks: ForkTask[] = []): RunDeps['runFork'] {
  const deps = fakeDeps();
  return (task) => {
    forks.push(task);
    return measureFork(task, deps);
  };
}

function deps(over: RunDeps & { trackers?: string[] } = {}): RunDeps {
  return {
    matrixSources: sources(over.trackers ?? ['base', 'good', 'bad']),
    loadConfig: () => config(['base', 'good', 'bad'], { forks: 2 }),
    collectEnv: () => ({ ...ENV }),
    loadAverage: () => ENV.loadAverage1m,
    runFork: inProcessForks(),
    stdout: sink().stream,
    stderr: sink().stream,
    tty: false,
    now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    ...over,
  };
}

describe('runBench', () => {
  it('appends each group as it finishes, writes the summaries and charts; exit 1 on an invalid cell', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const seen = { tasks: [] as PrepareTask[], linesAtStart: [] as number[] };
    const forks: ForkTask[] = [];
    const stdout = sink();
    const stderr = sink();
    const r = await runBench(
      { outDir: out, workloads: ['w', 'v'], sizes: [{ sizes: [4] }] },
      deps({ createPool: fakePool(seen, () => join(out, '2026-01-02T03-04-05Z')), runFork: inProcessForks(forks), stdout: stdout.stream, stderr: stderr.stream }),
    );
    expect(r.exitCode).toBe(1);
    expect(r.runId).toBe('2026-01-02T03-04-05Z');
    // Each group saw every earlier group's lines on disk: 4 trackers × 2 forks per group.
    expect(seen.linesAtStart).toEqual([0, 8]);
    expect(seen.tasks).toEqual([
      { workload: 'w', size: 4, seed: 1, bugs: [] },
      { workload: 'v', size: 4, seed: 1, bugs: [] },
    ]);
    // Every tracker of a group in each of the 2 forks, one fork at a time.
    expect(forks).toHaveLength(2 * 4 * 2);
    expect(forks.filter((f) => f.groupId === 'w/4/1').map((f) => `${f.tracker}#${f.fork}`).sort()).toEqual(['bad#0', 'bad#1', 'base#0', 'base#1', 'good#0', 'good#1', 'null#0', 'null#1']);
    const lines = readResultLines(r.resultsFile).lines;
    expect(lines).toHaveLength(2 * 4 * 2);
    expect(new Set(lines.map((l) => `${l.cellId}#${l.fork}`)).size).toBe(16);
    expect(lines.every((l) => l.forks === 2 && l.position >= 0 && l.warmup !== null)).toBe(true);
    expect(readManifest(r.dir)).toMatchObject({ isolation: 'thread', threads: 1 });
    const json = JSON.parse(readFileSync(join(r.dir, FILES.aggregate), 'utf8'));
    expect(json.complete).toBe(true);
    expect(json.cells).toHaveLength(8);
    expect(json.counts).toMatchObject({ invalid: 2, unchecked: 2, valid: 4 });
    // One chart stack: every chart of the report as an SVG beside it, nothing else drawn.
    const svgs = readdirSync(r.dir).filter((f) => f.endsWith('.svg')).sort();
    expect(svgs).toEqual(['insert-policy.svg', 'memory-js.svg', 'memory-modeled.svg', 'replay-time.svg', 'throughput.svg', 'tracker-cost.svg', 'vs-baseline.svg']);
    for (const f of [FILES.summary, FILES.csv, FILES.env, FILES.manifest, 'report.html']) expect(existsSync(join(r.dir, f)), f).toBe(true);
    expect(readFileSync(join(r.dir, 'throughput.svg'), 'utf8')).toContain('INVALID');
    // The load average at the end of the run is recorded beside the one at its start.
    expect(JSON.parse(readFileSync(join(r.dir, FILES.env), 'utf8'))).toMatchObject({ loadAverage1m: ENV.loadAverage1m, loadAverageEnd1m: ENV.loadAverage1m });
    expect(readManifest(r.dir).finishedAt).not.toBeNull();
    const text = stdout.text();
    expect(text).toMatch(/forks: a fresh worker thread per tracker and fork, the forks of a block taking turns \(8 timing slices each\), 1 fork measuring at once \(one at a time for stable timing/);
    expect(text).toMatch(/sanity: the null tracker is/);
    expect(text).toMatch(/\| *forks *\|| forks /);
    expect(text).toContain('INVALID');
    expect(text).toContain('harness');
    expect(text).toMatch(/harness overhead: empty replay = /);
    expect(text).toMatch(/FAILED: 2 of 8 cells are INVALID or errored/);
    // The findings end the output, before the list of files and the verdict.
    expect(text).toMatch(/\nFindings:\n {2}w @ 4: fastest [^\n]+\n {2}v @ 4: fastest /);
    expect(text.indexOf('Findings:')).toBeGreaterThan(text.indexOf('harness overhead'));
    expect(text).toContain(`report: ${join(r.dir, 'report.html')}`);
    expect(stderr.text().split('\n').filter((l) => l.startsWith('['))).toHaveLength(2);
    const md = readFileSync(join(r.dir, FILES.summary), 'utf8');
    expect(md).toContain('## w');
    expect(md).toContain('## Failures');
  });

  it('tracker modules (the matrix file\'s, then --tracker-module) load before the lineup and go into run.json and the hash by digest', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const loaded: string[] = [];
    const digests: Record<string, string> = { 'mods/a.ts': 'aaaaaaaaaaaaaaaa', 'b.ts': 'bbbbbbbbbbbbbbbb' };
    const loadModule = async (path: string) => {
      loaded.push(path);
      const key = Object.keys(digests).find((k) => path.endsWith(k))!;
      return { path, parts: [], digest: digests[key]!, files: [path] };
    };
    const withModules = (file: string): RunDeps =>
      deps({
        loadModule,
        loadConfig: () => parseMatrixConfig(JSON.stringify({ trackers: ['base', 'good'], baseline: 'base', modules: ['mods/a.ts'], timing: { timeMs: 5 } }), file),
        createPool: fakePool({ tasks: [], linesAtStart: [] }, () => join(out, 'mods')),
      });
    const r = await runBench({ outDir: out, runId: 'mods', workloads: ['w'], sizes: [{ sizes: [4] }], trackerModules: ['b.ts', 'b.ts'] }, withModules('/etc/m/matrix.json'));
    expect(loaded).toEqual(['/etc/m/mods/a.ts', resolve('b.ts')]);
    const m = readManifest(r.dir).matrix;
    expect(m.modules).toEqual([
      { path: '/etc/m/mods/a.ts', digest: 'aaaaaaaaaaaaaaaa' },
      { path: resolve('b.ts'), digest: 'bbbbbbbbbbbbbbbb' },
    ]);
    // The hash follows the code, not where it is checked out; without modules it is the old hash.
    const plan = (file: string, mods: string[]) =>
      planRun({ workloads: ['w'], sizes: [{ sizes: [4] }], trackerModules: mods }, withModules(file)).then((p) => p.matrix.hash);
    expect(await plan('/elsewhere/matrix.json', ['b.ts'])).toBe(m.hash);
    digests['b.ts'] = 'cccccccccccccccc';
    expect(await plan('/etc/m/matrix.json', ['b.ts'])).not.toBe(m.hash);
    const none = await planRun({ workloads: ['w'], sizes: [{ sizes: [4] }] }, deps({ loadConfig: () => config(['base', 'good']) }));
    expect(none.modules).toEqual([]);
    expect(none.matrix.modules).toEqual([]);
    await expect(runBench({ outDir: out, resume: 'mods', trackerModules: ['b.ts'] }, deps())).rejects.toThrow(/drop --tracker-module/);
  });

  it('--list prints the cells and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mb-run-')), 'never');
    const stdout = sink();
    const r = await runBench({ outDir: out, list: true, shard: '2/2' }, deps({ stdout: stdout.stream }));
    expect(r.exitCode).toBe(0);
    expect(existsSync(out)).toBe(false);
    const text = stdout.text();
    expect(text).toMatch(/6 groups × 4 trackers = 24 cells, each measured in 2 forks \(a fresh isolate each\) = 48 forks; shard 2\/2: 3 groups, 12 cells/);
    expect(text).toMatch(/\nestimated: .* on 2 unloaded cores/);
    const cells = text.split('cells:\n')[1]!.trim().split('\n');
    expect(cells).toHaveLength(12);
    expect(cells[0]).toBe('w/8/1/null');
  });

  it('an interrupted run keeps its finished groups; --resume finishes it without losing or duplicating a cell', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const dir = join(out, 'job');
    const seen = { tasks: [] as PrepareTask[], linesAtStart: [] as number[] };
    // First attempt: the preparing worker dies after two groups (the third is recorded as errored).
    const first = await runBench({ outDir: out, runId: 'job', workloads: ['w'] }, deps({ createPool: fakePool(seen, () => dir, 2) }));
    expect(first.exitCode).toBe(1);
    const all = readResultLines(join(dir, FILES.lines)).lines;
    const failed = all.filter((l) => l.groupId === 'w/16/1');
    expect(failed).toHaveLength(4 * 2);
    expect(failed.every((l) => l.validity === 'errored' && l.error === 'worker: worker killed')).toBe(true);
    // Simulate a crash mid-append: a torn tail after the failed group's lines.
    const good = all.filter((l) => l.groupId !== 'w/16/1');
    writeFileSync(join(dir, FILES.lines), all.map((l) => JSON.stringify(l)).join('\n') + '\n' + JSON.stringify(all.at(-1)).slice(0, 30));
    const stdout = sink();
    const seen2 = { tasks: [] as PrepareTask[], linesAtStart: [] as number[] };
    const second = await runBench({ outDir: out, resume: 'job' }, deps({ createPool: fakePool(seen2, () => dir), stdout: stdout.stream }));
    expect(stdout.text()).toMatch(/resuming .*job: 2 of 3 groups finished; dropped 8 lines of unfinished groups; dropped a torn last line/);
    expect(seen2.tasks.map((t) => `${t.workload}/${t.size}/${t.seed}`)).toEqual(['w/16/1']);
    const lines = readResultLines(join(dir, FILES.lines)).lines;
    const keys = lines.map((l) => `${l.cellId}#${l.fork}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(3 * 4 * 2);
    // The groups finished before the crash are kept, every line unchanged (their order: see below).
    const byKey = (ls: typeof lines) => [...ls].sort((a, b) => `${a.cellId}#${a.fork}`.localeCompare(`${b.cellId}#${b.fork}`));
    expect(byKey(lines.filter((l) => l.groupId !== 'w/16/1'))).toEqual(byKey(good));
    expect(second.summary!.complete).toBe(true);
    expect(readManifest(dir).resumedAt).toHaveLength(1);
  });

  // Regression (fixed in 6aaaa8b): completeGroups kept lines grouped by cell, so when --resume
  // rewrote results.jsonl (a torn tail, or lines of an unfinished group to drop) the finished
  // groups' lines came back reordered, no longer byte for byte.
  it('--resume keeps the lines of finished groups byte for byte, in their order', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const dir = join(out, 'job');
    await runBench({ outDir: out, runId: 'job', workloads: ['w'], sizes: [{ sizes: [4, 8] }] }, deps({ createPool: fakePool({ tasks: [], linesAtStart: [] }, () => dir) }));
    const before = readFileSync(join(dir, FILES.lines), 'utf8');
    // A torn tail makes --resume rewrite the file.
    writeFileSync(join(dir, FILES.lines), before + before.split('\n')[0]!.slice(0, 30));
    await runBench({ outDir: out, resume: 'job' }, deps({ createPool: fakePool({ tasks: [], linesAtStart: [] }, () => dir) }));
    const after = readFileSync(join(dir, FILES.lines), 'utf8');
    expect(after.split('\n').sort()).toEqual(before.split('\n').sort()); // the same lines…
    expect(after).toBe(before); // …in the same order
  });

  it('--resume refuses matrix options and unknown runs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    await expect(runBench({ outDir: out, resume: 'x', trackers: ['good'] }, deps())).rejects.toThrow(/--resume takes the matrix.*drop --tracker/);
    await expect(runBench({ outDir: out, resume: 'x', forks: 3, isolation: 'process' }, deps())).rejects.toThrow(/drop --forks, --isolation$/);
    await expect(runBench({ outDir: out, resume: 'nope' }, deps())).rejects.toThrow(/no run "nope"/);
  });

  it('a crashing worker marks its group errored and the run fails', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const r = await runBench(
      { outDir: out, workloads: ['w'], sizes: [{ sizes: [4] }] },
      deps({ createPool: (n) => ({ threads: n, prepare: () => Promise.reject(new Error('worker died')), verify: noVerify, destroy: async () => {} }) }),
    );
    expect(r.exitCode).toBe(1);
    expect(r.summary!.cells.every((c) => c.validity === 'errored' && c.error === 'worker: worker died' && c.forks === 0)).toBe(true);
  });

  it('bad input is an InputError before anything is written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mb-run-')), 'never');
    await expect(runBench({ trackers: ['nope'], outDir: out }, deps())).rejects.toThrow(InputError);
    await expect(runBench({ parallel: 0, outDir: out }, deps())).rejects.toThrow(/--parallel/);
    await expect(runBench({ quick: true, matrixFile: 'x.json', outDir: out }, deps())).rejects.toThrow(/--quick and --matrix/);
    await expect(runBench({ shard: '3/2', outDir: out }, deps())).rejects.toThrow(/outside 1..2/);
    await expect(runBench({ machine: 'no-such-profile', outDir: out }, deps())).rejects.toThrow(/unknown profile "no-such-profile"; valid profiles: /);
    await expect(
      runBench({ outDir: out }, deps({ loadConfig: () => config(['base']), matrixSources: { trackerNames: () => ['base'], workloadNames: () => [], defaultSizes: () => [] } })),
    ).rejects.toThrow(
      /no workload matches "\*"/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('runBench with tracker modules', () => {
  // Real preparation pool (verify runs on it) and real machines in-process; one tiny group.
  const examples = resolve(import.meta.dirname, '../../../examples');
  const opts = { workloads: ['ttm-fault'], sizes: [{ sizes: [16] }], forks: 2, timeMs: 3, charts: false } as const;
  const real = (over: RunDeps = {}): RunDeps => ({
    collectEnv: () => ({ ...ENV }),
    loadAverage: () => ENV.loadAverage1m,
    runFork: (task) => measureFork(task),
    stdout: sink().stream,
    stderr: sink().stream,
    tty: false,
    ...over,
  });

  it('verifies a module-loaded tracker before timing it; one that diverges from the oracle is not timed, its cells errored with why', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const stdout = sink();
    const broken = 'first-overlap-only+page-bit-ram-walk+single-page';
    const r = await runBench({ ...opts, outDir: out, trackerModules: [join(examples, 'broken-store.ts')], trackers: [broken] }, real({ stdout: stdout.stream }));
    expect(r.exitCode).toBe(1);
    expect(readManifest(r.dir).verification).toEqual({ [broken]: { state: 'failed', error: expect.stringMatching(/^diverges from the oracle at .*conflict-inherit\.jsonl, line \d+ \(memtype_reserve\)$/) } });
    expect(stdout.text()).toMatch(new RegExp(`verify: ${broken.replace(/\+/g, '\\+')} FAILED: .*it will not be timed`));
    const cell = r.summary!.cells.find((c) => c.tracker === broken)!;
    expect(cell).toMatchObject({ validity: 'errored', forks: 0 });
    expect(cell.error).toMatch(/^not timed: verify failed: diverges from the oracle/);
    // The built-in trackers of the group were measured as usual.
    expect(r.summary!.cells.find((c) => c.role === 'baseline')).toMatchObject({ validity: 'valid', forks: 2 });
  }, 60_000);

  it('--no-verify times a module-loaded tracker and marks its matching cells unchecked', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const mine = 'sorted-array+page-bit-ram-walk+single-page';
    const r = await runBench({ ...opts, outDir: out, trackerModules: [join(examples, 'sorted-array-store.ts')], trackers: [mine], verify: false }, real());
    expect(readManifest(r.dir).verification).toEqual({ [mine]: { state: 'skipped' } });
    const cell = r.summary!.cells.find((c) => c.tracker === mine)!;
    expect(cell).toMatchObject({ validity: 'unchecked', forks: 2, digest: cell.oracleDigest });
    expect(r.exitCode).toBe(0);
  }, 60_000);
});
