import { describe, it, expect } from 'vitest';
import { csvHeader, formatCsv } from '../../../bench/present/csv.js';
import type { ResultLine } from '../../../bench/store/results.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { line } from '../../helpers/fakes.js';

const FORKS = 3;
const CTX = { runId: 'r', matrixHash: 'h', baseline: 'base', forks: FORKS, expected: [] as string[] };
const CSV_COLUMNS = csvHeader();
/** results.csv's columns before the tracker-only figures (CI and users read them by name and order). */
const EARLIER = ['cellId', 'workload', 'size', 'seed', 'tracker', 'role', 'machine', 'ops', 'forks', 'samples', 'medianNs', 'medianLowNs', 'medianHighNs', 'p99Ns', 'meanNs', 'rme', 'forkSpread', 'unstable', 'forkFiguresNs', 'warmupReplays', 'warmupMs', 'opsPerSec', 'hmeanOpsPerSec', 'nsPerOp', 'vsBaseline', 'vsBaselineLow', 'vsBaselineHigh', 'harnessShare', 'nullShare', 'modeledBytes', 'jsBytes', 'gcCount', 'gcPauseMs', 'validity', 'digest', 'oracleDigest', 'error'];

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

describe('results.csv (the column model, CSV view)', () => {
  it('renders CSV: a fixed header, vsBaseline* = time ÷ baseline and its interval, fork columns, quoting', () => {
    const lines = [...group(16, 800), line({ tracker: 'bad', size: 16, validity: 'invalid', error: 'digest, "differs"', stats: null })];
    const s = summarize(lines, CTX);
    const csv = formatCsv(s).trimEnd().split('\n');
    // The columns of every earlier version, in their order, then the new ones.
    expect(csv[0]!.startsWith(EARLIER.join(','))).toBe(true);
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(CSV_COLUMNS.slice(EARLIER.length)).toEqual(['trackerNsPerOp', 'trackerNsPerOpLow', 'trackerNsPerOpHigh', 'trackerModeledBytes', 'peakReservations', 'bytesPerReservation', 'jsBytesSuspect']);
    expect(csv).toHaveLength(1 + 4);
    const rows = csv.slice(1).map((r) => r.split(','));
    const col = (row: string[], name: string) => row[CSV_COLUMNS.indexOf(name)]!;
    const good = rows.find((r) => col(r, 'tracker') === 'good')!;
    const g = s.cells.find((c) => c.tracker === 'good')!;
    expect(Number(col(good, 'vsBaseline'))).toBeCloseTo(0.8, 6);
    expect(Number(col(good, 'vsBaselineLow'))).toBeCloseTo(g.vsBaseline!.low, 6);
    expect(Number(col(good, 'vsBaselineHigh'))).toBeCloseTo(g.vsBaseline!.high, 6);
    expect(Number(col(good, 'vsBaselineLow'))).toBeLessThan(0.8);
    expect(col(good, 'forks')).toBe('3');
    expect(col(good, 'forkFiguresNs').split(' ').map(Number)).toEqual(g.forkFiguresNs.map((x) => Number(x.toPrecision(9))));
    expect(col(good, 'unstable')).toBe('false');
    expect(col(rows.find((r) => col(r, 'tracker') === 'base')!, 'vsBaseline')).toBe('1');
    expect(csv.at(-1)).toContain('"digest, ""differs"""');
  });
});
