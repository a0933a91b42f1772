import { describe, expect, it } from 'vitest';
import { formatChineseDate, formatChineseDateTime } from '../../server/domain/chinese-dates.ts';

describe('formatChineseDate', () => {
  it('writes month, day and weekday', () => {
    expect(formatChineseDate('2026-11-28')).toBe('11月28日（周六）');
    expect(formatChineseDate('2026-11-22')).toBe('11月22日（周日）');
    expect(formatChineseDate('2026-11-23')).toBe('11月23日（周一）');
    expect(formatChineseDate('2026-01-01')).toBe('1月1日（周四）');
    expect(formatChineseDate('2028-02-29')).toBe('2月29日（周二）');
  });

  it('writes the year only when the date is not in the reference year', () => {
    expect(formatChineseDate('2026-11-28', 2026)).toBe('11月28日（周六）');
    expect(formatChineseDate('2027-03-01', 2026)).toBe('2027年3月1日（周一）');
    expect(formatChineseDate('2027-03-01', 2027)).toBe('3月1日（周一）');
    expect(formatChineseDate('2026-12-31', 2027)).toBe('2026年12月31日（周四）');
  });

  it('refuses anything but a real YYYY-MM-DD date', () => {
    expect(() => formatChineseDate('2026-02-29')).toThrow(RangeError);
    expect(() => formatChineseDate('2026-1-5')).toThrow(RangeError);
    expect(() => formatChineseDate('11月28日')).toThrow(RangeError);
  });
});

describe('formatChineseDateTime', () => {
  it('writes the wall-clock time in the given time zone', () => {
    expect(formatChineseDateTime(Date.parse('2026-11-28T17:30:00+08:00'), 'Asia/Shanghai')).toBe('11月28日（周六）17:30');
    expect(formatChineseDateTime(Date.parse('2026-11-28T17:30:00+08:00'), 'UTC')).toBe('11月28日（周六）09:30');
  });

  it('takes the date from the time zone, not from UTC', () => {
    expect(formatChineseDateTime(Date.parse('2026-11-28T16:30:00Z'), 'Asia/Shanghai')).toBe('11月29日（周日）00:30');
    expect(formatChineseDateTime(Date.parse('2026-11-20T23:59:59.999+08:00'), 'Asia/Shanghai')).toBe('11月20日（周五）23:59');
  });

  it('writes the year when the local date is in another year than the reference year', () => {
    const newYear = Date.parse('2026-12-31T16:00:00Z');
    expect(formatChineseDateTime(newYear, 'Asia/Shanghai', 2026)).toBe('2027年1月1日（周五）00:00');
    expect(formatChineseDateTime(newYear, 'UTC', 2026)).toBe('12月31日（周四）16:00');
  });

  it('refuses an instant that is not a finite number', () => {
    expect(() => formatChineseDateTime(Number.NaN, 'Asia/Shanghai')).toThrow(RangeError);
  });
});
