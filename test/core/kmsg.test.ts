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
