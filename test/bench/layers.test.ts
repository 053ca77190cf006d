/**
 * bench/'s shape (shared/DESIGN.md): folders follow the pipeline's phases,
 * each importing only the phases before it; messages import nothing of
 * bench/; no import cycle anywhere under bench/, type-only imports included.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('../../bench', import.meta.url));
/** The phases in pipeline order; a file may import its own phase and the ones before it. */
const PHASES = ['messages', 'verify', 'measure', 'plan', 'store', 'summarise', 'present', 'commands'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs)$/.test(n) ? [p] : [];
  });
}

/** Every relative import of `file` inside bench/, resolved to a source path (type-only imports included). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)|tsImport\('(\.[^']+)'/g)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    const abs = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    if (abs.startsWith(BENCH + '/')) out.push(abs);
  }
  return out;
}

/** The phase of a bench/ file: its top folder (`messages` for bench/messages.ts); null outside the pipeline (micro-benchmarks). */
function phase(file: string): string | null {
  const top = relative(BENCH, file).split('/')[0]!.replace(/\.ts$/, '');
  return PHASES.includes(top) ? top : null;
}

const ALL = files(BENCH);

describe('bench/ by phase', () => {
  it('every folder of bench/ is a phase of the pipeline, or a tool beside it', () => {
    const tops = new Set(ALL.map((f) => relative(BENCH, f).split('/')[0]!.replace(/\.ts$/, '')));
    for (const t of tops) expect([...PHASES, 'micro'], t).toContain(t);
  });

  it('each phase imports only itself and the phases before it; messages import nothing of bench/', () => {
    const bad: string[] = [];
    for (const f of ALL) {
      const p = phase(f);
      if (p === null) continue;
      for (const g of imports(f)) {
        const q = phase(g);
        if (q === null || PHASES.indexOf(q) > PHASES.indexOf(p) || (p === 'messages' && g !== f)) bad.push(`${relative(BENCH, f)} → ${relative(BENCH, g)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(ALL.map((f) => [f, imports(f)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map((x) => relative(BENCH, x)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of ALL) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
