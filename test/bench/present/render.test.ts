/**
 * Charts: specs as data and byte-identical rendering, against goldens made
 * from the checked-in results folder test/fixtures/results/fixture-run.
 *
 * After an intended change to the charts (or to the summary they are built
 * from), regenerate the goldens and review the diff:
 *   UPDATE_GOLDEN=1 npx vitest run test/bench/present/render.test.ts
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartInput, chartSpecs, CHART_FONT, FAIL_COLOR, insertPairs, ratioRows, SUSPECT_COLOR, throughputSpec, TRACKER_COLORS, UNSTABLE_COLOR, type ChartDef, type ChartInput } from '../../../bench/present/chart-specs.js';
import { addSvgTitles, pngFonts, renderSvg, svgToPng } from '../../../bench/present/render.js';
import { runCharts } from '../../../bench/present/report.js';
import { loadRun, type LoadedRun } from '../../../bench/summarise/run.js';
import { summarize } from '../../../bench/summarise/summary.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/results/fixture-run', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../fixtures/golden', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CHARTS = ['throughput', 'tracker-cost', 'memory-modeled', 'memory-js', 'vs-baseline', 'replay-time', 'insert-policy'];
const UNITS = { 'ttm-bo-pages': 'pages per buffer object', 'xorg-fb': 'display clients' };
/** The fixture's cells whose forks disagree (fork 1 ×1.3 and ×1.28): the first at its workload's largest size. */
const UNSTABLE_LARGEST = 'xorg-fb/256/1/interval-tree+page-bit+whole-vma';
const UNSTABLE = [UNSTABLE_LARGEST, 'ttm-bo-pages/64/1/vma-walk+page-bit+single-page'];
const ERRORED = 'ttm-bo-pages/512/1/interval-tree+page-bit+whole-vma';
const INVALID = 'xorg-fb/256/1/vma-walk+page-bit+single-page';

interface PngGolden {
  width: number;
  height: number;
  sha256: string;
}

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

let run: LoadedRun;
let defs: ChartDef[];
const svgs = new Map<string, string>();

beforeAll(async () => {
  run = loadRun(FIXTURE);
  defs = runCharts(run);
  for (const d of defs) svgs.set(d.name, await renderSvg(d.spec));
});

