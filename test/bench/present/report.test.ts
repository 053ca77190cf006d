/**
 * report.html and the published folder, from the checked-in results folder
 * test/fixtures/results/fixture-run (two workloads × three sizes × four
 * trackers, three forks; one INVALID, one ERRORED and two UNSTABLE cells), copied to a
 * temporary folder per test so nothing is written into the tree.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../core/errors.js';
import { runPublishCommand, runReportCommand } from '../../../bench/commands/report.js';
import { buildReport, esc, GENERATOR, inlineSvg, publish, REPORT_FILE } from '../../../bench/present/report.js';
import { loadRun } from '../../../bench/summarise/run.js';
import type { ResultLine } from '../../../bench/store/results.js';
import { sink } from '../../helpers/fakes.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/results/fixture-run', import.meta.url));
const CHARTS = ['throughput', 'tracker-cost', 'memory-modeled', 'memory-js', 'vs-baseline', 'replay-time', 'insert-policy'];
const INVALID = 'xorg-fb/256/1/vma-walk+page-bit+single-page';
const ERRORED = 'ttm-bo-pages/512/1/interval-tree+page-bit+whole-vma';
/** The fixture's cells whose forks disagree (see test/fixtures/results/README.md). */
const UNSTABLE = ['ttm-bo-pages/64/1/vma-walk+page-bit+single-page', 'xorg-fb/256/1/interval-tree+page-bit+whole-vma'];

let root = '';
let n = 0;

/** Writes `<dir>/report.html` through the report command; its path. */
async function writeReport(dir: string, opts: { baseline?: string }): Promise<string> {
  await runReportCommand(dir, opts, { stdout: sink().stream, stderr: sink().stream });
  return join(dir, REPORT_FILE);
}

