/**
 * Rendering: a vega-lite spec (bench/present/chart-specs.ts) → SVG text → PNG bytes,
 * headless and deterministic.
 *
 * - SVG: vega-lite `compile` → vega `View` with renderer `none` → `toSVG`.
 *   No canvas: vega estimates text widths from the font size, so the output
 *   depends only on the spec. Every mark vega describes for screen readers
 *   (`aria-label`, i.e. the tooltip fields) also gets an SVG `<title>`, the
 *   tooltip a browser shows on hover without any script.
 * - PNG: @resvg/resvg-js with DejaVu Sans loaded by path (Debian's
 *   `fonts-dejavu-core`), system fonts off, a white background and a fixed
 *   zoom. When the font files are absent, system fonts are loaded instead
 *   and `pngFonts().note` says so (the PNG then depends on the host).
 *
 * Same spec → byte-identical SVG and PNG.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './chart-specs.js';

/** DejaVu Sans (regular and bold) as installed by Debian's fonts-dejavu-core. */
export const DEJAVU_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'] as const;

/** PNG pixels per SVG pixel. */
export const PNG_ZOOM = 2;

/** The fonts resvg is given. */
export interface PngFonts {
  /** Font files loaded by path. */
  fontFiles: string[];
  /** True when falling back to the host's fonts. */
  loadSystemFonts: boolean;
  /** Why the fallback was taken; null when DejaVu Sans was found. */
  note: string | null;
}

/**
 * The fonts for PNG rendering: DejaVu Sans by path, or the system's fonts
 * (with a note) when it is not installed.
 * @param files candidate font files (default `DEJAVU_FILES`)
 */
export function pngFonts(files: readonly string[] = DEJAVU_FILES): PngFonts {
  const found = files.filter((f) => existsSync(f));
  if (found.length > 0 && existsSync(files[0]!)) return { fontFiles: found, loadSystemFonts: false, note: null };
  return {
    fontFiles: found,
    loadSystemFonts: true,
    note: `${files[0]} not found (Debian: apt-get install fonts-dejavu-core); PNG text uses the system's fonts and may differ between hosts`,
  };
}

/**
 * Adds a `<title>` (hover tooltip) to every self-closing mark element that
 * carries an `aria-label` as a graphics symbol. Pure text transform.
 * @param svg vega's SVG text
 */
export function addSvgTitles(svg: string): string {
  return svg.replace(/<(path|rect|line)\b([^>]*?\saria-label="([^"]*)"[^>]*?)\/>/g, (whole, tag: string, attrs: string, label: string) =>
    /\srole="graphics-symbol"/.test(attrs) ? `<${tag}${attrs}><title>${label}</title></${tag}>` : whole,
  );
}

/**
 * Renames the SVG's ids (vega numbers clip paths and gradients from
 * process-wide counters: `clip7`, `gradient_3`) to per-document numbers in
 * order of appearance, and their `url(#…)` / `href="#…"` uses with them, so
 * the text depends only on the spec, not on what was rendered before.
 */
export function normalizeSvgIds(svg: string): string {
  const map = new Map<string, string>();
  const next = new Map<string, number>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    const id = m[1]!;
    if (map.has(id)) continue;
    const base = id.replace(/\d+$/, '');
    const n = next.get(base) ?? 0;
    next.set(base, n + 1);
    map.set(id, `${base}${n}`);
  }
  if (map.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => (map.has(id) ? `${lead}${map.get(id)!}` : whole));
}

/**
 * Renders a vega-lite spec to SVG text headlessly. The spec is not modified
 * (vega-lite's compile normalizes its input in place, so a copy is compiled).
 * @returns `<svg …>…</svg>` with a white background rect, hover titles and per-document ids
 * @throws Error when vega-lite cannot compile the spec
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(structuredClone(spec)).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return normalizeSvgIds(addSvgTitles(await view.toSVG()));
  } finally {
    view.finalize();
  }
}

/** A rendered PNG. */
export interface Png {
  png: Buffer;
  /** Pixels. */
  width: number;
  height: number;
  /** Set when DejaVu Sans was missing (see `pngFonts`). */
  note: string | null;
}

/**
 * Rasterizes SVG text to PNG with resvg: DejaVu Sans, white background,
 * `PNG_ZOOM` pixels per SVG pixel.
 * @param fonts default `pngFonts()`
 */
export function svgToPng(svg: string, fonts: PngFonts = pngFonts()): Png {
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: PNG_ZOOM },
    font: { fontFiles: fonts.fontFiles, loadSystemFonts: fonts.loadSystemFonts, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    logLevel: 'off',
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height, note: fonts.note };
}
