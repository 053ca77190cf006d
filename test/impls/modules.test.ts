/**
 * Tracker modules: a user's file registers parts that compose with the
 * built-in ones by name; it loads through tsx's API (also in a worker thread
 * started without `--import tsx`); bad modules are refused with one line
 * naming the module, and leave nothing registered.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { PageFlags } from '../../core/pageflags.js';
import { PhysMap } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import type { ComposedTracker } from '../../impls/composed.js';
import { loadedModules, loadTrackerModule, loadTrackerModules } from '../../impls/modules.js';
import {
  BUILT_IN,
  createTracker,
  describeTracker,
  isModuleTracker,
  LINUX_TRACKER,
  makeStore,
  partInfo,
  partNames,
  registerParts,
  trackerNames,
} from '../../impls/registry.js';
import { ListStore } from '../../impls/list.js';
import { SinglePagePolicy } from '../../impls/single-page.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'sorted-array-store.ts');
const BROKEN = join(ROOT, 'examples', 'broken-store.ts');

function view(): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  const pm = new PhysMap([{ start: 0x100000, end: 0x40000000, name: 'System RAM', depth: 0 }]);
  return { physmap: pm, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 3 };
}

/** Writes `files` (name → text) into a fresh folder; returns its path. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtb-mod-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** package.json of an ES-module folder. */
const PKG = '{"type":"module"}\n';

/** A minimal valid store in plain JavaScript, named `name`. */
function jsStore(name: string): string {
  return `export class S {
  name = ${JSON.stringify(name)}; first = -1; other = -1; hitStart = 0; hitEnd = 0; size = 0;
  attach() {} scan() { this.first = this.other = -1; } overlap() { this.first = -1; return false; }
  insert() {} erase() { return false; } lookup() { return -1; } list() {} modeledBytes() { return 0; } checkInvariants() {}
}`;
}

describe('loading the tutorial example', () => {
  it('registers its store, which composes with every built-in RAM and insert policy', async () => {
    const before = trackerNames();
    const names = await loadTrackerModules([relative(process.cwd(), EXAMPLE)]);
    expect(names).toEqual(['sorted-array']);
    expect(partInfo('store', 'sorted-array')).toMatchObject({ kind: 'store', origin: EXAMPLE });
    const added = trackerNames().filter((n) => !before.includes(n));
    expect(added).toEqual(partNames('ram').flatMap((r) => partNames('insert').map((i) => `sorted-array+${r}+${i}`)).sort());
    for (const n of added) {
      expect(isModuleTracker(n)).toBe(true);
      expect(describeTracker(n)).toMatch(/^tutorial: sorted typed arrays/);
      const t = createTracker(n, { checkInvariants: true }) as ComposedTracker;
      expect(t.name).toBe(n);
      t.attach(view());
      expect(t.memtypeCheckInsert(0xc0000, 0xc0010, 1, true, null)).toBe(0);
      expect(t.memtypeLookup(0xc0005)).toBe(1);
    }
    expect(isModuleTracker(LINUX_TRACKER)).toBe(false);
    expect(makeStore('sorted-array').name).toBe('sorted-array');
  });

  it('loads a path once: again, or spelled otherwise, it gives the same names and registers nothing', async () => {
    const n = trackerNames().length;
    expect(await loadTrackerModules([EXAMPLE, `${ROOT}/examples/../examples/sorted-array-store.ts`])).toEqual(['sorted-array', 'sorted-array']);
    expect(trackerNames().length).toBe(n);
    expect(loadedModules().filter((m) => m.path === EXAMPLE)).toHaveLength(1);
  });

  it('digests the module and the files it imports, so a change in either changes the digest', async () => {
    const broken = await loadTrackerModule(BROKEN);
    expect(broken.parts).toEqual(['first-overlap-only']);
    expect(broken.files).toEqual([BROKEN, EXAMPLE]);
    expect(broken.digest).toMatch(/^[0-9a-f]{16}$/);
    const a = folder({ 'package.json': PKG, 'm.ts': `import { S } from './s.js';\nexport default { stores: { 'dig-a': { make: () => new S(), history: 'a store' } } };\n`, 's.js': jsStore('dig-a') });
    const b = folder({ 'package.json': PKG, 'm.ts': `import { S } from './s.js';\nexport default { stores: { 'dig-b': { make: () => new S(), history: 'a store' } } };\n`, 's.js': jsStore('dig-b') });
    const c = folder({ 'package.json': PKG, 'm.ts': `import { S } from './s.js';\nexport default { stores: { 'dig-a': { make: () => new S(), history: 'a store' } } };\n`, 's.js': jsStore('dig-a') });
    const ma = await loadTrackerModule(join(a, 'm.ts'));
    const mb = await loadTrackerModule(join(b, 'm.ts'));
    expect(ma.files).toHaveLength(2);
    expect(ma.digest).not.toBe(mb.digest);
    // Same code elsewhere: same digest (c is refused for the name clash, so digest it by hand).
    await expect(loadTrackerModule(join(c, 'm.ts'))).rejects.toThrow(/clashes with the store of/);
    expect(ma.digest).toBe(
      (await import('node:crypto'))
        .createHash('sha256')
        .update('m.ts\0')
        .update(`import { S } from './s.js';\nexport default { stores: { 'dig-a': { make: () => new S(), history: 'a store' } } };\n`)
        .update('\0s.js\0')
        .update(jsStore('dig-a'))
        .update('\0')
        .digest('hex')
        .slice(0, 16),
    );
  });
});

