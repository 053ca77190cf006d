/**
 * An SMP run's charts (bench/present/chart-specs.ts): throughput against
 * CPUs on a log2 axis per scheme and workload, oversubscribed cells marked,
 * invalid cells drawn as failures; with a projection, a separate chart whose
 * projected points are a dashed layer of their own, labelled projected,
 * never joined to the measured line. Specs compile with vega-lite.
 */
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { chartInput, chartSpecs, type ChartDef } from '../../../bench/present/chart-specs.js';
import { projectRun } from '../../../bench/summarise/projection.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { SMP_CTX, smpRunLines } from '../../helpers/smp-fixture.js';

type Layer = { mark: { type: string; strokeDash?: number[] }; transform?: { filter: unknown }[]; encoding: Record<string, { field?: string; scale?: { type?: string; base?: number }; title?: string }> };
type Panel = { layer: Layer[] };

const defs = (withProjection: boolean, invalid = false): ChartDef[] => {
  const lines = smpRunLines(invalid ? { invalid: { tracker: 'btree+page-bit-ram-walk+single-page+spinlock', cpus: 4 } } : {});
  const s = summarize(lines, SMP_CTX);
  const p = projectRun('smp-fixture', s.cells, [32, 256], 134);
  return chartSpecs(chartInput(s, lines, { 'xpmem-insert': 'pages per CPU per round' }, withProjection ? { series: p.series, handoffNs: p.handoffNs, perWaiterNs: p.perWaiterNs } : undefined));
};
const spec = (d: ChartDef[], name: string) => d.find((c) => c.name === name)!.spec as unknown as { data: { values: Record<string, unknown>[] }; concat: Panel[] };

describe('SMP charts', () => {
  it('an SMP run gets throughput and lock wait against CPUs (log2 x) instead of the size sweeps; every spec compiles', () => {
    const d = defs(false);
    expect(d.map((c) => c.name)).toEqual(['smp-throughput', 'smp-lock', 'vs-baseline', 'replay-time']);
    for (const c of d) expect(() => compile(c.spec), c.name).not.toThrow();
    const x = spec(d, 'smp-throughput').concat[0]!.layer[0]!.encoding.x!;
    expect(x).toMatchObject({ field: 'cpus', scale: { type: 'log', base: 2 } });
  });

  it('without a projection no point is projected; oversubscribed cells are flagged and marked with a square', () => {
    const t = spec(defs(false), 'smp-throughput');
    expect(t.data.values.filter((v) => v.kind === 'projected')).toEqual([]);
    const over = t.data.values.filter((v) => v.flag !== null);
    expect(over.length).toBe(3);
    expect(over.every((v) => v.cpus === 4)).toBe(true);
    expect(t.concat[0]!.layer.some((l) => l.mark.type === 'point' && l.encoding.shape?.field === 'flag')).toBe(true);
  });

  it('with a projection: a separate chart whose projected points are their own dashed layer, labelled projected, the measured layer excluding them', () => {
    const d = defs(true);
    expect(d.map((c) => c.name)).toContain('smp-projection');
    expect(spec(d, 'smp-throughput').data.values.some((v) => v.kind === 'projected')).toBe(false);
    const p = spec(d, 'smp-projection');
    const projected = p.data.values.filter((v) => v.kind === 'projected');
    expect(projected.map((v) => v.cpus).sort((a, b) => Number(a) - Number(b))).toEqual([32, 32, 256, 256]);
    const layers = p.concat[0]!.layer;
    const dashed = layers.filter((l) => l.mark.strokeDash !== undefined);
    expect(dashed).toHaveLength(1);
    expect(dashed[0]!.mark.strokeDash).toEqual([6, 4]);
    expect(JSON.stringify(dashed[0]!.transform)).toContain("datum.kind === 'projected'");
    expect(JSON.stringify(layers[0]!.transform)).toContain("datum.kind !== 'projected'");
    expect(JSON.stringify(p)).toMatch(/PROJECTED by the queueing model \(hand-off 134 ns\), not measured/);
    expect(d.find((c) => c.name === 'smp-projection')!.caption).toMatch(/Dashed lines with hollow points are PROJECTED, not measured/);
    expect(() => compile(d.find((c) => c.name === 'smp-projection')!.spec)).not.toThrow();
  });

  it('an invalid SMP cell is drawn as a failure and named in the caption, not as a measured point', () => {
    const d = defs(false, true);
    const t = d.find((c) => c.name === 'smp-throughput')!;
    expect(t.failed).toEqual(['xpmem-insert/64/1/4cpu/btree+page-bit-ram-walk+single-page+spinlock']);
    expect(t.caption).toMatch(/invalid|INVALID|failed/);
    const v = (t.spec as unknown as { data: { values: Record<string, unknown>[] } }).data.values.find((x) => x.cellId === t.failed[0]);
    expect(v).toMatchObject({ status: 'invalid' });
  });
});
