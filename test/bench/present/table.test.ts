import { describe, it, expect } from 'vitest';
import { formatCount, formatTable } from '../../../bench/present/table.js';
import { summarize, validityLabel } from '../../../bench/summarise/summary.js';
import { line } from '../../helpers/fakes.js';

describe('table', () => {
  it('formats numbers with thousands separators', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(null)).toBe('-');
    expect(formatCount(Number.NaN)).toBe('-');
  });

  it('labels validity: unchecked is the harness for the null tracker, unchecked for a tracker timed with --no-verify', () => {
    expect(validityLabel({ validity: 'valid', role: 'tracker' })).toBe('yes');
    expect(validityLabel({ validity: 'invalid', role: 'tracker' })).toBe('INVALID');
    expect(validityLabel({ validity: 'errored', role: 'baseline' })).toBe('ERROR');
    expect(validityLabel({ validity: 'unchecked', role: 'null' })).toBe('harness');
    expect(validityLabel({ validity: 'unchecked', role: 'tracker' })).toBe('unchecked');
  });

  it('aligns columns: text left, numbers right, no trailing spaces; a forks column with unstable cells', () => {
    const two = (over: Parameters<typeof line>[0], ns: [number, number] | null) =>
      [0, 1].map((fork) => line({ ...over, fork, forks: 2, ...(ns ? { samplesNs: [ns[fork]!, ns[fork]!, ns[fork]!] } : { stats: null }) }));
    const s = summarize(
      [
        ...two({ tracker: 'null' }, [100, 100]),
        ...two({ tracker: 'base' }, [200, 200]),
        ...two({ tracker: 'interval-tree+page-bit+single-page', workload: 'ttm-fault', size: 65536 }, [400, 400]),
        ...two({ tracker: 'wild' }, [300, 450]),
        line({ tracker: 'half', fork: 0, forks: 2, samplesNs: [250, 250, 250] }),
        ...two({ tracker: 'bad', validity: 'errored', error: 'boom' }, null),
      ],
      { runId: 'r', matrixHash: 'h', baseline: 'base', forks: 2, expected: [] },
    );
    const out = formatTable(s.cells, 'base');
    expect(out).toBe(
      [
        'tracker                             workload     size          ops/s    ±95%       time ÷ base  modeled bytes  JS bytes  forks             valid',
        '----------------------------------  ---------  ------  -------------  ------  ----------------  -------------  --------  ----------------  -------',
        'null                                w              16  1,000,000,000   ±0.0%  0.50 [0.50-0.50]          4,096     2,048  2                 harness',
        'base                                w              16    500,000,000   ±0.0%                 1          4,096     2,048  2                 yes',
        'interval-tree+page-bit+single-page  ttm-fault  65,536    250,000,000   ±0.0%                 -          4,096     2,048  2                 yes',
        'wild                                w              16    266,666,667  ±20.0%  1.88 [1.50-2.25]          4,096     2,048  2 UNSTABLE ×1.50  yes',
        'half                                w              16    400,000,000   ±0.0%  1.25 [1.25-1.25]          4,096     2,048  1/2               yes',
        'bad                                 w              16              -       -                 -          4,096     2,048  0/2               ERROR',
        '',
      ].join('\n'),
    );
  });
});
