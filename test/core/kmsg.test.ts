/**
 * Kernel message formatting (core/kmsg.ts) against the kernel's printf
 * (lib/vsprintf.c) and the PAT format strings.
 */
import { describe, expect, it } from 'vitest';
import { Kmsg, formatKmsg, hex010 } from '../../core/kmsg.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';

describe('number() (lib/vsprintf.c): %#010Lx', () => {
  it('number(): the 0x prefix is printed for base 16 even when the value is 0', () => {
    expect(hex010(0)).toBe('0x00000000');
    expect(hex010(0xfff)).toBe('0x00000fff');
    expect(hex010(0xfd000000)).toBe('0xfd000000');
    expect(hex010(0x4000000000)).toBe('0x4000000000');
  });

  it('number(): a PAT message about page 0 prints [mem 0x00000000-0x00000fff]', () => {
    expect(formatKmsg(Kmsg.FreeInvalid, 0, 0x1000, 0, 0, 'dmidecode', 5)).toBe(
      'x86/PAT: dmidecode:5 freeing invalid memtype [mem 0x00000000-0x00000fff]',
    );
  });

  it('memtype_free: freeing the never-reserved page 0 through replay prints 0x00000000', async () => {
    const r = await replay([SMALL_MACHINE, { op: 'memtype_free', start: 0, end: '0x1000' }]);
    expect(at(r, 2)).toMatchObject({ ret: -22, messages: ['x86/PAT: kernel:0 freeing invalid memtype [mem 0x00000000-0x00000fff]'] });
  });
});

describe('formatKmsg: each message as the kernel prints it', () => {
  const f = (kind: number, a: number, b: number, c: number, d: number): string => formatKmsg(kind, a, b, c, d, 'Xorg', 1234);

  it('memtype_reserve: WARN(1, "%s failed: [mem %#010Lx-%#010Lx], req %s") with __func__ and end - 1', () => {
    expect(f(Kmsg.ReserveInvalidRange, 0xc0001000, 0xc0001000, 1, 0)).toBe('memtype_reserve failed: [mem 0xc0001000-0xc0000fff], req write-combining');
  });

  it('memtype_reserve: pr_info "memtype_reserve failed [mem ..], track %s, req %s" (end inclusive)', () => {
    expect(f(Kmsg.ReserveFailed, 0xc0000000, 0xc0002000, 2, 0)).toBe('x86/PAT: memtype_reserve failed [mem 0xc0000000-0xc0001fff], track uncached-minus, req write-back');
  });

  it('memtype_check_conflict: "%s:%d conflicting memory types %Lx-%Lx %s<->%s" — plain hex, end exclusive', () => {
    expect(f(Kmsg.Conflict, 0xc0000000, 0xc0002000, 1, 3)).toBe('x86/PAT: Xorg:1234 conflicting memory types c0000000-c0002000 write-combining<->uncached');
  });

  it('reserve_ram_pages_type: "track 0x%x, req 0x%x" print the enum values in hex', () => {
    expect(f(Kmsg.RamReserveFailed, 0x200000, 0x201000, 4, 5)).toBe('x86/PAT: reserve_ram_pages_type failed [mem 0x00200000-0x00200fff], track 0x4, req 0x5');
  });

  it('memtype_free: "%s:%d freeing invalid memtype [mem ..]"', () => {
    expect(f(Kmsg.FreeInvalid, 0xfd000000, 0xfd001000, 0, 0)).toBe('x86/PAT: Xorg:1234 freeing invalid memtype [mem 0xfd000000-0xfd000fff]');
  });

  it('reserve_pfn_range: "map pfn RAM range req %s for [mem ..], got %s" and "map pfn expected mapping type %s for [mem ..], got %s"', () => {
    expect(f(Kmsg.MapPfnRam, 0x200000, 0x202000, 1, 0)).toBe('x86/PAT: Xorg:1234 map pfn RAM range req write-combining for [mem 0x00200000-0x00201fff], got write-back');
    expect(f(Kmsg.MapPfnExpected, 0xc0000000, 0xc0001000, 4, 1)).toBe('x86/PAT: Xorg:1234 map pfn expected mapping type write-through for [mem 0xc0000000-0xc0000fff], got write-combining');
  });

  it('__ioremap_caller: its four messages ("%d", "0x%llx-0x%llx ... 0x%x", "%pa - %pa", "%llx")', () => {
    expect(f(Kmsg.IoremapReserveFailed, -16, 0, 0, 0)).toBe('ioremap memtype_reserve failed -16');
    expect(f(Kmsg.IoremapError, 0xc0000000, 0xc0001000, 4, 1)).toBe('ioremap error for 0xc0000000-0xc0001000, requested 0x4, got 0x1');
    expect(f(Kmsg.IoremapOnRam, 0x200000, 0x200fff, 0, 0)).toBe('ioremap on RAM at 0x0000000000200000 - 0x0000000000200fff');
    expect(f(Kmsg.IoremapInvalidAddr, 0x400000000000, 0, 0, 0)).toBe('ioremap: invalid physical address 400000000000');
  });

  it('BUG(): "kernel BUG at mm/memory.c!" without the build\'s line; an unknown kind says so', () => {
    expect(f(Kmsg.Bug, 0, 0, 0, 0)).toBe('kernel BUG at mm/memory.c!');
    expect(f(99, 0, 0, 0, 0)).toBe('unknown message 99');
  });

  it('an exclusive end of 0 (the top of the 64-bit space) prints as 0xffffffffffffffff', () => {
    expect(f(Kmsg.FreeInvalid, 0x40000000, 0, 0, 0)).toBe('x86/PAT: Xorg:1234 freeing invalid memtype [mem 0x40000000-0xffffffffffffffff]');
  });
});
