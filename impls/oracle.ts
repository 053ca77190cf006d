/**
 * The reference oracle: Linux's memtype data-structure semantics written as
 * plainly as possible — an unsorted array of reservations scanned in full,
 * a Map of RAM page types, RAM-ness recomputed from the merged RAM byte
 * ranges on every call. Slow on purpose; every tracker must give its
 * answers. It shares no code with the trackers under test.
 */
import { WB } from '../core/cachemode.js';
import { EBUSY, EINVAL } from '../core/errno.js';
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../core/tracker.js';

interface Entry {
  start: number;
  end: number;
  type: number;
  seq: number;
}

export class OracleTracker implements MemtypeTracker {
  readonly name = 'oracle';
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;
  private view!: MachineView;
  private entries: Entry[] = [];
  private seq = 0;
  private ramTypes = new Map<number, number>();

  attach(view: MachineView): void {
    this.view = view;
  }

  /**
   * Linux's `pagerange_is_ram_callback` cursor walk, recomputed from the
   * merged RAM byte ranges on each call: a RAM chunk starting after the
   * cursor marks a gap; RAM plus a gap is mixed.
   */
  pagerangeIsRam(start: number, end: number): number {
    const s = Math.max(start, 0x100);
    if (s >= end) return 0;
    let cur = start;
    let ram = false;
    let gap = false;
    for (const r of this.view.physmap.ramRanges) {
      const cs = Math.max(Math.ceil(r.start / 4096), s);
      const ce = Math.min(Math.floor(r.end / 4096), end);
      if (ce <= cs) continue;
      if (cs > cur) gap = true;
      ram = true;
      cur = ce;
      if (gap) return -1;
    }
    return ram ? 1 : 0;
  }

  reserveRamPagesType(start: number, end: number, req: number): number {
    for (let p = start; p < end; p++) {
      const t = this.ramTypes.get(p) ?? WB;
      if (t !== WB) {
        this.newType = t;
        return -EBUSY;
      }
    }
    for (let p = start; p < end; p++) {
      if (req === WB) this.ramTypes.delete(p);
      else this.ramTypes.set(p, req);
    }
    this.newType = req;
    return 0;
  }

  freeRamPagesType(start: number, end: number): number {
    for (let p = start; p < end; p++) this.ramTypes.delete(p);
    return 0;
  }

  getPageMemtype(pfn: number): number {
    return this.ramTypes.get(pfn) ?? WB;
  }

  /** Every RAM page whose type is not WB, as (pfn, type) pairs in pfn order (final-state checks of SMP runs). */
  nonWbRamPages(): { pfn: number; type: number }[] {
    return [...this.ramTypes].map(([pfn, type]) => ({ pfn, type })).sort((a, b) => a.pfn - b.pfn);
  }

  private overlapping(start: number, end: number): Entry[] {
    return this.entries
      .filter((e) => e.start < end && start < e.end)
      .sort((a, b) => a.start - b.start || a.seq - b.seq);
  }

  memtypeCheckInsert(start: number, end: number, type: number, wantNew: boolean, _owner: PfnmapTrackCtx | null): number {
    const over = this.overlapping(start, end);
    let found = type;
    if (over.length > 0) {
      if (over[0]!.type !== type && !wantNew) {
        this.conflictFound = type;
        this.conflictOther = over[0]!.type;
        return -EBUSY;
      }
      found = over[0]!.type;
      for (const e of over) {
        if (e.type !== found) {
          this.conflictFound = found;
          this.conflictOther = e.type;
          return -EBUSY;
        }
      }
    }
    this.entries.push({ start, end, type: found, seq: this.seq++ });
    this.newType = found;
    return 0;
  }

  memtypeErase(start: number, end: number, _owner: PfnmapTrackCtx | null): number {
    const i = this.entries.findIndex((e) => e.start === start && e.end === end);
    if (i < 0) return -EINVAL;
    this.entries.splice(i, 1);
    return 0;
  }

  memtypeLookup(pfn: number): number {
    const over = this.overlapping(pfn, pfn + 1);
    return over.length > 0 ? over[0]!.type : -1;
  }

  /** Every entry, in the interval tree's in-order walk: by start, equal starts in insertion order. */
  memtypeList(out: number[]): void {
    const sorted = [...this.entries].sort((a, b) => a.start - b.start || a.seq - b.seq);
    for (const e of sorted) out.push(e.start, e.end, e.type);
  }

  insertCachemode(_vma: VmaView, pfn: number, lookup: (pfn: number) => number): number {
    return lookup(pfn);
  }

  modeledBytes(): number {
    return 64 * this.entries.length;
  }
}
