/**
 * The registry: every composition store × RAM policy × insert policy by
 * name, described from its parts' history, buildable in test mode.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { PageFlags } from '../../core/pageflags.js';
import { PhysMap } from '../../core/physmap.js';
import type { MachineView, VmaView } from '../../core/tracker.js';
import { BTREE_LAYOUT, BtreeStore } from '../../impls/btree.js';
import { ComposedTracker } from '../../impls/composed.js';
import { LINUX_TRACKER, NULL_TRACKER, ORACLE, createTracker, describeTracker, trackerNames } from '../../impls/registry.js';

const STORES = ['btree', 'interval-tree', 'list', 'rbtree', 'vma-walk'];
const RAMS = ['page-bit', 'page-bit-ram-walk', 'tree'];
const INSERTS = ['single-page', 'whole-vma'];

function view(): MachineView {
  const head = {} as { ioNext: VmaView };
  head.ioNext = head as unknown as VmaView;
  const pm = new PhysMap([{ start: 0x100000, end: 0x40000000, name: 'System RAM', depth: 0 }]);
  return { physmap: pm, pageFlags: new PageFlags(), ioVmas: head as unknown as VmaView, vmaCount: 3 };
}

describe('registry', () => {
  it('lists every composition, sorted, and nothing else', () => {
    const names = trackerNames();
    const expected = STORES.flatMap((s) => RAMS.flatMap((r) => INSERTS.map((i) => `${s}+${r}+${i}`))).sort();
    expect(names).toEqual(expected);
    expect(names.length).toBe(30);
    expect(names).toContain(LINUX_TRACKER);
    expect(LINUX_TRACKER).toBe('interval-tree+page-bit-ram-walk+single-page');
    expect(names).not.toContain(ORACLE);
    expect(names).not.toContain(NULL_TRACKER);
  });

  it('builds every composition under its own name, plus oracle and null', () => {
    for (const n of [...trackerNames(), ORACLE, NULL_TRACKER]) {
      const t = createTracker(n);
      expect(t.name).toBe(n);
      t.attach(view());
      expect(t.modeledBytes()).toBeGreaterThanOrEqual(0);
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
    expect(describeTracker('list+tree+whole-vma')).toMatch(/2\.6\.25.*second store.*2\.6\.29/);
    expect(describeTracker(LINUX_TRACKER)).toMatch(/2\.6\.34.*page_is_ram.*2\.6\.32.*today/);
  });

  it('rejects unknown names with the valid ones', () => {
    for (const bad of ['nope', 'btree+page-bit', 'btree+page-bit+single-page+x', 'btree+ram-walk+single-page', 'soa-interval-tree+page-bit+single-page']) {
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
