import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureGroup, type GroupTask } from '../../bench/cell.js';
import type { GroupPool } from '../../bench/pool.js';
import { FILES, readManifest, readResultLines } from '../../bench/results.js';
import { planRun, runBench, type RunDeps } from '../../bench/run.js';
import type { RunEnv } from '../../bench/env.js';
import { InputError } from '../../core/errors.js';
import { parseMatrixConfig } from '../../bench/matrix-config.js';
import { config, fakeDeps, sink, sources } from './fakes.js';

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
 * In-process pool over the fakes, one group at a time like a 1-thread pool;
 * records each task and how many result lines were on disk when it started.
 * `dieAfter`: the pool rejects every task after that many (a killed run).
 */
function fakePool(seen: { tasks: GroupTask[]; linesAtStart: number[] }, out: () => string, dieAfter = Infinity): (n: number) => GroupPool {
  return (n) => {
    let chain: Promise<unknown> = Promise.resolve();
    return {
      threads: n,
      run(task) {
        const p = chain.then(async () => {
          await new Promise((r) => setImmediate(r));
          seen.linesAtStart.push(readResultLines(join(out(), FILES.lines)).lines.length);
          seen.tasks.push(task);
          if (seen.tasks.length > dieAfter) throw new Error('worker killed');
          return measureGroup(task, fakeDeps(40));
        });
        chain = p.catch(() => undefined);
        return p;
      },
      async destroy() {},
    };
  };
}

function deps(over: RunDeps & { trackers?: string[] } = {}): RunDeps {
  return {
    matrixSources: sources(over.trackers ?? ['base', 'good', 'bad']),
    loadConfig: () => config(['base', 'good', 'bad'], { rounds: 2 }),
    collectEnv: () => ({ ...ENV }),
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
    const seen = { tasks: [] as GroupTask[], linesAtStart: [] as number[] };
    const stdout = sink();
    const stderr = sink();
    const r = await runBench(
      { outDir: out, workloads: ['w', 'v'], sizes: [{ sizes: [4] }] },
      deps({ createPool: fakePool(seen, () => join(out, '2026-01-02T03-04-05Z')), stdout: stdout.stream, stderr: stderr.stream }),
    );
    expect(r.exitCode).toBe(1);
    expect(r.runId).toBe('2026-01-02T03-04-05Z');
    // Each group saw every earlier group's lines on disk: 4 trackers × 2 rounds per group.
    expect(seen.linesAtStart).toEqual([0, 8]);
    expect(seen.tasks[0]).toMatchObject({ groupId: 'w/4/1', rounds: 2, trackers: ['null', 'base', 'good', 'bad'], machineLabel: 'fake-profile' });
    const lines = readResultLines(r.resultsFile).lines;
    expect(lines).toHaveLength(2 * 4 * 2);
    expect(new Set(lines.map((l) => `${l.cellId}#${l.round}`)).size).toBe(16);
    const json = JSON.parse(readFileSync(join(r.dir, FILES.aggregate), 'utf8'));
    expect(json.complete).toBe(true);
    expect(json.cells).toHaveLength(8);
    expect(json.counts).toMatchObject({ invalid: 2, unchecked: 2, valid: 4 });
    for (const f of [FILES.summary, FILES.csv, FILES.env, FILES.manifest, 'throughput.svg', 'memory.svg']) expect(existsSync(join(r.dir, f)), f).toBe(true);
    expect(readFileSync(join(r.dir, 'throughput.svg'), 'utf8')).toContain('INVALID');
    expect(readManifest(r.dir).finishedAt).not.toBeNull();
    const text = stdout.text();
    expect(text).toMatch(/pool: 1 worker thread measuring at once \(one busy worker/);
    expect(text).toContain('INVALID');
    expect(text).toContain('harness');
    expect(text).toMatch(/harness overhead: empty replay = /);
    expect(text).toMatch(/FAILED: 2 of 8 cells are INVALID or errored/);
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
    expect(text).toMatch(/6 groups × 4 trackers = 24 cells, each measured in 2 interleaved rounds; shard 2\/2: 3 groups, 12 cells/);
    const cells = text.split('cells:\n')[1]!.trim().split('\n');
    expect(cells).toHaveLength(12);
    expect(cells[0]).toBe('w/8/1/null');
  });

  it('an interrupted run keeps its finished groups; --resume finishes it without losing or duplicating a cell', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const dir = join(out, 'job');
    const seen = { tasks: [] as GroupTask[], linesAtStart: [] as number[] };
    // First attempt: the worker dies after two groups (the rest are recorded as errored).
    const first = await runBench({ outDir: out, runId: 'job', workloads: ['w'] }, deps({ createPool: fakePool(seen, () => dir, 2) }));
    expect(first.exitCode).toBe(1);
    // Simulate a crash mid-append: the errored group's lines and a torn tail.
    const all = readResultLines(join(dir, FILES.lines)).lines;
    const good = all.filter((l) => l.groupId !== 'w/16/1');
    writeFileSync(join(dir, FILES.lines), good.map((l) => JSON.stringify(l)).join('\n') + '\n' + JSON.stringify(all.at(-1)).slice(0, 30));
    const stdout = sink();
    const seen2 = { tasks: [] as GroupTask[], linesAtStart: [] as number[] };
    const second = await runBench({ outDir: out, resume: 'job' }, deps({ createPool: fakePool(seen2, () => dir), stdout: stdout.stream }));
    expect(stdout.text()).toMatch(/resuming .*job: 2 of 3 groups finished; dropped a torn last line/);
    expect(seen2.tasks.map((t) => t.groupId)).toEqual(['w/16/1']);
    const lines = readResultLines(join(dir, FILES.lines)).lines;
    const keys = lines.map((l) => `${l.cellId}#${l.round}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(3 * 4 * 2);
    // The groups finished before the crash are kept byte for byte.
    expect(lines.filter((l) => l.groupId !== 'w/16/1')).toEqual(good);
    expect(second.summary!.complete).toBe(true);
    expect(readManifest(dir).resumedAt).toHaveLength(1);
  });

  it('--resume refuses matrix options and unknown runs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    await expect(runBench({ outDir: out, resume: 'x', trackers: ['good'] }, deps())).rejects.toThrow(/--resume takes the matrix.*drop --tracker/);
    await expect(runBench({ outDir: out, resume: 'nope' }, deps())).rejects.toThrow(/no run "nope"/);
  });

  it('a crashing worker marks its group errored and the run fails', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const r = await runBench(
      { outDir: out, workloads: ['w'], sizes: [{ sizes: [4] }] },
      deps({ createPool: (n) => ({ threads: n, run: () => Promise.reject(new Error('worker died')), destroy: async () => {} }) }),
    );
    expect(r.exitCode).toBe(1);
    expect(r.summary!.cells.every((c) => c.validity === 'errored' && c.error === 'worker: worker died')).toBe(true);
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
