/**
 * Range store `vma-walk` (Biederman-style, 2005): no tree. Pfnmap
 * reservations are not stored at all — they are found by walking the VMAs
 * linked on the I/O address-space list (each VMA's tracking context names
 * its pfn range and type). Kernel mappings that have no VMA (`ioremap`,
 * bare `memtype_reserve`) live on a side list. Every query walks both lists:
 * O(VMAs + kernel entries).
 *
 * Modeled cost: the `list_head` (16 B) the design adds to every VMA in the
 * system, plus one 64-byte slab object per kernel-list entry.
 */
import type { MachineView, PfnmapTrackCtx, VmaView } from '../core/tracker.js';
import type { RangeStore } from './parts.js';

/** One kernel-list entry (pfns, end exclusive). */
class KEntry {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly type: number,
  ) {}
}

export class VmaWalkStore implements RangeStore {
  readonly name = 'vma-walk';
  first = -1;
  other = -1;
  private view!: MachineView;
  private kernel: KEntry[] = [];

  attach(view: MachineView): void {
    this.view = view;
  }

  get size(): number {
    return this.kernel.length + this.ctxs().size;
  }

  /** Lowest start among overlapping entries (and its type) whose type is not `skip`. */
  private lowest(start: number, end: number, skip: number): number {
    let best = Infinity;
    let type = -1;
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) {
      const c = v.ctx!;
      if (c.type < 0 || c.type === skip) continue;
      if (c.pfn < end && start < c.pfn + c.npages && c.pfn < best) {
        best = c.pfn;
        type = c.type;
      }
    }
    const k = this.kernel;
    for (let i = 0; i < k.length; i++) {
      const e = k[i]!;
      if (e.type !== skip && e.start < end && start < e.end && e.start < best) {
        best = e.start;
        type = e.type;
      }
    }
    return type;
  }

  scan(start: number, end: number): void {
    this.first = this.lowest(start, end, -1);
    this.other = this.first < 0 ? -1 : this.lowest(start, end, this.first);
  }

  insert(start: number, end: number, type: number, owner: PfnmapTrackCtx | null): void {
    // A pfnmap reservation is carried by its VMAs; only kernel ones are stored.
    if (owner === null) this.kernel.push(new KEntry(start, end, type));
  }

  erase(start: number, end: number, owner: PfnmapTrackCtx | null): boolean {
    if (owner !== null) return true;
    const k = this.kernel;
    for (let i = 0; i < k.length; i++) {
      if (k[i]!.start === start && k[i]!.end === end) {
        k.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  lookup(pfn: number): number {
    return this.lowest(pfn, pfn + 1, -1);
  }

  /** Distinct reserved tracking contexts reachable from the I/O list. */
  private ctxs(): Set<PfnmapTrackCtx> {
    const s = new Set<PfnmapTrackCtx>();
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) if (v.ctx!.type >= 0) s.add(v.ctx!);
    return s;
  }

  list(out: number[]): void {
    for (const e of this.kernel) out.push(e.start, e.end, e.type);
    for (const c of this.ctxs()) out.push(c.pfn, c.pfn + c.npages, c.type);
  }

  modeledBytes(): number {
    return 16 * this.view.vmaCount + 64 * this.kernel.length;
  }

  checkInvariants(): void {
    const head = this.view.ioVmas;
    for (let v: VmaView = head.ioNext; v !== head; v = v.ioNext) {
      if (v.ctx === null) throw new Error('vma-walk: a VMA on the I/O list has no tracking context');
      if (v.ctx.refs < 1) throw new Error('vma-walk: a listed tracking context has no references');
    }
  }
}