/** A fresh copy of the fixture run under the temp root. */
function copyRun(name = `run${++n}`): string {
  const dir = join(root, name);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

/** Rewrites a run's results.jsonl through `edit`. */
function editLines(dir: string, edit: (l: ResultLine) => ResultLine): void {
  const path = join(dir, 'results.jsonl');
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((t) => JSON.parse(t) as ResultLine);
  writeFileSync(path, lines.map((l) => JSON.stringify(edit(l))).join('\n') + '\n');
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mtb-report-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('writeReport', () => {
  let html = '';
  let path = '';
  let dir = '';

  beforeAll(async () => {
    dir = copyRun();
    path = await writeReport(dir, {});
    html = readFileSync(path, 'utf8');
  });

  it('writes <run>/report.html', () => {
    expect(path).toBe(join(dir, REPORT_FILE));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta name="generator" content="${GENERATOR}">`);
  });

  it('holds every chart inline, one <svg> per figure, with a caption', () => {
    const figures = [...html.matchAll(/<figure class="chart" id="chart-([a-z-]+)" data-chart="[a-z-]+">([\s\S]*?)<\/figure>/g)];
    expect(figures.map((f) => f[1])).toEqual(CHARTS);
    for (const f of figures) {
      expect(f[2]!.match(/<svg\b/g), f[1]).toHaveLength(1);
      expect(f[2], f[1]).toContain('</svg>');
      expect(f[2], f[1]).toContain('<figcaption>');
    }
  });

  it('is self-contained: no http(s) reference, no script, no external style, font or image', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/@import|@font-face/);
    expect(html).not.toMatch(/\ssrc=/);
    // Only in-page references: url(#…) and href="#…".
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]!.startsWith('#'), m[0]).toBe(true);
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]!.startsWith('#'), m[0]).toBe(true);
  });

  it('gives every SVG id a chart prefix, so charts do not share clip paths or gradients', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });

  it('lists the invalid and errored cells with digests and errors, and says so at the top', () => {
    const validity = html.slice(html.indexOf('<h2 id="validity">'), html.indexOf('<h2 id="charts">'));
    expect(validity).toContain(INVALID);
    expect(validity).toContain(ERRORED);
    expect(validity).toContain('INVALID');
    expect(validity).toContain('ERROR');
    expect(validity).toContain('deadbeefdeadbeef');
    expect(validity).toContain('RangeError: tracker exploded');
    expect(html).toContain('2 of 24 cells are INVALID or ERRORED');
    // Each chart's caption names them too.
    const caption = html.slice(html.indexOf('id="chart-throughput"'), html.indexOf('id="chart-memory-modeled"'));
    expect(caption).toContain(INVALID);
    expect(caption).toContain(ERRORED);
  });

  it('has the summary, complexity, precision, environment and matrix sections', () => {
    for (const id of ['summary', 'complexity', 'precision', 'environment', 'matrix']) expect(html).toContain(`<h2 id="${id}">`);
    expect(html).toContain('<h3 id="summary-ttm-bo-pages">ttm-bo-pages <span class="muted">(size: pages per buffer object)</span></h3>');
    expect(html).toContain('<th class="num">time ÷ baseline [95%]</th>');
    expect(html).toMatch(/<td>O\((1|log n|n|n log n|n²)\)<\/td>/);
    expect(html).toContain('Fixture CPU @ 3.0GHz');
    expect(html).toContain('0123456789abcdef');
    expect(html).toContain('<code>ttm-bo-pages/8/1</code>');
    expect(html).not.toContain('id="comparison"');
  });

  it('opens with the findings, above the verdict', () => {
    const findings = html.slice(html.indexOf('<h2 id="findings">'), html.indexOf('<div class="verdict'));
    expect(html.indexOf('<h2 id="findings">')).toBeLessThan(html.indexOf('<div class="verdict'));
    expect(html.indexOf('<h2 id="findings">')).toBeLessThan(html.indexOf('<h2 id="validity">'));
    expect(findings).toMatch(/<li>ttm-bo-pages @ 512 pages per buffer object: fastest baseline, [\d.]+ ns\/op, time ÷ baseline 1\.00 \[1\.00, 1\.00\]; slowest vma-walk, [\d.]+ ns\/op, time ÷ baseline 4\.\d\d \[/);
    expect(findings).toMatch(/<li>xorg-fb @ 256 display clients: fastest baseline, .*slowest whole-vma \(UNSTABLE\)/);
    expect(findings).toMatch(/<li>grows with size: vma-walk on ttm-bo-pages, tracker-only cost [\d.]+ → [\d.]+ ns\/op from size 8 to 512 \(fit O\(n\), net of the null tracker\)<\/li>/);
  });

  it('says at the top, in amber, why its figures are noisy; marks the unstable rows; gives every cell its forks', () => {
    const top = html.slice(0, html.indexOf('<ul class="facts">'));
    expect(top).toMatch(/<div class="verdict warn">Noisy: the forks of 2 cells disagree \(/);
    expect(html).toContain('each in 3 forks (fresh isolates, interleaved)');
    const summary = html.slice(html.indexOf('<h2 id="summary">'), html.indexOf('<h2 id="complexity">'));
    expect(summary).toContain('<th class="num">±95%</th><th>forks</th><th class="num">ns/op</th><th class="num">tracker-only ns/op [95%]</th>');
    const rows = [...summary.matchAll(/<tr class="unstable">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('<td>vma-walk+page-bit+single-page</td><td class="num">64</td>');
    expect(rows[1]).toContain('<td>interval-tree+page-bit+whole-vma</td><td class="num">256</td>');
    for (const r of rows) expect(r).toMatch(/<td>3 UNSTABLE ×1\.[23]\d<\/td>/);
    // The errored cell: no fork timed of the 3 planned.
    const errored = summary.slice(summary.indexOf('<h3 id="summary-ttm-bo-pages">'), summary.indexOf('<h3 id="summary-xorg-fb">'));
    expect(errored).toMatch(/<tr class="failed"><td>interval-tree\+page-bit\+whole-vma<\/td><td class="num">512<\/td>.*<td>0\/3<\/td>/);
    const precision = html.slice(html.indexOf('<h2 id="precision">'), html.indexOf('<h2 id="environment">'));
    expect(precision).toContain('2 cells UNSTABLE');
    expect(precision).toContain('sanity: the null tracker is the fastest cell of every group');
    expect(precision).toMatch(/warm-up: median \d+ replays and \d+ ms per fork/);
    const matrix = html.slice(html.indexOf('<h2 id="matrix">'));
    expect(matrix).toContain('<tr><td>forks per cell (fresh isolates, interleaved)</td><td>3</td></tr>');
    expect(matrix).toContain('<tr><td>forks measuring at once</td><td>1 (worker threads)</td></tr>');
  });

  it('is byte-identical when written again from the same folder', async () => {
    expect(readFileSync(await writeReport(dir, {}), 'utf8')).toBe(html);
    const other = copyRun();
    expect(readFileSync(await writeReport(other, {}), 'utf8')).toBe(html);
  });
});

describe('the warning at the top', () => {
  it('names the groups where the null tracker is not the fastest', async () => {
    const dir = copyRun();
    // With the null tracker 4× slower in one group, and the unstable cells' slow fork brought back in line.
    editLines(dir, (l) => {
      if (!l.stats) return l;
      const k = l.groupId === 'xorg-fb/4/1' && l.tracker === 'null' ? 4 : 1;
      // (12 samples, sorted: the median is the mean of the 6th and 7th)
      const samplesNs = l.stats.samplesNs.map((x) => x * k);
      const medianNs = (samplesNs[5]! + samplesNs[6]!) / 2;
      return { ...l, stats: { ...l.stats, samplesNs, medianNs, meanNs: l.stats.meanNs * k } };
    });
    editLines(dir, (l) => (UNSTABLE.includes(l.cellId) && l.fork === 1 && l.stats ? { ...l, stats: { ...l.stats, samplesNs: l.stats.samplesNs.map((x) => x / 1.3), medianNs: l.stats.medianNs / 1.3 } } : l));
    const html = readFileSync(await writeReport(dir, {}), 'utf8');
    expect(html).toContain('sanity: the null tracker is NOT the fastest in 1 group: xorg-fb/4/1');
    const top = html.slice(0, html.indexOf('<ul class="facts">'));
    expect(top).toContain('<div class="verdict warn">');
    expect(top).toContain('the null tracker is not the fastest in 1 group (xorg-fb/4/1)');
  });
});

describe('comparison with a baseline run', () => {
  it('adds ratio, CI, p-values and marks per cell; flags a slowdown and lost correctness', async () => {
    const base = copyRun();
    const head = copyRun();
    const slow = 'ttm-bo-pages/64/1/interval-tree+page-bit+whole-vma';
    editLines(head, (l) => {
      if (l.cellId !== slow || !l.stats) return l;
      const samplesNs = l.stats.samplesNs.map((x) => x * 1.5);
      return { ...l, stats: { ...l.stats, samplesNs, medianNs: l.stats.medianNs * 1.5, meanNs: l.stats.meanNs * 1.5 } };
    });
    editLines(base, (l) => (l.cellId === INVALID ? { ...l, validity: 'valid', digest: l.oracleDigest } : l));
    const html = readFileSync(await writeReport(head, { baseline: base }), 'utf8');
    const section = html.slice(html.indexOf('<h2 id="comparison">'), html.indexOf('<h2 id="environment">'));
    expect(section).toContain('time ÷ base [95%]');
    expect(section).toContain('time ÷ base, &lt; 1 = faster');
    expect(section).toContain('<th class="num">forks base/head</th><th class="num">p (Welch)</th>');
    const row = (id: string): string => section.slice(section.indexOf(`<code>${id}</code>`), section.indexOf('</tr>', section.indexOf(`<code>${id}</code>`)));
    expect(row(slow)).toMatch(/1\.5\d \[1\.\d\d, 1\.\d\d\]/);
    expect(row(slow)).toContain('slower');
    expect(row(slow)).toContain('<td class="num">3/3</td>');
    expect(row(slow)).not.toContain('unstable');
    // Cells whose forks disagree are compared and marked.
    for (const id of UNSTABLE) expect(row(id)).toMatch(/unstable<\/td>$/);
    expect(row(ERRORED)).toContain('<td class="num">0/0</td>');
    expect(section).toMatch(/2 cells marked unstable/);
    expect(row(INVALID)).toContain('valid → invalid');
    expect(row(INVALID)).toContain('INVALID');
    expect(section).toMatch(/lost correctness/);
    expect(html).not.toMatch(/https?:\/\//);
  });
});

describe('errors name the path and what was expected', () => {
  it('a missing run folder', async () => {
    const missing = join(root, 'no-such-run');
    await expect(buildReport(missing)).rejects.toThrow(InputError);
    await expect(buildReport(missing)).rejects.toThrow(new RegExp(`${missing}: no such run folder \\(expected a folder holding run\\.json and results\\.jsonl\\)`));
    await expect(runReportCommand('no-such-run', {}, { baseDir: root, stdout: sink().stream })).rejects.toThrow(/no run "no-such-run"/);
  });

  it('another schema version in run.json or in the lines', async () => {
    const a = copyRun();
    const manifest = JSON.parse(readFileSync(join(a, 'run.json'), 'utf8')) as { schemaVersion: number };
    writeFileSync(join(a, 'run.json'), JSON.stringify({ ...manifest, schemaVersion: 1 }));
    await expect(writeReport(a, {})).rejects.toThrow(InputError);
    await expect(writeReport(a, {})).rejects.toThrow(`${join(a, 'run.json')}: schema version 1, this memtype-bench reads version 3`);
    const b = copyRun();
    editLines(b, (l) => ({ ...l, schemaVersion: 2 as 3 }));
    await expect(writeReport(b, {})).rejects.toThrow(`${join(b, 'results.jsonl')}: schema version 2, this memtype-bench reads version 3`);
  });

  it('a run without result lines, and a baseline that is no run', async () => {
    const a = copyRun();
    writeFileSync(join(a, 'results.jsonl'), '');
    await expect(writeReport(a, {})).rejects.toThrow(`${join(a, 'results.jsonl')}: no result lines to report`);
    await expect(writeReport(copyRun(), { baseline: join(root, 'nope') })).rejects.toThrow(InputError);
  });

  it('loadRun reads the run without writing anything', () => {
    const r = loadRun(FIXTURE);
    expect(r.summary.cells).toHaveLength(24);
    expect(r.summary.counts).toEqual({ valid: 16, invalid: 1, errored: 1, unchecked: 6 });
    expect(existsSync(join(FIXTURE, REPORT_FILE))).toBe(false);
  });
});

describe('runReportCommand', () => {
  it('resolves a run id under the results folder, writes the report, prints its path, exit 0', async () => {
    copyRun('by-id');
    const out = sink();
    const code = await runReportCommand('by-id', {}, { baseDir: root, stdout: out.stream });
    expect(code).toBe(0);
    expect(out.text()).toBe(`report: ${join(root, 'by-id', REPORT_FILE)}\n`);
    expect(existsSync(join(root, 'by-id', REPORT_FILE))).toBe(true);
  });
});

describe('publish', () => {
  let site = '';
  let index = '';

  beforeAll(async () => {
    site = join(root, 'site');
    index = await publish(copyRun(), site);
  });

  it('writes index.html, every chart as SVG + PNG + vega-lite spec, and the results files', () => {
    expect(index).toBe(join(site, 'index.html'));
    const charts = readdirSync(join(site, 'charts')).sort();
    expect(charts).toEqual(CHARTS.flatMap((c) => [`${c}.png`, `${c}.svg`, `${c}.vl.json`]).sort());
    for (const c of CHARTS) {
      expect(readFileSync(join(site, 'charts', `${c}.png`)).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(readFileSync(join(site, 'charts', `${c}.svg`), 'utf8').startsWith('<svg')).toBe(true);
      expect((JSON.parse(readFileSync(join(site, 'charts', `${c}.vl.json`), 'utf8')) as { $schema: string }).$schema).toMatch(/vega-lite/);
    }
    expect(readdirSync(join(site, 'data')).sort()).toEqual(['env.json', 'results.jsonl', 'run.json']);
    expect(readFileSync(join(site, 'data', 'results.jsonl'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'results.jsonl'), 'utf8'));
  });

  it('index.html is the report, linking only files that exist, by relative paths', () => {
    const html = readFileSync(index, 'utf8');
    expect(html.match(/<figure class="chart"/g)).toHaveLength(7);
    expect(html).not.toMatch(/https?:\/\//);
    const links = [...html.matchAll(/href="([^"#][^"]*)"/g)].map((m) => m[1]!);
    expect(links.length).toBe(7 * 3 + 3);
    for (const l of links) expect(existsSync(join(site, l)), l).toBe(true);
  });

  it('overwrites a folder it wrote before; refuses a foreign non-empty folder and the run folder itself', async () => {
    const run = copyRun();
    await expect(publish(run, site)).resolves.toBe(index);
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'index.html'), '<html>mine</html>');
    await expect(publish(run, foreign)).rejects.toThrow(InputError);
    await expect(publish(run, foreign)).rejects.toThrow(`publish: ${foreign} exists, is not empty`);
    expect(readFileSync(join(foreign, 'index.html'), 'utf8')).toBe('<html>mine</html>');
    await expect(publish(run, run)).rejects.toThrow(/is the run folder itself/);
  });

  it('runPublishCommand prints what it wrote, exit 0', async () => {
    copyRun('pub-id');
    const out = sink();
    const code = await runPublishCommand('pub-id', { out: join(root, 'site2') }, { baseDir: root, stdout: out.stream, stderr: sink().stream });
    expect(code).toBe(0);
    expect(out.text()).toContain(`published ${join(root, 'site2')}: ${join(root, 'site2', 'index.html')}, 7 charts`);
  });
});

describe('HTML helpers', () => {
  it('esc escapes markup and quotes', () => {
    expect(esc('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });

  it('inlineSvg drops namespace declarations and prefixes ids and their uses', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="1"><clipPath id="clip0"/><g clip-path="url(#clip0)"/><use href="#clip0"/><a href="#other"/></svg>';
    expect(inlineSvg(svg, 'c-x')).toBe('<svg width="1"><clipPath id="c-x-clip0"/><g clip-path="url(#c-x-clip0)"/><use href="#c-x-clip0"/><a href="#other"/></svg>');
  });
});
