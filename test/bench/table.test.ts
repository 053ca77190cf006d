import { describe, it, expect } from 'vitest';
import { formatCount, formatTable } from '../../bench/table.js';
import { summarize, validityLabel } from '../../bench/summary.js';
import { line } from './fakes.js';

describe('table', () => {
  it('formats numbers with thousands separators', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(null)).toBe('-');
    expect(formatCount(Number.NaN)).toBe('-');
  });

  it('labels validity', () => {
    expect(validityLabel('valid')).toBe('yes');
    expect(validityLabel('invalid')).toBe('INVALID');
    expect(validityLabel('errored')).toBe('ERROR');
    expect(validityLabel('unchecked')).toBe('harness');
  });

  it('aligns columns: text left, numbers right, no trailing spaces', () => {
    const s = summarize(
      [
        line({ tracker: 'null', samplesNs: [100, 100, 100] }),
        line({ tracker: 'base', samplesNs: [200, 200, 200] }),
        line({ tracker: 'interval-tree+page-bit+single-page', workload: 'ttm-fault', size: 65536, samplesNs: [400, 400, 400] }),
        line({ tracker: 'bad', validity: 'errored', stats: null, error: 'boom' }),
      ],
      { runId: 'r', matrixHash: 'h', baseline: 'base', rounds: 1, expected: [] },
    );
    const out = formatTable(s.cells, 'base');
    expect(out).toBe(
      [
        'tracker                             workload     size          ops/s    rme       time ÷ base  modeled bytes  JS bytes  valid',
        '----------------------------------  ---------  ------  -------------  -----  ----------------  -------------  --------  -------',
        'null                                w              16  1,000,000,000  ±0.0%  0.50 [0.50-0.50]          4,096     2,048  harness',
        'base                                w              16    500,000,000  ±0.0%                 1          4,096     2,048  yes',
        'interval-tree+page-bit+single-page  ttm-fault  65,536    250,000,000  ±0.0%                 -          4,096     2,048  yes',
        'bad                                 w              16              -      -                 -          4,096     2,048  ERROR',
        '',
      ].join('\n'),
    );
  });
});
