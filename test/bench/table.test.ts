import { describe, it, expect } from 'vitest';
import { formatCount, formatTable, validLabel } from '../../bench/table.js';
import { record } from './fakes.js';

describe('table', () => {
  it('formats numbers with thousands separators', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(null)).toBe('-');
    expect(formatCount(Number.NaN)).toBe('-');
  });

  it('labels validity', () => {
    expect(validLabel({ baseline: false, valid: true })).toBe('yes');
    expect(validLabel({ baseline: false, valid: false })).toBe('INVALID');
    expect(validLabel({ baseline: true, valid: null })).toBe('baseline');
  });

  it('aligns columns: text left, numbers right, no trailing spaces', () => {
    const out = formatTable([
      record({ tracker: 'null', baseline: true, valid: null, opsPerSec: 12_345_678.9, modeledBytes: 0, size: 16 }),
      record({ tracker: 'interval-tree+page-bit+single-page', workload: 'ttm-fault', size: 65536, opsPerSec: 987.6, modeledBytes: 1_048_576 }),
      record({ tracker: 'bad', valid: false, opsPerSec: null, modeledBytes: null, error: 'boom' }),
    ]);
    expect(out).toBe(
      [
        'tracker                             workload     size       ops/s  modeled bytes  valid',
        '----------------------------------  ---------  ------  ----------  -------------  --------',
        'null                                w              16  12,345,679              0  baseline',
        'interval-tree+page-bit+single-page  ttm-fault  65,536         988      1,048,576  yes',
        'bad                                 w              16           -              -  INVALID',
        '',
      ].join('\n'),
    );
  });
});
