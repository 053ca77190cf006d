import { describe, it, expect } from 'vitest';
import { formatSummaryMd } from '../../../bench/present/markdown.js';
import type { ResultLine, RunManifest } from '../../../bench/store/results.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { line } from '../../helpers/fakes.js';

const FORKS = 3;
const CTX = { runId: 'r', matrixHash: 'h', baseline: 'base', forks: FORKS, expected: [] as string[] };

/** Fork `fork` of a cell: `n` samples of ±1% around `ns`. */
function fork(tracker: string, k: number, ns: number, over: Partial<ResultLine> = {}, n = 10): ResultLine {
  return line({ tracker, fork: k, forks: FORKS, samplesNs: Array.from({ length: n }, (_, i) => ns * (0.99 + (0.02 * i) / (n - 1))), ...over });
}

/** Lines of one group at `size`: null at 500 ns, base at 1000 ns, good at `goodNs`; three forks each (fork k ±0.5%). */
function group(size: number, goodNs: number, ops = 100): ResultLine[] {
  const out: ResultLine[] = [];
  for (let k = 0; k < FORKS; k++)
    for (const [tracker, ns] of [
      ['null', 500],
      ['base', 1000],
      ['good', goodNs],
    ] as const)
      out.push(fork(tracker, k, ns * (1 + 0.005 * (k - 1)), { size, ops, cellId: `w/${size}/1/${tracker}`, groupId: `w/${size}/1` }));
  return out;
}

describe('summary.md', () => {
  it('renders a Markdown summary with the forks column, the sanity check and the failures', () => {
    const lines = [...group(16, 800), ...[0, 1, 2].map((k) => fork('wild', k, [800, 1200, 900][k]!, { cellId: 'w/16/1/wild', groupId: 'w/16/1' })), line({ tracker: 'bad', size: 16, validity: 'invalid', error: 'digest differs', stats: null })];
    const s = summarize(lines, CTX);
    const manifest = {
      runId: 'r',
      createdAt: 'a',
      finishedAt: 'b',
      threads: 1,
      shard: null,
      matrix: { source: 'm.json', description: 'd', forks: 3, timingNote: 't', machine: 'fake', cellCount: 5, skipped: ['maple+*'] },
    } as unknown as RunManifest;
    const md = formatSummaryMd({ dir: '/r', manifest, lines, env: null, summary: s, tornTail: false, projection: null });
    expect(md).toContain('# memtype-bench run r');
    // The findings come first.
    expect(md.indexOf('## Findings')).toBeLessThan(md.indexOf('matrix: `m.json`'));
    expect(md).toMatch(/## Findings\n\n- w @ 16: fastest [^\n]*; slowest /);
    expect(md).toContain('| tracker | size | seed | ops/s | ±95% | forks | ns/op | tracker-only ns/op [95%] | p99 ns/op | time ÷ baseline [95%] |');
    expect(md).toContain('base (baseline)');
    expect(md).toMatch(/\| wild \|.*\| 3 UNSTABLE ×1\.50 \|/);
    expect(md).toContain('1 cell UNSTABLE');
    expect(md).toContain('sanity: the null tracker is the fastest cell of every group');
    expect(md).toContain('each in 3 forks');
    expect(md).toContain('INVALID');
    expect(md).toContain('optional lineup entries not registered: maple+*');
    expect(md).toMatch(/harness overhead: empty replay = /);
    expect(md).toMatch(/## Failures\n[\s\S]*w\/16\/1\/bad/);
  });
});
