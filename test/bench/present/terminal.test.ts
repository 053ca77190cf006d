import { describe, it, expect } from 'vitest';
import { formatRunEnd, formatTable } from '../../../bench/present/terminal.js';
import { summarize } from '../../../bench/summarise/summary.js';
import { line } from '../../helpers/fakes.js';

const two = (over: Parameters<typeof line>[0], ns: [number, number] | null) =>
  [0, 1].map((fork) => line({ ...over, fork, forks: 2, ...(ns ? { samplesNs: [ns[fork]!, ns[fork]!, ns[fork]!] } : { stats: null }) }));

function run() {
  return summarize(
    [
      ...two({ tracker: 'null' }, [100, 100]),
      ...two({ tracker: 'base' }, [200, 200]),
      ...two({ tracker: 'interval-tree+page-bit+single-page', workload: 'ttm-fault', size: 65536 }, [400, 400]),
      ...two({ tracker: 'wild' }, [300, 450]),
      line({ tracker: 'half', fork: 0, forks: 2, samplesNs: [250, 250, 250] }),
      ...two({ tracker: 'bad', validity: 'errored', error: 'boom' }, null),
      ...two({ tracker: 'gc', memory: { modeledBytes: 4096, pageTableBytes: 4032, jsBytes: 12, gcCount: 0, gcPauseMs: 0 } }, [220, 220]),
    ],
    { runId: 'r', matrixHash: 'h', baseline: 'base', forks: 2, expected: [] },
  );
}

describe('the terminal table (the column model, terminal view)', () => {
  it('aligns columns (text left, numbers right, no trailing spaces), one ratio convention, tracker-only cost, flags', () => {
    expect(formatTable(run())).toBe(
      [
        'tracker                             workload     size          ops/s    ±95%  ns/op  tracker ns/op  time ÷ baseline [95%]  modeled B  tracker B/reservation         JS B  forks             valid',
        '----------------------------------  ---------  ------  -------------  ------  -----  -------------  ---------------------  ---------  ---------------------  -----------  ----------------  -------',
        'null                                w              16  1,000,000,000   ±0.0%    1.0              -   0.500 [0.500, 0.500]      4,096                    0.0        2,048  2                 harness',
        'base                                w              16    500,000,000   ±0.0%    2.0            1.0                      1      4,096                   64.0        2,048  2                 yes',
        'interval-tree+page-bit+single-page  ttm-fault  65,536    250,000,000   ±0.0%    4.0              -                      -      4,096                   64.0        2,048  2                 yes',
        'wild                                w              16    266,666,667  ±20.0%    3.8            2.8      1.88 [1.50, 2.25]      4,096                   64.0        2,048  2 UNSTABLE ×1.50  yes',
        'half                                w              16    400,000,000   ±0.0%    2.5            1.5      1.25 [1.25, 1.25]      4,096                   64.0        2,048  1/2               yes',
        'bad                                 w              16              -       -      -              -                      -      4,096                   64.0        2,048  0/2               ERROR',
        'gc                                  w              16    454,545,455   ±0.0%    2.2            1.2      1.10 [1.10, 1.10]      4,096                   64.0  ≈0 (GC; 12)  2                 yes',
        '',
      ].join('\n'),
    );
  });

  it('ends with the precision, the noise (when there is some) and the findings', () => {
    const end = formatRunEnd(run());
    expect(end).toMatch(/^precision: median ±/);
    expect(end).toContain('Noisy: the forks of 1 cell disagree (w/16/1/wild)');
    expect(end).toContain('Findings:\n  w @ 16: fastest baseline, 2.0 ns/op, time ÷ baseline 1.00 [1.00, 1.00]; slowest wild (UNSTABLE), 3.8 ns/op, time ÷ baseline 1.88 [1.50, 2.25]; slowest ÷ fastest 1.88 [1.50, 2.25] (4 trackers compared)');
    expect(end.trimEnd().split('\n').at(-1)).toMatch(/^ {2}no design's own cost grows with size/);
  });
});