describe('module shapes', () => {
  it('takes named exports, .mjs and .js files, and parts of every kind', async () => {
    const dir = folder({
      'named.mjs': `${jsStore('named-store')}\nexport const stores = { 'named-store': { make: () => new S(), history: 'named export' } };\n`,
      'policies.js': `export default {
  ramPolicies: { 'all-wb': { make: () => ({ name: 'all-wb', newType: -1, attach() {}, pagerangeIsRam: () => 0, reserve() { return 0; }, free() { return 0; }, getPageMemtype: () => 0, modeledBytes: () => 0, checkInvariants() {} }), history: 'never RAM' } },
  insertPolicies: { 'twice': { make: () => ({ name: 'twice', cachemode: (v, pfn, lookup) => (lookup(pfn), lookup(pfn)) }), history: 'looks up twice' } },
};\n`,
    });
    expect(await loadTrackerModules([join(dir, 'named.mjs'), join(dir, 'policies.js')])).toEqual(['named-store', 'all-wb', 'twice']);
    expect(trackerNames()).toContain('named-store+all-wb+twice');
    expect(trackerNames()).toContain(`interval-tree+all-wb+single-page`);
    expect(createTracker('list+page-bit+twice').name).toBe('list+page-bit+twice');
  });

  it('refuses bad modules with one line naming the module, registering nothing of them', async () => {
    const dir = folder({
      'syntax.ts': 'export default { stores: { ',
      'throws.ts': "throw new Error('boom at load');\nexport default {};\n",
      'empty.ts': 'export const x = 1;\n',
      'none.ts': 'export default { stores: {} };\n',
      'clash.js': `${jsStore('list')}\nexport default { stores: { list: { make: () => new S(), history: 'a list' } } };\n`,
      'clash-kind.js': `${jsStore('tree')}\nexport default { stores: { tree: { make: () => new S(), history: 'a tree' } } };\n`,
      'oracle.js': `${jsStore('oracle')}\nexport default { stores: { oracle: { make: () => new S(), history: 'x' } } };\n`,
      'badname.js': `${jsStore('Bad+Name')}\nexport default { stores: { 'Bad+Name': { make: () => new S(), history: 'x' } } };\n`,
      'nomake.js': "export default { stores: { 'no-make': { history: 'x' } } };\n",
      'nohistory.js': `${jsStore('no-history')}\nexport default { stores: { 'no-history': { make: () => new S() } } };\n`,
      'twolines.js': `${jsStore('two-lines')}\nexport default { stores: { 'two-lines': { make: () => new S(), history: 'a\\nb' } } };\n`,
      'wrongname.js': `${jsStore('other-name')}\nexport default { stores: { 'wrong-name': { make: () => new S(), history: 'x' } } };\n`,
      'nocheck.js': "export default { stores: { 'no-check': { make: () => ({ name: 'no-check', first: -1, other: -1, hitStart: 0, hitEnd: 0, size: 0, attach() {}, scan() {}, overlap() {}, insert() {}, erase() {}, lookup() {}, list() {}, modeledBytes() {} }), history: 'x' } } };\n",
      'makethrows.js': "export default { insertPolicies: { 'bad-make': { make: () => { throw new TypeError('no'); }, history: 'x' } } };\n",
      'half.js': `${jsStore('half-good')}\nexport default { stores: { 'half-good': { make: () => new S(), history: 'x' }, 'half-bad': { make: () => null, history: 'x' } } };\n`,
      'both.js': `${jsStore('both')}\nexport const stores = { both: { make: () => new S(), history: 'x' } };\nexport default { stores: { both: { make: () => new S(), history: 'x' } } };\n`,
      'notes.txt': 'hello',
      'dir.ts/keep': '',
    });
    const cases: [string, RegExp][] = [
      ['missing.ts', /^tracker module .*missing\.ts: no such file$/],
      ['notes.txt', /^tracker module .*notes\.txt: expected a \.js, \.mjs or \.ts file$/],
      ['dir.ts', /^tracker module .*dir\.ts: not a file$/],
      ['syntax.ts', /^tracker module .*syntax\.ts: cannot load it: /],
      ['throws.ts', /^tracker module .*throws\.ts: cannot load it: Error: boom at load$/],
      ['empty.ts', /exports no parts: expected a default export \(or named exports\) with "stores", "ramPolicies" or "insertPolicies"$/],
      ['none.ts', /exports no parts: its "stores", "ramPolicies" and "insertPolicies" are empty$/],
      ['clash.js', /store "list": the name clashes with the built-in store; pick another name$/],
      ['clash-kind.js', /store "tree": the name clashes with the built-in RAM policy; pick another name$/],
      ['oracle.js', /store "oracle": "oracle" is the name of a tracker$/],
      ['badname.js', /store "Bad\+Name": a part name is lower-case letters and digits in dash-separated words/],
      ['nomake.js', /store "no-make": "make" must be a function returning a fresh part$/],
      ['nohistory.js', /store "no-history": "history" must be one non-empty line$/],
      ['twolines.js', /store "two-lines": "history" must be one non-empty line$/],
      ['wrongname.js', /store "wrong-name": make\(\) returned a part named "other-name"; its name must be its key "wrong-name"$/],
      ['nocheck.js', /store "no-check": make\(\) returned an object whose checkInvariants is undefined, not a function \(write `checkInvariants\(\) \{\}`/],
      ['makethrows.js', /insert policy "bad-make": make\(\) threw TypeError: no$/],
      ['half.js', /store "half-bad": make\(\) returned null, not an object$/],
      ['both.js', /describes parts both in its default export and in named exports; use one of them$/],
    ];
    const before = trackerNames();
    for (const [file, re] of cases) {
      const err = await loadTrackerModules([join(dir, file)]).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(InputError);
      expect((err as Error).message, file).toMatch(re);
      expect((err as Error).message, file).not.toMatch(/\n/);
    }
    expect(trackerNames()).toEqual(before);
    expect(partInfo('store', 'half-good')).toBeUndefined();
  });

  it('registerParts takes a plain object and refuses a second part of the same name from another origin', () => {
    const mod = { insertPolicies: { 'plain-object': { make: () => new SinglePagePolicy(), history: 'x' } } };
    expect(() => registerParts(mod, '/m.js')).toThrow(/returned a part named "single-page"/);
    class Renamed extends SinglePagePolicy {
      override readonly name = 'plain-object' as 'single-page';
    }
    const ok = { insertPolicies: { 'plain-object': { make: () => new Renamed(), history: 'x' } } };
    expect(registerParts(ok, '/m.js')).toEqual(['plain-object']);
    expect(partInfo('insert', 'plain-object')!.origin).toBe('/m.js');
    expect(() => registerParts(ok, '/other.js')).toThrow(/insert policy "plain-object": the name clashes with the insert policy of \/m\.js/);
    expect(() => registerParts(ok, BUILT_IN)).toThrow(RangeError);
    expect(() => registerParts({ stores: { fine: { make: () => new ListStore(), history: 'x' } } }, '/x.js')).toThrow(/returned a part named "list"/);
  });
});

describe('in a worker thread', () => {
  it('loads a .ts module without --import tsx', async () => {
    // The worker runs plain JavaScript: it reaches the registry through tsx's
    // API itself, then loadTrackerModules loads the example through tsx again.
    const code = `
      const { parentPort, workerData } = await import('node:worker_threads');
      const { tsImport } = await import('tsx/esm/api');
      const api = await tsImport(workerData.entry, import.meta.url);
      const names = await api.loadTrackerModules([workerData.example]);
      parentPort.postMessage({ names, execArgv: process.execArgv, has: api.trackerNames().includes('sorted-array+page-bit-ram-walk+single-page') });
    `;
    const w = new Worker(code, { eval: true, execArgv: [], workerData: { entry: join(ROOT, 'index.ts'), example: EXAMPLE } });
    const msg = await new Promise<{ names: string[]; execArgv: string[]; has: boolean }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(msg).toEqual({ names: ['sorted-array'], execArgv: [], has: true });
  }, 30_000);
});
