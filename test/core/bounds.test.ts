/**
 * Untrusted traces are bounded: a request for 2^40 pages, a page-table
 * explosion, or a huge aliasing ioremap ends in an error or a capped answer
 * within seconds, never an out-of-memory kill or a hang.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ALIASES } from '../../core/alias.js';
import { UC_MINUS, WB, WC } from '../../core/cachemode.js';
import { Hardware, parseMachineSpec } from '../../core/hardware.js';
import { Machine } from '../../core/machine.js';
import { checkConsistency } from '../helpers/consistency.js';
import { Dev, MAP_SHARED, Op, OpStreamBuilder, PROT_READ, PROT_WRITE } from '../../core/ops.js';
import { parseTrace, TraceError } from '../../core/trace.js';
import { createTracker } from '../../impls/registry.js';
import { SMALL_MACHINE, at, replay } from '../helpers/replay.js';
import { RecordingSink } from '../helpers/record.js';

const M = SMALL_MACHINE;
const RW = PROT_READ | PROT_WRITE;

describe('bounded replay of untrusted traces', () => {
  it('2^40-page requests fail at once: ENOMEM beyond the address space (__get_unmapped_area) and beyond the page-table budget', async () => {
    const t0 = Date.now();
    const r = await replay([
      M,
      { op: 'spawn', mm: 1, comm: 'x', pid: 1 },
      { op: 'mmap', mm: 1, addr: '0x1000000', len: '0x10000000000000', dev: 'resource', offset: '0x0' },
      { op: 'mmap', mm: 1, addr: '0x1000000', len: '0x10000000000000', dev: 'mem', offset: '0x0' },
      { op: 'mmap', mm: 1, addr: '0x1000000', len: '0x700000000000', dev: 'pfnmap' },
      { op: 'remap_pfn_range', mm: 1, addr: '0x1000000', pfn: '0xc0000', size: '0x10000000000', cache: 'UC-' },
      { op: 'set_memory', addr: '0x200000', npages: 2 ** 40, type: 'WC' },
    ]);
    expect(at(r, 3)).toMatchObject({ ret: -12, errno: 'ENOMEM' });
    expect(at(r, 4)).toMatchObject({ ret: -12, errno: 'ENOMEM' });
    expect(at(r, 5)).toMatchObject({ ret: 0 });
    expect(at(r, 6)).toMatchObject({ ret: -12, errno: 'ENOMEM' });
    expect(at(r, 7)).toMatchObject({ ret: -22 });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('page tables stop at the machine budget with ENOMEM, and the machine stays consistent', () => {
    const machine = parseMachineSpec({ e820: M.e820 });
    const hw = Hardware.fromParsed(machine);
    const b = new OpStreamBuilder(machine);
    b.spawn(0, 'x', 1);
    b.mmap(0, 0x40000000, 2 ** 40, RW, MAP_SHARED, Dev.Pfnmap, 0, WC);
    // One page every 2 MiB: a new PTE table per insert.
    for (let i = 0; i < 100; i++) b.vmInsertPfnProt(0, 0x40000000 + i * 0x200000, 0xc0000 + i, WC);
    b.fork(0, 1, 2);
    const m = new Machine(hw, createTracker('oracle'), { maxTablePages: 40 });
    const sink = new RecordingSink();
    m.run(b.build(), sink);
    const rets = sink.recs.map((r) => r[1]);
    expect(rets.slice(2, 30).every((r) => r === 0)).toBe(true);
    expect(rets.slice(40, 102).every((r) => r === -12)).toBe(true);
    expect(rets[102]).toBe(-12);
    expect(m.processCount).toBe(1);
    expect(checkConsistency(m)).toEqual([]);
  });

  it('the alias check over huge overlapping ioremaps (PAT off: nothing tracked) is capped', () => {
    // WB and UC- PTEs (PAT off has no WC slot: ioremap_wc would be UC- too) over WB MTRRs.
    const machine = parseMachineSpec({ e820: M.e820, pat: 'disabled', mtrr: { default: 'WB' } });
    const hw = Hardware.fromParsed(machine);
    const b = new OpStreamBuilder(machine);
    b.ioremap('a', 0x100000000, 2 ** 40, UC_MINUS);
    b.ioremap('b', 0x100000000, 2 ** 40, WB);
    b.query(Op.QCheck);
    const m = new Machine(hw, createTracker('oracle'));
    const t0 = Date.now();
    m.run(b.build(), new RecordingSink());
    const aliases = (m.query as { aliases: unknown[] }).aliases;
    expect(aliases).toHaveLength(MAX_ALIASES);
    expect(Date.now() - t0).toBeLessThan(10000);
  });

  it('the parser refuses more operations than allowed', () => {
    const text = Array.from({ length: 20 }, () => '{"op":"lookup_memtype","addr":4096}').join('\n');
    const p = parseTrace(text, { maxOps: 10, loadMachine: () => parseMachineSpec({ e820: M.e820 }) });
    expect(p.stream.count).toBe(10);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toBeInstanceOf(TraceError);
    expect(p.errors[0]!.message).toBe('11:1: trace has more than 10 operations');
  });
});
