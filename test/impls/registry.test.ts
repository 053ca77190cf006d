/**
 * The registry: every composition store × RAM policy × insert policy of the
 * registered parts by name, described from its parts' history, buildable in
 * test mode. Nothing here names the built-in parts one by one: registering a
 * part needs no edit of this file.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { PageFlags } from '../../core/pageflags.js';
import { PhysMap } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { BTREE_LAYOUT, BtreeStore } from '../../impls/btree.js';
import { ComposedTracker } from '../../impls/composed.js';
import { BUILT_IN, LINUX_TRACKER, NULL_TRACKER, ORACLE, createTracker, describeTracker, partNames, parts, trackerNames } from '../../impls/registry.js';

function view(): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  const pm = new PhysMap([{ start: 0x100000, end: 0x40000000, name: 'System RAM', depth: 0 }]);
  return { physmap: pm, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 3 };
}

describe('registry', () => {
  it('lists every composition of the registered parts, sorted, and nothing else', () => {
    const names = trackerNames();
    const [stores, rams, inserts] = [partNames('store'), partNames('ram'), partNames('insert')];
    const expected = stores.flatMap((s) => rams.flatMap((r) => inserts.map((i) => `${s}+${r}+${i}`))).sort();
    expect(names).toEqual(expected);
    expect(names.length).toBe(stores.length * rams.length * inserts.length);
    expect(new Set(names).size).toBe(names.length);
    // Linux's own parts are built in.
    expect(stores).toContain('interval-tree');
    expect(rams).toContain('page-bit-ram-walk');
    expect(inserts).toContain('single-page');
    expect(names).toContain(LINUX_TRACKER);
    expect(LINUX_TRACKER).toBe('interval-tree+page-bit-ram-walk+single-page');
    expect(names).not.toContain(ORACLE);
    expect(names).not.toContain(NULL_TRACKER);
  });

  it('knows every part\'s kind, history and origin; part names never hold "+" and no name is reused across kinds', () => {
    const all = [...parts('store'), ...parts('ram'), ...parts('insert')];
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const p of all) {
      expect(p.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(p.history.length).toBeGreaterThan(10);
      expect(p.origin).toBe(BUILT_IN);
    }
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
  });

  it('builds every composition under its own name, plus oracle and null; each models the memory of what it holds', () => {
    for (const n of [...trackerNames(), ORACLE, NULL_TRACKER]) {
      const t = createTracker(n);
      expect(t.name).toBe(n);
      t.attach(view());
      // One reservation: a 56-byte struct memtype in a 64-byte slab, or room for it in a node already there; the null tracker holds nothing.
      t.memtypeCheckInsert(0x10000000, 0x10000010, 1, true, null);
      const list: number[] = [];
      t.memtypeList(list);
      expect(list.length, n).toBe(n === NULL_TRACKER ? 0 : 3);
      if (n === NULL_TRACKER) expect(t.modeledBytes()).toBe(0);
      else expect(t.modeledBytes(), n).toBeGreaterThanOrEqual(64);
    }
  });

  it('gives fresh instances', () => {
    const a = createTracker(LINUX_TRACKER) as ComposedTracker;
    const b = createTracker(LINUX_TRACKER) as ComposedTracker;
    expect(a).not.toBe(b);
    expect(a.store).not.toBe(b.store);
  });

  it('describes every tracker in one line from its parts', () => {
    for (const n of [...trackerNames(), ORACLE, NULL_TRACKER]) {
      const d = describeTracker(n);
      expect(d.length).toBeGreaterThan(20);
      expect(d).not.toMatch(/\n/);
    }
    for (const n of trackerNames()) {
      const [s, r, i] = n.split('+') as [string, string, string];
      const h = (kind: 'store' | 'ram' | 'insert', name: string) => parts(kind).find((p) => p.name === name)!.history;
      expect(describeTracker(n).startsWith(`${h('store', s)} · ${h('ram', r)} · ${h('insert', i)}`)).toBe(true);
    }
    expect(describeTracker(LINUX_TRACKER)).toMatch(/2\.6\.34.*page_is_ram.*2\.6\.32.*today/);
  });

  it('rejects unknown names with the valid ones', () => {
    for (const bad of ['nope', 'btree+page-bit', 'btree+page-bit+single-page+x', 'btree+ram-walk+single-page', 'no-such-store+page-bit+single-page']) {
      expect(() => createTracker(bad)).toThrow(InputError);
      expect(() => describeTracker(bad)).toThrow(/valid trackers: .*interval-tree\+page-bit\+single-page/);
    }
  });

  it('test mode checks the store after every mutation', () => {
    const t = createTracker('btree+tree+single-page', { checkInvariants: true }) as ComposedTracker;
    t.attach(view());
    expect(t.memtypeCheckInsert(0x100000, 0x100010, 1, true, null)).toBe(0);
    expect(t.reserveRamPagesType(0x200, 0x210, 1)).toBe(0);
    const store = t.store as BtreeStore;
    store.f[store.root * BTREE_LAYOUT.F_STRIDE] = 5; // corrupt: the entry [0x100000, 5) is now empty
    expect(() => t.memtypeCheckInsert(0x100100, 0x100110, 1, true, null)).toThrow(/btree:/);
    const u = createTracker('btree+tree+single-page') as ComposedTracker;
    u.attach(view());
    u.memtypeCheckInsert(0x100000, 0x100010, 1, true, null);
    (u.store as BtreeStore).f[(u.store as BtreeStore).root * BTREE_LAYOUT.F_STRIDE] = 5;
    expect(u.memtypeCheckInsert(0x100100, 0x100110, 1, true, null)).toBe(0); // not in test mode: unchecked
  });
});