describe('chart specs', () => {
  it('are the seven report charts, as plain data in DejaVu Sans', () => {
    expect(defs.map((d) => d.name)).toEqual(CHARTS);
    for (const d of defs) {
      expect(JSON.parse(JSON.stringify(d.spec)), d.name).toEqual(d.spec);
      expect(JSON.stringify(d.spec), d.name).toContain(CHART_FONT);
    }
  });

  it('name the invalid and errored cells they draw, in caption and failed list', () => {
    const bad = [ERRORED, INVALID];
    for (const name of ['throughput', 'tracker-cost', 'memory-modeled', 'memory-js', 'vs-baseline', 'replay-time']) {
      const d = defs.find((x) => x.name === name)!;
      expect(d.failed, name).toEqual(bad);
      for (const id of bad) expect(d.caption, name).toContain(id);
    }
    expect(defs.find((d) => d.name === 'insert-policy')!.failed).toEqual([ERRORED]);
  });

  it('use one palette for the whole run: a tracker has the same colour in every chart, the legend names the part that differs', () => {
    const input = chartInput(run.summary, run.lines, UNITS);
    expect(input.colors).toEqual({
      domain: ['baseline', 'whole-vma', 'null', 'vma-walk'],
      range: [TRACKER_COLORS[0], TRACKER_COLORS[1], '#7f7f7f', TRACKER_COLORS[2]],
    });
    for (const d of defs.filter((x) => ['throughput', 'tracker-cost', 'memory-modeled', 'memory-js', 'insert-policy'].includes(x.name))) {
      expect(JSON.stringify(d.spec), d.name).toContain(JSON.stringify({ domain: input.colors.domain, range: input.colors.range }));
      expect(JSON.stringify(d.spec), d.name).toContain('tracker (the part that differs from the baseline)');
      expect(JSON.stringify(d.spec), d.name).toContain('baseline: interval-tree+page-bit+single-page');
    }
  });

  it('put units on the axes: each panel\'s x is what its workload\'s size counts', () => {
    const t = svgs.get('throughput')!;
    expect(t).toContain('pages per buffer object (log)');
    expect(t).toContain('display clients (log)');
    expect(t).toContain('throughput (ops/s)');
    expect(svgs.get('memory-modeled')).toContain('bytes per reservation (B)');
    expect(svgs.get('insert-policy')).toContain('tracker-only ns per op ≈ per insert (log)');
  });

  it('carry the unstable cells: a ring layer in the throughput chart, only while some cell is unstable', () => {
    const input = chartInput(run.summary, run.lines, UNITS);
    expect(input.cells.filter((c) => c.unstable).map((c) => c.cellId).sort()).toEqual([...UNSTABLE].sort());
    const ringLayers = (spec: unknown): unknown[] =>
      ((spec as { layer?: { mark?: { color?: string; filled?: boolean } }[] }).layer ?? []).filter((l) => l.mark?.color === UNSTABLE_COLOR && l.mark?.filled === false);
    const panels = (spec: unknown): unknown[] => (spec as { concat: unknown[] }).concat;
    const spec = defs.find((d) => d.name === 'throughput')!.spec;
    const withRing = throughputSpec(input);
    expect(JSON.stringify(withRing)).toContain('datum.unstable');
    expect(panels(withRing).map(ringLayers).map((l) => l.length)).toEqual([1, 1]);
    expect(JSON.stringify(spec)).toContain('black ring: UNSTABLE');
    const stable = throughputSpec({ ...input, cells: input.cells.map((c) => ({ ...c, unstable: false })) });
    expect(panels(stable).map(ringLayers).flat()).toHaveLength(0);
  });

  it('do not depend on the order of the result lines', async () => {
    const shuffled = [...run.lines].reverse();
    const m = run.manifest;
    const summary = summarize(shuffled, { runId: m.runId, matrixHash: m.matrixHash, baseline: m.matrix.baseline, forks: m.matrix.forks, expected: [] });
    const again = chartSpecs(chartInput(summary, shuffled, UNITS));
    expect(await renderSvg(again[0]!.spec)).toBe(svgs.get('throughput'));
  });

  it('time ÷ baseline rows: the summary\'s ratio and interval, failed cells labelled, the baseline 1', () => {
    const input = chartInput(run.summary, run.lines, UNITS);
    const rows = ratioRows(input);
    expect(rows.map((r) => r.text)).toEqual(['1 (baseline)', 'ERRORED', expect.stringMatching(/^4\.\d\d\*$/), '1 (baseline)', expect.stringMatching(/^\d\.\d\d\?$/), 'INVALID']);
    expect(rows[0]!.column).toBe('ttm-bo-pages @ 512 pages per buffer object');
    // The unstable cell is labelled `?` and never significant, whatever its interval.
    const wobbly = rows.find((r) => r.cellId === UNSTABLE_LARGEST)!;
    expect(wobbly).toMatchObject({ unstable: true, significant: false });
    expect(rows.filter((r) => r.unstable).map((r) => r.cellId)).toEqual([UNSTABLE_LARGEST]);
    const vma = rows.find((r) => r.cellId === 'ttm-bo-pages/512/1/vma-walk+page-bit+single-page')!;
    const cell = run.summary.cells.find((c) => c.cellId === vma.cellId)!;
    expect(vma).toMatchObject({ ratio: cell.vsBaseline!.ratio, low: cell.vsBaseline!.low, high: cell.vsBaseline!.high, significant: true, label: 'vma-walk' });
  });

  it('flag the JS-bytes reading at near zero instead of drawing it as a dip', () => {
    const input = chartInput(run.summary, run.lines, UNITS);
    expect(input.cells.filter((c) => c.jsBytesSuspect).map((c) => c.cellId)).toEqual(['xorg-fb/32/1/interval-tree+page-bit+single-page']);
    const js = svgs.get('memory-js')!;
    expect(js.toLowerCase()).toContain(SUSPECT_COLOR);
    expect(js).toContain('reading ≈ 0 (a GC artefact): not a value');
    expect(svgs.get('throughput')).not.toContain('GC artefact');
  });

  it('fall back to a message where the run lacks the data', async () => {
    const input: ChartInput = { ...chartInput(run.summary, run.lines, UNITS), samples: {} };
    const noPages: ChartInput = { ...input, cells: input.cells.filter((c) => c.workload !== 'ttm-bo-pages') };
    expect(insertPairs(noPages)).toEqual([]);
    const specs = chartSpecs(noPages);
    const insertSvg = await renderSvg(specs.find((d) => d.name === 'insert-policy')!.spec);
    expect(insertSvg).toContain('measured no pair of compositions differing only in the insert policy on ttm-bo-pages');
    // Without raw samples, the replay-time chart still marks the failed cells and says what it shows.
    const replay = await renderSvg(specs.find((d) => d.name === 'replay-time')!.spec);
    expect(replay).toContain('Not a per-operation latency');
  });
});

