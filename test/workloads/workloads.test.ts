/**
 * The workload catalogue: every workload is pure and seeded, has sane
 * default sizes, replays on the oracle without a trace error and leaves an
 * alias-free machine, and round-trips through a trace file with the same
 * outcomes. Then each workload's own claim (refusals, live reservations,
 * cache types) is checked on its outcomes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UC_MINUS, WB, WC } from '../../core/cachemode.js';
import { EAGAIN, EBUSY, EINVAL } from '../../core/errno.js';
import { Hardware } from '../../core/hardware.js';
import { Kmsg } from '../../core/kmsg.js';
import { Machine } from '../../core/machine.js';
import { F_A, F_B, Op, STRIDE, type OpStream } from '../../core/ops.js';
import { readTraceFile } from '../../core/trace.js';
import { runTraceCommand } from '../../bench/commands/workload.js';
import { LINUX_TRACKER, ORACLE, createTracker } from '../../impls/registry.js';
import { HPET_ADDRESS } from '../../workloads/devices.js';
import { listProfiles, loadMachine, profileMachine } from '../../workloads/profiles.js';
import { getWorkload, workloadNames } from '../../workloads/registry.js';
import { record, type Rec } from '../helpers/record.js';

const SEED = 7;
const streams = new Map<string, OpStream>();
/** The workload's stream at its smallest default size, seed 7 (cached). */
function smallest(name: string): OpStream {
  let s = streams.get(name);
  if (s === undefined) {
    const w = getWorkload(name);
    streams.set(name, (s = w.generate(w.defaultSizes[0]!, SEED)));
  }
  return s;
}

/** Runs `stream` on the oracle up to op `end`, recording outcomes. */
function runTo(stream: OpStream, end: number): { machine: Machine; recs: Rec[] } {
  const machine = new Machine(Hardware.fromParsed(stream.machine), createTracker(ORACLE));
  const recs: Rec[] = [];
  let msgs: number[] = [];
  machine.run(
    stream,
    {
      msg: (k, a, b, c, d) => msgs.push(k, a, b, c, d),
      done: (i, ret, type, query) => {
        recs.push([i, ret, type, msgs, query === null ? '' : JSON.stringify(query)]);
        msgs = [];
      },
    },
    end,
  );
  return { machine, recs };
}

const opAt = (s: OpStream, i: number): number => s.ops[i * STRIDE]!;
const EXPECTED = [
  'xorg-fb',
  'ttm-fault',
  'ttm-bo-pages',
  'vvar-hpet',
  'devmem-cow',
  'ioremap-churn',
  'ram-attr',
  'alias-storm',
  'desktop-day',
  'server-pcie',
];

describe('workload catalogue', () => {
  it('registers every workload of issue 5', () => {
    expect(workloadNames()).toEqual(EXPECTED);
  });

  for (const name of EXPECTED) {
    describe(name, () => {
      const w = getWorkload(name);

      it('documents itself and has ≥ 3 ascending default sizes within maxSize, on a real profile', () => {
        expect(w.description.length).toBeGreaterThan(30);
        expect(w.sizeUnit.length).toBeGreaterThan(3);
        expect(w.defaultSizes.length).toBeGreaterThanOrEqual(3);
        expect([...w.defaultSizes].sort((a, b) => a - b)).toEqual([...w.defaultSizes]);
        expect(new Set(w.defaultSizes).size).toBe(w.defaultSizes.length);
        for (const s of w.defaultSizes) expect(s).toBeLessThanOrEqual(w.maxSize ?? Infinity);
        expect(listProfiles().map((p) => p.name)).toContain(w.defaultProfile);
      });

      it('keeps every default cell modest (≤ 100k ops) and marks a peak', () => {
        for (const size of w.defaultSizes) {
          const s = w.generate(size, SEED);
          expect(s.count, `size ${size}`).toBeLessThanOrEqual(100_000);
          expect(s.peak).toBeGreaterThan(0);
          expect(s.peak).toBeLessThanOrEqual(s.count);
        }
      });

      it('is pure: same arguments, identical stream; another seed, another stream', () => {
        const size = w.defaultSizes[0]!;
        const a = w.generate(size, SEED);
        const b = w.generate(size, SEED);
        expect(b.count).toBe(a.count);
        expect(b.peak).toBe(a.peak);
        expect(b.strings).toEqual(a.strings);
        expect(Buffer.from(b.ops.buffer).equals(Buffer.from(a.ops.buffer))).toBe(true);
        const c = w.generate(size, SEED + 1);
        expect(c.count === a.count && Buffer.from(c.ops.buffer).equals(Buffer.from(a.ops.buffer))).toBe(false);
      });

      it('rejects sizes out of range', () => {
        expect(() => w.generate(0, 1)).toThrow(/size 0 is out of range/);
        expect(() => w.generate(1.5, 1)).toThrow(/out of range/);
        if (w.maxSize !== undefined) expect(() => w.generate(w.maxSize! + 1, 1)).toThrow(/out of range/);
      });

      it('replays on the oracle without a trace error; alias-free at the peak and at the end', () => {
        const s = smallest(name);
        const atPeak = runTo(s, s.peak);
        expect(atPeak.machine.check()).toEqual([]);
        const all = record(s, ORACLE);
        expect(all.recs).toHaveLength(s.count);
        expect(all.machine.check()).toEqual([]);
        expect(all.machine.memtypeList()).toEqual([]); // teardown frees everything
      });

      it('writes a trace whose replay gives the in-memory outcomes', async () => {
        const size = w.defaultSizes[0]!;
        const path = join(mkdtempSync(join(tmpdir(), 'mtb-wl-')), `${name}.jsonl`);
        expect(await runTraceCommand(name, { size, seed: SEED, out: path })).toBe(0);
        const parsed = readTraceFile(path, { loadMachine });
        expect(parsed.errors).toEqual([]);
        const mem = w.generate(size, SEED);
        expect(parsed.stream.count).toBe(mem.count);
        expect(record(parsed.stream, LINUX_TRACKER).recs).toEqual(record(mem, LINUX_TRACKER).recs);
      });
    });
  }
});

