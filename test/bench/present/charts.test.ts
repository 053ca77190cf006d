import { describe, it, expect } from 'vitest';
import { chartRows, INVALID_COLOR, memorySpec, renderSvg, throughputSpec } from '../../../bench/present/charts.js';
import type { ChartCell } from '../../../bench/present/charts.js';

function record(over: Partial<ChartCell>): ChartCell {
  return { workload: 'w', size: 16, tracker: 'good', validity: 'valid', opsPerSec: 1e6, nsPerOp: 1000, modeledBytes: 4096, jsBytes: 2048, ...over };
}

const TRACKERS = ['interval-tree+page-bit+single-page', 'vma-walk+page-bit+single-page'];

function cells(invalidAt: number | null) {
  const out: ChartCell[] = [];
  for (const size of [16, 256, 4096]) {
    out.push(record({ tracker: 'null', validity: 'unchecked', size, opsPerSec: 5e6 / Math.log2(size), modeledBytes: 4096 }));
    for (const t of TRACKERS) {
      const invalid = t === TRACKERS[1] && size === invalidAt;
      out.push(record({ tracker: t, size, opsPerSec: 1e6 / Math.log2(size), modeledBytes: size * 64, validity: invalid ? 'invalid' : 'valid' }));
    }
  }
  return out;
}

describe('charts', () => {
  it('specs are plain data (JSON round-trips)', () => {
    const spec = throughputSpec(chartRows(cells(256)));
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(JSON.stringify(spec)).toContain('DejaVu Sans');
  });

  it('throughput SVG names every tracker and marks the invalid cell', async () => {
    const svg = await renderSvg(throughputSpec(chartRows(cells(256))));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const t of [...TRACKERS, 'null']) expect(svg).toContain(t);
    expect(svg).toContain('INVALID');
    expect(svg.toLowerCase()).toContain(INVALID_COLOR);
  });

  it('an all-valid run draws no invalid mark', async () => {
    const svg = await renderSvg(throughputSpec(chartRows(cells(null))));
    for (const t of TRACKERS) expect(svg).toContain(t);
    expect(svg).not.toContain('INVALID');
    expect(svg.toLowerCase()).not.toContain(INVALID_COLOR);
  });

  it('rendering is deterministic, and the memory chart renders', async () => {
    const rows = chartRows(cells(256));
    expect(await renderSvg(memorySpec(rows))).toBe(await renderSvg(memorySpec(rows)));
    expect(await renderSvg(memorySpec(rows))).toContain('modeled bytes');
  });

  it('errored cells (no value) are left out rather than charted', () => {
    const spec = throughputSpec(chartRows([record({ tracker: 'x', opsPerSec: null, validity: 'errored' }), record({ tracker: 'y' })])) as { data: { values: { tracker: string }[] } };
    expect(spec.data.values.map((v) => v.tracker)).toEqual(['y']);
  });
});
