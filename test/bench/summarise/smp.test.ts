/**
 * An SMP run's summary from a synthetic run with known figures
 * (test/helpers/smp-fixture.ts): per-cell aggregate and per-CPU ops/s,
 * speedup over 1 CPU, lock-wait share, hand-offs, critical-section time,
 * oversubscribed marking in the cells, the table, the CSV and the findings;
 * an invalid SMP cell stays invalid everywhere; the projection from the
 * 1-CPU costs.
 */
import { describe, expect, it } from 'vitest';
import { textRows } from '../../../bench/present/columns.js';
import { formatCsv, csvHeader } from '../../../bench/present/csv.js';
import { findingLines, smpTables } from '../../../bench/present/facts.js';
import { formatProjection } from '../../../bench/commands/project.js';
import { handoffForRatio, HOLT } from '../../../bench/summarise/project.js';
import { projectRun } from '../../../bench/summarise/projection.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { NS_PER_OP, OPS_PER_CPU, SMP_BASE, SMP_CTX, SMP_SPIN, smpRunLines } from '../../helpers/smp-fixture.js';

const cell = (s: ReturnType<typeof summarize>, tracker: string, cpus: number) => s.cells.find((c) => c.tracker === tracker && c.cpus === cpus)!;

describe('SMP cell figures', () => {
  const s = summarize(smpRunLines(), SMP_CTX);

  it('aggregate ops/s is every CPU\'s ops ÷ the slowest CPU\'s replay; per-CPU ops/s is each CPU\'s ops ÷ its own replay', () => {
    const c = cell(s, SMP_BASE, 4);
    expect(c.opsPerSec).toBeCloseTo((4 * OPS_PER_CPU) / ((OPS_PER_CPU * 110) / 1e9), -4);
    expect(c.smp!.perCpuOpsPerSec).toHaveLength(4);
    // CPU c ran 1% × c faster than CPU 0.
    expect(c.smp!.perCpuOpsPerSec[3]! / c.smp!.perCpuOpsPerSec[0]!).toBeCloseTo(1 / 0.97, 3);
    expect(cell(s, SMP_BASE, 1).smp!.perCpuOpsPerSec).toEqual([expect.closeTo(1e9 / 100, -2)]);
  });

  it('speedup over the same tracker at 1 CPU, with an interval that holds it; none at 1 CPU', () => {
    const cmp = cell(s, SMP_BASE, 4).smp!.speedup!;
    expect(cmp.ratio).toBeCloseTo((4 * 100) / 110, 2);
    expect(cmp.low).toBeLessThan(cmp.ratio);
    expect(cmp.high).toBeGreaterThan(cmp.ratio);
    expect(cell(s, SMP_SPIN, 4).smp!.speedup!.ratio).toBeCloseTo((4 * 100) / 300, 2);
    expect(cell(s, SMP_SPIN, 1).smp!.speedup).toBeNull();
  });

  it('lock-wait share, hand-offs per acquisition, acquisitions and critical-section ns per op from the lock\'s counts', () => {
    const spin4 = cell(s, SMP_SPIN, 4).smp!;
    expect(spin4.waitShare).toBeCloseTo(0.6, 6);
    expect(spin4.handoffsPerAcquisition).toBeCloseTo(0.5, 6);
    expect(spin4.acquisitionsPerOp).toBeCloseTo(1, 6);
    const spin1 = cell(s, SMP_SPIN, 1).smp!;
    expect(spin1.csNsPerOp).toBeCloseTo(50, 6);
    expect(spin1.waitShare).toBe(0);
    expect(cell(s, SMP_BASE, 4).smp!.handoffsPerAcquisition).toBeNull();
    expect(spin4.csOrder).toBe('replayed');
  });

  it('cells above the host\'s parallelism are oversubscribed, in the cells, the table and the CSV', () => {
    expect(cell(s, SMP_BASE, 4).oversubscribed).toBe(true);
    expect(cell(s, SMP_BASE, 1).oversubscribed).toBe(false);
    const { head, rows } = textRows('terminal', s.cells);
    const at = head.indexOf('cpus');
    expect(at).toBeGreaterThan(0);
    for (const h of ['per-CPU ops/s', 'speedup vs 1 CPU [95%]', 'lock wait', 'hand-offs/acq']) expect(head).toContain(h);
    expect(rows.filter((r) => r[at] === '4 OVERSUB')).toHaveLength(3);
    expect(rows.filter((r) => r[at] === '1')).toHaveLength(3);
    const csv = formatCsv(s).trim().split('\n');
    const cols = csv[0]!.split(',');
    for (const h of ['cpus', 'oversubscribed', 'availableParallelism', 'perCpuOpsPerSec', 'speedup', 'waitShare', 'handoffsPerAcquisition']) expect(cols).toContain(h);
    const row = csv.find((l) => l.startsWith(`xpmem-insert/64/1/4cpu/${SMP_SPIN},`))!.split(',');
    expect(row[cols.indexOf('oversubscribed')]).toBe('true');
    expect(row[cols.indexOf('availableParallelism')]).toBe('2');
    // A single-CPU run's CSV keeps its columns as before SMP cells existed.
    expect(csvHeader(false)).not.toContain('cpus');
  });

  it('on a host with enough CPUs nothing is oversubscribed', () => {
    const big = summarize(smpRunLines({ host: 64 }), SMP_CTX);
    expect(big.cells.some((c) => c.oversubscribed)).toBe(false);
    expect(textRows('terminal', big.cells).rows.flat().join(' ')).not.toContain('OVERSUB');
  });

  it('findings: speedups at the most CPUs and Holt\'s comparison (spinlock ÷ cmpxchg on xpmem-insert), OVERSUBSCRIBED said', () => {
    const h = s.findings.holt!;
    expect(h).toMatchObject({ cpus: 4, oversubscribed: true, spinlock: SMP_SPIN, cmpxchg: SMP_BASE });
    expect(h.ratio.ratio).toBeCloseTo(300 / 110, 2);
    const text = findingLines(s).join('\n');
    expect(text).toMatch(/Holt's effect: spinlock ÷ cmpxchg time on xpmem-insert at 4 CPUs \(OVERSUBSCRIBED\): 2\.7\d/);
    expect(text).toMatch(/scaling on xpmem-insert @ 64 pages per CPU per round, 4 CPUs \(OVERSUBSCRIBED\) over 1: baseline ×3\.6\d/);
  });

  it('the SMP tables: time ÷ baseline at the most CPUs, and Holt\'s rows beside this run\'s', () => {
    const [ratios, holt] = smpTables({ summary: s, projection: null });
    expect(ratios!.head).toEqual(['workload', 'size', 'CPUs', 'spinlock']);
    expect(ratios!.rows).toEqual([['xpmem-insert', '64', '4 OVERSUB', expect.stringMatching(/^2\.7\d /)]]);
    expect(holt!.rows.map((r) => [r[0], r[1], r[2]!.split(' ')[0]])).toEqual([
      ['this run, measured (OVERSUBSCRIBED)', '4', expect.stringMatching(/^2\.7/)],
      ['Holt 2010, measured', '32', '52'],
      ['Holt 2010, measured', '256', '683'],
    ]);
  });
});

describe('an invalid SMP cell', () => {
  it('stays invalid: in the summary, out of the findings\' comparison, named in the ratio table', () => {
    const s = summarize(smpRunLines({ invalid: { tracker: SMP_SPIN, cpus: 4 } }), SMP_CTX);
    expect(cell(s, SMP_SPIN, 4).validity).toBe('invalid');
    expect(s.counts.invalid).toBe(1);
    expect(s.findings.holt ?? null).toBeNull();
    expect(smpTables({ summary: s, projection: null })[0]!.rows[0]![3]).toBe('INVALID');
  });
});

describe('projection of a run', () => {
  const s = summarize(smpRunLines(), SMP_CTX);

  it('projects each tracker from its 1-CPU cell; the lock-free baseline scales linearly, the spinlock saturates at 1 ÷ (cs + hand-off)', () => {
    const p = projectRun('smp-fixture', s.cells, [1, 32, 256], 134);
    expect(p.series.map((x) => x.tracker).sort()).toEqual([SMP_BASE, SMP_SPIN]);
    const base = p.series.find((x) => x.tracker === SMP_BASE)!;
    const spin = p.series.find((x) => x.tracker === SMP_SPIN)!;
    expect(base.cost).toEqual({ csNs: 0, nonCsNs: expect.closeTo(NS_PER_OP[SMP_BASE]![1]!, 1), acquisitionsPerOp: 0 });
    expect(spin.cost).toEqual({ csNs: expect.closeTo(50, 6), nonCsNs: expect.closeTo(50, 1), acquisitionsPerOp: 1 });
    expect(base.points[2]!.speedup).toBeCloseTo(256, 6);
    // The model's 1-CPU point is the measured cell.
    expect(spin.points[0]!.opsPerSec).toBeCloseTo(spin.measuredOneCpuOpsPerSec, -3);
    expect(spin.points[2]!.opsPerSec).toBeCloseTo(1e9 / (50 + 134), -3);
    expect(p.holt!.ratios[2]!.ratio).toBeCloseTo(base.points[2]!.opsPerSec / spin.points[2]!.opsPerSec, 6);
    expect(p.holt!.at256).toBeCloseTo(p.holt!.ratios[2]!.ratio, 6);
    // Asked for 32 CPUs only, the 256-CPU ratio (Holt's) is still given, with the same model.
    expect(projectRun('smp-fixture', s.cells, [32], 134).holt!.at256).toBeCloseTo(p.holt!.at256, 6);
    expect(formatProjection(projectRun('smp-fixture', s.cells, [32], 134), true)).toMatch(/at 256 CPUs the model gives [\d.]+× against Holt's 683×/);
  });

  it('the hand-off it solves for gives Holt\'s 683× at 256 CPUs when projected with it', () => {
    const p = projectRun('smp-fixture', s.cells, [256]);
    const h = p.holt!.handoffFor256;
    const holt256 = HOLT.spinlockSeconds[256]! / HOLT.cmpxchgSeconds;
    expect(h).toBeGreaterThan(134);
    expect(handoffForRatio(p.series.find((x) => x.tracker === SMP_SPIN)!.cost, 256, holt256, 0, 100)).toBeCloseTo(h, -1);
    const again = projectRun('smp-fixture', s.cells, [256], h);
    expect(again.holt!.ratios[0]!.ratio).toBeCloseTo(holt256, 0);
    // Both of Holt's points: a smaller fixed hand-off plus a per-waiter growth.
    const two = p.holt!.twoPoint!;
    expect(two.h0).toBeLessThan(h);
    expect(two.c).toBeGreaterThan(0);
    const fit = projectRun('smp-fixture', s.cells, [32, 256], two.h0, two.c).holt!.ratios;
    expect(fit[0]!.ratio).toBeCloseTo(HOLT.spinlockSeconds[32]! / HOLT.cmpxchgSeconds, 0);
    expect(fit[1]!.ratio).toBeCloseTo(holt256, 0);
  });

  it('the command\'s text says PROJECTED, the hand-off, each tracker\'s projected ops/s, and Holt\'s figures beside the model\'s', () => {
    const text = formatProjection(projectRun('smp-fixture', s.cells, [32, 256], 134), true);
    expect(text).toMatch(/^memtype-bench project smp-fixture: PROJECTED, not measured/);
    expect(text).toContain('hand-off 134 ns (default: median one-way cache-line transfer');
    expect(text).toMatch(/32 CPUs ops\/s \(projected\) +speedup +256 CPUs ops\/s \(projected\)/);
    expect(text).toMatch(/\nxpmem-insert +spinlock +[\d,]+ +50\.0 +\d+\.\d +1\.00 /);
    expect(text).toMatch(/Holt measured 52× at 32 CPUs \(1:08 vs ~1\.3 s\) and 683× at 256 CPUs \(14:48 vs ~1\.3 s\)/);
    expect(text).toMatch(/at 256 CPUs the model gives [\d.]+× against Holt's 683× \([\d.]+ times smaller\) with a 134 ns hand-off/);
    expect(text).toMatch(/a constant hand-off of [\d.]+ µs reproduces Holt's 683× at 256 CPUs from this run's costs \(`--handoff-ns \d+`\)/);
  });
});