describe('what each workload claims', () => {
  it('alias-storm: most storm requests are refused, and for real', () => {
    const w = getWorkload('alias-storm');
    const s = smallest('alias-storm');
    const { recs } = runTo(s, s.peak);
    // The storm starts with the first spawn of a racer: after the occupants' ops.
    const firstRacer = recs.findIndex((_, i) => opAt(s, i) === Op.Spawn && s.strings[s.ops[i * STRIDE + F_A]!] === 'stress-ng');
    expect(firstRacer).toBeGreaterThan(0);
    const requests = recs.slice(firstRacer).filter(([i]) => opAt(s, i) === Op.Mmap || opAt(s, i) === Op.Ioremap);
    expect(requests.length).toBe(3 * w.defaultSizes[0]!);
    const refused = requests.filter(([, ret]) => ret === -EBUSY || ret === -EINVAL || ret === -EAGAIN);
    expect(refused.length / requests.length).toBeGreaterThan(0.6);
    // Every refusal is explained by a PAT message: a conflict, or a refused type.
    const kinds = new Set([Kmsg.Conflict, Kmsg.ReserveFailed, Kmsg.MapPfnExpected, Kmsg.IoremapError, Kmsg.IoremapReserveFailed]);
    for (const [i, , , msgs] of refused) {
      expect(msgs.length, `op ${i}`).toBeGreaterThan(0);
      expect(kinds.has(msgs[0]!), `op ${i} message kind ${msgs[0]}`).toBe(true);
    }
    expect(refused.some(([, , , m]) => m[0] === Kmsg.Conflict)).toBe(true);
    // Every occupant holds its window: size live reservations at least.
    const size = w.defaultSizes[0]!;
    expect(runTo(s, firstRacer).machine.memtypeList().length).toBe(size);
  });

  it('alias-storm: without PAT nothing is refused and the machine aliases — the refusals are what keep it safe', () => {
    // PAT off leaves WB and UC- PTEs (no WC slot); over write-back MTRRs they alias. (With the guest's
    // MTRRs disabled the CPU would run all of it UC: no alias, on real hardware either.)
    const s = getWorkload('alias-storm').generate(16, SEED, loadMachine({ profile: 'kvm-guest-24g', pat: 'disabled', mtrr: { default: 'WB' } }));
    const { machine, recs } = runTo(s, s.peak);
    expect(recs.filter(([, ret]) => ret < 0)).toEqual([]);
    expect(machine.check().length).toBeGreaterThan(0);
  });

  it('desktop-day: ~20-30 live reservations all day, at every op from login to the peak', () => {
    for (const size of getWorkload('desktop-day').defaultSizes.slice(0, 2)) {
      const s = getWorkload('desktop-day').generate(size, SEED);
      const machine = new Machine(Hardware.fromParsed(s.machine), createTracker(LINUX_TRACKER));
      machine.attachStream(s, { msg() {}, done() {} });
      let login = false;
      let min = Infinity;
      let max = 0;
      const raw: number[] = [];
      for (let i = 0; i < s.peak; i++) {
        if (opAt(s, i) === Op.Spawn) login = true;
        machine.exec(s.ops, i * STRIDE);
        if (!login) continue;
        raw.length = 0;
        machine.tracker.memtypeList(raw);
        min = Math.min(min, raw.length / 3);
        max = Math.max(max, raw.length / 3);
      }
      expect(min, `size ${size}`).toBeGreaterThanOrEqual(20);
      expect(max, `size ${size}`).toBeLessThanOrEqual(30);
    }
  });

  it('ioremap-churn: the tree holds exactly `size` entries at the peak, on several maps', () => {
    for (const profile of ['kvm-guest-24g', 'dell-precision-3540', 'asus-esc8000g4']) {
      const s = getWorkload('ioremap-churn').generate(300, SEED, profileMachine(profile));
      const { machine, recs } = runTo(s, s.peak);
      expect(machine.memtypeList().length, profile).toBe(300);
      expect(recs.filter(([, ret]) => ret !== 0), profile).toEqual([]);
    }
  });

  it('ioremap-churn: a 10^6-entry stream generates in a few seconds (measured ~0.6 s; loose bound)', () => {
    const t = performance.now();
    const s = getWorkload('ioremap-churn').generate(1_000_000, 1);
    const ms = performance.now() - t;
    expect(s.count).toBe(2_500_000);
    expect(ms).toBeLessThan(6000);
  });

  it('vvar-hpet: RAM pages go in write-back, the HPET page uncached-minus', () => {
    const s = smallest('vvar-hpet');
    const { recs } = runTo(s, s.count);
    const hpetPfn = HPET_ADDRESS / 4096;
    let hpet = 0;
    for (const [i, ret, type] of recs) {
      const op = opAt(s, i);
      if (op !== Op.VmInsertPfn && op !== Op.VmInsertPfnProt) continue;
      expect(ret).toBe(0);
      const isHpet = s.ops[i * STRIDE + F_B] === hpetPfn;
      if (isHpet) hpet++;
      expect(type).toBe(isHpet ? UC_MINUS : WB);
    }
    expect(hpet).toBeGreaterThan(5);
  });

  it('ram-attr: pool pages are WC/UC- in the direct map and in user PTEs alike, and WB again at the end', () => {
    const s = smallest('ram-attr');
    const { machine, recs } = runTo(s, s.peak);
    expect(machine.directMap.size).toBeGreaterThan(0);
    const inserts = recs.filter(([i]) => opAt(s, i) === Op.VmInsertPfn);
    expect(inserts.length).toBeGreaterThan(0);
    for (const [, ret, type] of inserts) {
      expect(ret).toBe(0);
      expect([WC, UC_MINUS]).toContain(type);
    }
    expect(inserts.some(([, , t]) => t === WC)).toBe(true);
    expect(record(s, ORACLE).machine.directMap.size).toBe(0);
  });

  it('devmem-cow: every write fault succeeds (COW), reservations are live at the peak', () => {
    const s = smallest('devmem-cow');
    const { machine, recs } = runTo(s, s.peak);
    const faults = recs.filter(([i]) => opAt(s, i) === Op.Fault);
    expect(faults.length).toBeGreaterThan(10);
    expect(faults.filter(([, ret]) => ret !== 0)).toEqual([]);
    expect(recs.filter(([, ret]) => ret !== 0)).toEqual([]);
    expect(machine.memtypeList().length).toBeGreaterThan(getWorkload('devmem-cow').defaultSizes[0]!);
  });

  it('server-pcie: 32 GiB WC apertures above 4 GiB; size user mappings beside 30 driver reservations', () => {
    for (const profile of ['asus-esc8000g4', 'asrockrack-romed8-2t']) {
      const s = getWorkload('server-pcie').generate(64, SEED, profileMachine(profile));
      const { machine, recs } = runTo(s, s.peak);
      expect(recs.filter(([, ret]) => ret !== 0), profile).toEqual([]);
      const list = machine.memtypeList();
      expect(list.length, profile).toBe(64 + 30);
      const huge = list.filter((e) => e.type === 'WC' && Number(e.end) - Number(e.start) === 32 * 2 ** 30);
      expect(huge.length).toBe(8);
      for (const e of huge) expect(Number(e.start)).toBeGreaterThanOrEqual(2 ** 32);
    }
  });
});
