/**
 * Loading tracker modules: a user's `.js`, `.mjs` or `.ts` file
 * (impls/tracker-module.ts) is imported through tsx's programmatic API —
 * TypeScript needs no `--import tsx`, in the main thread or in a worker —
 * and its parts are registered (impls/registry.ts) in the current isolate.
 *
 * This is the seam between the registry and the harness: every isolate that
 * creates a module-loaded tracker (the CLI before `verify`/`replay`/`list`,
 * each measuring worker before its first tracker) calls
 * `loadTrackerModules` with the same absolute paths first.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../core/errors.js';
import { registerParts } from './registry.js';

/** File extensions a tracker module may have. */
export const MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** A loaded tracker module: where it is, what it registered, and a digest of its code. */
export interface LoadedModule {
  /** Absolute path. */
  path: string;
  /** Part names it registered, in its order. */
  parts: string[];
  /**
   * First 16 hex digits of SHA-256 over the module's own files — the module
   * and every file it reaches through relative imports (`./`, `../`:
   * `import`, `export … from`, `import()`, `require()`; not packages), each
   * as its path relative to the module's folder and its bytes, in path
   * order — so that the same code has the same digest wherever it is
   * checked out.
   */
  digest: string;
  /** Absolute paths of the files the digest covers (the module first). */
  files: string[];
}

/** Modules loaded in this isolate, by absolute path. */
const loaded = new Map<string, LoadedModule>();
/** Loads in flight, so that concurrent calls import a file once. */
const pending = new Map<string, Promise<LoadedModule>>();

/** One line of an error, for messages. */
function firstLine(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return s.split('\n')[0]!.trim();
}

/** The digest of `files` (absolute paths), relative to `base`. */
function digestOf(base: string, files: readonly string[]): string {
  const h = createHash('sha256');
  const rel = (f: string): string => (f.startsWith(base + sep) ? f.slice(base.length + 1) : f).split(sep).join('/');
  for (const f of [...files].sort((a, b) => (rel(a) < rel(b) ? -1 : rel(a) > rel(b) ? 1 : 0))) {
    h.update(rel(f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

async function load(path: string, shown: string): Promise<LoadedModule> {
  const where = `tracker module ${shown}`;
  if (!MODULE_EXTENSIONS.includes(extname(path))) throw new InputError(`${where}: expected a .js, .mjs or .ts file`);
  if (!existsSync(path)) throw new InputError(`${where}: no such file`);
  if (!statSync(path).isFile()) throw new InputError(`${where}: not a file`);
  let ns: unknown;
  try {
    const { tsImport } = await import('tsx/esm/api');
    ns = await tsImport(pathToFileURL(path).href, import.meta.url);
  } catch (e) {
    throw new InputError(`${where}: cannot load it: ${firstLine(e)}`);
  }
  let parts: string[];
  try {
    parts = registerParts(ns, path);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${where}: ${e.message}`);
    throw e;
  }
  const files = localFiles(path);
  return { path, parts, digest: digestOf(dirname(path), files), files };
}

/** Relative specifiers in `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The file a relative specifier names: as written, or TypeScript's source for a `.js`/`.mjs`/`.cjs` name, or with an extension added. */
function resolveLocal(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  const ext = extname(base);
  const tsFor: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };
  const candidates = [base, ...(tsFor[ext] !== undefined ? [base.slice(0, -ext.length) + tsFor[ext]] : []), ...MODULE_EXTENSIONS.map((e) => base + e)];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** `path` and every file it reaches through relative imports, `path` first, then in discovery order. */
function localFiles(path: string): string[] {
  const seen = new Set<string>([path]);
  const todo = [path];
  while (todo.length > 0) {
    const f = todo.shift()!;
    for (const m of readFileSync(f, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const g = resolveLocal(f, m[1]!);
      if (g !== null && !seen.has(g) && !g.split(sep).includes('node_modules')) {
        seen.add(g);
        todo.push(g);
      }
    }
  }
  return [...seen];
}

/**
 * Loads tracker modules and registers their parts in the current isolate.
 * Loading a path again (or another spelling of it) registers nothing new and
 * gives the same names.
 * @param paths module files, absolute or relative to the working directory (`.js`, `.mjs`, `.ts`; also `.cjs`, `.mts`, `.cts`)
 * @returns the part names the modules registered, in path order then module order
 * @throws InputError (one line naming the module) for a missing file, a wrong extension, a module that does
 *   not load (syntax error, throws at the top level), exports no parts, or whose parts are malformed or clash
 *   with registered ones — nothing of that module is registered then
 */
export async function loadTrackerModules(paths: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const p of paths) names.push(...(await loadTrackerModule(p)).parts);
  return names;
}

/**
 * Loads one tracker module (see `loadTrackerModules`).
 * @returns what it registered, with the digest of its code
 */
export async function loadTrackerModule(path: string): Promise<LoadedModule> {
  const abs = resolve(path);
  const done = loaded.get(abs);
  if (done !== undefined) return done;
  let p = pending.get(abs);
  if (p === undefined) {
    p = load(abs, path);
    pending.set(abs, p);
  }
  try {
    const m = await p;
    loaded.set(abs, m);
    return m;
  } finally {
    pending.delete(abs);
  }
}

/** The modules loaded in this isolate, in load order. */
export function loadedModules(): LoadedModule[] {
  return [...loaded.values()];
}
