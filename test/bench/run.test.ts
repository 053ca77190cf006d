import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { measureGroup } from '../../bench/cell.js';
import type { MatrixSources } from '../../bench/matrix.js';
import type { GroupPool } from '../../bench/pool.js';
import { runBench } from '../../bench/run.js';
import { InputError } from '../../core/errors.js';
import { fakeDeps } from './fakes.js';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

function sources(trackers: string[]): MatrixSources {
  return { trackerNames: () => trackers, workloadNames: () => ['w', 'v'], defaultSizes: () => [4, 8, 16] };
}

/**
 * In-process pool over the fakes, one group at a time like a 1-thread pool;
 * records how many cells results.json held when each group started.
 */
function fakePool(outDir: string, seen: number[]): (n: number) => GroupPool {
  return (n) => {
    let chain: Promise<unknown> = Promise.resolve();
    return {
      threads: n,
      run(task) {
        const p = chain.then(async () => {
          await new Promise((r) => setImmediate(r)); // let the previous group's result be handled
          const file = join(outDir, readdirSync(outDir)[0]!, 'results.json');
          seen.push(JSON.parse(readFileSync(file, 'utf8')).cells.length);
          return measureGroup(task, fakeDeps(40));
        });
        chain = p.catch(() => undefined);
        return p;
      },
      async destroy() {},
    };
  };
}

const FAST = 10;

describe('runBench', () => {
  it('writes results after every group, charts and the table; exit 1 on an invalid cell', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const seen: number[] = [];
    const stdout = sink();
    const stderr = sink();
    const r = await runBench(
      { timeMs: FAST, outDir: out, sizes: [4] },
      { matrixSources: sources(['good', 'bad']), createPool: fakePool(out, seen), stdout: stdout.stream, stderr: stderr.stream, tty: false },
    );
    expect(r.exitCode).toBe(1);
    // Groups run one after another: each saw every earlier group's cells already saved.
    expect(seen).toEqual([0, 3]);
    const json = JSON.parse(readFileSync(r.resultsFile, 'utf8'));
    expect(json.schemaVersion).toBe(1);
    expect(json.finishedAt).not.toBeNull();
    expect(json.cells).toHaveLength(2 * 3);
    expect(json.cells.map((c: { tracker: string }) => c.tracker).slice(0, 3)).toEqual(['null', 'good', 'bad']);
    expect(json.cells.filter((c: { valid: boolean | null }) => c.valid === false)).toHaveLength(2);
    for (const f of ['throughput.svg', 'memory.svg']) expect(existsSync(join(r.dir, f))).toBe(true);
    expect(readFileSync(join(r.dir, 'throughput.svg'), 'utf8')).toContain('INVALID');
    const text = stdout.text();
    expect(text).toMatch(/pool: 1 worker thread measuring at once/);
    expect(text).toContain('INVALID');
    expect(text).toContain('baseline');
    expect(text).toContain(r.resultsFile);
    expect(text).toMatch(/FAILED: 2 of 6 cells are INVALID or errored/);
    expect(stderr.text().split('\n').filter((l) => l.startsWith('['))).toHaveLength(2);
  });

  it('exit 0 when every cell is valid', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const stdout = sink();
    const r = await runBench(
      { timeMs: FAST, outDir: out, workloads: ['w'], sizes: [4] },
      { matrixSources: sources(['good']), createPool: fakePool(out, []), stdout: stdout.stream, stderr: sink().stream, tty: false },
    );
    expect(r.exitCode).toBe(0);
    expect(stdout.text()).toMatch(/all 1 tracker cells valid/);
  });

  it('a crashing worker marks its group errored and the run fails', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mb-run-'));
    const r = await runBench(
      { timeMs: FAST, outDir: out, workloads: ['w'], sizes: [4] },
      {
        matrixSources: sources(['good']),
        createPool: (n) => ({ threads: n, run: () => Promise.reject(new Error('worker died')), destroy: async () => {} }),
        stdout: sink().stream,
        stderr: sink().stream,
        tty: false,
      },
    );
    expect(r.exitCode).toBe(1);
    expect(r.cells.every((c) => c.error === 'worker: worker died')).toBe(true);
  });

  it('bad input is an InputError before anything is written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mb-run-')), 'never');
    await expect(runBench({ trackers: ['nope'], outDir: out }, { matrixSources: sources(['good']) })).rejects.toThrow(InputError);
    await expect(runBench({ parallel: 0, outDir: out }, { matrixSources: sources(['good']) })).rejects.toThrow(InputError);
    await expect(runBench({ outDir: out }, { matrixSources: { trackerNames: () => [], workloadNames: () => [], defaultSizes: () => [] } })).rejects.toThrow(/nothing to run/);
    expect(existsSync(out)).toBe(false);
  });
});
