/**
 * The report in a real browser: Debian's Chromium driven headless by
 * playwright-core opens report.html (and a published index.html) from
 * file://, with every non-file request aborted and recorded. Every chart's
 * <svg> must lay out with a non-zero size, the console must stay free of
 * errors and no request may leave the file system.
 *
 * Skipped, with the reason in the suite's name, when playwright-core is not
 * installed or /usr/bin/chromium is absent (`apt-get install -y chromium`).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../../bench/commands/report.js';
import { publish, REPORT_FILE } from '../../../bench/present/report.js';
import { sink } from '../../helpers/fakes.js';

const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = fileURLToPath(new URL('../../fixtures/results/fixture-run', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The slice of playwright-core's API this test uses (the package is an optional dev dependency). */
interface PwPage {
  on(event: 'console', fn: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', fn: (e: Error) => void): void;
  route(url: string, fn: (route: { request(): { url(): string }; abort(): Promise<void>; continue(): Promise<void> }) => Promise<void>): Promise<void>;
  goto(url: string, opts?: { waitUntil?: 'load' }): Promise<unknown>;
  evaluate<T>(fn: () => T): Promise<T>;
}
interface PwBrowser {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
interface Pw {
  chromium: { launch(o: { executablePath: string; args: string[]; headless: boolean; timeout: number }): Promise<PwBrowser> };
}

async function loadPlaywright(): Promise<{ pw: Pw | null; reason: string | null }> {
  const name = 'playwright-core';
  let pw: Pw | null = null;
  try {
    pw = (await import(name)) as Pw;
  } catch {
    return { pw: null, reason: 'playwright-core is not installed (npm i -D playwright-core)' };
  }
  if (!existsSync(CHROMIUM)) return { pw: null, reason: `${CHROMIUM} is missing (apt-get install -y chromium)` };
  return { pw, reason: null };
}

const { pw, reason } = await loadPlaywright();
if (reason) process.stderr.write(`report-browser.test: skipped: ${reason}\n`);

/** What the page reports about its charts. */
interface ChartBox {
  name: string | null;
  svgs: number;
  width: number;
  height: number;
}

describe.skipIf(pw === null)(`report in headless Chromium${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let dir = '';
  let browser: PwBrowser | null = null;
  let reportPath = '';
  let indexPath = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mtb-browser-'));
    cpSync(FIXTURE, join(dir, 'run'), { recursive: true });
    await runReportCommand(join(dir, 'run'), {}, { stdout: sink().stream, stderr: sink().stream });
    reportPath = join(dir, 'run', REPORT_FILE);
    indexPath = await publish(join(dir, 'run'), join(dir, 'site'));
    browser = await pw!.chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 15_000 });
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ charts: ChartBox[]; errors: string[]; external: string[] }> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('figure.chart')).map((f) => {
        const svgs = f.querySelectorAll('svg');
        const r = svgs[0]?.getBoundingClientRect();
        return { name: f.getAttribute('data-chart'), svgs: svgs.length, width: r?.width ?? 0, height: r?.height ?? 0 };
      }),
    );
    return { charts, errors, external };
  }

  it('report.html: every chart renders with a non-zero size, no console error, no network', async () => {
    const { charts, errors, external } = await open(reportPath);
    expect(charts.map((c) => c.name)).toEqual(['throughput', 'tracker-cost', 'memory-modeled', 'memory-js', 'vs-baseline', 'replay-time', 'insert-policy']);
    for (const c of charts) {
      expect(c.svgs, `${c.name}: one <svg>`).toBe(1);
      expect(c.width, `${c.name}: width`).toBeGreaterThan(100);
      expect(c.height, `${c.name}: height`).toBeGreaterThan(50);
    }
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  }, 15_000);

  it('published index.html renders the same charts, no console error, no network', async () => {
    const { charts, errors, external } = await open(indexPath);
    expect(charts).toHaveLength(7);
    for (const c of charts) expect(c.width * c.height, `${c.name}: area`).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  }, 15_000);
});
