/**
 * The kernel log lines the emulated kernel prints, as structured records
 * (a kind and up to four numbers) so the benchmark can fold them into a
 * digest without formatting strings, and replay can print them exactly as
 * Linux does (format strings from arch/x86/mm/pat/memtype.c,
 * arch/x86/mm/ioremap.c and mm/memory.c; see shared/reference/linux-pat.md).
 * All addresses are bytes.
 */
import { cattrName } from './cachemode.js';

export const enum Kmsg {
  /** WARN in memtype_reserve: a=start b=end(excl) c=req */
  ReserveInvalidRange = 1,
  /** a=start b=end(excl) c=track d=req */
  ReserveFailed,
  /** a=start b=end(excl) c=found d=other */
  Conflict,
  /** a=start b=end(excl) c=track (page type) d=req */
  RamReserveFailed,
  /** a=start b=end(excl) */
  FreeInvalid,
  /** a=start b=end(excl) c=want d=got */
  MapPfnRam,
  /** a=start b=end(excl) c=want d=got */
  MapPfnExpected,
  /** a=errno (negative) */
  IoremapReserveFailed,
  /** a=start b=end(excl) c=req d=got */
  IoremapError,
  /** a=start b=last (inclusive) */
  IoremapOnRam,
  /** a=addr */
  IoremapInvalidAddr,
  /** a `BUG_ON()` in mm/memory.c (`vmf_insert_pfn_prot()`, `remap_pte_range()`) fired; no arguments */
  Bug,
}

/**
 * `%#010Lx` as the kernel prints it (lib/vsprintf.c `number()`): `0x` then at
 * least 8 lowercase hex digits. With `SPECIAL` and base 16 the kernel always
 * emits the `0x` prefix, zero included (`0x00000000`), unlike glibc's
 * `printf`, which prints `0000000000` for 0.
 * @param v a byte address, a non-negative integer below 2^53
 */
export function hex010(v: number): string {
  return '0x' + v.toString(16).padStart(8, '0');
}

/** `%pa`: `0x` + 16 hex digits. */
function pa(v: number): string {
  return '0x' + v.toString(16).padStart(16, '0');
}

/** `end - 1` of an exclusive end, printed as u64 (0 → 0xffffffffffffffff). */
function last(end: number): string {
  return end === 0 ? '0xffffffffffffffff' : hex010(end - 1);
}

/**
 * Formats one message as the kernel prints it.
 * @param comm `current->comm` of the op's context (`kernel` without `mm`)
 * @param pid `current->pid`
 */
export function formatKmsg(kind: number, a: number, b: number, c: number, d: number, comm: string, pid: number): string {
  switch (kind) {
    case Kmsg.ReserveInvalidRange:
      return `memtype_reserve failed: [mem ${hex010(a)}-${last(b)}], req ${cattrName(c)}`;
    case Kmsg.ReserveFailed:
      return `x86/PAT: memtype_reserve failed [mem ${hex010(a)}-${last(b)}], track ${cattrName(c)}, req ${cattrName(d)}`;
    case Kmsg.Conflict:
      return `x86/PAT: ${comm}:${pid} conflicting memory types ${a.toString(16)}-${b.toString(16)} ${cattrName(c)}<->${cattrName(d)}`;
    case Kmsg.RamReserveFailed:
      return `x86/PAT: reserve_ram_pages_type failed [mem ${hex010(a)}-${last(b)}], track 0x${c.toString(16)}, req 0x${d.toString(16)}`;
    case Kmsg.FreeInvalid:
      return `x86/PAT: ${comm}:${pid} freeing invalid memtype [mem ${hex010(a)}-${last(b)}]`;
    case Kmsg.MapPfnRam:
      return `x86/PAT: ${comm}:${pid} map pfn RAM range req ${cattrName(c)} for [mem ${hex010(a)}-${last(b)}], got ${cattrName(d)}`;
    case Kmsg.MapPfnExpected:
      return `x86/PAT: ${comm}:${pid} map pfn expected mapping type ${cattrName(c)} for [mem ${hex010(a)}-${last(b)}], got ${cattrName(d)}`;
    case Kmsg.IoremapReserveFailed:
      return `ioremap memtype_reserve failed ${a}`;
    case Kmsg.IoremapError:
      return `ioremap error for 0x${a.toString(16)}-0x${b.toString(16)}, requested 0x${c.toString(16)}, got 0x${d.toString(16)}`;
    case Kmsg.IoremapOnRam:
      return `ioremap on RAM at ${pa(a)} - ${pa(b)}`;
    case Kmsg.IoremapInvalidAddr:
      return `ioremap: invalid physical address ${a.toString(16)}`;
    case Kmsg.Bug:
      // BUG() prints "kernel BUG at %s:%u!" with the source line; the line
      // depends on the build's exact mm/memory.c, so it is left out.
      return 'kernel BUG at mm/memory.c!';
    default:
      return `unknown message ${kind}`;
  }
}
