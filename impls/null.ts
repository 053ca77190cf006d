/**
 * The `null` tracker: accepts every request, remembers nothing, answers
 * "not RAM" and "no reservation". Its replay time is the core's and the
 * harness's own cost, reported beside every tracker so that a tracker's
 * figure is its own. Its outcomes are not Linux's (it is never validated).
 */
import type { MachineView, MemtypeTracker, PfnmapTrackCtx, VmaView } from '../core/tracker.js';

export class NullTracker implements MemtypeTracker {
  readonly name = 'null';
  newType = -1;
  conflictFound = -1;
  conflictOther = -1;

  attach(_view: MachineView): void {}
  pagerangeIsRam(_start: number, _end: number): number {
    return 0;
  }
  reserveRamPagesType(_start: number, _end: number, req: number): number {
    this.newType = req;
    return 0;
  }
  freeRamPagesType(_start: number, _end: number): number {
    return 0;
  }
  getPageMemtype(_pfn: number): number {
    return 0;
  }
  memtypeCheckInsert(_start: number, _end: number, type: number, _wantNew: boolean, _owner: PfnmapTrackCtx | null): number {
    this.newType = type;
    return 0;
  }
  memtypeErase(_start: number, _end: number, _owner: PfnmapTrackCtx | null): number {
    return 0;
  }
  memtypeLookup(_pfn: number): number {
    return -1;
  }
  memtypeList(_out: number[]): void {}
  insertCachemode(vma: VmaView, _pfn: number, _lookup: (pfn: number) => number): number {
    return vma.cache;
  }
  modeledBytes(): number {
    return 0;
  }
}