describe('rendering', () => {
  it('SVG: byte-identical across renders and equal to the goldens', async () => {
    if (UPDATE) mkdirSync(GOLDEN, { recursive: true });
    for (const d of defs) {
      const svg = svgs.get(d.name)!;
      expect(await renderSvg(d.spec), `${d.name}: second render`).toBe(svg);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no timestamps
      const path = join(GOLDEN, `${d.name}.svg`);
      if (UPDATE) writeFileSync(path, svg);
      expect(existsSync(path), `${path} missing: run UPDATE_GOLDEN=1 npx vitest run test/bench/present/render.test.ts`).toBe(true);
      expect(svg, `${d.name}.svg differs from the golden (intended? UPDATE_GOLDEN=1 and review)`).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('SVG: invalid and errored cells are red marks; every tracker is named', () => {
    const t = svgs.get('throughput')!;
    expect(t.toLowerCase()).toContain(FAIL_COLOR);
    expect(t).toContain('INVALID: digest ≠ oracle');
    expect(t).toContain('ERRORED: no value');
    for (const label of ['null', 'baseline', 'whole-vma', 'vma-walk']) expect(t).toContain(`>${label}<`);
    const s = svgs.get('vs-baseline')!;
    expect(s).toContain('INVALID');
    expect(s).toContain('ERRORED');
    expect(s).toMatch(/\[\d\.\d\d, \d\.\d\d\]/); // the CI labels
    expect(s).toContain('time ÷ baseline (&lt; 1 = faster)');
  });

  it('SVG: the unstable cells are ringed in the throughput chart and marked ? in the time ÷ baseline chart', () => {
    const t = svgs.get('throughput')!;
    // One unfilled black circle per unstable cell (vega renders rings as paths with the ring colour as stroke).
    const rings = t.match(/<path[^>]*stroke="#000000"[^>]*stroke-width="2"[^>]*>/g) ?? [];
    expect(rings.length).toBe(UNSTABLE.length);
    expect(t).toContain('black ring: UNSTABLE (forks disagree)');
    const sp = svgs.get('vs-baseline')!;
    expect(sp).toMatch(/>\d\.\d\d\?</);
    expect(sp).toContain('? = UNSTABLE (forks disagree)');
  });

  it('SVG: marks carry hover titles', () => {
    expect(svgs.get('throughput')).toMatch(/<title>[^<]*cell: ttm-bo-pages\/8\/1\/null[^<]*<\/title>/);
    expect(addSvgTitles('<svg><path aria-label="a: 1" role="graphics-symbol" d="M0,0"/><path aria-label="x" d="M0,0"/></svg>')).toBe(
      '<svg><path aria-label="a: 1" role="graphics-symbol" d="M0,0"><title>a: 1</title></path><path aria-label="x" d="M0,0"/></svg>',
    );
  });

  it('PNG: white background, byte-identical across renders, equal to the golden dimensions and hash', () => {
    const fonts = pngFonts();
    const path = join(GOLDEN, 'png.json');
    const now: Record<string, PngGolden> = {};
    for (const name of ['throughput', 'vs-baseline']) {
      const a = svgToPng(svgs.get(name)!, fonts);
      const b = svgToPng(svgs.get(name)!, fonts);
      expect(Buffer.compare(a.png, b.png), `${name}: second render`).toBe(0);
      expect(a.png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const m = /width="(\d+)" height="(\d+)"/.exec(svgs.get(name)!)!;
      expect([a.width, a.height]).toEqual([Number(m[1]) * 2, Number(m[2]) * 2]);
      now[name] = { width: a.width, height: a.height, sha256: sha256(a.png) };
    }
    if (UPDATE && fonts.note === null) writeFileSync(path, JSON.stringify(now, null, 2) + '\n');
    expect(existsSync(path), `${path} missing: run UPDATE_GOLDEN=1 npx vitest run test/bench/present/render.test.ts`).toBe(true);
    const golden = JSON.parse(readFileSync(path, 'utf8')) as Record<string, PngGolden>;
    if (fonts.note !== null) {
      // Fonts differ from the goldens' host: dimensions only.
      console.warn(`render.test: PNG hash not compared: ${fonts.note}`);
      for (const [k, v] of Object.entries(now)) expect([v.width, v.height]).toEqual([golden[k]?.width, golden[k]?.height]);
      return;
    }
    expect(now, 'PNG differs from test/fixtures/golden/png.json (intended? UPDATE_GOLDEN=1 and review)').toEqual(golden);
  });

  it('PNG fonts: DejaVu Sans by path, or system fonts with a note', () => {
    const missing = pngFonts(['/nonexistent/DejaVuSans.ttf']);
    expect(missing.loadSystemFonts).toBe(true);
    expect(missing.note).toContain('fonts-dejavu-core');
    const found = pngFonts();
    if (found.note === null) expect(found.fontFiles[0]).toMatch(/DejaVuSans\.ttf$/);
  });
});
